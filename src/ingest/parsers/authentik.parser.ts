/**
 * Authentik. Two shapes arrive here:
 * - the generic "Webhook" notification transport: `{body, severity, user_email, user_username,
 *   event_user_email?, event_user_username?}`, where `body` is the event summary, usually
 *   `"<action>: <python dict of the event context>"` or a plain message such as an update notice;
 * - a simple event object posted by scripts or property mappings: `{event, username, ...}`
 *   (`action` and a nested `user` as in Authentik's own event API are accepted too).
 */

import {
  type DeliveryType,
  finishMessage,
  type ParsedMessage,
  type Parser,
  ParserInputError,
} from './parser.ts';
import { asObject, asString, humanize, type JsonObject, requireObject } from './payload-reader.ts';

const SOURCE = 'Authentik';

// Actions that mean an attack in progress or an identity provider that is failing people: they
// should reach an admin even in do-not-disturb. Routine actions (login, logout, model edits)
// stay NORMAL. An explicit `alert` severity on the notification rule also escalates.
const ALERT_ACTIONS: ReadonlySet<string> = new Set([
  'login_failed',
  'suspicious_request',
  'impersonation_started',
  'policy_exception',
  'system_exception',
  'system_task_exception',
  'configuration_error',
]);

// Authentik's severities are notice < warning < alert; only the top one is an alarm.
const ALERT_SEVERITY = 'alert';

/** `user.login_failed`, `login-failed` and `login_failed` all name the same Authentik action. */
function normalizeAction(raw: string): string {
  const last = raw.split('.').pop() ?? raw;
  return last.trim().toLowerCase().replace(/-/g, '_');
}

function deliveryFor(action: string | undefined, severity: string | undefined): DeliveryType {
  if (severity?.toLowerCase() === ALERT_SEVERITY) return 'CRITICAL';
  if (action !== undefined && ALERT_ACTIONS.has(action)) return 'CRITICAL';
  return 'NORMAL';
}

// The notification summary starts with the action name when the event has no own message.
const SUMMARY_ACTION = /^([a-z_]+):\s/;

function fromNotification(payload: JsonObject): ParsedMessage {
  const body = asString(payload.body);
  if (body === undefined) {
    throw new ParserInputError(`${SOURCE} notification payload is missing "body"`, 'body');
  }
  const severity = asString(payload.severity);
  const action = SUMMARY_ACTION.exec(body)?.[1];
  const heading = action !== undefined ? humanize(action) : severity ? humanize(severity) : 'Notification';
  return finishMessage({
    title: `${SOURCE}: ${heading}`,
    subtitle: asString(payload.event_user_username) ?? asString(payload.event_user_email),
    body,
    deliveryType: deliveryFor(action, severity),
  });
}

function fromEvent(payload: JsonObject, rawAction: string): ParsedMessage {
  const action = normalizeAction(rawAction);
  const user = asObject(payload.user);
  const context = asObject(payload.context);
  // On a failed login the event's user is AnonymousUser; the name that was tried is in context.
  const username =
    asString(payload.username) ??
    asString(context?.username) ??
    asString(payload.user) ??
    asString(user?.username) ??
    asString(payload.user_username);
  const email = asString(payload.email) ?? asString(user?.email) ?? asString(payload.user_email);
  const app = asString(payload.app) ?? asString(payload.application);
  const ip = asString(payload.client_ip) ?? asString(payload.ip);
  const message = asString(payload.message) ?? asString(context?.message);

  const who = username !== undefined && email !== undefined ? `${username} <${email}>` : (username ?? email);

  const details = [
    who !== undefined ? `User: ${who}` : undefined,
    ip !== undefined ? `IP: ${ip}` : undefined,
    app !== undefined ? `Application: ${app}` : undefined,
    message,
  ].filter((line): line is string => line !== undefined);

  return finishMessage({
    title: `${SOURCE}: ${humanize(action)}${username !== undefined ? ` (${username})` : ''}`,
    body: details.join('\n'),
    deliveryType: deliveryFor(action, asString(payload.severity)),
  });
}

export const authentikParser: Parser = (payload) => {
  const object = requireObject(payload, SOURCE);
  const rawAction = asString(object.event) ?? asString(object.action);
  if (rawAction !== undefined) return fromEvent(object, rawAction);
  if ('body' in object || 'severity' in object) return fromNotification(object);
  throw new ParserInputError(
    `${SOURCE} payload needs "body" (notification webhook) or "event" (event object)`,
    'event',
  );
};
