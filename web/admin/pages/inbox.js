// The inbox: the user's notifications, newest first, live over the SSE stream. The Coder-shape
// list carries title, content and read state; the message behind each item (targets[0]; its
// bucket is targets[1]) adds delivery type, attachments and tap URL from the bucket's messages.
import { api } from '../../api.js';
import { openInboxStream } from '../../stream.js';
import { errText, fmtTime, html, Status, useEffect, useRef, useState } from '../lib.js';
import { Markdown, safeUrl } from '../markdown.js';
import { InvitesReceived } from './buckets.js';
import { PushControls } from './push.js';

const INBOX = '/api/v2/notifications/inbox';
const SNOOZE_DEFAULT = [15, 60];

function query(filters, before) {
  const q = new URLSearchParams();
  if (filters.bucket) q.set('targets', filters.bucket);
  if (filters.template) q.set('templates', filters.template);
  if (filters.read) q.set('read_status', filters.read);
  if (before) q.set('starting_before', before);
  return q;
}

function Attachments({ list }) {
  if (!list?.length) return null;
  return html`<ul class="attachments" aria-label="Attachments">
    ${list.map((a, i) => {
      const url =
        safeUrl(a.url) ??
        (a.attachmentUuid ? `/api/v1/attachments/${encodeURIComponent(a.attachmentUuid)}` : null);
      if (!url) return null;
      const name = a.name || a.mediaType.toLowerCase();
      return html`<li key=${i}>
        ${
          a.mediaType === 'IMAGE' || a.mediaType === 'GIF' || a.mediaType === 'ICON'
            ? html`<img src=${url} alt=${name} loading="lazy" />`
            : html`<a href=${url} rel="noopener noreferrer" target="_blank">${name}</a>`
        }
      </li>`;
    })}
  </ul>`;
}

function Item({ n, msg, bucketName, onRead, onDelete, onSnooze }) {
  const unread = !n.read_at;
  const type = msg?.deliveryType ?? 'NORMAL';
  const tap = msg?.tapAction?.type === 'NAVIGATE' ? safeUrl(msg.tapAction.value) : null;
  const actions = n.actions.filter((a) => safeUrl(a.url) && safeUrl(a.url) !== tap);
  const snoozes = msg?.snoozes?.length ? msg.snoozes : SNOOZE_DEFAULT;
  const titleId = `t-${n.id}`;
  return html`<li class=${`item ${unread ? 'unread' : ''} type-${type.toLowerCase()}`} data-id=${n.id} aria-labelledby=${titleId}>
    <div class="item-head">
      ${type !== 'NORMAL' && html`<span class=${`tag ${type.toLowerCase()}`}>${type === 'CRITICAL' ? 'Critical' : 'Silent'}</span>`}
      ${bucketName && html`<span class="tag bucket">${bucketName}</span>`}
      <time datetime=${n.created_at}>${fmtTime(n.created_at)}</time>
    </div>
    <h3 class="item-title" id=${titleId}>
      ${tap ? html`<a href=${tap} rel="noopener noreferrer" target="_blank">${n.title}</a>` : n.title}
    </h3>
    ${msg?.subtitle && html`<p class="subtitle">${msg.subtitle}</p>`}
    <${Markdown} source=${n.content} class="md item-content" />
    <${Attachments} list=${msg?.attachments} />
    <div class="item-actions">
      ${actions.map((a) => html`<a class="button secondary" href=${safeUrl(a.url)} rel="noopener noreferrer" target="_blank">${a.label}</a>`)}
      <button type="button" class="secondary" onClick=${() => onRead(n, unread)}>${unread ? 'Mark as read' : 'Mark as unread'}</button>
      ${snoozes
        .slice(0, 3)
        .map(
          (m) =>
            html`<button type="button" class="secondary" onClick=${() => onSnooze(n, m)}>Snooze ${m < 60 ? `${m} min` : `${m / 60} h`}</button>`,
        )}
      ${msg && html`<button type="button" class="danger" onClick=${() => onDelete(n, msg)}>Delete</button>`}
    </div>
  </li>`;
}

