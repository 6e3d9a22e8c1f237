// The Herald inbox in the browser: a login screen, then the user's inbox with live updates.
// Everything goes through the public API (api.js); the inbox screen lives in inbox.js,
// item rendering in inbox-view.js and the live connection in stream.js.

import { ApiError, currentUser, login, logout, onSessionEnded, restoreSession } from './api.js';
import { startInbox, stopInbox, wireInbox } from './inbox.js';
import { ui } from './ui.js';

function showLogin(message = '') {
  stopInbox();
  ui.booting.hidden = true;
  ui.inboxView.hidden = true;
  ui.session.hidden = true;
  ui.loginView.hidden = false;
  ui.loginError.textContent = message;
  ui.loginPassword.value = '';
  ui.loginIdentifier.focus();
}

async function showInbox({ focus = false } = {}) {
  const user = currentUser();
  ui.booting.hidden = true;
  ui.loginView.hidden = true;
  ui.inboxView.hidden = false;
  ui.session.hidden = false;
  ui.whoami.textContent = user?.username || user?.email || '';
  if (focus) ui.inboxTitle.focus();
  await startInbox();
}

async function submitLogin(event) {
  event.preventDefault();
  const identifier = ui.loginIdentifier.value.trim();
  const password = ui.loginPassword.value;
  if (!identifier || !password) {
    ui.loginError.textContent = 'Enter your email or username and your password.';
    return;
  }
  ui.loginSubmit.disabled = true;
  ui.loginError.textContent = '';
  try {
    await login(identifier, password);
    ui.loginPassword.value = '';
    await showInbox({ focus: true });
  } catch (err) {
    ui.loginError.textContent =
      err instanceof ApiError ? err.message : 'Herald could not be reached. Try again.';
  } finally {
    ui.loginSubmit.disabled = false;
  }
}

// ---- wiring --------------------------------------------------------------------------------

onSessionEnded(() => showLogin('Your session has ended. Log in again.'));
ui.loginForm.addEventListener('submit', submitLogin);
ui.logout.addEventListener('click', async () => {
  stopInbox();
  await logout();
  showLogin();
});
wireInbox();

void restoreSession().then((user) => (user ? showInbox() : showLogin()));
