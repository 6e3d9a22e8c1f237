import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK, maskConfig, openValue, restoreMasked, sealValue } from '../src/channels/channel-secrets.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { createPushServiceReceiver, type PushServiceReceiver } from './receivers/push-service-receiver.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

describe('channel secrets', () => {
  it('seals with AES-256-GCM bound to channel and field, and masks all but the last four', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = sealValue(key, 'smtp', 'password', 'correct horse battery');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain('horse');
    expect(openValue(key, 'smtp', 'password', sealed)).toBe('correct horse battery');
    expect(() => openValue(key, 'telegram', 'botToken', sealed)).toThrow();
    expect(() => openValue(Buffer.alloc(32, 8), 'smtp', 'password', sealed)).toThrow();

    expect(
      maskConfig(['password', 'headers'], { password: 'correct horse battery', headers: { 'X-Key': 'k' } }),
    ).toEqual({ password: `${MASK}tery`, headers: { 'X-Key': MASK } });
    const restored = restoreMasked(
      ['password'],
      { password: `${MASK}tery`, host: 'h' },
      { password: 'correct horse battery' },
    );
    expect(restored).toEqual({ config: { password: 'correct horse battery', host: 'h' }, errors: [] });
    expect(restoreMasked(['password'], { password: `${MASK}nope` }, { password: 'x' }).errors).toEqual([
      { field: 'password', detail: expect.stringContaining('masked value') },
    ]);
  });
});

