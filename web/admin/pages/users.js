// Users and roles (admins): create accounts with roles, change roles, unlock, set a password,
// delete; create custom roles from the permission list, delete them.
import { api } from '../../api.js';
import { errText, fmtTime, html, Status, useLoad, useState } from '../lib.js';

const PERMISSIONS = [
  'admin',
  'settings.notifications',
  'users.manage',
  'templates.manage',
  'buckets.create',
  'messages.send',
];
const enc = encodeURIComponent;

function UserRow({ u, roles, me, onChanged, say }) {
  const [busy, setBusy] = useState(false);
  const [userRoles, setRoles] = useState(u.roles);
  async function run(fn, text) {
    setBusy(true);
    try {
      await fn();
      say({ kind: 'ok', text });
      onChanged();
    } catch (err) {
      say({ kind: 'error', text: errText(err) });
    } finally {
      setBusy(false);
    }
  }
  const label = u.username || u.email || u.id;
  return html`<li class="item" key=${u.id}>
    <div class="item-head"><strong>${label}</strong> <span class="muted">${u.email ?? ''}</span>
      ${u.lockedUntil && html`<span class="tag failed">locked until ${fmtTime(u.lockedUntil)}</span>`}
      <span class="tag">${u.kind}</span></div>
    <fieldset>
      <legend>Roles of ${label}</legend>
      <div class="checks">
        ${roles.map(
          (
            r,
          ) => html`<label class="check" key=${r.name}><input type="checkbox" checked=${userRoles.includes(r.name)} disabled=${busy || u.id === me.id}
            onChange=${(e) => {
              const next = e.currentTarget.checked
                ? [...userRoles, r.name]
                : userRoles.filter((x) => x !== r.name);
              setRoles(next);
              void run(
                () => api('PATCH', `/api/v1/users/${enc(u.id)}`, { roles: next }),
                `Roles of ${label} saved.`,
              );
            }} /> ${r.name}</label>`,
        )}
      </div>
    </fieldset>
    <div class="item-actions">
      ${u.lockedUntil && html`<button type="button" class="secondary" onClick=${() => run(() => api('PATCH', `/api/v1/users/${enc(u.id)}`, { unlock: true }), `${label} unlocked.`)}>Unlock</button>`}
      <button type="button" class="secondary" onClick=${() => {
        const pw = prompt(`New password for ${label}`);
        if (pw)
          void run(
            () => api('PUT', `/api/v1/users/${enc(u.id)}/password`, { password: pw }),
            `Password of ${label} set.`,
          );
      }}>Set password</button>
      ${
        u.id !== me.id &&
        html`<button type="button" class="danger" onClick=${() => {
          if (confirm(`Delete ${label}?`))
            void run(() => api('DELETE', `/api/v1/users/${enc(u.id)}`), `${label} deleted.`);
        }}>Delete</button>`
      }
    </div>
  </li>`;
}

export function UsersPage({ me }) {
  const users = useLoad(() => api('GET', '/api/v1/users?limit=100'));
  const roles = useLoad(() => api('GET', '/api/v1/roles'));
  const [msg, setMsg] = useState(null);
  const roleList = roles.data?.roles ?? [];

  async function createUser(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    try {
      await api('POST', '/api/v1/users', {
        email: String(f.get('email')).trim(),
        ...(f.get('username') ? { username: String(f.get('username')).trim() } : {}),
        password: String(f.get('password')),
        roles: f.getAll('roles').map(String),
      });
      form.reset();
      setMsg({ kind: 'ok', text: 'User created.' });
      users.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function createRole(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    try {
      await api('POST', '/api/v1/roles', {
        name: String(f.get('name')).trim(),
        permissions: f.getAll('permissions').map(String),
      });
      form.reset();
      setMsg({ kind: 'ok', text: 'Role created.' });
      roles.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }
  async function deleteRole(r) {
    if (!confirm(`Delete the role ${r.name}?`)) return;
    try {
      await api('DELETE', `/api/v1/roles/${enc(r.id)}`);
      roles.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  return html`<section aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1">Users and roles</h1>
    <${Status} msg=${msg} />
    <ul class="list" aria-label="Users" id="user-list">
      ${(users.data?.users ?? []).map(
        (u) =>
          html`<${UserRow} key=${u.id} u=${u} roles=${roleList} me=${me} onChanged=${users.reload} say=${setMsg} />`,
      )}
    </ul>
    <form class="card" onSubmit=${createUser} aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      <label for="user-email">Email</label><input id="user-email" name="email" type="email" required />
      <label for="user-name">Username (optional)</label><input id="user-name" name="username" />
      <label for="user-password">Password</label><input id="user-password" name="password" type="password" autocomplete="new-password" required minlength="8" />
      <fieldset><legend>Roles</legend><div class="checks">
        ${roleList.map((r) => html`<label class="check" key=${r.id}><input type="checkbox" name="roles" value=${r.name} checked=${r.name === 'member'} /> ${r.name}</label>`)}
      </div></fieldset>
      <button type="submit">Create user</button>
    </form>
    <section class="card" aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <ul class="rows" id="role-list">
        ${roleList.map(
          (
            r,
          ) => html`<li key=${r.id}><strong>${r.name}</strong> <span class="muted">${r.permissions.join(', ') || 'no permissions'}</span>
            ${
              r.builtin
                ? html`<span class="tag">built in</span>`
                : html`<button type="button" class="danger small" onClick=${() => deleteRole(r)}
              aria-label=${`Delete role ${r.name}`}>Delete</button>`
            }</li>`,
        )}
      </ul>
      <form onSubmit=${createRole} aria-label="New role">
        <label for="role-name">New role name</label><input id="role-name" name="name" required maxlength="100" />
        <fieldset><legend>Permissions</legend><div class="checks">
          ${PERMISSIONS.map((p) => html`<label class="check" key=${p}><input type="checkbox" name="permissions" value=${p} /> ${p}</label>`)}
        </div></fieldset>
        <button type="submit" class="secondary">Create role</button>
      </form>
    </section>
  </section>`;
}
