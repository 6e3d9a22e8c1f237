// The inbox screen: the list (newest first, paged with `starting_before`), the unread badge,
// live updates from the stream, and the per-item and bulk actions.

import { ApiError, api, SessionEnded } from './api.js';
import { refreshTime, renderItem, updateItem } from './inbox-view.js';
import { openInboxStream } from './stream.js';
import { ui } from './ui.js';

const INBOX = '/api/v2/notifications/inbox';
/** The server's page size: a full page means there may be more. */
const PAGE_SIZE = 25;
const CLOCK_TICK_MS = 30_000;

/** What the inbox shows. `generation` invalidates answers to superseded list requests. */
const state = {
  filter: 'all',
  /** @type {Map<string, {item: object, li: HTMLLIElement}>} */
  items: new Map(),
  generation: 0,
  /** Frames that arrive while the list is being replaced wait here, then apply on top. */
  pending: null,
  stream: null,
  clock: null,
};

/** Fills the inbox for the logged-in user and keeps it live until `stopInbox`. */
export async function startInbox() {
  stopInbox();
  state.clock = setInterval(() => {
    for (const { li } of state.items.values()) refreshTime(li);
  }, CLOCK_TICK_MS);
  await guard(async () => {
    await reload();
    startStream();
  });
}

/** Closes the stream and empties the list (logout, session end). */
export function stopInbox() {
  state.stream?.close();
  state.stream = null;
  clearInterval(state.clock);
  state.generation++;
  state.pending = null;
  state.items.clear();
  ui.list.replaceChildren();
  ui.noteStatus.textContent = '';
  showError('');
}

// ---- errors --------------------------------------------------------------------------------

function showError(message) {
  ui.inboxError.textContent = message;
}

/** Runs an inbox action, turning failures into a visible message (the session end into login). */
async function guard(action) {
  try {
    await action();
    return true;
  } catch (err) {
    if (err instanceof SessionEnded) return false; // login is already showing
    showError(err instanceof ApiError ? err.message : 'Herald could not be reached. Try again.');
    return false;
  }
}

// ---- the list ------------------------------------------------------------------------------

function setUnread(count) {
  ui.unreadCount.textContent = String(count);
  ui.unreadBadge.classList.toggle('zero', count === 0);
  document.title = count > 0 ? `(${count}) Herald inbox` : 'Herald inbox';
}

function renderEmpty() {
  ui.empty.hidden = state.items.size > 0;
}

/** Adds or updates one item; new ones go to the top (live) or the bottom (paging). */
function upsert(item, where) {
  const known = state.items.get(item.id);
  if (known) {
    known.item = item;
    updateItem(known.li, item);
    return;
  }
  const li = renderItem(item);
  state.items.set(item.id, { item, li });
  if (where === 'top') ui.list.prepend(li);
  else ui.list.append(li);
}

function inboxQuery(startingBefore) {
  const q = new URLSearchParams();
  if (state.filter === 'unread') q.set('read_status', 'unread');
  if (startingBefore) q.set('starting_before', startingBefore);
  const s = q.toString();
  return s ? `${INBOX}?${s}` : INBOX;
}

/** Replaces the list with the first page for the current filter. */
async function reload() {
  const generation = ++state.generation;
  state.pending = [];
  ui.list.setAttribute('aria-busy', 'true');
  try {
    const page = await api('GET', inboxQuery());
    if (generation !== state.generation) return;
    state.items.clear();
    ui.list.replaceChildren();
    for (const item of page.notifications) upsert(item, 'bottom');
    setUnread(page.unread_count);
    ui.loadMore.hidden = page.notifications.length < PAGE_SIZE;
  } finally {
    if (generation === state.generation) {
      const waiting = state.pending ?? [];
      state.pending = null;
      for (const frame of waiting) applyFrame(frame);
      ui.list.removeAttribute('aria-busy');
      renderEmpty();
    }
  }
}