describe.each(STORES)('channels API on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let smtp: SmtpReceiver;
  let hook: HttpReceiver;
  let push: PushServiceReceiver;
  beforeAll(async () => {
    [h, smtp, hook, push] = await Promise.all([
      startHerald(store),
      createSmtpReceiver(),
      createHttpReceiver(),
      createPushServiceReceiver(),
    ]);
    admin = await h.adminToken();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([smtp?.close(), hook?.close(), push?.close()]);
  });

  const smtpConfig = () => ({
    host: smtp.host,
    port: smtp.port,
    username: 'alerts',
    password: 'smtp-password-1234',
    from: 'Herald <alerts@example.com>',
    tls: false,
  });

  it('lists every channel type, unconfigured ones disabled and empty', async () => {
    const res = await h.api('GET', '/api/v1/notifications/channels', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.channels.map((c: { id: string }) => c.id)).toEqual([
      'smtp',
      'telegram',
      'slack',
      'webhook',
      'discord',
      'webpush',
    ]);
    expect(res.body.channels[1]).toEqual({ id: 'telegram', enabled: false, config: {} });
  });

  it('masks secrets on read, encrypts them at rest and keeps them when the masked value comes back', async () => {
    const put = await h.api('PUT', '/api/v1/notifications/channels/smtp', {
      token: admin,
      body: { enabled: true, config: smtpConfig() },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ok: true });

    const list = await h.api('GET', '/api/v1/notifications/channels', { token: admin });
    const read = list.body.channels.find((c: { id: string }) => c.id === 'smtp');
    expect(read).toEqual({
      id: 'smtp',
      enabled: true,
      config: { ...smtpConfig(), password: `${MASK}1234` },
    });

    const row = await h.server.ctx.store.db
      .selectFrom('channel_configs')
      .selectAll()
      .where('type', '=', 'smtp')
      .executeTakeFirstOrThrow();
    expect(row.config).not.toContain('smtp-password-1234');
    expect(JSON.parse(row.config).password).toMatch(/^enc:v1:/);

    // Send back what was read, changing only the sender: the password must still work.
    const again = await h.api('PUT', '/api/v1/notifications/channels/smtp', {
      token: admin,
      body: { enabled: true, config: { ...read.config, from: 'ops@example.com' } },
    });
    expect(again.status).toBe(200);
    const test = await h.api('POST', '/api/v1/notifications/channels/smtp/test', {
      token: admin,
      body: { to: 'someone@example.com' },
    });
    expect(test.status).toBe(200);
    expect(test.body).toEqual({ ok: true });
    const mail = smtp.received.at(-1)!;
    expect(mail.auth).toEqual({ username: 'alerts', password: 'smtp-password-1234' });
    expect(mail.from).toBe('ops@example.com');
    expect(mail.to).toEqual(['someone@example.com']);
    expect(mail.subject).toBe('Herald test notification');

    const wrongMask = await h.api('PUT', '/api/v1/notifications/channels/smtp', {
      token: admin,
      body: { enabled: true, config: { ...read.config, password: `${MASK}9999` } },
    });
    expect(wrongMask.status).toBe(400);
    expect(wrongMask.body.validations).toEqual([{ field: 'config.password', detail: expect.any(String) }]);
  });

  it('refuses an invalid config with 400 naming each config field, and an unknown type with 400', async () => {
    const bad = await h.api('PUT', '/api/v1/notifications/channels/smtp', {
      token: admin,
      body: { enabled: true, config: { host: 'bad host!', port: 70000, from: 'nobody', extra: 1 } },
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.validations.map((v: { field: string }) => v.field).sort();
    expect(fields).toEqual(['config.extra', 'config.from', 'config.host', 'config.port']);

    const badHook = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: { url: 'ftp://x', headers: { 'X-Herald-Evil': '1' } } },
    });
    expect(badHook.status).toBe(400);
    expect(badHook.body.validations.map((v: { field: string }) => v.field).sort()).toEqual([
      'config.headers.X-Herald-Evil',
      'config.url',
    ]);

    const unknown = await h.api('PUT', '/api/v1/notifications/channels/pigeon', {
      token: admin,
      body: { enabled: true, config: {} },
    });
    expect(unknown.status).toBe(400);
  });

  it('masks webhook header values per header and keeps them on a round trip', async () => {
    const config = {
      url: `${hook.url}/hook`,
      method: 'POST',
      headers: { 'X-Api-Key': 'key-0123456789abcd' },
    };
    expect(
      (
        await h.api('PUT', '/api/v1/notifications/channels/webhook', {
          token: admin,
          body: { enabled: true, config },
        })
      ).status,
    ).toBe(200);
    const list = await h.api('GET', '/api/v1/notifications/channels', { token: admin });
    const read = list.body.channels.find((c: { id: string }) => c.id === 'webhook');
    expect(read.config.headers).toEqual({ 'X-Api-Key': `${MASK}abcd` });
    await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: read.config },
    });
    const test = await h.api('POST', '/api/v1/notifications/channels/webhook/test', { token: admin });
    expect(test.status).toBe(200);
    const req = hook.received.at(-1)!;
    expect(req.headers['x-api-key']).toBe('key-0123456789abcd');
    expect(req.json).toMatchObject({ title: 'Herald test notification', data: { test: true } });
  });

  it('the test endpoint uses overrides without saving them, and names what a failing receiver said', async () => {
    hook.respondWith(401, { error: 'bad api key' }, { times: 1 });
    const failed = await h.api('POST', '/api/v1/notifications/channels/webhook/test', { token: admin });
    expect(failed.status).toBe(400);
    expect(failed.body.message).toContain('answered 401');
    expect(failed.body.message).toContain('bad api key');

    const other = await createHttpReceiver();
    try {
      const res = await h.api('POST', '/api/v1/notifications/channels/webhook/test', {
        token: admin,
        body: { config: { url: `${other.url}/elsewhere` } },
      });
      expect(res.status).toBe(200);
      expect(other.received).toHaveLength(1);
      // The saved header survives the override (merged over the saved config).
      expect(other.received[0].headers['x-api-key']).toBe('key-0123456789abcd');
    } finally {
      await other.close();
    }
    const list = await h.api('GET', '/api/v1/notifications/channels', { token: admin });
    expect(list.body.channels.find((c: { id: string }) => c.id === 'webhook').config.url).toBe(
      `${hook.url}/hook`,
    );

    const unconfigured = await h.api('POST', '/api/v1/notifications/channels/discord/test', { token: admin });
    expect(unconfigured.status).toBe(400);
    expect(unconfigured.body.validations[0].field).toBe('config');

    const down = await h.api('POST', '/api/v1/notifications/channels/smtp/test', {
      token: admin,
      body: { config: { port: 1 }, to: 'x@example.com' },
    });
    expect(down.status).toBe(400);
    expect(down.body.message).toMatch(/not delivered: SMTP/);
  });

  it('generates VAPID keys once, registers push subscriptions and test-pushes to them', async () => {
    const user = await h.createUser(`pusher${store}`);
    const key1 = await h.api('GET', '/api/v1/push-subscriptions/vapid-public-key', { token: user.token });
    expect(key1.status).toBe(200);
    expect(Buffer.from(key1.body.publicKey, 'base64url')).toHaveLength(65);
    const enable = await h.api('PUT', '/api/v1/notifications/channels/webpush', {
      token: admin,
      body: { enabled: true, config: {} },
    });
    expect(enable.status).toBe(200);
    const key2 = await h.api('GET', '/api/v1/push-subscriptions/vapid-public-key', { token: user.token });
    expect(key2.body.publicKey).toBe(key1.body.publicKey);
    const list = await h.api('GET', '/api/v1/notifications/channels', { token: admin });
    const webpush = list.body.channels.find((c: { id: string }) => c.id === 'webpush');
    expect(webpush.config.vapidPublicKey).toBe(key1.body.publicKey);
    expect(webpush.config.vapidPrivateKey).toMatch(new RegExp(`^${MASK}`));

    const bad = await h.api('POST', '/api/v1/push-subscriptions', {
      token: user.token,
      body: { endpoint: 'not a url', keys: { p256dh: 'AAAA', auth: 'AAAA' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.validations.map((v: { field: string }) => v.field)).toEqual([
      'endpoint',
      'keys.p256dh',
      'keys.auth',
    ]);

    const sub = push.createSubscription();
    const created = await h.api('POST', '/api/v1/push-subscriptions', { token: user.token, body: sub });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ endpoint: sub.endpoint });
    const mine = await h.api('GET', '/api/v1/push-subscriptions', { token: user.token });
    expect(mine.body.subscriptions).toHaveLength(1);

    const noSubs = await h.api('POST', '/api/v1/notifications/channels/webpush/test', { token: admin });
    expect(noSubs.status).toBe(400);
    expect(noSubs.body.validations[0].field).toBe('to');

    const adminSub = push.createSubscription();
    await h.api('POST', '/api/v1/push-subscriptions', { token: admin, body: adminSub });
    const test = await h.api('POST', '/api/v1/notifications/channels/webpush/test', { token: admin });
    expect(test.status).toBe(200);
    const got = push.received.at(-1)!;
    expect(got.endpoint).toBe(adminSub.endpoint);
    expect(got.json).toMatchObject({ title: 'Herald test notification' });
    expect(got.vapid).toMatchObject({ publicKey: key1.body.publicKey, signatureValid: true });

    const other = await h.createUser(`other${store}`);
    expect(
      (await h.api('DELETE', `/api/v1/push-subscriptions/${created.body.id}`, { token: other.token })).status,
    ).toBe(404);
    expect(
      (await h.api('DELETE', `/api/v1/push-subscriptions/${created.body.id}`, { token: user.token })).status,
    ).toBe(204);
  });

  it('answers 403 to a member without settings.notifications, 200 with it, 401 without a token', async () => {
    const member = await h.createUser(`member${store}`);
    for (const [method, path] of [
      ['GET', '/api/v1/notifications/channels'],
      ['PUT', '/api/v1/notifications/channels/slack'],
      ['POST', '/api/v1/notifications/channels/slack/test'],
      ['GET', '/api/v1/notifications/log'],
      ['POST', '/api/v1/notifications/log/x/retry'],
      ['DELETE', '/api/v1/notifications/log/x'],
      ['DELETE', '/api/v1/notifications/log'],
      ['GET', '/api/v1/notifications/settings'],
      ['PUT', '/api/v1/notifications/settings'],
    ] as const) {
      const res = await h.api(method, path, { token: member.token, body: method === 'PUT' ? {} : undefined });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await h.api('GET', '/api/v1/notifications/channels')).status).toBe(401);

    const role = await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: `notifiers-${store}`, permissions: ['settings.notifications'] },
    });
    expect(role.status).toBe(201);
    const operator = await h.createUser(`operator${store}`, { roles: ['member', `notifiers-${store}`] });
    expect((await h.api('GET', '/api/v1/notifications/channels', { token: operator.token })).status).toBe(
      200,
    );
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE herald_deliveries_total counter');
    expect(text).toMatch(/herald_delivery_queue_depth\{status="pending"\} \d+/);
    expect(text).toContain('# TYPE herald_delivery_send_duration_seconds histogram');
    expect(text).toContain('# TYPE herald_delivery_enqueue_to_send_seconds histogram');
  });
});
