/**
 * Uptime Kuma "Webhook" notification in its default JSON body mode:
 * `{heartbeat: {monitorID, status, msg, time, ping, timezone, localDateTime, ...},
 *   monitor: {id, name, url, hostname, type, ...}, msg}`, where `msg` is Kuma's own one-liner
 * ("[My Site] [🔴 Down] timeout"). Notices that are not about a state change (the "Test"
 * button, certificate expiry) arrive with `heartbeat` and possibly `monitor` set to null.
 */

import {
  type DeliveryType,
  finishMessage,
  type MessageParser,
  type ParsedMessage,
  ParserInputError,
} from './parser.ts';
import {
  asHttpUrl,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  navigate,
  requireObject,
} from './payload-reader.ts';

const SOURCE = 'Uptime Kuma';
const GROUP_ID = 'uptime-kuma';

interface StatusInfo {
  phrase: string;
  deliveryType: DeliveryType;
}

// Heartbeat status codes as Kuma defines them. Down is the outage people install Kuma for;
// maintenance was scheduled by a person, so it is recorded without an alert.
const STATUSES: Readonly<Record<number, StatusInfo>> = {
  0: { phrase: 'is down', deliveryType: 'CRITICAL' },
  1: { phrase: 'is up', deliveryType: 'NORMAL' },
  2: { phrase: 'is pending', deliveryType: 'NORMAL' },
  3: { phrase: 'is under maintenance', deliveryType: 'SILENT' },
};

// The Test button sends "<notification name> Testing" and nothing else.
const TEST_SUFFIX = / Testing$/;

/** What the monitor watches, for the subtitle: its URL, else host[:port]. */
function target(monitor: JsonObject | undefined): string | undefined {
  const url = asHttpUrl(monitor?.url);
  if (url !== undefined) return url;
  const host = asString(monitor?.hostname);
  const port = asNumber(monitor?.port);
  return host !== undefined && port !== undefined ? `${host}:${port}` : host;
}

/** Kuma's local time beats UTC in a notification: it is what the operator configured. */
function when(heartbeat: JsonObject): string | undefined {
  const local = asString(heartbeat.localDateTime);
  const zone = asString(heartbeat.timezone);
  if (local !== undefined) return zone !== undefined ? `${local} (${zone})` : local;
  const utc = asString(heartbeat.time);
  return utc !== undefined ? `${utc} (UTC)` : undefined;
}

function notice(msg: string | undefined, monitor: JsonObject | undefined): ParsedMessage {
  if (msg === undefined) {
    throw new ParserInputError(`${SOURCE} payload is missing "heartbeat" and "msg"`, 'heartbeat');
  }
  const name = asString(monitor?.name);
  const title = TEST_SUFFIX.test(msg) ? `${SOURCE}: test notification` : `${SOURCE}: ${name ?? 'notice'}`;
  return finishMessage({
    title,
    body: msg,
    deliveryType: 'NORMAL',
    tapAction: navigate(asHttpUrl(monitor?.url)),
    groupId: GROUP_ID,
  });
}

export const uptimeKumaParser: MessageParser = (payload) => {
  const p = requireObject(payload, SOURCE);
  const heartbeat = asObject(p.heartbeat);
  const monitor = asObject(p.monitor);
  const msg = asString(p.msg);
  if (heartbeat === undefined) return notice(msg, monitor);

  const status = asNumber(heartbeat.status);
  if (status === undefined || !Object.hasOwn(STATUSES, status)) {
    throw new ParserInputError(`${SOURCE} heartbeat is missing a known "status" (0-3)`, 'heartbeat.status');
  }
  const info = STATUSES[status];
  const monitorId = asString(monitor?.id) ?? asString(heartbeat.monitorID);
  const name = asString(monitor?.name) ?? (monitorId !== undefined ? `Monitor ${monitorId}` : 'Monitor');
  const ping = asNumber(heartbeat.ping);
  const at = when(heartbeat);

  return finishMessage({
    title: `${name} ${info.phrase}`,
    subtitle: target(monitor),
    body: [
      asString(heartbeat.msg) ?? msg,
      status === 1 && ping !== undefined ? `Response time: ${ping} ms` : undefined,
      at !== undefined ? `At ${at}` : undefined,
    ]
      .filter((line): line is string => line !== undefined)
      .join('\n'),
    deliveryType: info.deliveryType,
    tapAction: navigate(asHttpUrl(monitor?.url)),
    groupId: GROUP_ID,
    // One slot per monitor, so "up" replaces the "down" it answers.
    collapseId: monitorId !== undefined ? `uptime-kuma:monitor:${monitorId}` : undefined,
  });
};
