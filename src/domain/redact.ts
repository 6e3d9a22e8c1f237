/**
 * Credentials that clients may put in a URL (`?access_token=` for browsers' WebSocket and SSE,
 * Gotify's `?token=`), replaced wherever a URL is written out: every log line passes through
 * this, at every level, so a request URL never carries a usable token into the logs.
 */
const URL_CREDENTIAL = /([?&](?:access_token|token)=)[^&\s"'#\\]*/gi;

export const REDACTED = '[redacted]';

export function redactUrlCredentials(text: string): string {
  return /token=/i.test(text) ? text.replace(URL_CREDENTIAL, `$1${REDACTED}`) : text;
}
