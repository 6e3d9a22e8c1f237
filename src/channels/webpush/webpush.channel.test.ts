import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPushServiceReceiver,
  type PushServiceReceiver,
} from '../../../test/receivers/push-service-receiver.ts';
import { ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { generateVapidKeys, pushPayload, type WebPushConfig, webpushChannel } from './webpush.channel.ts';

const ctx: SendContext = { timeoutMs: 5_000, allowPrivateNetworks: true, now: () => new Date() };
const message: OutboundMessage = {
  deliveryId: 'dlv_p1',
  title: 'Sauvegarde échouée ✓',
  text: 'nas: exit 2',
  url: 'https://herald.example/m/1',
  deliveryType: 'CRITICAL',
};

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('webpush channel', () => {
  let push: PushServiceReceiver;
  let config: WebPushConfig;
  beforeEach(async () => {
    push = await createPushServiceReceiver();
    const keys = generateVapidKeys();
    config = {
      vapidPublicKey: keys.publicKey,
      vapidPrivateKey: keys.privateKey,
      subject: 'mailto:ops@example.com',
    };
  });
  afterEach(() => push.close());

  it('delivers an encrypted payload the subscriber can decrypt, with VAPID and urgency', async () => {
    const subscription = push.createSubscription();
    const result = await webpushChannel.send(config, message, { subscription }, ctx);

    expect(result.info).toBe('HTTP 201');
    expect(push.received).toHaveLength(1);
    const [received] = push.received;
    expect(received.endpoint).toBe(subscription.endpoint);
    expect(received.json).toEqual({
      title: 'Sauvegarde échouée ✓',
      body: 'nas: exit 2',
      url: 'https://herald.example/m/1',
      deliveryId: 'dlv_p1',
    });
    expect(received.urgency).toBe('high');
    expect(received.ttl).toBe(86_400);
    expect(received.vapid?.signatureValid).toBe(true);
    expect(received.vapid?.publicKey).toBe(config.vapidPublicKey);
    expect(received.vapid?.claims).toMatchObject({ aud: push.url, sub: 'mailto:ops@example.com' });
  });

  it('maps SILENT to low urgency and keeps a huge body within one push', async () => {
    const subscription = push.createSubscription();
    await webpushChannel.send(
      config,
      { ...message, deliveryType: 'SILENT', text: 'é'.repeat(10_000) },
      { subscription },
      ctx,
    );
    const [received] = push.received;
    expect(received.urgency).toBe('low');
    expect((received.json as { body: string }).body).toMatch(/^é+…$/);
    expect(Buffer.byteLength(pushPayload({ ...message, text: '✓'.repeat(10_000) }))).toBeLessThanOrEqual(
      3993,
    );
  });

  it('reports a gone subscription as final so the caller can remove it', async () => {
    const subscription = push.createSubscription();
    push.unsubscribe(subscription.endpoint);
    const err = await sendError(webpushChannel.send(config, message, { subscription }, ctx));
    expect([err.retryable, err.status]).toEqual([false, 410]);
    expect(err.message).toMatch(/subscription is gone/);
  });

  it('retries a push service that is failing or down', async () => {
    const subscription = push.createSubscription();
    push.respondWith(503, 'overloaded');
    const busy = await sendError(webpushChannel.send(config, message, { subscription }, ctx));
    expect([busy.retryable, busy.status]).toEqual([true, 503]);

    push.respondWith(400, 'bad request');
    expect((await sendError(webpushChannel.send(config, message, { subscription }, ctx))).retryable).toBe(
      false,
    );

    await push.close();
    expect((await sendError(webpushChannel.send(config, message, { subscription }, ctx))).retryable).toBe(
      true,
    );
    push = await createPushServiceReceiver();
  });

  it('refuses missing or malformed subscriptions and loopback endpoints', async () => {
    expect((await sendError(webpushChannel.send(config, message, {}, ctx))).retryable).toBe(false);
    const subscription = push.createSubscription();
    const broken = { ...subscription, keys: { ...subscription.keys, auth: 'short' } };
    expect(
      (await sendError(webpushChannel.send(config, message, { subscription: broken }, ctx))).message,
    ).toContain('malformed');

    const refused = await sendError(
      webpushChannel.send(config, message, { subscription }, { ...ctx, allowPrivateNetworks: false }),
    );
    expect(refused.message).toContain('loopback');
    expect(push.received).toHaveLength(0);
  });
});

describe('webpush validateConfig', () => {
  it('accepts generated keys and checks that they belong together', () => {
    const a = generateVapidKeys();
    const b = generateVapidKeys();
    expect(
      webpushChannel.validateConfig({
        vapidPublicKey: a.publicKey,
        vapidPrivateKey: a.privateKey,
        subject: 'https://herald.example',
      }).ok,
    ).toBe(true);
    const mismatch = webpushChannel.validateConfig({
      vapidPublicKey: a.publicKey,
      vapidPrivateKey: b.privateKey,
      subject: 'mailto:a@b.c',
    });
    expect(mismatch).toEqual({
      ok: false,
      errors: [{ field: 'vapidPrivateKey', detail: 'does not belong to vapidPublicKey' }],
    });
  });

  it('names every bad field', () => {
    const result = webpushChannel.validateConfig({ vapidPublicKey: 'abc', subject: 'ops@example.com' });
    expect(result.ok ? [] : result.errors.map((e) => e.field).sort()).toEqual([
      'subject',
      'vapidPrivateKey',
      'vapidPublicKey',
    ]);
  });
});
