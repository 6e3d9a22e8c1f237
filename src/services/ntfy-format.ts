import { randomBytes } from 'node:crypto';
import { invalid } from '../domain/errors.ts';
import type { DeliveryType } from '../domain/message.ts';

/**
 * ntfy's vocabulary ↔ the core's, in one place (docs/ntfy.md shows the same table).
 *
 * | ntfy priority          | deliveryType | deliveryType → ntfy priority |
 * |---|---|---|
 * | 1 min, 2 low           | SILENT       | SILENT → 2   |
 * | 3 default (or none)    | NORMAL       | NORMAL → 3   |
 * | 4 high, 5 max/urgent   | CRITICAL     | CRITICAL → 4 |
 *
 * CRITICAL answers as 4 (high) so that "high" means the same through ntfy and Gotify (Gotify's 8).
 * A message published through ntfy keeps the exact priority it was given.
 */
export const deliveryTypeOfPriority = (priority: number): DeliveryType =>
  priority <= 2 ? 'SILENT' : priority === 3 ? 'NORMAL' : 'CRITICAL';

const PRIORITY_OF: Readonly<Record<string, number>> = { SILENT: 2, NORMAL: 3, CRITICAL: 4 };
export const priorityOfDeliveryType = (deliveryType: string): number => PRIORITY_OF[deliveryType] ?? 3;

/** ntfy's topic names: letters, digits, `-` and `_`, 1 to 64 of them. */
export const TOPIC_RE = /^[-_A-Za-z0-9]{1,64}$/;

/** Words ntfy accepts for a priority, as its clients send them. */
const PRIORITY_WORDS: Readonly<Record<string, number>> = {
  '1': 1,
  min: 1,
  '2': 2,
  low: 2,
  '3': 3,
  default: 3,
  '4': 4,
  high: 4,
  '5': 5,
  max: 5,
  urgent: 5,
};

/** 1–5 or min/low/default/high/max/urgent; undefined when not given. */
export function parsePriority(raw: string | undefined, field = 'priority'): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const p = PRIORITY_WORDS[raw.trim().toLowerCase()];
  if (p === undefined) throw invalid(field, 'must be 1-5 or one of min, low, default, high, max, urgent');
  return p;
}

export const splitList = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** ntfy's booleans: 1/yes/true (anything else given is false). */
export const isTrue = (raw: string | undefined): boolean =>
  raw !== undefined && ['1', 'yes', 'true'].includes(raw.trim().toLowerCase());

/** One action button in ntfy's JSON form. */
export interface NtfyAction {
  id: string;
  action: 'view' | 'broadcast' | 'http';
  label: string;
  clear: boolean;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  intent?: string;
  extras?: Record<string, string>;
}

const ACTION_KINDS = ['view', 'broadcast', 'http'];
const MAX_ACTIONS = 3;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomNtfyId(length = 12): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return out;
}

/** Splits the short form on `sep` outside quotes; quotes are kept for the next step. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let cur = '';
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === sep) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quote) throw invalid('actions', 'has an unclosed quote');
  parts.push(cur);
  return parts;
}

const unquote = (s: string): string => {
  const t = s.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0] ? t.slice(1, -1) : t;
};

/** One `action, label, url, key=value, …` of the short form. */
function parseShortAction(text: string): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  const headers: Record<string, string> = {};
  const extras: Record<string, string> = {};
  splitOutsideQuotes(text, ',').forEach((section, i) => {
    const m = /^\s*([-.\w]+)\s*=\s*(.*)$/s.exec(section);
    const raw = m && !/^\s*["']/.test(section) ? m[2] : section;
    let key = m && !/^\s*["']/.test(section) ? m[1] : '';
    const value = unquote(raw);
    if (!key && i === 0) key = 'action';
    else if (!key && i === 1) key = 'label';
    else if (!key && i === 2 && (a.action === 'view' || a.action === 'http')) key = 'url';
    if (!key) throw invalid('actions', `term '${value}' unknown`);
    if (key.startsWith('headers.')) headers[key.slice(8)] = value;
    else if (key.startsWith('extras.')) extras[key.slice(7)] = value;
    else if (key === 'clear') {
      if (!['true', 'yes', '1', 'false', 'no', '0'].includes(value.toLowerCase())) {
        throw invalid('actions', `parameter 'clear' cannot be '${value}'`);
      }
      a.clear = isTrue(value);
    } else if (['action', 'label', 'url', 'method', 'body', 'intent'].includes(key.toLowerCase())) {
      a[key.toLowerCase()] = value;
    } else throw invalid('actions', `key '${key}' unknown`);
  });
  if (Object.keys(headers).length > 0) a.headers = headers;
  if (Object.keys(extras).length > 0) a.extras = extras;
  return a;
}

/**
 * `X-Actions` in either of ntfy's forms: a JSON array, or the short form
 * `view, Open, https://…; http, Close, https://…, method=PUT, clear=true`.
 */
export function parseActions(raw: string | readonly unknown[] | undefined): NtfyAction[] {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return [];
  let list: unknown[];
  if (typeof raw !== 'string') list = [...raw];
  else if (raw.trim().startsWith('[')) {
    try {
      list = JSON.parse(raw.trim());
    } catch {
      throw invalid('actions', 'is not valid JSON');
    }
    if (!Array.isArray(list)) throw invalid('actions', 'must be a JSON array');
  } else {
    list = splitOutsideQuotes(raw, ';')
      .filter((s) => s.trim() !== '')
      .map(parseShortAction);
  }
  if (list.length > MAX_ACTIONS) throw invalid('actions', `only ${MAX_ACTIONS} actions allowed`);
  return list.map((item, i) => {
    if (!item || typeof item !== 'object') throw invalid(`actions[${i}]`, 'must be an object');
    const a = item as Record<string, unknown>;
    const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
    const action = str('action')?.toLowerCase() ?? '';
    if (!ACTION_KINDS.includes(action)) {
      throw invalid(`actions[${i}].action`, 'must be view, broadcast or http');
    }
    const label = str('label') ?? '';
    if (!label) throw invalid(`actions[${i}].label`, 'is required');
    const url = str('url');
    if ((action === 'view' || action === 'http') && !url) throw invalid(`actions[${i}].url`, 'is required');
    const strings = (k: string) =>
      a[k] && typeof a[k] === 'object' ? (a[k] as Record<string, string>) : undefined;
    const method = str('method');
    return {
      id: randomNtfyId(10),
      action: action as NtfyAction['action'],
      label,
      clear: a.clear === true || (typeof a.clear === 'string' && isTrue(a.clear)),
      ...(url ? { url } : {}),
      ...(method ? { method: method.toUpperCase() } : action === 'http' ? { method: 'POST' } : {}),
      ...(strings('headers') ? { headers: strings('headers') } : {}),
      ...(str('body') ? { body: str('body') } : {}),
      ...(str('intent')
        ? { intent: str('intent') }
        : action === 'broadcast'
          ? { intent: 'io.heckel.ntfy.USER_ACTION' }
          : {}),
      ...(strings('extras') ? { extras: strings('extras') } : {}),
    };
  });
}

/** `since=`: nothing, everything, the latest, after a message id, or from a time. */
export type Since =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'latest' }
  | { kind: 'id'; id: string }
  | { kind: 'time'; ms: number };

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A Go-style duration (`10m`, `1h30m`, `2d`) in ms; undefined when it is not one. */
export function parseDuration(raw: string): number | undefined {
  const parts = raw.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g);
  if (!parts || parts.join('') !== raw) return undefined;
  return parts.reduce((sum, p) => {
    const [, n, unit] = DURATION_RE.exec(p)!;
    return sum + Number(n) * UNIT_MS[unit];
  }, 0);
}