export function InboxPage() {
  const [filters, setFilters] = useState({ bucket: '', template: '', read: '' });
  const [items, setItems] = useState([]);
  const [unread, setUnread] = useState(0);
  const [more, setMore] = useState(false);
  const [live, setLive] = useState('connecting');
  const [msg, setMsg] = useState(null);
  const [buckets, setBuckets] = useState([]);
  const [templates, setTemplates] = useState([]);
  const [messages, setMessages] = useState({});
  const [snoozed, setSnoozed] = useState([]);
  const [tick, setTick] = useState(0);
  const notify = useRef(false);

  const enrich = async (bucketIds) => {
    const found = {};
    await Promise.all(
      [...new Set(bucketIds)].filter(Boolean).map(async (id) => {
        try {
          const page = await api('GET', `/api/v1/buckets/${encodeURIComponent(id)}/messages?limit=100`);
          for (const m of page.messages) found[m.id] = m;
        } catch {
          // A bucket the user lost access to: its items still show, without the extras.
        }
      }),
    );
    setMessages((old) => ({ ...old, ...found }));
  };

  useEffect(() => {
    void api('GET', '/api/v1/buckets').then(setBuckets, () => {});
    void Promise.all([
      api('GET', '/api/v2/notifications/templates/system'),
      api('GET', '/api/v2/notifications/templates/custom'),
    ]).then(
      ([a, b]) => setTemplates([...a, ...b]),
      () => {},
    );
  }, []);

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Herald` : 'Herald';
  }, [unread]);

  // Snoozed items are kept out of the list by the server; the page reloads when the soonest
  // one is due, so it comes back here without a refresh (timers are capped at a day).
  const loadSnoozed = () =>
    api('GET', '/api/v1/inbox/snoozed').then(
      (r) => setSnoozed(r.snoozed),
      () => {},
    );
  useEffect(() => {
    void loadSnoozed();
  }, [tick]);
  useEffect(() => {
    if (snoozed.length === 0) return undefined;
    const due = Math.min(...snoozed.map((s) => Date.parse(s.snoozed_until)));
    const t = setTimeout(
      () => setTick((x) => x + 1),
      Math.min(Math.max(due - Date.now(), 0) + 500, 86_400_000),
    );
    return () => clearTimeout(t);
  }, [snoozed]);

  useEffect(() => {
    let stream = null;
    let stopped = false;
    const load = async () => {
      const page = await api('GET', `${INBOX}?${query(filters)}`);
      if (stopped) return null;
      setItems(page.notifications);
      setUnread(page.unread_count);
      setMore(page.notifications.length >= 25);
      void enrich(page.notifications.map((n) => n.targets[1]));
      return page.notifications[0]?.id ?? null;
    };
    const matches = (n) =>
      (!filters.bucket || n.targets.includes(filters.bucket)) &&
      (!filters.template || n.template_id === filters.template) &&
      (filters.read !== 'read' || n.read_at) &&
      (filters.read !== 'unread' || !n.read_at);
    load().then(
      (since) => {
        if (stopped) return;
        stream = openInboxStream({
          since,
          ready: () => api('GET', '/api/v1/auth/me'),
          isFatal: (err) => err?.name === 'SessionEnded',
          onStatus: setLive,
          onOverflow: () => void load().then((id) => stream?.restart(id)),
          onFrame: ({ notification: n, unread_count }) => {
            setUnread(unread_count);
            if (!matches(n)) return;
            setItems((old) => [n, ...old.filter((o) => o.id !== n.id)]);
            void enrich([n.targets[1]]);
            if (
              notify.current &&
              document.visibilityState !== 'visible' &&
              Notification.permission === 'granted'
            ) {
              new Notification(n.title, { body: n.content.slice(0, 200), tag: n.id });
            }
          },
        });
      },
      (err) => setMsg({ kind: 'error', text: errText(err) }),
    );
    return () => {
      stopped = true;
      stream?.close();
    };
  }, [filters.bucket, filters.template, filters.read, tick]);

  async function loadMore() {
    const last = items.at(-1);
    const page = await api('GET', `${INBOX}?${query(filters, last?.id)}`);
    setItems((old) => [...old, ...page.notifications.filter((n) => !old.some((o) => o.id === n.id))]);
    setMore(page.notifications.length >= 25);
    void enrich(page.notifications.map((n) => n.targets[1]));
  }

  async function onRead(n, read) {
    try {
      await api('PUT', `${INBOX}/${encodeURIComponent(n.id)}/read-status`, { is_read: read });
      setItems((old) =>
        old.map((o) => (o.id === n.id ? { ...o, read_at: read ? new Date().toISOString() : null } : o)),
      );
      setUnread((u) => Math.max(0, u + (read ? -1 : 1)));
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  async function markAll() {
    try {
      await api('PUT', `${INBOX}/mark-all-as-read`);
      const at = new Date().toISOString();
      setItems((old) => old.map((o) => ({ ...o, read_at: o.read_at ?? at })));
      setUnread(0);
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  async function onDelete(n, m) {
    if (!confirm(`Delete “${n.title}” for everyone who received it?`)) return;
    try {
      await api('DELETE', `/api/v1/messages/${encodeURIComponent(m.id)}`);
      setItems((old) => old.filter((o) => o.id !== n.id));
      if (!n.read_at) setUnread((u) => Math.max(0, u - 1));
      setMsg({ kind: 'ok', text: 'Deleted.' });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  async function onSnooze(n, minutes) {
    try {
      const until = new Date(Date.now() + minutes * 60_000).toISOString();
      const r = await api('PUT', `/api/v1/inbox/${encodeURIComponent(n.id)}/snooze`, { until });
      setItems((old) => old.filter((o) => o.id !== n.id));
      setUnread(r.unread_count);
      setMsg({ kind: 'ok', text: `Snoozed “${n.title}” until ${fmtTime(r.snoozed_until)}.` });
      void loadSnoozed();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  async function onWake(n) {
    try {
      await api('DELETE', `/api/v1/inbox/${encodeURIComponent(n.id)}/snooze`);
      setTick((x) => x + 1);
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  const bucketName = Object.fromEntries(buckets.map((b) => [b.id, b.name]));
  const shown = items;
  const set = (k) => (e) => setFilters((f) => ({ ...f, [k]: e.currentTarget.value }));

  return html`<section aria-labelledby="page-title">
    <div class="page-head">
      <h1 id="page-title" tabindex="-1">Inbox</h1>
      <p class="badge" aria-live="polite" aria-atomic="true"><span id="unread-count">${unread}</span> unread</p>
      <p class="live" id="live-status" data-state=${live}>${live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline, retrying…'}</p>
    </div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Bucket
        <select name="bucket" value=${filters.bucket} onChange=${set('bucket')}>
          <option value="">All buckets</option>
          ${buckets.map((b) => html`<option value=${b.id}>${b.name}</option>`)}
        </select>
      </label>
      <label>Template
        <select name="template" value=${filters.template} onChange=${set('template')}>
          <option value="">All templates</option>
          ${templates.map((t) => html`<option value=${t.id}>${t.name}</option>`)}
        </select>
      </label>
      <label>Show
        <select name="read" value=${filters.read} onChange=${set('read')}>
          <option value="">All</option>
          <option value="unread">Unread</option>
          <option value="read">Read</option>
        </select>
      </label>
      <button type="button" class="secondary" onClick=${markAll}>Mark all as read</button>
    </form>
    <${PushControls} notify=${notify} />
    <${InvitesReceived} />
    <${Status} msg=${msg} />
    <ul class="list" id="inbox-list" aria-label="Notifications" aria-live="polite" aria-relevant="additions">
      ${shown.map(
        (
          n,
        ) => html`<${Item} key=${n.id} n=${n} msg=${messages[n.targets[0]]} bucketName=${bucketName[n.targets[1]]}
          onRead=${onRead} onDelete=${onDelete} onSnooze=${onSnooze} />`,
      )}
    </ul>
    ${shown.length === 0 && html`<p class="muted empty">Nothing here.</p>`}
    ${more && html`<button type="button" class="secondary" onClick=${loadMore}>Load more</button>`}
    ${
      snoozed.length > 0 &&
      html`<section class="snoozed" aria-labelledby="snoozed-title">
        <h2 id="snoozed-title">Snoozed (${snoozed.length})</h2>
        <ul class="list compact" id="snoozed-list">
          ${snoozed.map(
            (s) => html`<li key=${s.notification.id} class="row">
              <span class="grow">${s.notification.title}</span>
              <span class="muted">until <time datetime=${s.snoozed_until}>${fmtTime(s.snoozed_until)}</time></span>
              <button type="button" class="secondary" aria-label=${`Wake “${s.notification.title}” now`} onClick=${() => onWake(s.notification)}>Wake now</button>
            </li>`,
          )}
        </ul>
      </section>`
    }
  </section>`;
}
