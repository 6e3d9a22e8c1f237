// The UI's only door to Herald: the public HTTP API, authenticated by the session cookie.
//
// Login asks the server for its HttpOnly session cookie (`"cookie": true`); the browser then
// sends it with every call and with the event stream, and no script here ever sees a token:
// nothing is kept in localStorage or sessionStorage, and nothing goes into a URL. On load the
// page renews the cookie through the refresh call, which also says whether a session is still
// there. A call refused with 401 means the session is over (logged out elsewhere, expired):
// it is forgotten and the `onSessionEnded` listener sends the user to login.

/** An error answer from the API, carrying its `{message, detail, validations}` body. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || body?.message || `Request failed (HTTP ${status}).`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** Thrown by calls made after the session ended; the login screen is already showing. */
export class SessionEnded extends Error {
  constructor() {
    super('Your session has ended. Log in again.');
    this.name = 'SessionEnded';
  }
}

/** @type {{id: string, email: string|null, username: string|null} | null} */
let user = null;
let sessionEndedListener = () => {};

export const currentUser = () => user;
export const onSessionEnded = (listener) => {
  sessionEndedListener = listener;
};

async function send(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  return { status: res.status, ok: res.ok, data };
}

function endSession() {
  const had = user !== null;
  user = null;
  if (had) sessionEndedListener();
  return new SessionEnded();
}

/** Picks up the session the cookie holds, renewing it; resolves to the user or null. */
export async function restoreSession() {
  try {
    const r = await send('POST', '/api/v1/auth/refresh', {});
    user = r.ok ? r.data.user : null;
  } catch {
    user = null;
  }
  return user;
}

/** Calls the API as the logged-in user; resolves to the parsed body (null for 204). */
export async function api(method, path, body) {
  if (!user) throw endSession();
  const r = await send(method, path, body);
  if (r.status === 401) throw endSession();
  if (!r.ok) throw new ApiError(r.status, r.data);
  return r.data;
}

export async function login(identifier, password) {
  const r = await send('POST', '/api/v1/auth/login', { email: identifier, password, cookie: true });
  if (!r.ok) throw new ApiError(r.status, r.data);
  // The answer also carries a token pair; this page has no use for it and keeps none.
  user = r.data.user;
  return user;
}

/** Ends the session on the server, which clears the cookie, and forgets it here. */
export async function logout() {
  if (!user) return;
  try {
    await send('POST', '/api/v1/auth/logout');
  } catch {
    // Offline: the cookie stays until it expires, but this page shows the login again.
  }
  user = null;
}