export function parseSince(raw: string | undefined, poll: boolean, now: number): Since {
  const s = raw?.trim() ?? '';
  if (s === '') return poll ? { kind: 'all' } : { kind: 'none' };
  if (s === 'all') return { kind: 'all' };
  if (s === 'latest') return { kind: 'latest' };
  if (s === 'none') return { kind: 'none' };
  if (/^[A-Za-z0-9]{12}$/.test(s) && !/^\d+$/.test(s)) return { kind: 'id', id: s };
  if (/^\d+$/.test(s)) return { kind: 'time', ms: Number(s) * 1000 };
  const d = parseDuration(s);
  if (d !== undefined) return { kind: 'time', ms: now - d };
  throw invalid('since', 'must be a duration (10m), a unix time, a message id, all, latest or none');
}

/**
 * ntfy message ids from bucket message numbers: 12 characters of [0-9A-Za-z], as ntfy's own
 * ids look, so clients that check the shape accept them and `since=<id>` can be answered.
 */
const BASE = 62;
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_PREFIX = 'h';

export function ntfyIdOf(number: number): string {
  let n = number;
  let out = '';
  while (n > 0) {
    out = DIGITS[n % BASE] + out;
    n = Math.floor(n / BASE);
  }
  return ID_PREFIX + out.padStart(11, '0');
}

export function numberOfNtfyId(id: string): number | undefined {
  if (id.length !== 12 || id[0] !== ID_PREFIX) return undefined;
  let n = 0;
  for (const ch of id.slice(1)) {
    const d = DIGITS.indexOf(ch);
    if (d < 0) return undefined;
    n = n * BASE + d;
  }
  return n;
}

export interface NtfyAttachment {
  name: string;
  type?: string;
  size?: number;
  expires?: number;
  url: string;
}

/** ntfy's message JSON (and its open / keepalive events). */
export interface NtfyMessage {
  id: string;
  time: number;
  expires?: number;
  event: 'message' | 'open' | 'keepalive';
  topic: string;
  title?: string;
  message?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  icon?: string;
  actions?: NtfyAction[];
  attachment?: NtfyAttachment;
  content_type?: string;
}

export const controlEvent = (event: 'open' | 'keepalive', topics: string, now: number): NtfyMessage => ({
  id: randomNtfyId(),
  time: Math.floor(now / 1000),
  event,
  topic: topics,
});

/** The subscribe filters (`id`, `message`, `title`, `priority`, `tags`); they apply to messages only. */
export interface NtfyFilters {
  id?: string;
  message?: string;
  title?: string;
  priorities?: number[];
  tags?: string[];
}

export function passes(f: NtfyFilters, m: NtfyMessage): boolean {
  if (m.event !== 'message') return true;
  if (f.id && m.id !== f.id) return false;
  if (f.message && m.message !== f.message) return false;
  if (f.title && m.title !== f.title) return false;
  if (f.priorities && f.priorities.length > 0 && !f.priorities.includes(m.priority ?? 3)) return false;
  if (f.tags && f.tags.length > 0 && !f.tags.every((t) => m.tags?.includes(t))) return false;
  return true;
}
