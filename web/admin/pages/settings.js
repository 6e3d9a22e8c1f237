// Preferences: which templates reach this user (per-template opt-out), the pause switch for
// outside deliveries (admins), and this device's Web Push subscriptions.
import { api } from '../../api.js';
import { errText, fmtTime, html, Status, useLoad, useState } from '../lib.js';

async function loadPrefs() {
  const [system, custom, prefs] = await Promise.all([
    api('GET', '/api/v2/notifications/templates/system'),
    api('GET', '/api/v2/notifications/templates/custom'),
    api('GET', '/api/v2/users/me/notifications/preferences'),
  ]);
  const disabled = Object.fromEntries(prefs.map((p) => [p.id, p.disabled]));
  return [...system, ...custom].map((t) => ({ ...t, on: !(disabled[t.id] ?? !t.enabled_by_default) }));
}

function Pause({ isAdmin }) {
  const s = useLoad(() => api('GET', '/api/v2/notifications/settings'));
  const [msg, setMsg] = useState(null);
  const [shown, setShown] = useState(null);
  async function flip(e) {
    const paused = e.currentTarget.checked;
    setShown(paused);
    try {
      await api('PUT', '/api/v2/notifications/settings', { notifier_paused: paused });
      setMsg({
        kind: 'ok',
        text: paused
          ? 'Outside deliveries are paused; they are held and sent on resume.'
          : 'Deliveries resumed.',
      });
      s.reload();
    } catch (err) {
      setShown(!paused);
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  if (!s.data) return null;
  return html`<section class="card" aria-labelledby="pause-title">
    <h2 id="pause-title">Pause</h2>
    <label class="check"><input type="checkbox" role="switch" id="pause-switch" checked=${shown ?? s.data.notifier_paused}
      disabled=${!isAdmin} onChange=${flip} /> Pause all outside deliveries (email, chat, webhooks, push)</label>
    ${!isAdmin && html`<p class="muted">Only an admin can change this.</p>`}
    <${Status} msg=${msg} />
  </section>`;
}

function Subscriptions() {
  const subs = useLoad(() => api('GET', '/api/v1/push-subscriptions'));
  async function remove(id) {
    await api('DELETE', `/api/v1/push-subscriptions/${encodeURIComponent(id)}`);
    subs.reload();
  }
  return html`<section class="card" aria-labelledby="subs-title">
    <h2 id="subs-title">Web Push devices</h2>
    <ul class="rows">
      ${(subs.data?.subscriptions ?? []).map(
        (
          s,
        ) => html`<li key=${s.id}><span>${new URL(s.endpoint).host}</span><span class="muted">${fmtTime(s.createdAt)}</span>
          <button type="button" class="secondary small" onClick=${() => remove(s.id)}>Remove</button></li>`,
      )}
    </ul>
    ${subs.data?.subscriptions?.length === 0 && html`<p class="muted">None. Subscribe from the inbox’s “Alerts on this device”.</p>`}
  </section>`;
}

export function SettingsPage({ isAdmin }) {
  const prefs = useLoad(loadPrefs);
  const [msg, setMsg] = useState(null);
  // The box shows the choice at once; a refusal puts it back.
  const [local, setLocal] = useState({});
  async function toggle(t, on) {
    setLocal((l) => ({ ...l, [t.id]: on }));
    try {
      await api('PUT', '/api/v2/users/me/notifications/preferences', {
        template_disabled_map: { [t.id]: !on },
      });
      setMsg({ kind: 'ok', text: `${t.name}: ${on ? 'on' : 'off'}.` });
      prefs.reload();
    } catch (err) {
      setLocal((l) => ({ ...l, [t.id]: !on }));
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Preferences</h1>
    <${Pause} isAdmin=${isAdmin} />
    <section class="card" aria-labelledby="prefs-title">
      <h2 id="prefs-title">Notifications I get</h2>
      <${Status} msg=${msg} />
      <ul class="rows" id="prefs">
        ${(prefs.data ?? []).map(
          (
            t,
          ) => html`<li key=${t.id}><label class="check"><input type="checkbox" checked=${local[t.id] ?? t.on}
            onChange=${(e) => toggle(t, e.currentTarget.checked)} /> ${t.name}</label>
            <span class="tag">${t.kind}</span>${t.group && html`<span class="muted">${t.group}</span>`}</li>`,
        )}
      </ul>
    </section>
    <${Subscriptions} />
  </section>`;
}
