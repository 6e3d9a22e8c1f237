// Herald's web app: a login, then one page per area, routed by the URL hash (`/admin#/rules`)
// so the server serves a single file. Everything goes through the public API (../api.js keeps
// the session in the HttpOnly cookie; no token is ever visible to this code).
import { ApiError, api, currentUser, login, logout, onSessionEnded, restoreSession } from '../api.js';
import { html, render, useEffect, useLayoutEffect, useState } from './lib.js';
import { BucketsPage } from './pages/buckets.js';
import { ChannelsPage } from './pages/channels.js';
import { InboxPage } from './pages/inbox.js';
import { LogPage } from './pages/log.js';
import { RulesPage } from './pages/rules.js';
import { SettingsPage } from './pages/settings.js';
import { TemplatesPage } from './pages/templates.js';
import { TokensPage } from './pages/tokens.js';
import { UsersPage } from './pages/users.js';

const PAGES = [
  { path: 'inbox', label: 'Inbox', view: InboxPage },
  { path: 'buckets', label: 'Buckets', view: BucketsPage },
  { path: 'tokens', label: 'Tokens', view: TokensPage },
  { path: 'channels', label: 'Channels', view: ChannelsPage, admin: true },
  { path: 'rules', label: 'Rules', view: RulesPage, admin: true },
  { path: 'log', label: 'Delivery log', view: LogPage, admin: true },
  { path: 'templates', label: 'Templates', view: TemplatesPage, admin: true },
  { path: 'settings', label: 'Preferences', view: SettingsPage },
  { path: 'users', label: 'Users', view: UsersPage, admin: true },
];

const routeOf = () => location.hash.replace(/^#\/?/, '').split('/')[0] || 'inbox';

function useRoute() {
  const [route, setRoute] = useState(routeOf());
  useEffect(() => {
    const on = () => setRoute(routeOf());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Login({ notice, onDone }) {
  const [error, setError] = useState(notice ?? '');
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError('');
    try {
      await login(String(f.get('identifier')).trim(), String(f.get('password')));
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Herald could not be reached. Try again.');
      setBusy(false);
    }
  }
  return html`<main id="main" class="narrow">
    <section class="card" aria-labelledby="login-title">
      <h1 id="login-title">Log in to Herald</h1>
      <form onSubmit=${submit}>
        <label for="login-identifier">Email or username</label>
        <input id="login-identifier" name="identifier" autocomplete="username" autocapitalize="none" required autofocus />
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required />
        <p class="status error" role="alert" id="login-error">${error}</p>
        <button type="submit" disabled=${busy}>Log in</button>
      </form>
    </section>
  </main>`;
}

function Shell({ me, onLogout }) {
  const route = useRoute();
  const isAdmin = me.roles.includes('admin');
  const pages = PAGES.filter((p) => !p.admin || isAdmin);
  const page = pages.find((p) => p.path === route) ?? pages[0];
  // Right after the page renders, in the same task: focus never rests on the link just clicked.
  useLayoutEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [page.path]);
  const View = page.view;
  return html`
    <a class="skip" href="#main" onClick=${(e) => {
      e.preventDefault();
      document.getElementById('page-title')?.focus();
    }}>Skip to content</a>
    <header class="topbar">
      <span class="brand">Herald</span>
      <nav aria-label="Main">
        <ul>
          ${pages.map(
            (p) => html`<li key=${p.path}>
              <a href=${`#/${p.path}`} aria-current=${p === page ? 'page' : undefined}>${p.label}</a>
            </li>`,
          )}
        </ul>
      </nav>
      <span class="whoami" id="whoami">${me.username || me.email}</span>
      <button type="button" class="secondary" onClick=${onLogout}>Log out</button>
    </header>
    <main id="main"><${View} me=${me} isAdmin=${isAdmin} key=${page.path} /></main>`;
}

/** First login with a generated password: the server says so, and a new one is required. */
function ChangePassword({ me, onDone }) {
  const [error, setError] = useState('');
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (f.get('password') !== f.get('confirm')) {
      setError('The two passwords differ.');
      return;
    }
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(me.id)}/password`, {
        password: f.get('password'),
      });
      onDone();
    } catch (err) {
      setError(err.message);
    }
  }
  return html`<main id="main" class="narrow">
    <section class="card" aria-labelledby="pw-title">
      <h1 id="pw-title">Choose your own password</h1>
      <p>This account still has the password Herald generated at first start. Set a new one.</p>
      <form onSubmit=${submit}>
        <label for="new-password">New password</label>
        <input id="new-password" name="password" type="password" autocomplete="new-password" minlength="8" required />
        <label for="confirm-password">Repeat it</label>
        <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required />
        <p class="status error" role="alert">${error}</p>
        <button type="submit">Save password</button>
      </form>
    </section>
  </main>`;
}

function App() {
  const [state, setState] = useState({ phase: 'boot' });
  async function enter() {
    try {
      const me = await api('GET', '/api/v1/auth/me');
      // Herald's own roles (`admin`, `member`…); the Coder view of the same user calls admin `owner`.
      const coder = await api('GET', '/api/v2/users/me');
      const roles = coder.roles.map((r) => (r.name === 'owner' ? 'admin' : r.name));
      const user = { ...currentUser(), ...me, roles };
      setState({ phase: me.credentialsGenerated ? 'password' : 'in', me: user });
    } catch (err) {
      setState({ phase: 'login', notice: err.message });
    }
  }
  useEffect(() => {
    onSessionEnded(() => setState({ phase: 'login', notice: 'Your session has ended. Log in again.' }));
    void restoreSession().then((u) => (u ? enter() : setState({ phase: 'login' })));
  }, []);
  if (state.phase === 'boot') return html`<p class="muted boot">Loading…</p>`;
  if (state.phase === 'login') return html`<${Login} notice=${state.notice} onDone=${enter} />`;
  if (state.phase === 'password')
    return html`<${ChangePassword} me=${state.me} onDone=${() => setState({ phase: 'in', me: state.me })} />`;
  return html`<${Shell}
    me=${state.me}
    onLogout=${async () => {
      await logout();
      document.title = 'Herald';
      setState({ phase: 'login' });
    }}
  />`;
}

render(html`<${App} />`, document.getElementById('app'));
