import { createECDH, generateKeyPairSync } from 'node:crypto';
import { type Static, Type } from 'typebox';
import type webpush from 'web-push';
import type { FieldError } from '../../domain/errors.ts';
import { receiverLabel, sendHttp } from '../../net/http-send.ts';
import {
  type Channel,
  ChannelError,
  type ConfigDefaultsEnv,
  type OutboundMessage,
  type Recipient,
} from '../channel.ts';
import { configChecker } from '../config-schema.ts';
import { truncate } from '../text-format.ts';

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). The web-push
 * library builds the encrypted body and headers; the request itself goes through the guarded HTTP path
 * like every other channel. Each recipient is one browser subscription.
 */
export const WebPushConfigSchema = Type.Object(
  {
    vapidPublicKey: Type.String({
      description: 'base64url P-256 public key; generated when both keys are absent',
    }),
    vapidPrivateKey: Type.String({ description: 'base64url P-256 private key; secret' }),
    subject: Type.String({
      pattern: String.raw`^(mailto:\S+@\S+|https://\S+)$`,
      description: 'Contact the push service can reach the operator at; defaults to the admin email',
      'x-detail': 'must be a mailto: address or an https: URL',
    }),
  },
  { additionalProperties: false, $id: 'WebPushChannelConfig' },
);

export type WebPushConfig = Static<typeof WebPushConfigSchema>;

/** How long a push service keeps an undelivered message: a day-old alert is no longer worth showing. */
const TTL_SECONDS = 24 * 60 * 60;
/**
 * Largest plaintext that fits the 4096-byte body push services must accept: one aes128gcm record adds a
 * 86-byte header, a padding delimiter and a 16-byte tag.
 */
const MAX_PLAINTEXT_BYTES = 4096 - 86 - 1 - 16;
const URGENCY = { SILENT: 'low', NORMAL: 'normal', CRITICAL: 'high' } as const;

/** Creates a VAPID key pair (base64url); generated once per instance and kept with the channel config. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  // P-256: the public key as the uncompressed point (65 bytes), the private key as its 32-byte scalar.
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(pub.x as string, 'base64url'),
    Buffer.from(pub.y as string, 'base64url'),
  ]);
  return { publicKey: point.toString('base64url'), privateKey: priv.d as string };
}

function keyBytes(value: string | undefined): Buffer | undefined {
  if (!value || !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url');
}

/** The JSON a service worker receives; the body is shortened until the whole fits one push. */
export function pushPayload(message: OutboundMessage): string {
  const build = (body: string) =>
    JSON.stringify({ title: message.title, body, url: message.url ?? null, deliveryId: message.deliveryId });
  let body = message.text;
  let payload = build(body);
  while (Buffer.byteLength(payload) > MAX_PLAINTEXT_BYTES && body.length > 1) {
    body = truncate(
      body,
      Math.max(1, body.length - Math.ceil((Buffer.byteLength(payload) - MAX_PLAINTEXT_BYTES) / 3)),
    );
    payload = build(body);
  }
  return payload;
}

function checkSubscription(recipient: Recipient): webpush.PushSubscription {
  const sub = recipient.subscription;
  if (!sub) throw new ChannelError('web push: recipient has no push subscription', false);
  if (keyBytes(sub.keys?.p256dh)?.length !== 65 || keyBytes(sub.keys?.auth)?.length !== 16) {
    throw new ChannelError(
      'web push: subscription keys are malformed (p256dh must be 65 bytes, auth 16)',
      false,
    );
  }
  return { endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth } };
}

/** The keys must be P-256 key material and belong together: arithmetic, not a schema. */
function vapidKeyPair(config: Record<string, unknown>): FieldError[] {
  const publicKey = typeof config.vapidPublicKey === 'string' ? config.vapidPublicKey : undefined;
  const privateKey = typeof config.vapidPrivateKey === 'string' ? config.vapidPrivateKey : undefined;
  const pub = keyBytes(publicKey);
  const priv = keyBytes(privateKey);
  if (publicKey && (pub?.length !== 65 || pub[0] !== 4)) {
    return [
      { field: 'vapidPublicKey', detail: 'must be a base64url P-256 public key (65 bytes uncompressed)' },
    ];
  }
  if (privateKey && priv?.length !== 32) {
    return [{ field: 'vapidPrivateKey', detail: 'must be a base64url P-256 private key (32 bytes)' }];
  }
  if (pub && priv) {
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(priv);
      if (!ecdh.getPublicKey().equals(pub))
        return [{ field: 'vapidPrivateKey', detail: 'does not belong to vapidPublicKey' }];
    } catch {
      return [{ field: 'vapidPrivateKey', detail: 'is not a valid P-256 private key' }];
    }
  }
  return [];
}

/** A contact the push service can reach the operator at (RFC 8292 `sub`). */
function defaultPushSubject(env: ConfigDefaultsEnv): string {
  if (env.adminEmail) return `mailto:${env.adminEmail}`;
  if (env.baseUrl.startsWith('https://')) return env.baseUrl;
  return 'mailto:admin@localhost';
}

export const webpushChannel: Channel<WebPushConfig> = {
  type: 'webpush',
  label: 'Web Push',
  configSchema: WebPushConfigSchema,
  secretFields: ['vapidPrivateKey'],
  addressing: 'push-subscription',
  messageRoute: { methods: ['webpush', 'push'], skipSilent: true },

  /** VAPID keys are the server's identity towards push services: generated once, then kept. */
  withDefaults(config, stored, env) {
    const out = { ...config };
    if (out.vapidPublicKey === undefined && out.vapidPrivateKey === undefined) {
      if (stored?.vapidPublicKey && stored.vapidPrivateKey) {
        out.vapidPublicKey = stored.vapidPublicKey;
        out.vapidPrivateKey = stored.vapidPrivateKey;
      } else {
        const keys = generateVapidKeys();
        out.vapidPublicKey = keys.publicKey;
        out.vapidPrivateKey = keys.privateKey;
      }
    }
    out.subject ??= stored?.subject ?? defaultPushSubject(env);
    return out;
  },

  validateConfig: configChecker(WebPushConfigSchema, { crossChecks: vapidKeyPair }),

  async send(config, message, recipient, ctx) {
    const subscription = checkSubscription(recipient);
    // Loaded on the first push: servers without Web Push subscribers never need it.
    const { default: webpush } = await import('web-push');
    let details: webpush.RequestDetails;
    try {
      details = webpush.generateRequestDetails(subscription, pushPayload(message), {
        vapidDetails: {
          subject: config.subject,
          publicKey: config.vapidPublicKey,
          privateKey: config.vapidPrivateKey,
        },
        TTL: TTL_SECONDS,
        urgency: URGENCY[message.deliveryType ?? 'NORMAL'],
      });
    } catch (err) {
      throw new ChannelError(`web push: cannot build the request: ${(err as Error).message}`, false);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(details.headers)) {
      // undici sets the length from the body itself.
      if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
    }
    try {
      const answer = await sendHttp(ctx, {
        url: details.endpoint,
        label: receiverLabel('push service', details.endpoint),
        headers,
        body: details.body ?? Buffer.alloc(0),
      });
      return { info: `HTTP ${answer.status}` };
    } catch (err) {
      if (err instanceof ChannelError && (err.status === 404 || err.status === 410)) {
        throw new ChannelError(
          `push subscription is gone (push service answered ${err.status}); remove it`,
          false,
          err.status,
          true,
        );
      }
      throw err;
    }
  },
};