async function loadMore() {
  const last = ui.list.lastElementChild?.dataset.id;
  if (!last) return;
  const generation = state.generation;
  ui.loadMore.disabled = true;
  try {
    const page = await api('GET', inboxQuery(last));
    if (generation !== state.generation) return;
    for (const item of page.notifications) upsert(item, 'bottom');
    setUnread(page.unread_count);
    ui.loadMore.hidden = page.notifications.length < PAGE_SIZE;
    showError('');
  } finally {
    ui.loadMore.disabled = false;
    renderEmpty();
  }
}

// ---- live updates --------------------------------------------------------------------------

function applyFrame(frame) {
  if (state.pending) {
    state.pending.push(frame);
    return;
  }
  const item = frame.notification;
  const shown = state.items.has(item.id);
  if (shown || state.filter === 'all' || item.read_at === null) upsert(item, 'top');
  if (typeof frame.unread_count === 'number') setUnread(frame.unread_count);
  renderEmpty();
}

const STATUS_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline, retrying soon',
  closed: 'Not connected',
};

function startStream() {
  state.stream?.close();
  state.stream = openInboxStream({
    since: ui.list.firstElementChild?.dataset.id ?? null,
    // The stream authenticates by the session cookie; asking who we are first tells a session
    // that ended (SessionEnded) from a server that is merely unreachable.
    ready: () => api('GET', '/api/v1/auth/me'),
    isFatal: (err) => err instanceof SessionEnded,
    onFrame: applyFrame,
    onOverflow: () =>
      void guard(async () => {
        await reload();
        state.stream?.restart(ui.list.firstElementChild?.dataset.id ?? null);
      }),
    onStatus: (s) => {
      ui.liveStatus.dataset.state = s;
      ui.liveStatus.textContent = STATUS_TEXT[s] ?? s;
    },
  });
}

// ---- actions -------------------------------------------------------------------------------

async function toggleRead(button) {
  const id = button.closest('li.item')?.dataset.id;
  const known = id && state.items.get(id);
  if (!known) return;
  button.disabled = true;
  await guard(async () => {
    const res = await api('PUT', `${INBOX}/${encodeURIComponent(id)}/read-status`, {
      is_read: known.item.read_at === null,
    });
    upsert(res.notification, 'top');
    setUnread(res.unread_count);
    showError('');
  });
  button.disabled = false;
}

async function markAllRead() {
  ui.markAll.disabled = true;
  await guard(async () => {
    await api('PUT', `${INBOX}/mark-all-as-read`);
    const now = new Date().toISOString();
    for (const known of state.items.values()) {
      if (known.item.read_at === null) upsert({ ...known.item, read_at: now }, 'top');
    }
    setUnread(0);
    showError('');
  });
  ui.markAll.disabled = false;
}

async function sendNote(event) {
  event.preventDefault();
  const title = ui.noteTitle.value.trim();
  const message = ui.noteMessage.value.trim();
  if (!title && !message) {
    ui.noteStatus.textContent = 'Write a title or a message first.';
    return;
  }
  ui.noteSubmit.disabled = true;
  ui.noteStatus.textContent = 'Sending…';
  const ok = await guard(async () => {
    await api('POST', '/api/v2/notifications/custom', { content: { title, message } });
  });
  ui.noteSubmit.disabled = false;
  ui.noteStatus.textContent = ok ? 'Sent. It appears at the top of your inbox.' : '';
  if (ok) ui.noteForm.reset();
}

// ---- wiring --------------------------------------------------------------------------------

/** Hooks up the inbox's controls; call once. */
export function wireInbox() {
  ui.markAll.addEventListener('click', markAllRead);
  ui.loadMore.addEventListener('click', () => void guard(loadMore));
  ui.noteForm.addEventListener('submit', sendNote);
  ui.list.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button.toggle-read') : null;
    if (button) void toggleRead(button);
  });
  for (const radio of document.querySelectorAll('input[name="filter"]')) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      state.filter = radio.value;
      void guard(reload);
    });
  }
}
