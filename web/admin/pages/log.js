// Delivery log: filters (status, rule, channel, time), paging, retry with its outcome, delete,
// bulk delete, retention, and a chart of sent and failed per hour over the last 24 hours.
// The server filters (status, rule, channel, time) and pages; bulk delete sends the same filters.
import { api } from '../../api.js';
import { errText, fmtTime, html, Status, useLoad, useState } from '../lib.js';

const LIMIT = 25;
const HOUR = 3_600_000;
const CHANNELS = ['inbox', 'smtp', 'telegram', 'slack', 'webhook', 'discord', 'webpush'];
const enc = encodeURIComponent;

/** Sent and failed per hour for the last 24 hours, as bars (SVG, no script data in markup). */
function HourChart({ entries }) {
  const now = Date.now();
  const start = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const bins = Array.from({ length: 24 }, (_, i) => ({ t: start + i * HOUR, sent: 0, failed: 0 }));
  for (const e of entries) {
    const i = Math.floor((Date.parse(e.createdAt) - start) / HOUR);
    if (i >= 0 && i < 24 && (e.status === 'sent' || e.status === 'failed')) bins[i][e.status]++;
  }
  const max = Math.max(1, ...bins.map((b) => b.sent + b.failed));
  const W = 24 * 12;
  const H = 100;
  const total = bins.reduce((a, b) => ({ sent: a.sent + b.sent, failed: a.failed + b.failed }), {
    sent: 0,
    failed: 0,
  });
  return html`<figure class="card">
    <svg class="chart" viewBox=${`0 0 ${W} ${H + 14}`} role="img" aria-labelledby="chart-title"
      preserveAspectRatio="none">
      <title id="chart-title">Sent and failed deliveries per hour, last 24 hours: ${total.sent} sent, ${total.failed} failed</title>
      ${bins.map((b, i) => {
        const hs = (b.sent / max) * H;
        const hf = (b.failed / max) * H;
        return html`<g key=${i}>
          <rect class="sent" x=${i * 12 + 1} y=${H - hs} width="10" height=${hs}><title>${new Date(b.t).getHours()}:00 — ${b.sent} sent</title></rect>
          <rect class="failed" x=${i * 12 + 1} y=${H - hs - hf} width="10" height=${hf}><title>${new Date(b.t).getHours()}:00 — ${b.failed} failed</title></rect>
        </g>`;
      })}
      <text x="0" y=${H + 12}>-24 h</text>
      <text x=${W - 20} y=${H + 12}>now</text>
    </svg>
    <figcaption class="muted">Per hour, last 24 h (from the newest 200 entries): <span class="tag sent">${total.sent} sent</span>
      <span class="tag failed">${total.failed} failed</span></figcaption>
  </figure>`;
}

