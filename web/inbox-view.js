// Builds the DOM for inbox items. Server data only ever reaches the page through textContent
// and setAttribute on known-safe attributes, never through innerHTML, so a title or body that
// contains markup is shown as the text it is.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 minutes ago", "yesterday", …; an absolute date past a week. */
export function relativeTime(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return 'just now';
  if (size < HOUR) return relative.format(Math.round(seconds / MINUTE), 'minute');
  if (size < DAY) return relative.format(Math.round(seconds / HOUR), 'hour');
  if (size < 7 * DAY) return relative.format(Math.round(seconds / DAY), 'day');
  return absolute.format(at);
}

/** Only http(s) links (absolute or relative to Herald) become anchors; nothing like javascript:. */
export function safeHref(url) {
  try {
    const u = new URL(url, window.location.origin);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A new `<li>` for one notification; `update` fills in everything that can change. */
export function renderItem(item) {
  const li = el('li', 'item');
  li.dataset.id = item.id;
  const titleId = `n-${item.id}-title`;

  const head = el('div', 'item-head');
  const title = el('h3', 'item-title');
  title.id = titleId;
  const state = el('span', 'visually-hidden item-state');
  const titleText = el('span', 'item-title-text', item.title || '(no title)');
  title.append(state, titleText);
  const time = el('time', 'item-time');
  time.dateTime = item.created_at;
  head.append(title, time);

  const content = el('p', 'item-content', item.content);
  if (!item.content) content.hidden = true;

  const foot = el('div', 'item-foot');
  const actions = el('div', 'item-actions');
  for (const action of item.actions ?? []) {
    const href = safeHref(action.url);
    if (!href) continue;
    const a = el('a', 'item-action', action.label || 'Open');
    a.href = href;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    actions.append(a);
  }
  const toggle = el('button', 'toggle-read secondary');
  toggle.type = 'button';
  toggle.setAttribute('aria-describedby', titleId);
  foot.append(actions, toggle);

  li.append(head, content, foot);
  updateItem(li, item);
  return li;
}

/** Reflects read state and relative time; title and content do not change after creation. */
export function updateItem(li, item) {
  const unread = item.read_at === null;
  li.classList.toggle('unread', unread);
  li.querySelector('.item-state').textContent = unread ? 'Unread: ' : '';
  li.querySelector('.toggle-read').textContent = unread ? 'Mark as read' : 'Mark as unread';
  refreshTime(li);
}

export function refreshTime(li, now = Date.now()) {
  const time = li.querySelector('.item-time');
  time.textContent = relativeTime(time.dateTime, now);
  const at = Date.parse(time.dateTime);
  if (!Number.isNaN(at)) time.title = absolute.format(at);
}
