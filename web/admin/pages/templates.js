// Templates: pick one, edit its title and markdown body, and see a live preview rendered by
// the server's own template code (markdown → inbox view, email HTML shown as source, plaintext).
// The preview's markdown is drawn by the page's markdown component; the HTML is shown as text.
import { api } from '../../api.js';
import { errText, html, Status, useEffect, useLoad, useRef, useState } from '../lib.js';
import { Markdown } from '../markdown.js';

const enc = encodeURIComponent;
const PREVIEW_DELAY_MS = 250;

function usePreview(draft) {
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState('');
  const seq = useRef(0);
  useEffect(() => {
    const n = ++seq.current;
    const t = setTimeout(async () => {
      let values = {};
      try {
        values = draft.values.trim() ? JSON.parse(draft.values) : {};
      } catch {
        setError('Sample values must be a JSON object.');
        return;
      }
      try {
        const p = await api('POST', '/api/v1/templates/preview', {
          titleTemplate: draft.titleTemplate,
          messageTemplate: draft.messageTemplate,
          values,
        });
        if (n === seq.current) {
          setPreview(p);
          setError('');
        }
      } catch (err) {
        if (n === seq.current) setError(errText(err));
      }
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(t);
  }, [draft.titleTemplate, draft.messageTemplate, draft.values]);
  return { preview, error };
}

function Editor({ template, onSaved, onStart }) {
  const [draft, setDraft] = useState({
    name: template?.name ?? '',
    templateKey: '',
    titleTemplate: template?.titleTemplate ?? '',
    messageTemplate: template?.messageTemplate ?? '',
    values: '{}',
  });
  const [msg, setMsg] = useState(null);
  const { preview, error } = usePreview(draft);
  const set = (k) => (e) => setDraft({ ...draft, [k]: e.currentTarget.value });
  async function save(e) {
    e.preventDefault();
    const body = {
      name: draft.name,
      titleTemplate: draft.titleTemplate,
      messageTemplate: draft.messageTemplate,
    };
    onStart();
    try {
      const t = template
        ? await api('PATCH', `/api/v1/templates/${enc(template.id)}`, body)
        : await api('POST', '/api/v1/templates', { ...body, templateKey: draft.templateKey });
      setMsg(null);
      onSaved(t.id, 'Template saved.');
    } catch (err) {
      const fields = err.body?.validations?.map((v) => `${v.field} ${v.detail}`).join('; ');
      setMsg({ kind: 'error', text: `${errText(err)}${fields ? ` (${fields})` : ''}` });
    }
  }
  return html`<div class="preview">
    <form class="card" onSubmit=${save} aria-labelledby="tpl-title">
      <h2 id="tpl-title">${template ? template.name : 'New template'}</h2>
      ${template && html`<p class="muted">Key <code>${template.templateKey}</code> · ${template.kind}</p>`}
      ${
        !template &&
        html`<label for="tpl-key">Key</label><input id="tpl-key" value=${draft.templateKey} onInput=${set('templateKey')} required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]*" />`
      }
      <label for="tpl-name">Name</label>
      <input id="tpl-name" value=${draft.name} onInput=${set('name')} required disabled=${template?.kind === 'system'} />
      <label for="tpl-title-template">Title template</label>
      <input id="tpl-title-template" value=${draft.titleTemplate} onInput=${set('titleTemplate')} required maxlength="500" />
      <label for="tpl-message-template">Message template (markdown, <code>{{placeholders}}</code>)</label>
      <textarea id="tpl-message-template" rows="8" value=${draft.messageTemplate} onInput=${set('messageTemplate')} maxlength="5000"></textarea>
      <label for="tpl-values">Sample values (JSON)</label>
      <textarea id="tpl-values" rows="3" value=${draft.values} onInput=${set('values')}></textarea>
      <button type="submit">Save template</button>
      <${Status} msg=${msg} />
    </form>
    <section class="card" aria-labelledby="preview-title" aria-live="polite" id="template-preview">
      <h2 id="preview-title">Preview</h2>
      ${error && html`<p class="status error" role="alert">${error}</p>`}
      ${
        preview &&
        html`<h3>Inbox</h3>
        <p class="preview-title"><strong>${preview.title.plaintext}</strong></p>
        <${Markdown} source=${preview.message.markdown} class="md preview-html" />
        ${preview.missing.length > 0 && html`<p class="muted">No sample value for: ${preview.missing.join(', ')}</p>`}
        <h3>Plain text (chat, push)</h3>
        <pre class="plain-text preview-plain">${preview.message.plaintext}</pre>
        <h3>Email HTML (source)</h3>
        <pre class="plain-text preview-source">${preview.message.html}</pre>`
      }
    </section>
  </div>`;
}

export function TemplatesPage() {
  const list = useLoad(() => api('GET', '/api/v1/templates'));
  const [selected, setSelected] = useState('');
  const [notice, setNotice] = useState(null);
  // Until the list reloads after a create, the new id is not in it yet: wait rather than show
  // an empty "new" form for it.
  const current = selected && selected !== 'new' ? list.data?.find((t) => t.id === selected) : null;
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Templates</h1>
    ${list.error && html`<p class="status error" role="alert">${errText(list.error)}</p>`}
    <label for="tpl-pick">Template</label>
    <select id="tpl-pick" value=${selected} onChange=${(e) => {
      setNotice(null);
      setSelected(e.currentTarget.value);
    }}>
      <option value="">— choose a template —</option>
      <option value="new">New custom template…</option>
      ${(list.data ?? []).map((t) => html`<option value=${t.id}>${t.name} (${t.kind})</option>`)}
    </select>
    <div id="tpl-notice"><${Status} msg=${notice} /></div>
    ${
      (selected === 'new' || current) &&
      html`<${Editor} key=${selected} template=${current}
      onStart=${() => setNotice(null)}
      onSaved=${(id, text) => {
        list.reload();
        setSelected(id);
        setNotice({ kind: 'ok', text });
      }} />`
    }
  </section>`;
}
