// Access tokens (`zat_…`): create with scopes, buckets, tenant and expiry; the secret is shown
// once, right after creation, with a copy button; list with last use; revoke.
import { api } from '../../api.js';
import { errText, fmtTime, html, Status, useLoad, useState } from '../lib.js';

// The scopes the server knows (src/domain/principal.ts), in the order a sender needs them.
const SCOPES = [
  ['messages:create', 'Send messages'],
  ['messages:read', 'Read messages'],
  ['buckets:read', 'Read buckets'],
  ['buckets:write', 'Manage buckets'],
  ['inbox:read', 'Read the inbox'],
  ['inbox:write', 'Change the inbox'],
  ['events:create', 'Post events'],
  ['notifications:create', 'Send tenant notifications'],
  ['notifications:read', 'Read tenant notifications'],
  ['account', 'Act on the account'],
  ['admin', 'Administer'],
  ['*', 'Everything'],
];

function Secret({ token, onDone }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('Copied to the clipboard.');
    } catch {
      document.getElementById('token-secret')?.select();
      setCopied('Select the text and copy it by hand.');
    }
  }
  return html`<div class="card secret" role="region" aria-labelledby="secret-title">
    <h2 id="secret-title">Your new token</h2>
    <p>Copy it now: Herald shows it only this once.</p>
    <label for="token-secret" class="visually-hidden">Token</label>
    <input id="token-secret" readonly value=${token} onFocus=${(e) => e.currentTarget.select()} />
    <div class="row-buttons">
      <button type="button" onClick=${copy}>Copy</button>
      <button type="button" class="secondary" onClick=${onDone}>Done</button>
    </div>
    <p class="status" role="status">${copied}</p>
  </div>`;
}

export function TokensPage() {
  const tokens = useLoad(() => api('GET', '/api/v1/access-tokens'));
  const buckets = useLoad(() => api('GET', '/api/v1/buckets'));
  const [secret, setSecret] = useState(null);
  const [msg, setMsg] = useState(null);
  const bucketName = Object.fromEntries((buckets.data ?? []).map((b) => [b.id, b.name]));

  async function create(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { name: String(f.get('name')).trim(), scopes: f.getAll('scopes').map(String) };
    const bucketIds = f.getAll('bucketIds').map(String);
    if (bucketIds.length) body.bucketIds = bucketIds;
    if (f.get('tenantId')) body.tenantId = String(f.get('tenantId')).trim();
    if (f.get('expiresAt')) body.expiresAt = new Date(`${f.get('expiresAt')}T23:59:59`).toISOString();
    try {
      const t = await api('POST', '/api/v1/access-tokens', body);
      form.reset();
      setSecret(t.token);
      setMsg(null);
      tokens.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  async function revoke(t) {
    if (!confirm(`Revoke the token “${t.name}”? Clients using it stop working at once.`)) return;
    try {
      await api('DELETE', `/api/v1/access-tokens/${encodeURIComponent(t.id)}`);
      tokens.reload();
      setMsg({ kind: 'ok', text: `Revoked “${t.name}”.` });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Access tokens</h1>
    ${secret && html`<${Secret} token=${secret} onDone=${() => setSecret(null)} />`}
    <${Status} msg=${msg} />
    <div class="table-wrap">
      <table aria-label="Access tokens">
        <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Buckets</th>
          <th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${(tokens.data ?? []).map(
            (t) => html`<tr key=${t.id}>
              <td>${t.name}</td>
              <td>${t.scopes.join(', ')}</td>
              <td>${t.bucketIds ? t.bucketIds.map((id) => bucketName[id] ?? id).join(', ') : 'All'}${t.tenantId ? ` · tenant ${t.tenantId}` : ''}</td>
              <td>${t.expiresAt ? fmtTime(t.expiresAt) : 'Never'}</td>
              <td class="last-used">${t.lastUsedAt ? fmtTime(t.lastUsedAt) : 'Never'}</td>
              <td><button type="button" class="danger small" onClick=${() => revoke(t)} aria-label=${`Revoke ${t.name}`}>Revoke</button></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${tokens.data?.length === 0 && html`<p class="muted">No tokens yet.</p>`}
    <form class="card" onSubmit=${create} aria-labelledby="new-token-title">
      <h2 id="new-token-title">New token</h2>
      <label for="token-name">Name</label>
      <input id="token-name" name="name" required maxlength="100" />
      <fieldset>
        <legend>Scopes</legend>
        <div class="checks">
          ${SCOPES.map(
            ([
              s,
              label,
            ]) => html`<label class="check" key=${s}><input type="checkbox" name="scopes" value=${s} checked=${s === 'messages:create'} />
              ${label} <code>${s}</code></label>`,
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>Limit to buckets (none ticked: all of yours)</legend>
        <div class="checks">
          ${(buckets.data ?? []).map(
            (b) =>
              html`<label class="check" key=${b.id}><input type="checkbox" name="bucketIds" value=${b.id} /> ${b.name}</label>`,
          )}
        </div>
      </fieldset>
      <label for="token-tenant">Tenant id (optional)</label>
      <input id="token-tenant" name="tenantId" />
      <label for="token-expiry">Expires on (optional)</label>
      <input id="token-expiry" name="expiresAt" type="date" />
      <button type="submit">Create token</button>
    </form>
  </section>`;
}
