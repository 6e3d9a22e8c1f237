// Rules: list with last triggered and an on/off switch; create and edit with events, and/or
// conditions (field, operator, value; `in`/`not_in` on IP fields take CIDR ranges), cadence
// and actions (channel + recipients).
import { api } from '../../api.js';
import { errText, fmtTime, html, Status, useLoad, useState } from '../lib.js';

// The operators and what each takes come from the server (GET /api/v1/notifications/rules/operators),
// so this page never lists its own: kind is 'value', 'list', 'pair' or 'boolean'.
const OPERATORS_URL = '/api/v1/notifications/rules/operators';
const CHANNELS = ['inbox', 'smtp', 'telegram', 'slack', 'webhook', 'discord', 'webpush'];
const enc = encodeURIComponent;
const csv = (s) =>
  String(s)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const num = (s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);

function valueText(c) {
  if (Array.isArray(c.value)) return c.value.join(', ');
  return c.value === undefined ? '' : String(c.value);
}

function toCondition(c, kind) {
  if (kind === 'boolean') return { field: c.field, operator: c.operator, value: c.value !== 'false' };
  if (kind === 'list' || kind === 'pair') {
    return { field: c.field, operator: c.operator, value: csv(c.value).map(num) };
  }
  return { field: c.field, operator: c.operator, value: c.value };
}

function cadenceOf(rule) {
  const c = rule?.cadence;
  if (!c || c === 'instant' || c.type === 'instant') return { type: 'instant', minutes: 15, every: 'hour' };
  return { minutes: 15, every: 'hour', ...c };
}

