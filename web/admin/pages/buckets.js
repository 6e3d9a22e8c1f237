// Buckets: create, rename, delete; members and their permission; invites sent (cancel) and
// received (accept, decline); your magic code (regenerate); a test message; recent messages.
import { api } from '../../api.js';
import { errText, fmtTime, html, Status, useEffect, useLoad, useState } from '../lib.js';
import { Markdown } from '../markdown.js';

const enc = encodeURIComponent;

function Members({ bucket }) {
  const members = useLoad(() => api('GET', `/api/v1/buckets/${enc(bucket.id)}/members`), [bucket.id]);
  const invites = useLoad(() => api('GET', `/api/v1/buckets/${enc(bucket.id)}/invites`), [bucket.id]);
  const [msg, setMsg] = useState(null);
  async function add(e) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      await api('POST', `/api/v1/buckets/${enc(bucket.id)}/members`, {
        userId: String(f.get('userId')).trim(),
        permission: f.get('permission'),
      });
      e.currentTarget?.reset?.();
      members.reload();
      invites.reload();
      // A server admin adds at once; a bucket admin's add is an invite the user must accept.
      setMsg({ kind: 'ok', text: 'Saved: a new user is a member once they accept the invite.' });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function cancel(inv) {
    try {
      await api('DELETE', `/api/v1/buckets/${enc(bucket.id)}/invites/${enc(inv.id)}`);
      invites.reload();
      setMsg({ kind: 'ok', text: 'Invite cancelled.' });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function remove(m) {
    try {
      await api('DELETE', `/api/v1/buckets/${enc(bucket.id)}/members/${enc(m.userId)}`);
      members.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  return html`<section aria-label=${`Members of ${bucket.name}`}>
    <h3>Members</h3>
    <ul class="rows">
      ${(members.data ?? []).map(
        (m) => html`<li key=${m.userId}><span>${m.username || m.email || m.userId}</span>
          <span class="tag">${m.permission}</span>
          ${
            m.permission !== 'owner' &&
            html`<button type="button" class="secondary small" onClick=${() => remove(m)}
            aria-label=${`Remove ${m.username || m.email}`}>Remove</button>`
          }</li>`,
      )}
    </ul>
    ${
      invites.data?.length > 0 &&
      html`<h3>Pending invites</h3>
      <ul class="rows" id="invites-sent" aria-label=${`Pending invites to ${bucket.name}`}>
        ${invites.data.map(
          (inv) => html`<li key=${inv.id}><span>${inv.userId}</span>
            <span class="tag">${inv.permission}</span>
            <span class="muted">until ${fmtTime(inv.expiresAt)}</span>
            <button type="button" class="secondary small" onClick=${() => cancel(inv)}
              aria-label=${`Cancel the invite of ${inv.userId}`}>Cancel invite</button></li>`,
        )}
      </ul>`
    }
    <form class="inline" onSubmit=${add}>
      <label>User (id, username or email) <input name="userId" required /></label>
      <label>Permission
        <select name="permission"><option>read</option><option selected>write</option><option>admin</option></select>
      </label>
      <button type="submit" class="secondary">Add member</button>
    </form>
    <${Status} msg=${msg} />
  </section>`;
}

/** Invites sent to the user: accepting makes them a member of that bucket. */
export function InvitesReceived({ onAccepted }) {
  const invites = useLoad(() => api('GET', '/api/v1/buckets/invites'));
  const [msg, setMsg] = useState(null);
  async function answer(inv, accept) {
    try {
      await api('POST', `/api/v1/buckets/invites/${enc(inv.id)}/${accept ? 'accept' : 'decline'}`);
      invites.reload();
      setMsg({ kind: 'ok', text: accept ? `You joined “${inv.bucketName}”.` : 'Invite declined.' });
      if (accept) onAccepted?.();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  if (!invites.data?.length && !msg) return null;
  return html`<section class="card" aria-labelledby="invites-title">
    <h2 id="invites-title">Invites for you</h2>
    <ul class="rows" id="invites-received">
      ${(invites.data ?? []).map(
        (inv) => html`<li key=${inv.id}><span><strong>${inv.bucketName}</strong></span>
          <span class="tag">${inv.permission}</span>
          <span class="muted">until ${fmtTime(inv.expiresAt)}</span>
          <button type="button" class="small" onClick=${() => answer(inv, true)}
            aria-label=${`Accept the invite to ${inv.bucketName}`}>Accept</button>
          <button type="button" class="secondary small" onClick=${() => answer(inv, false)}
            aria-label=${`Decline the invite to ${inv.bucketName}`}>Decline</button></li>`,
      )}
    </ul>
    <${Status} msg=${msg} />
  </section>`;
}

/**
 * The user's own magic code for this bucket (docs/buckets.md): it sends here as them with no
 * token, so it is shown with the URL it works at, and can be replaced.
 */
function MagicCode({ bucket }) {
  const code = useLoad(() => api('GET', `/api/v1/buckets/${enc(bucket.id)}/magic-code`), [bucket.id]);
  const [msg, setMsg] = useState(null);
  async function regenerate() {
    if (!confirm('Replace your magic code? Anything still sending with the old one stops working.')) return;
    try {
      await api('POST', `/api/v1/buckets/${enc(bucket.id)}/magic-code/regenerate`);
      code.reload();
      setMsg({ kind: 'ok', text: 'New code made; the old one no longer works.' });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  return html`<section aria-labelledby="magic-code-title">
    <h3 id="magic-code-title">Your magic code</h3>
    <p class="muted">
      Sends to this bucket as you, without a token: <code>POST /api/v1/messages</code> with${' '}
      <code>{"title": "…", "magicCode": "…"}</code>. Keep it like a password.
    </p>
    <p class="magic-code">
      <code id="magic-code">${code.data?.magicCode ?? (code.error ? '—' : '…')}</code>
      <button type="button" class="secondary small" onClick=${regenerate}>Regenerate</button>
    </p>
    <${Status} msg=${msg ?? (code.error ? { kind: 'error', text: errText(code.error) } : null)} />
  </section>`;
}

function BucketDetail({ bucket, onChanged }) {
  const recent = useLoad(
    () => api('GET', `/api/v1/buckets/${enc(bucket.id)}/messages?limit=10`),
    [bucket.id],
  );
  const [msg, setMsg] = useState(null);
  async function rename(e) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name')).trim();
    try {
      await api('PATCH', `/api/v1/buckets/${enc(bucket.id)}`, { name });
      setMsg({ kind: 'ok', text: 'Renamed.' });
      onChanged();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function test() {
    try {
      await api('POST', '/api/v1/messages', {
        bucketId: bucket.id,
        title: `Test message to ${bucket.name}`,
        body: 'Sent from the **Herald** web app.',
        deliveryType: 'NORMAL',
      });
      setMsg({ kind: 'ok', text: 'Test message sent.' });
      recent.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function remove() {
    if (!confirm(`Delete the bucket “${bucket.name}” and its messages?`)) return;
    try {
      await api('DELETE', `/api/v1/buckets/${enc(bucket.id)}`);
      onChanged(true);
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  const canAdmin = bucket.permission === 'owner' || bucket.permission === 'admin';
  return html`<article class="card" aria-labelledby="bucket-name">
    <h2 id="bucket-name">${bucket.name}</h2>
    <p class="muted">Id <code>${bucket.id}</code> · your permission: ${bucket.permission}</p>
    ${
      canAdmin &&
      html`<form class="inline" onSubmit=${rename}>
      <label>Name <input name="name" value=${bucket.name} required maxlength="100" /></label>
      <button type="submit" class="secondary">Rename</button>
    </form>`
    }
    <div class="row-buttons">
      <button type="button" onClick=${test}>Send test message</button>
      ${bucket.permission === 'owner' && html`<button type="button" class="danger" onClick=${remove}>Delete bucket</button>`}
    </div>
    <${Status} msg=${msg} />
    ${canAdmin && html`<${Members} bucket=${bucket} />`}
    ${bucket.permission && html`<${MagicCode} bucket=${bucket} />`}
    <h3>Recent messages</h3>
    <ul class="rows recent" aria-label="Recent messages">
      ${(recent.data?.messages ?? []).map(
        (
          m,
        ) => html`<li key=${m.id}><div><strong>${m.title}</strong> <span class="muted">${fmtTime(m.createdAt)}</span>
          ${m.deliveryType !== 'NORMAL' && html` <span class=${`tag ${m.deliveryType.toLowerCase()}`}>${m.deliveryType}</span>`}
          <${Markdown} source=${m.body} /></div></li>`,
      )}
    </ul>
    ${recent.data?.messages?.length === 0 && html`<p class="muted">No messages yet.</p>`}
  </article>`;
}

export function BucketsPage() {
  const list = useLoad(() => api('GET', '/api/v1/buckets'));
  const [selected, setSelected] = useState(null);
  const [msg, setMsg] = useState(null);
  useEffect(() => {
    if (!selected && list.data?.length) setSelected(list.data[0].id);
  }, [list.data]);
  async function create(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    try {
      const b = await api('POST', '/api/v1/buckets', {
        name: String(f.get('name')).trim(),
        ...(f.get('description') ? { description: String(f.get('description')) } : {}),
      });
      form.reset();
      setSelected(b.id);
      list.reload();
      setMsg({ kind: 'ok', text: `Bucket “${b.name}” created.` });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  const bucket = list.data?.find((b) => b.id === selected);
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Buckets</h1>
    <${InvitesReceived} onAccepted=${() => list.reload()} />
    <div class="split">
      <div>
        <ul class="rows pick" aria-label="Buckets">
          ${(list.data ?? []).map(
            (b) => html`<li key=${b.id}><button type="button" class=${b.id === selected ? 'picked' : 'plain'}
              aria-pressed=${b.id === selected} onClick=${() => setSelected(b.id)}>${b.name}</button></li>`,
          )}
        </ul>
        <form class="card" onSubmit=${create} aria-label="New bucket">
          <h2>New bucket</h2>
          <label for="bucket-new-name">Name</label>
          <input id="bucket-new-name" name="name" required maxlength="100" />
          <label for="bucket-new-desc">Description</label>
          <input id="bucket-new-desc" name="description" maxlength="500" />
          <button type="submit">Create bucket</button>
          <${Status} msg=${msg} />
        </form>
      </div>
      ${
        bucket &&
        html`<${BucketDetail} key=${bucket.id} bucket=${bucket} onChanged=${(gone) => {
          if (gone) setSelected(null);
          list.reload();
        }} />`
      }
    </div>
  </section>`;
}