function Retention() {
  const s = useLoad(() => api('GET', '/api/v1/notifications/settings'));
  const [msg, setMsg] = useState(null);
  async function save(e) {
    e.preventDefault();
    try {
      const r = await api('PUT', '/api/v1/notifications/settings', {
        retentionDays: Number(new FormData(e.currentTarget).get('days')),
      });
      setMsg({ kind: 'ok', text: `Entries are kept ${r.retentionDays} days.` });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  if (!s.data) return null;
  return html`<form class="card inline" onSubmit=${save} aria-label="Retention">
    <label>Keep entries for (days) <input name="days" type="number" min="1" max="3650" value=${s.data.retentionDays} /></label>
    <button type="submit" class="secondary">Save retention</button>
    <${Status} msg=${msg} />
  </form>`;
}

export function LogPage() {
  // `since` is the window in hours; `from` the time it was chosen at, fixed so the query holds still.
  const [f, setF] = useState({ status: '', rule: '', channel: '', since: '', from: '', page: 1 });
  const [msg, setMsg] = useState(null);
  const [outcomes, setOutcomes] = useState({});
  const rules = useLoad(() => api('GET', '/api/v1/notifications/rules'));
  const q = new URLSearchParams({ page: String(f.page), limit: String(LIMIT) });
  if (f.status) q.set('status', f.status);
  if (f.rule) q.set('rule_id', f.rule);
  if (f.channel) q.set('channel', f.channel);
  if (f.from) q.set('since', f.from);
  const log = useLoad(() => api('GET', `/api/v1/notifications/log?${q}`), [q.toString()]);
  const recent = useLoad(() => api('GET', '/api/v1/notifications/log?limit=200'), [log.data]);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value, page: 1 });
  const setSince = (e) => {
    const hours = e.currentTarget.value;
    const from = hours ? new Date(Date.now() - Number(hours) * HOUR).toISOString() : '';
    setF({ ...f, since: hours, from, page: 1 });
  };
  const entries = log.data?.entries ?? [];
  const pages = Math.max(1, Math.ceil((log.data?.total ?? 0) / LIMIT));

  async function retry(e) {
    setOutcomes((o) => ({ ...o, [e.id]: 'Retrying…' }));
    try {
      const r = await api('POST', `/api/v1/notifications/log/${enc(e.id)}/retry`);
      const n = r.entry;
      setOutcomes((o) => ({ ...o, [e.id]: `Retry ${n.status}${n.error ? `: ${n.error}` : ''}` }));
      log.reload();
    } catch (err) {
      setOutcomes((o) => ({ ...o, [e.id]: `Retry failed: ${errText(err)}` }));
    }
  }
  async function remove(e) {
    try {
      await api('DELETE', `/api/v1/notifications/log/${enc(e.id)}`);
      log.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function bulk() {
    const d = new URLSearchParams(q);
    d.delete('page');
    d.delete('limit');
    const what = d.toString() ? `the ${log.data?.total ?? 0} entries matching the filters` : 'every entry';
    if (!confirm(`Delete ${what}?`)) return;
    try {
      const r = await api('DELETE', `/api/v1/notifications/log?${d}`);
      setMsg({ kind: 'ok', text: `Deleted ${r.deleted} entries.` });
      setF({ ...f, page: 1 });
      log.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Delivery log</h1>
    <${HourChart} entries=${recent.data?.entries ?? []} />
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Status <select value=${f.status} onChange=${set('status')}>
        <option value="">Any</option><option value="sent">sent</option><option value="failed">failed</option><option value="pending">pending</option><option value="skipped">skipped</option>
      </select></label>
      <label>Rule <select value=${f.rule} onChange=${set('rule')}>
        <option value="">Any</option>
        ${(rules.data?.rules ?? []).map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select></label>
      <label>Channel <select value=${f.channel} onChange=${set('channel')}>
        <option value="">Any</option>${CHANNELS.map((c) => html`<option value=${c}>${c}</option>`)}
      </select></label>
      <label>Time <select value=${f.since} onChange=${setSince}>
        <option value="">Any time</option><option value="1">Last hour</option><option value="24">Last 24 hours</option><option value="168">Last 7 days</option>
      </select></label>
      <button type="button" class="danger" onClick=${bulk}>Delete matching</button>
    </form>
    <${Status} msg=${msg} />
    <ul class="list" aria-label="Log entries" id="log-list">
      ${entries.map(
        (e) => html`<li class="item" key=${e.id} data-id=${e.id}>
          <div class="item-head">
            <span class=${`tag ${e.status}`}>${e.status}</span>
            <span class="tag">${e.channel}</span>
            ${e.test && html`<span class="tag">test</span>`}
            <time datetime=${e.createdAt}>${fmtTime(e.createdAt)}</time>
          </div>
          <h3 class="item-title">${e.ruleName ?? (e.test ? 'Channel test' : 'No rule')}</h3>
          <p class="muted">Attempts: ${e.attempts}${e.retryOf ? ' · a retry' : ''}${e.fallbackOf ? ' · a fallback' : ''}${e.fallbackIds?.length ? ` · fell back (${e.fallbackIds.length})` : ''}</p>
          ${e.error && html`<p class="error">${e.error}</p>`}
          ${e.reason && html`<p class="muted">Not sent: ${e.reason}</p>`}
          <div class="item-actions">
            ${e.status === 'failed' && html`<button type="button" class="secondary" onClick=${() => retry(e)}>Retry</button>`}
            <button type="button" class="danger" onClick=${() => remove(e)}>Delete</button>
          </div>
          <p class="status outcome" role="status">${outcomes[e.id] ?? ''}</p>
        </li>`,
      )}
    </ul>
    ${log.data && entries.length === 0 && html`<p class="muted">No entries.</p>`}
    <nav class="row-buttons" aria-label="Pages">
      <button type="button" class="secondary" disabled=${f.page <= 1} onClick=${() => setF({ ...f, page: f.page - 1 })}>Newer</button>
      <span class="status">Page ${f.page} of ${pages} (${log.data?.total ?? 0} entries)</span>
      <button type="button" class="secondary" disabled=${f.page >= pages} onClick=${() => setF({ ...f, page: f.page + 1 })}>Older</button>
    </nav>
    <${Retention} />
  </section>`;
}
