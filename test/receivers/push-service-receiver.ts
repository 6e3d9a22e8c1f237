import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createHttpReceiver, type HttpAnswer } from './http-receiver.ts';

/**
 * A loopback Web Push service that plays both the push service and the browser: it hands out
 * subscriptions whose keys it generated itself, and decrypts what arrives per RFC 8291 (aes128gcm,
 * RFC 8188) with the subscriber's private key and auth secret, so tests see the plaintext a service worker
 * would. It also checks the VAPID JWT signature (RFC 8292).
 */

export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  endpoint: string;
  headers: IncomingHttpHeaders;
  ttl?: number;
  urgency?: string;
  /** VAPID claims and whether the JWT signature verified against the key in `k=`. */
  vapid?: { publicKey: string; claims: Record<string, unknown>; signatureValid: boolean };
  /** The decrypted payload. */
  payload: string;
  json: unknown;
}

export interface PushServiceReceiver {
  url: string;
  received: ReceivedPush[];
  /** What `pushManager.subscribe()` would return to a browser. */
  createSubscription(): PushSubscriptionJson;
  /** From now on this endpoint answers 410 Gone, as when a user revokes permission. */
  unsubscribe(endpoint: string): void;
  /** Answers every following push with this, without decrypting it; `null` restores normal service. */
  respondWith(status: number | null, body?: string): void;
  close(): Promise<void>;
}

/** Real push services refuse bigger bodies (RFC 8030 says at least 4096 bytes must be accepted). */
const MAX_PUSH_BYTES = 4096;

interface Subscriber {
  ecdh: ECDH;
  auth: Buffer;
  gone: boolean;
}

const info = (label: string) => Buffer.from(`Content-Encoding: ${label}\0`);

export function decryptAes128gcm(body: Buffer, ecdh: ECDH, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);

  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdh.computeSecret(senderPublic), authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, info('aes128gcm'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, info('nonce'), 12));

  const plain: Buffer[] = [];
  for (let seq = 0, offset = 0; offset < ciphertext.length; seq++, offset += recordSize) {
    const record = ciphertext.subarray(offset, offset + recordSize);
    const nonce = Buffer.from(baseNonce);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(-16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, -16)), decipher.final()]);
    // Each record ends with a delimiter (2 on the last record, 1 before) followed by zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    const isLast = offset + recordSize >= ciphertext.length;
    if (padded[end] !== (isLast ? 2 : 1)) throw new Error('bad record padding delimiter');
    plain.push(padded.subarray(0, end));
  }
  return Buffer.concat(plain);
}

function checkVapid(header: string | undefined): ReceivedPush['vapid'] {
  const match = /^vapid t=([^,\s]+),\s*k=([^,\s]+)$/.exec(header ?? '');
  if (!match) return undefined;
  const [, jwt, publicKey] = match;
  const [head, body, signature] = jwt.split('.');
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const signatureValid = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { publicKey, claims, signatureValid };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function createPushServiceReceiver(): Promise<PushServiceReceiver> {
  const subscribers = new Map<string, Subscriber>();
  const received: ReceivedPush[] = [];
  let failure: HttpAnswer | undefined;

  const http = await createHttpReceiver({
    respond(req): HttpAnswer {
      if (failure) return failure;
      const subscriber = subscribers.get(req.path);
      if (!subscriber) return { status: 404, body: 'no such subscription' };
      if (subscriber.gone) return { status: 410, body: 'push subscription has unsubscribed or expired.' };
      if (req.headers['content-encoding'] !== 'aes128gcm') return { status: 400, body: 'expected aes128gcm' };
      if (req.rawBody.length > MAX_PUSH_BYTES) return { status: 413, body: 'payload too large' };
      let payload: string;
      try {
        payload = decryptAes128gcm(req.rawBody, subscriber.ecdh, subscriber.auth).toString('utf8');
      } catch (err) {
        return { status: 400, body: `cannot decrypt: ${(err as Error).message}` };
      }
      received.push({
        endpoint: `${http.url}${req.path}`,
        headers: req.headers,
        ttl: req.headers.ttl === undefined ? undefined : Number(req.headers.ttl),
        urgency: req.headers.urgency as string | undefined,
        vapid: checkVapid(req.headers.authorization),
        payload,
        json: parseJson(payload),
      });
      return { status: 201, headers: { location: `${req.path}/messages/${received.length}` } };
    },
  });

  return {
    url: http.url,
    received,
    createSubscription() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const path = `/push/${randomBytes(8).toString('hex')}`;
      subscribers.set(path, { ecdh, auth, gone: false });
      return {
        endpoint: `${http.url}${path}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    unsubscribe(endpoint) {
      const subscriber = subscribers.get(new URL(endpoint).pathname);
      if (subscriber) subscriber.gone = true;
    },
    respondWith(status, body) {
      failure = status === null ? undefined : { status, body };
    },
    close: () => http.close(),
  };
}
