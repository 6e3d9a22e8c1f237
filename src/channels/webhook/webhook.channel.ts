import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Static, Type } from 'typebox';
import type { FieldError } from '../../domain/errors.ts';
import { receiverLabel, sendHttp } from '../../net/http-send.ts';
import { type Channel, ChannelError } from '../channel.ts';
import { configChecker, HttpUrl, isPlainObject } from '../config-schema.ts';

/**
 * Signed JSON webhooks. Receivers verify `X-Herald-Signature: sha256=<hex>`, an HMAC-SHA256 of
 * `"<X-Herald-Timestamp>.<raw body>"`, and should drop requests whose timestamp is old (replays) and
 * repeated `X-Herald-Delivery` ids (Herald delivers at least once).
 */
/** RFC 9110 token characters. */
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** Headers Herald sets itself or that would break the request framing. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'content-type',
]);

/** Default window for {@link verifyWebhookSignature}; generous enough for clock skew, short enough for replays. */
const DEFAULT_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestamp: string | number, body: string | Buffer): string {
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`).update(body);
  return `sha256=${hmac.digest('hex')}`;
}

/**
 * Checks an `X-Herald-Signature` header in constant time. With `toleranceSeconds` (and optionally `now`)
 * it also refuses a timestamp further than that from now, which stops replays of captured requests.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number,
  body: string | Buffer,
  header: string | undefined,
  opts: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header || !/^\d+$/.test(String(timestamp))) return false;
  if (opts.toleranceSeconds !== undefined || opts.now !== undefined) {
    const nowSeconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
    const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return false;
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const WebhookConfigSchema = Type.Object(
  {
    url: HttpUrl(),
    method: Type.Optional(Type.Enum(['POST', 'PUT', 'PATCH'], { default: 'POST' })),
    headers: Type.Optional(
      Type.Record(
        Type.String({ pattern: HEADER_NAME }),
        Type.String({ pattern: '^[^\\r\\n\\u0000]*$', 'x-detail': 'must be a single-line string' }),
        {
          additionalProperties: false,
          description: 'Extra headers such as an API key; secret as a whole (each value read back masked)',
          'x-detail': {
            type: 'must be an object of header names to string values',
            additionalProperties: 'is not a valid header name',
          },
        },
      ),
    ),
    secret: Type.Optional(
      Type.String({
        description: 'Signing key for this webhook; the instance-wide key is used when absent. Secret.',
      }),
    ),
  },
  { additionalProperties: false, $id: 'WebhookChannelConfig' },
);

export type WebhookConfig = Static<typeof WebhookConfigSchema> & { method: 'POST' | 'PUT' | 'PATCH' };

/** Headers Herald sets itself are refused whatever their case, which a schema cannot say. */
function reservedHeaders(config: Record<string, unknown>): FieldError[] {
  if (!isPlainObject(config.headers)) return [];
  return Object.keys(config.headers)
    .filter((name) => RESERVED_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('x-herald-'))
    .map((name) => ({ field: `headers.${name}`, detail: 'is set by Herald and cannot be overridden' }));
}

export const webhookChannel: Channel<WebhookConfig> = {
  type: 'webhook',
  label: 'Webhook',
  configSchema: WebhookConfigSchema,
  secretFields: ['secret', 'headers', 'url'],
  // `?apikey=…` and `user:pass@` are how many receivers take their key.
  urlSecretFields: ['url'],
  addressing: 'none',
  validateConfig: configChecker(WebhookConfigSchema, {
    verbatim: ['secret'],
    crossChecks: reservedHeaders,
    finish: ({ headers, method, ...rest }): WebhookConfig => ({
      ...rest,
      method: method ?? 'POST',
      ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
    }),
  }),

  async send(config, message, _recipient, ctx) {
    const now = ctx.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify({
      // A rule-fired delivery also carries Gatwy's webhook shape (rule, event, user, target, ip,
      // details); Herald's own keys follow and win (`timestamp` is when this was sent).
      ...(message.firing ?? {}),
      deliveryId: message.deliveryId,
      title: message.title,
      text: message.text,
      url: message.url ?? null,
      deliveryType: message.deliveryType ?? 'NORMAL',
      data: message.data ?? null,
      timestamp: now.toISOString(),
    });
    const key = config.secret ?? ctx.secret;
    if (!key) throw new ChannelError('webhook: no signing secret configured', false);
    const answer = await sendHttp(ctx, {
      url: config.url,
      method: config.method,
      label: () => receiverLabel('webhook', config.url),
      body,
      headers: {
        'user-agent': 'Herald-Webhook/1',
        // Lower-cased so a configured `User-Agent` replaces the default instead of being sent twice.
        ...Object.fromEntries(
          Object.entries(config.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
        ),
        'content-type': 'application/json',
        'x-herald-delivery': message.deliveryId,
        'x-herald-timestamp': String(timestamp),
        'x-herald-signature': signWebhook(key, timestamp, body),
      },
    });
    return { info: `HTTP ${answer.status}` };
  },
};
