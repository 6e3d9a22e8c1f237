import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpReceiver, type HttpReceiver } from '../../../test/receivers/http-receiver.ts';
import { ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { signWebhook, verifyWebhookSignature, webhookChannel } from './webhook.channel.ts';

const now = new Date('2024-05-01T12:00:00.000Z');
const ctx: SendContext = {
  timeoutMs: 5_000,
  allowPrivateNetworks: true,
  now: () => now,
  secret: 'instance-key',
};

const message: OutboundMessage = {
  deliveryId: 'dlv_42',
  title: 'Backup failed',
  text: 'nas: exit 2',
  url: 'https://herald.example/m/42',
  deliveryType: 'CRITICAL',
  data: { host: 'nas', code: 2 },
};

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('webhook channel', () => {
  let receiver: HttpReceiver;
  beforeEach(async () => {
    receiver = await createHttpReceiver();
  });
  afterEach(() => receiver.close());

  it('posts the signed JSON body with the delivery id', async () => {
    const config = {
      url: `${receiver.url}/hooks/herald?team=ops`,
      method: 'PUT' as const,
      headers: { 'X-Secret': 'token', 'User-Agent': 'custom/1' },
      secret: 'hook-key',
    };
    await webhookChannel.send(config, message, {}, ctx);

    const [req] = receiver.received;
    expect(req.method).toBe('PUT');
    expect(req.path).toBe('/hooks/herald?team=ops');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-secret']).toBe('token');
    expect(req.headers['user-agent']).toBe('custom/1');
    expect(req.headers['x-herald-delivery']).toBe('dlv_42');
    expect(req.headers['x-herald-timestamp']).toBe(String(now.getTime() / 1000));
    expect(req.json).toEqual({
      deliveryId: 'dlv_42',
      title: 'Backup failed',
      text: 'nas: exit 2',
      url: 'https://herald.example/m/42',
      deliveryType: 'CRITICAL',
      data: { host: 'nas', code: 2 },
      timestamp: '2024-05-01T12:00:00.000Z',
    });
    const timestamp = String(req.headers['x-herald-timestamp']);
    const signature = String(req.headers['x-herald-signature']);
    expect(verifyWebhookSignature('hook-key', timestamp, req.rawBody, signature, { now })).toBe(true);
    expect(verifyWebhookSignature('instance-key', timestamp, req.rawBody, signature)).toBe(false);
    expect(verifyWebhookSignature('hook-key', timestamp, `${req.body} `, signature)).toBe(false);
  });

  it('signs with the instance key when the config has none, and defaults to POST', async () => {
    await webhookChannel.send(
      { url: receiver.url, method: 'POST' },
      { ...message, data: undefined },
      {},
      ctx,
    );

    const [req] = receiver.received;
    expect(req.method).toBe('POST');
    expect((req.json as { data: unknown }).data).toBeNull();
    const ok = verifyWebhookSignature(
      'instance-key',
      String(req.headers['x-herald-timestamp']),
      req.body,
      String(req.headers['x-herald-signature']),
    );
    expect(ok).toBe(true);
  });

  it('rejects stale signatures when a tolerance is given', () => {
    const ts = Math.floor(now.getTime() / 1000);
    const header = signWebhook('k', ts, '{}');
    expect(verifyWebhookSignature('k', ts, '{}', header, { now, toleranceSeconds: 60 })).toBe(true);
    const later = new Date(now.getTime() + 10 * 60_000);
    expect(verifyWebhookSignature('k', ts, '{}', header, { now: later, toleranceSeconds: 60 })).toBe(false);
    expect(verifyWebhookSignature('k', ts, '{}', undefined)).toBe(false);
  });

  it('classifies receiver answers: 4xx final, 5xx and 429 retryable, with status and body', async () => {
    receiver.respondWith(422, { error: 'unknown  field\n"title"' });
    const final = await sendError(
      webhookChannel.send({ url: `${receiver.url}/x?token=abc`, method: 'POST' }, message, {}, ctx),
    );
    expect(final.retryable).toBe(false);
    expect(final.status).toBe(422);
    expect(final.message).toBe(
      `webhook at ${new URL(receiver.url).host} answered 422: {"error":"unknown field\\n\\"title\\""}`,
    );
    expect(final.message).not.toContain('token=abc');

    for (const status of [500, 503, 429, 408]) {
      receiver.respondWith(status, 'busy');
      const err = await sendError(
        webhookChannel.send({ url: receiver.url, method: 'POST' }, message, {}, ctx),
      );
      expect([err.retryable, err.status]).toEqual([true, status]);
    }
  });

  it('reports a receiver that is down or too slow as retryable', async () => {
    receiver.delay(1_000);
    const slow = await sendError(
      webhookChannel.send({ url: receiver.url, method: 'POST' }, message, {}, { ...ctx, timeoutMs: 200 }),
    );
    expect(slow.retryable).toBe(true);
    expect(slow.message).toContain('within 200 ms');

    await receiver.close();
    const down = await sendError(
      webhookChannel.send({ url: receiver.url, method: 'POST' }, message, {}, ctx),
    );
    expect(down.retryable).toBe(true);
    expect(down.message).toContain('ECONNREFUSED');
    receiver = await createHttpReceiver();
  });

  it('refuses loopback targets unless private networks are allowed', async () => {
    const err = await sendError(
      webhookChannel.send(
        { url: receiver.url, method: 'POST' },
        message,
        {},
        { ...ctx, allowPrivateNetworks: false },
      ),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('loopback');
    expect(receiver.received).toHaveLength(0);
  });
});

describe('webhook validateConfig', () => {
  it('accepts the spec example and fills the default method', () => {
    expect(
      webhookChannel.validateConfig({
        url: 'https://example.com/hooks/gatwy',
        headers: { 'X-Secret': 'token' },
      }),
    ).toEqual({
      ok: true,
      config: { url: 'https://example.com/hooks/gatwy', method: 'POST', headers: { 'X-Secret': 'token' } },
    });
  });

  it('names every bad field', () => {
    const result = webhookChannel.validateConfig({
      url: 'ftp://example.com',
      method: 'GET',
      headers: { 'Bad Name': 'x', 'X-Herald-Signature': 'forged', 'X-Ok': 'line\r\nbreak', Host: 'evil' },
      secret: 42,
    });
    const fields = result.ok ? [] : result.errors.map((e) => e.field).sort();
    expect(fields).toEqual([
      'headers.Bad Name',
      'headers.Host',
      'headers.X-Herald-Signature',
      'headers.X-Ok',
      'method',
      'secret',
      'url',
    ]);
    expect(webhookChannel.validateConfig({}).ok).toBe(false);
  });
});
