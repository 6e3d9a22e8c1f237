// Channels: one form per channel type, generated from its config schema (published in
// /openapi.json as `<Type>ChannelConfig`); secrets read back masked; a test button that sends
// through the form's settings and shows what the receiver answered.
import { api } from '../../api.js';
import { errText, html, Status, useLoad, useState } from '../lib.js';
import { readSchemaForm, SchemaForm } from './schema-form.js';

async function loadChannels() {
  const [list, doc] = await Promise.all([
    api('GET', '/api/v1/notifications/channels'),
    fetch('/openapi.json', { credentials: 'same-origin' }).then((r) => r.json()),
  ]);
  const schemas = Object.fromEntries(
    Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => [name.toLowerCase(), s]),
  );
  return list.channels.map((c) => ({ ...c, schema: schemas[`${c.id}channelconfig`] ?? { properties: {} } }));
}

function ChannelCard({ channel, onSaved }) {
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const read = (form) => {
    const { config, errors } = readSchemaForm(channel.schema, form, channel.id);
    if (errors.length) throw new Error(errors.join('; '));
    return { enabled: form.elements.namedItem(`${channel.id}.enabled`).checked, config };
  };
  async function run(form, what) {
    setBusy(true);
    setMsg(null);
    try {
      const body = read(form);
      if (what === 'save') {
        await api('PUT', `/api/v1/notifications/channels/${channel.id}`, body);
        setMsg({ kind: 'ok', text: 'Saved.' });
        onSaved();
      } else {
        await api('POST', `/api/v1/notifications/channels/${channel.id}/test`, body);
        setMsg({ kind: 'ok', text: 'Test sent: the receiver accepted it.' });
      }
    } catch (err) {
      const fields = err.body?.validations?.map((v) => `${v.field} ${v.detail}`).join('; ');
      setMsg({
        kind: 'error',
        text: `${what === 'test' ? 'Test failed: ' : ''}${errText(err)}${fields ? ` (${fields})` : ''}`,
      });
    } finally {
      setBusy(false);
    }
  }
  const titleId = `ch-${channel.id}-title`;
  return html`<form class="card channel" id=${`channel-${channel.id}`} aria-labelledby=${titleId}
    onSubmit=${(e) => {
      e.preventDefault();
      void run(e.currentTarget, 'save');
    }}>
    <h2 id=${titleId}>${channel.id} ${channel.enabled ? html`<span class="tag sent">on</span>` : html`<span class="tag">off</span>`}</h2>
    <label class="check"><input type="checkbox" name=${`${channel.id}.enabled`} checked=${channel.enabled} /> Enabled</label>
    <${SchemaForm} schema=${channel.schema} values=${channel.config} prefix=${channel.id} />
    <div class="row-buttons">
      <button type="submit" disabled=${busy}>Save</button>
      <button type="button" class="secondary" disabled=${busy} onClick=${(e) => run(e.currentTarget.form, 'test')}>Send test</button>
    </div>
    <${Status} msg=${msg} />
  </form>`;
}

export function ChannelsPage() {
  const list = useLoad(loadChannels);
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Channels</h1>
    ${list.error && html`<p class="status error" role="alert">${errText(list.error)}</p>`}
    ${(list.data ?? []).map((c) => html`<${ChannelCard} key=${c.id} channel=${c} onSaved=${list.reload} />`)}
  </section>`;
}