function RuleEditor({ rule, recipients, operators, onDone }) {
  const kindOf = (op) => operators.find((o) => o.operator === op)?.value ?? 'value';
  const [name, setName] = useState(rule?.name ?? '');
  const [events, setEvents] = useState(rule?.events.join(', ') ?? '');
  const [logic, setLogic] = useState(rule?.conditionLogic ?? 'and');
  const [conds, setConds] = useState((rule?.conditions ?? []).map((c) => ({ ...c, value: valueText(c) })));
  const [cadence, setCadence] = useState(cadenceOf(rule));
  const [actions, setActions] = useState(
    (rule?.actions ?? [{ channel: 'inbox', recipients: [] }]).map((a) => ({
      ...a,
      recipients: (a.recipients ?? []).join(', '),
    })),
  );
  const [msg, setMsg] = useState(null);
  const edit = (list, setList, i, patch) => setList(list.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  async function save(e) {
    e.preventDefault();
    const body = {
      name: name.trim(),
      enabled: rule?.enabled ?? true,
      events: csv(events),
      conditionLogic: logic,
      conditions: conds.map((c) => toCondition(c, kindOf(c.operator))),
      cadence:
        cadence.type === 'instant'
          ? 'instant'
          : cadence.type === 'throttle'
            ? { type: 'throttle', minutes: Number(cadence.minutes) }
            : { type: 'digest', every: cadence.every },
      actions: actions.map((a) => ({ channel: a.channel, recipients: csv(a.recipients) })),
    };
    try {
      if (rule) await api('PUT', `/api/v1/notifications/rules/${enc(rule.id)}`, body);
      else await api('POST', '/api/v1/notifications/rules', body);
      onDone(`Rule “${body.name}” saved.`);
    } catch (err) {
      const fields = err.body?.validations?.map((v) => `${v.field} ${v.detail}`).join('; ');
      setMsg({ kind: 'error', text: `${errText(err)}${fields ? ` (${fields})` : ''}` });
    }
  }

  return html`<form class="card" onSubmit=${save} aria-labelledby="rule-editor-title">
    <h2 id="rule-editor-title">${rule ? `Edit “${rule.name}”` : 'New rule'}</h2>
    <label for="rule-name">Name</label>
    <input id="rule-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} required maxlength="200" />
    <label for="rule-events">Events (comma-separated; <code>*</code> and <code>prefix.*</code> match many)</label>
    <input id="rule-events" value=${events} onInput=${(e) => setEvents(e.currentTarget.value)} required placeholder="auth.login_failed" />
    <fieldset>
      <legend>Conditions</legend>
      <label class="check"><input type="radio" name="logic" checked=${logic === 'and'} onChange=${() => setLogic('and')} /> All must hold (and)</label>
      <label class="check"><input type="radio" name="logic" checked=${logic === 'or'} onChange=${() => setLogic('or')} /> Any may hold (or)</label>
      ${conds.map(
        (c, i) => html`<div class="inline condition" key=${i} role="group" aria-label=${`Condition ${i + 1}`}>
          <label>Field <input value=${c.field} required onInput=${(e) => edit(conds, setConds, i, { field: e.currentTarget.value })} /></label>
          <label>Operator
            <select value=${c.operator} onChange=${(e) => edit(conds, setConds, i, { operator: e.currentTarget.value })}>
              ${operators.map((o) => html`<option value=${o.operator} title=${o.description}>${o.operator}</option>`)}
            </select>
          </label>
          <label>Value${
            { list: ' (comma-separated; CIDR for IPs)', pair: ' (low, high)', boolean: ' (true or false)' }[
              kindOf(c.operator)
            ] ?? ''
          }
            <input value=${c.value} onInput=${(e) => edit(conds, setConds, i, { value: e.currentTarget.value })} /></label>
          <button type="button" class="secondary small" onClick=${() => setConds(conds.filter((_, j) => j !== i))}
            aria-label=${`Remove condition ${i + 1}`}>Remove</button>
        </div>`,
      )}
      <button type="button" class="secondary" onClick=${() => setConds([...conds, { field: '', operator: 'equals', value: '' }])}>Add condition</button>
    </fieldset>
    <fieldset>
      <legend>Cadence</legend>
      <div class="inline">
        <label>Send
          <select value=${cadence.type} onChange=${(e) => setCadence({ ...cadence, type: e.currentTarget.value })}>
            <option value="instant">at once</option>
            <option value="throttle">at most once per…</option>
            <option value="digest">as a digest</option>
          </select>
        </label>
        ${
          cadence.type === 'throttle' &&
          html`<label>Minutes <input type="number" min="1" max="10080" value=${cadence.minutes}
          onInput=${(e) => setCadence({ ...cadence, minutes: e.currentTarget.value })} /></label>`
        }
        ${
          cadence.type === 'digest' &&
          html`<label>Every <select value=${cadence.every} onChange=${(e) => setCadence({ ...cadence, every: e.currentTarget.value })}>
          <option value="hour">hour</option><option value="day">day</option></select></label>`
        }
      </div>
    </fieldset>
    <fieldset>
      <legend>Actions</legend>
      ${actions.map(
        (a, i) => html`<div class="inline" key=${i} role="group" aria-label=${`Action ${i + 1}`}>
          <label>Channel <select value=${a.channel} onChange=${(e) => edit(actions, setActions, i, { channel: e.currentTarget.value })}>
            ${CHANNELS.map((c) => html`<option value=${c}>${c}</option>`)}</select></label>
          <label>Recipients (comma-separated)
            <input value=${a.recipients} list="recipient-list" onInput=${(e) => edit(actions, setActions, i, { recipients: e.currentTarget.value })} /></label>
          ${
            actions.length > 1 &&
            html`<button type="button" class="secondary small" onClick=${() => setActions(actions.filter((_, j) => j !== i))}
            aria-label=${`Remove action ${i + 1}`}>Remove</button>`
          }
        </div>`,
      )}
      <datalist id="recipient-list">
        ${(recipients?.users ?? []).map((u) => html`<option value=${u.email ?? u.id}>${u.username ?? ''}</option>`)}
      </datalist>
      <button type="button" class="secondary" onClick=${() => setActions([...actions, { channel: 'inbox', recipients: '' }])}>Add action</button>
    </fieldset>
    <button type="submit">Save rule</button>
    <button type="button" class="secondary" onClick=${() => onDone()}>Cancel</button>
    <${Status} msg=${msg} />
  </form>`;
}

export function RulesPage() {
  const rules = useLoad(() => api('GET', '/api/v1/notifications/rules'));
  const recipients = useLoad(() => api('GET', '/api/v1/notifications/recipients'));
  const operators = useLoad(() => api('GET', OPERATORS_URL));
  const [editing, setEditing] = useState(null);
  const [msg, setMsg] = useState(null);
  async function toggle(r) {
    try {
      await api('PATCH', `/api/v1/notifications/rules/${enc(r.id)}/toggle`);
      rules.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function remove(r) {
    if (!confirm(`Delete the rule “${r.name}”?`)) return;
    try {
      await api('DELETE', `/api/v1/notifications/rules/${enc(r.id)}`);
      rules.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  const done = (text) => {
    setEditing(null);
    if (text) setMsg({ kind: 'ok', text });
    rules.reload();
  };
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Rules</h1>
    <${Status} msg=${msg} />
    ${
      editing
        ? html`<${RuleEditor} key=${editing === 'new' ? 'new' : editing.id} rule=${editing === 'new' ? null : editing} operators=${operators.data?.operators ?? []}
          recipients=${recipients.data} onDone=${done} />`
        : html`<p><button type="button" onClick=${() => setEditing('new')}>New rule</button></p>`
    }
    <ul class="list" aria-label="Rules">
      ${(rules.data?.rules ?? []).map(
        (r) => html`<li class="item" key=${r.id}>
          <div class="item-head">
            <label class="check"><input type="checkbox" role="switch" checked=${r.enabled} onChange=${() => toggle(r)}
              aria-label=${`${r.name} enabled`} /> ${r.enabled ? 'On' : 'Off'}</label>
            <span>Last triggered: ${r.lastTriggeredAt ? fmtTime(r.lastTriggeredAt) : 'never'}</span>
          </div>
          <h3 class="item-title">${r.name}</h3>
          <p class="muted">${[
            `On ${r.events.join(', ')}`,
            r.conditions.length && `${r.conditions.length} condition(s), ${r.conditionLogic}`,
            `to ${r.actions.map((a) => a.channel).join(', ')}`,
          ]
            .filter(Boolean)
            .join(' · ')}</p>
          <div class="item-actions">
            <button type="button" class="secondary" onClick=${() => setEditing(r)} aria-label=${`Edit ${r.name}`}>Edit</button>
            <button type="button" class="danger" onClick=${() => remove(r)} aria-label=${`Delete ${r.name}`}>Delete</button>
          </div>
        </li>`,
      )}
    </ul>
  </section>`;
}
