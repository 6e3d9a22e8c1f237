/**
 * EMQX (MQTT broker) webhooks, EMQX 4 "web hook" plugin and EMQX 5 HTTP data bridge / rule
 * action, read as Zentik's built-in parser reads them: an event name in `event` (or `type`),
 * such as `client.connected`, `session.subscribed` or `message.publish`, with the client
 * (`clientid`, `username`, `ipaddress`), the `topic` / `topic_filters`, `reason`, `qos`, `retain`
 * and the message `payload` (plain or base64).
 *
 * Skipped (204, no message), as in Zentik: no event name, or one outside the `client.`,
 * `session.`, `message.`, `auth.` and `delivery.` families and the bare names `connected`,
 * `disconnected`, `subscribed`, `unsubscribed`, `publish`, `delivered` and `acked`.
 */
import { Buffer } from 'node:buffer';
import { type DeliveryType, finishZentikMessage, type Parser, SKIPPED } from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';

const FAMILIES = ['client.', 'session.', 'message.', 'auth.', 'delivery.'];
const BARE_EVENTS: ReadonlySet<string> = new Set([
  'connected',
  'disconnected',
  'subscribed',
  'unsubscribed',
  'publish',
  'delivered',
  'acked',
]);

/** Longest message payload shown, in UTF-16 units as Zentik counts. */
const PAYLOAD_MAX = 240;
/** A decoded payload with more than this share of unprintable characters was not base64 text. */
const MAX_UNPRINTABLE = 0.15;

/** Trimmed non-blank text, else undefined; anything not a string is absent. */
function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed || undefined;
}

const eventOf = (p: JsonObject): string | undefined => {
  const raw = p.event ?? p.type;
  return typeof raw === 'string' ? raw.trim() : undefined;
};

/** The payload as text when it looks like base64 of mostly printable text, else undefined. */
function fromBase64(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length < 8 || trimmed.length % 4 !== 0 || !/^[A-Za-z0-9+/=]+$/.test(trimmed)) return undefined;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  if (decoded.length === 0) return undefined;
  const unprintable = decoded.replace(/[\t\n\r\x20-\x7E]/g, '').length / decoded.length;
  return unprintable > MAX_UNPRINTABLE ? undefined : decoded;
}

function payloadText(p: JsonObject): string | undefined {
  const raw = str(p.payload_str) ?? str(p.payload_raw) ?? str(p.payload);
  if (raw === undefined) return undefined;
  const compact = (fromBase64(raw) ?? raw).replace(/\s+/g, ' ').trim();
  if (!compact) return undefined;
  return compact.length > PAYLOAD_MAX ? `${compact.slice(0, PAYLOAD_MAX)}…` : compact;
}

function topicsOf(p: JsonObject): string[] {
  if (Array.isArray(p.topic_filters)) return p.topic_filters.flatMap((t) => str(t) ?? []);
  const single = str(p.topic_filter);
  return single === undefined ? [] : [single];
}

/** Disconnects and auth problems are worth a sound; message traffic is too frequent for one. */
function deliveryTypeOf(event: string): DeliveryType {
  const e = event.toLowerCase();
  if (e.includes('disconnected') || e.includes('auth') || e.includes('denied') || e.includes('error'))
    return 'CRITICAL';
  if (
    e.includes('message.publish') ||
    e === 'publish' ||
    e.includes('message.delivered') ||
    e === 'delivered'
  ) {
    return 'SILENT';
  }
  return 'NORMAL';
}

export const emqxParser: Parser = (payload) => {
  const p = asObject(payload);
  const event = p === undefined ? undefined : eventOf(p);
  if (p === undefined || !event) return SKIPPED;
  if (!FAMILIES.some((family) => event.startsWith(family)) && !BARE_EVENTS.has(event)) return SKIPPED;

  const client = str(p.clientid ?? p.client_id);
  const username = str(p.username);
  const subtitle = [client && `client: ${client}`, username && `user: ${username}`]
    .filter(Boolean)
    .join(' • ');

  const lines: string[] = [];
  const ip = str(p.ipaddress ?? p.ip);
  if (ip) lines.push(`ip: ${ip}`);
  const topic = str(p.topic);
  if (topic) lines.push(`topic: ${topic}`);
  const topics = topicsOf(p);
  if (topics.length > 0) lines.push(`topics: ${topics.join(', ')}`);
  const reason = str(p.reason ?? p.disconn_reason);
  if (reason) lines.push(`reason: ${reason}`);
  if (typeof p.qos === 'number') lines.push(`qos: ${p.qos}`);
  if (typeof p.retain === 'boolean') lines.push(`retain: ${p.retain}`);
  const text = payloadText(p);
  if (text) lines.push(`payload: ${text}`);

  return finishZentikMessage({
    title: `EMQX • ${event}`,
    subtitle,
    body: lines.join('\n'),
    deliveryType: deliveryTypeOf(event),
  });
};
