/**
 * Authentik's generic "Webhook" notification transport, read as Zentik's built-in parser reads
 * it. The transport posts `{body, severity, user_email, user_username, event_user_email,
 * event_user_username}`, where `body` is the event summary: `"<action>: <python dict of the
 * event context>"` (e.g. `login_failed: {'username': …, 'http_request': {…}}`) or a plain
 * sentence such as an update notice.
 *
 * Skipped (204, no message), as in Zentik: anything without a `body`, a `severity`, an email
 * (`user_email` or `event_user_email`) and a username (`user_username` or `event_user_username`).
 */
import {
  type DeliveryType,
  finishZentikMessage,
  type ParsedMessage,
  type Parser,
  SKIPPED,
} from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';
import { capitalize, obj, text } from './zentik-reader.ts';

type EventType = 'loginSuccess' | 'loginFailed' | 'logout' | 'updateAvailable';
const MAPPED: readonly string[] = ['loginSuccess', 'loginFailed', 'logout', 'updateAvailable'];

/** The action, from the sentence Authentik writes or else from the `<action>:` prefix. */
function eventTypeOf(body: string): EventType | string {
  if (body.includes('logged in successfully')) return 'loginSuccess';
  if (body.includes('failed to log in')) return 'loginFailed';
  if (body.includes('logged out')) return 'logout';
  if (body.includes('New version') && body.includes('available')) return 'updateAvailable';
  const prefix = /^(\w+):/.exec(body)?.[1];
  if (prefix === undefined) return 'unknown';
  if (prefix === 'login') return 'loginSuccess';
  if (prefix === 'login_failed') return 'loginFailed';
  return prefix;
}

interface Context {
  userAgent?: unknown;
  asn?: unknown;
  geo?: unknown;
  pathNext?: unknown;
  authMethod?: unknown;
}

/**
 * The event context after the first `: `. Authentik writes it as a Python dict; like Zentik,
 * quotes and Python literals are swapped for JSON's and anything that still does not parse is
 * treated as no context.
 */
function contextOf(body: string): Context {
  const dict = /:\s*({.*})$/.exec(body)?.[1];
  if (dict === undefined) return {};
  let data: JsonObject | undefined;
  try {
    data = asObject(
      JSON.parse(
        dict
          .replace(/'/g, '"')
          .replace(/\bTrue\b/g, 'true')
          .replace(/\bFalse\b/g, 'false')
          .replace(/\bNone\b/g, 'null'),
      ),
    );
  } catch {
    return {};
  }
  if (data === undefined) return {};
  const request = obj(data.http_request);
  return {
    userAgent: data.userAgent || request?.user_agent,
    asn: data.asn,
    geo: data.geo,
    pathNext: data.pathNext || obj(request?.args)?.next,
    authMethod: data.authMethod || data.auth_method,
  };
}

/** The origin of the `redirect_uri` inside the flow's `next` path: the app being signed in to. */
function targetApp(next: unknown): string | undefined {
  if (!next || next === '/') return undefined;
  try {
    const redirect = new URL(`http://localhost:9090${next}`).searchParams.get('redirect_uri');
    return redirect ? new URL(redirect).origin : undefined;
  } catch {
    return undefined;
  }
}

function loginBody(username: unknown, context: Context): string {
  let body = `${username}`;
  const target = targetApp(context.pathNext);
  if (target) body += `\nApp: ${target}`;
  if (context.userAgent) body += `\nUser agent: ${context.userAgent}`;
  if (context.authMethod) body += `\nAuthentication method: ${context.authMethod}`;
  if (context.asn) body += `\nASN: ${obj(context.asn)?.asn} (${obj(context.asn)?.as_org})`;
  if (context.geo) body += `\nLocation: ${obj(context.geo)?.city}, ${obj(context.geo)?.country}`;
  return body;
}

export const authentikParser: Parser = (payload) => {
  const p = asObject(payload);
  if (p === undefined || !p.body || !p.severity) return SKIPPED;
  if (!(p.user_email || p.event_user_email) || !(p.user_username || p.event_user_username)) return SKIPPED;

  const summary = text(p.body, 'body');
  const eventType = eventTypeOf(summary);
  // `??`, not `||`: an empty event_user_* field wins over user_*, as in Zentik.
  const username = p.event_user_username ?? p.user_username;
  const email = p.event_user_email ?? p.user_email;

  let message: ParsedMessage;
  if (!MAPPED.includes(eventType)) {
    message = { title: `${capitalize(eventType)} - Unmapped event`, body: summary, deliveryType: 'NORMAL' };
  } else if (eventType === 'updateAvailable') {
    message = { title: 'Update Available', subtitle: `${email}`, body: summary, deliveryType: 'NORMAL' };
  } else {
    const name =
      eventType === 'loginSuccess' ? 'login' : eventType === 'loginFailed' ? 'login_failed' : eventType;
    const deliveryType: DeliveryType = eventType === 'loginFailed' ? 'CRITICAL' : 'NORMAL';
    message = {
      title: `${capitalize(name)}: ${username}`,
      subtitle: `${email}`,
      body: loginBody(username, contextOf(summary)),
      deliveryType,
    };
  }
  return finishZentikMessage(message);
};
