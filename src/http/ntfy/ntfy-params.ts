import type { FastifyRequest } from 'fastify';

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`), which ntfy accepts in any header. */
const ENCODED_WORD = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;

function decodeHeader(raw: string): string {
  let v = raw;
  // Node reads header bytes as latin1; a client that sent raw UTF-8 (curl -H "Title: ✅") meant UTF-8.
  if (/[\u0080-\u00ff]/.test(v) && ![...v].some((c) => c.charCodeAt(0) > 0xff)) {
    const utf8 = Buffer.from(v, 'latin1').toString('utf8');
    if (!utf8.includes('\ufffd')) v = utf8;
  }
  return v.replace(ENCODED_WORD, (_m, _charset: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** Cloudflare and others add RFC 9218's `Priority: u=3, i`, which is not ntfy's priority. */
const HTTP_PRIORITY = /^u=\d(,\s*i)?$|^i$/i;

/**
 * One ntfy parameter: the first of its names given as a header (X-Title, Title, t, …), else
 * the first given as a query parameter, trimmed; undefined when none is.
 */
export function readParam(request: FastifyRequest, ...names: string[]): string | undefined {
  for (const name of names) {
    const h = request.headers[name.toLowerCase()];
    const value = typeof h === 'string' ? decodeHeader(h).trim() : undefined;
    if (!value) continue;
    if (name.toLowerCase() === 'priority' && HTTP_PRIORITY.test(value)) continue;
    return value;
  }
  const q = request.query as Record<string, unknown> | undefined;
  for (const name of names) {
    const v = q?.[name.toLowerCase()];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** The aliases of every publish parameter, header names first, as ntfy reads them. */
export const PUBLISH_PARAMS = {
  message: ['x-message', 'message', 'm'],
  title: ['x-title', 'title', 't'],
  priority: ['x-priority', 'priority', 'prio', 'p'],
  tags: ['x-tags', 'tags', 'tag', 'ta'],
  click: ['x-click', 'click'],
  icon: ['x-icon', 'icon'],
  attach: ['x-attach', 'attach', 'a'],
  filename: ['x-filename', 'filename', 'file', 'f'],
  actions: ['x-actions', 'actions', 'action'],
  markdown: ['x-markdown', 'markdown', 'md'],
  delay: ['x-delay', 'delay', 'x-at', 'at', 'x-in', 'in'],
  email: ['x-email', 'x-e-mail', 'email', 'e-mail', 'mail', 'e'],
} as const;

export const SUBSCRIBE_PARAMS = {
  poll: ['x-poll', 'poll', 'po'],
  since: ['x-since', 'since', 'si'],
  scheduled: ['x-scheduled', 'scheduled', 'sched'],
  id: ['x-id', 'id'],
  message: ['x-message', 'message', 'm'],
  title: ['x-title', 'title', 't'],
  priority: ['x-priority', 'priority', 'prio', 'p'],
  tags: ['x-tags', 'tags', 'tag', 'ta'],
} as const;
