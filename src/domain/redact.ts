/**
 * Credentials that clients may put in a URL (`?access_token=` for browsers' WebSocket and SSE,
 * Gotify's `?token=`, a bucket magic code as `?magicCode=` or as a code-shaped `?bucketId=`),
 * replaced wherever a URL is written out: every log line passes through this, at every level, so
 * a request URL never carries a usable credential into the logs.
 */
const URL_CREDENTIAL = /([?&](?:access_token|token|magicCode)=)[^&\s"'#\\]*/gi;
/** A `bucketId` of a magic code's shape (8 hex characters); bucket ids themselves are UUIDs. */
const URL_CODE_AS_BUCKET = /([?&]bucketId=)[0-9a-f]{8}(?=[&\s"'#\\]|$)/gi;

export const REDACTED = '[redacted]';

export function redactUrlCredentials(text: string): string {
  if (!/(?:token|magicCode|bucketId)=/i.test(text)) return text;
  return text.replace(URL_CREDENTIAL, `$1${REDACTED}`).replace(URL_CODE_AS_BUCKET, `$1${REDACTED}`);
}
