// The UI's only door to Herald: the public HTTP API with a bearer JWT.
//
// The token pair lives in memory and in sessionStorage (so a reload keeps the login but closing
// the tab ends it). A call that gets 401 refreshes the pair once and retries; if that fails too,
// the session is over: it is forgotten and the `onSessionEnded` listener sends the user to login.

const STORAGE_KEY = 'herald.session';

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

/** @type {{accessToken: string, refreshToken: string, user: {id: string, email: string|null, username: string|null}} | null} */
let session = readStored();
/** The refresh in flight, shared so concurrent 401s rotate the pair only once. */
let refreshing = null;
let sessionEndedListener = () => {};

function readStored() {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? JSON.parse(raw) : null;
    return parsed?.accessToken && parsed?.refreshToken ? parsed : null;
  } catch {
    return null;
  }
}

function store(next) {
  session = next;
  try {
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be unavailable (private modes); memory alone still works for this page.
  }
}

export const currentUser = () => session?.user ?? null;
export const accessToken = () => session?.accessToken ?? null;
export const onSessionEnded = (listener) => {
  sessionEndedListener = listener;
};

async function send(method, path, body, token) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
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
  const had = session !== null;
  store(null);
  if (had) sessionEndedListener();
  return new SessionEnded();
}

/** Rotates the token pair; false when the refresh token is no longer accepted. */
function refreshOnce() {
  refreshing ??= (async () => {
    const before = session;
    if (!before) return false;
    const r = await send('POST', '/api/v1/auth/refresh', { refreshToken: before.refreshToken });
    if (session !== before) return session !== null; // logged out or in again meanwhile
    if (!r.ok) return false;
    store({ ...before, ...r.data });
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Calls the API as the logged-in user; resolves to the parsed body (null for 204). */
export async function api(method, path, body) {
  if (!session) throw endSession();
  const token = session.accessToken;
  let r = await send(method, path, body, token);
  if (r.status === 401) {
    // Another call may have refreshed while this one was in flight; then just retry.
    const fresh = session && session.accessToken !== token ? true : await refreshOnce();
    if (!fresh || !session) throw endSession();
    r = await send(method, path, body, session.accessToken);
    if (r.status === 401) throw endSession();
  }
  if (!r.ok) throw new ApiError(r.status, r.data);
  return r.data;
}

export async function login(identifier, password) {
  const r = await send('POST', '/api/v1/auth/login', { email: identifier, password });
  if (!r.ok) throw new ApiError(r.status, r.data);
  store(r.data);
  return r.data.user;
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function logout() {
  if (!session) return;
  try {
    const out = () =>
      send('POST', '/api/v1/auth/logout', { refreshToken: session.refreshToken }, session.accessToken);
    // An expired access token would leave the session alive on the server: refresh, then retry.
    if ((await out()).status === 401 && (await refreshOnce()) && session) await out();
  } catch {
    // Offline: the tokens are dropped here anyway and expire on their own.
  }
  store(null);
}
