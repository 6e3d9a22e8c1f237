import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK } from '../src/channels/channel-secrets.ts';
import { verifyWebhookSignature } from '../src/channels/webhook/webhook.channel.ts';
import {
  createSlackReceiver,
  createTelegramReceiver,
  type SlackReceiver,
  type TelegramReceiver,
} from './receivers/chat-receivers.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { ADMIN, STORES, startHerald, type TestHerald } from './support/herald.ts';
import { until } from './support/wait.ts';

/**
 * Gatwy's notification settings pages (Configuration, Rules, History) against the routing
 * family: every request below is one the pages make, in their order and shapes, and every
 * check is on what the pages read (NotifConfigTab, NotifRulesTab, NotifHistoryTab).
 */

type Json = Record<string, any>;

/** What a card holds after loading: every config value as a string (ProviderCard's state). */
const cardState = (config: Json): Record<string, string> =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));

describe.each(STORES)("Gatwy's notification settings pages on %s", (store) => {
  let h: TestHerald;
  let admin: string;
  let smtp: SmtpReceiver;
  let telegram: TelegramReceiver;
  let slack: SlackReceiver;
  let hook: HttpReceiver;
  /** What the webhook receiver answers to rule deliveries: the test switches it. */
  let hookStatus = 200;

  beforeAll(async () => {
    [smtp, telegram, slack] = await Promise.all([
      createSmtpReceiver(),
      createTelegramReceiver(),
      createSlackReceiver(),
    ]);
    hook = await createHttpReceiver({ respond: () => ({ status: hookStatus, body: 'hook says hi' }) });
    h = await startHerald(store, {
      env: {
        HERALD_POLL_INTERVAL_MS: '50',
        HERALD_SEND_TIMEOUT_MS: '3000',
        // Retryable failures wait long enough to be looked at while they wait.
        HERALD_RETRY_BASE_MS: '600000',
        HERALD_RETRY_MAX_MS: '600000',
        HERALD_TRUST_PROXY: 'true',
        HERALD_LOGIN_MAX_ATTEMPTS: '100',
      },
    });
    admin = await h.adminToken();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([smtp?.close(), telegram?.close(), slack?.close(), hook?.close()]);
  });

  const page = (method: string, path: string, body?: unknown) =>
    h.api(method, `/api/v1/notifications${path}`, { token: admin, body });
  const channelsRead = async (): Promise<Record<string, Json>> => {
    const res = await page('GET', '/channels');
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.channels.map((c: Json) => [c.id, c]));
  };
  const history = async (query = 'page=1&limit=50') => {
    const res = await page('GET', `/log?${query}`);
    expect(res.status).toBe(200);
    return res.body as { entries: Json[]; total: number; page: number; limit: number };
  };
  const settled = () => h.server.drain();

  /** The cards as a user fills them in, in the pages' keys and flat string values. */
  const cards = () => ({
    smtp: {
      smtp_host: smtp.host,
      smtp_port: String(smtp.port),
      smtp_user: '',
      smtp_password: '',
      smtp_from: 'alerts@example.com',
      smtp_default_subject: '{{severity}} [{{app_name}}] {{rule}} — {{event}}',
    },
    telegram: {
      telegram_bot_token: '123456:ABC-DEF_ghi-jkl',
      telegram_chat_id: '-1001234567890',
      // Not a field on the page: set once through the API so the test reaches a loopback Bot API.
      apiBaseUrl: telegram.apiBaseUrl,
    },
    slack: { slack_webhook_url: slack.webhookUrl },
    webhook: {
      webhook_url: `${hook.url}/gatwy`,
      webhook_method: 'POST',
      webhook_headers: '{"X-Token":"webhook-secret-123456"}',
      webhook_default_template: '',
    },
  });

  it('Configuration: saves each card in its keys, reads it back masked in them, and re-saves it unchanged', async () => {
    const initial = await channelsRead();
    for (const id of ['smtp', 'telegram', 'slack', 'webhook'])
      expect(initial[id]).toMatchObject({ id, enabled: false });

    for (const [type, config] of Object.entries(cards())) {
      const save = await page('PUT', `/channels/${type}`, { enabled: true, config });
      expect(save.status, save.text).toBe(200);
      expect(save.body).toEqual({ ok: true });
    }

    const first = await channelsRead();
    expect(first.smtp).toEqual({
      id: 'smtp',
      enabled: true,
      config: {
        smtp_host: smtp.host,
        smtp_port: String(smtp.port),
        smtp_from: 'alerts@example.com',
        smtp_secure: 'false',
        smtp_default_subject: '{{severity}} [{{app_name}}] {{rule}} — {{event}}',
      },
    });
    expect(first.telegram.config).toEqual({
      telegram_bot_token: `${MASK}-jkl`,
      telegram_chat_id: '-1001234567890',
      apiBaseUrl: telegram.apiBaseUrl,
    });
    expect(first.slack.config.slack_webhook_url).toMatch(new RegExp(`^${MASK}`));
    expect(first.slack.config.slack_webhook_url).not.toContain('XXXXSECRET');
    expect(JSON.parse(first.webhook.config.webhook_headers)).toEqual({ 'X-Token': `${MASK}3456` });
    expect(first.webhook.config).toMatchObject({ webhook_url: `${hook.url}/gatwy`, webhook_method: 'POST' });

    // Each card is saved again exactly as the page holds it after loading.
    for (const type of ['smtp', 'telegram', 'slack', 'webhook']) {
      const again = await page('PUT', `/channels/${type}`, {
        enabled: first[type].enabled,
        config: cardState(first[type].config),
      });
      expect(again.status, again.text).toBe(200);
    }
    expect(await channelsRead()).toEqual(first);
  });

  it('Configuration: Test sends through each card, and each test is a test entry in History', async () => {
    const read = await channelsRead();
    const tests: Array<[string, Json]> = [
      ['smtp', { to: cardState(read.smtp.config).smtp_from }],
      ['telegram', {}],
      ['slack', {}],
      ['webhook', {}],
    ];
    for (const [type, overrides] of tests) {
      const res = await page('POST', `/channels/${type}/test`, overrides);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ ok: true });
    }
    expect(smtp.received.at(-1)?.to).toEqual(['alerts@example.com']);
    expect(telegram.received.at(-1)?.json).toMatchObject({ chat_id: '-1001234567890' });
    expect(telegram.received.at(-1)?.path).toBe('/bot123456:ABC-DEF_ghi-jkl/sendMessage');
    expect(slack.received).toHaveLength(1);
    const hooked = hook.received.at(-1)!;
    expect(hooked.headers['x-token']).toBe('webhook-secret-123456');

    const log = await history();
    const testEntries = log.entries.filter((e) => e.test);
    expect(testEntries.map((e) => e.channel).sort()).toEqual(['slack', 'smtp', 'telegram', 'webhook']);
    for (const e of testEntries) {
      expect(e).toMatchObject({ ruleName: 'Test notification', status: 'sent', error: null });
      expect(Number.isNaN(Date.parse(e.sentAt))).toBe(false);
      expect(e.payload).toMatchObject({ title: 'Herald test notification', data: { test: true } });
    }

    // A failing test says why in `error`, the one thing the page shows, and is logged as failed.
    slack.failWith(404, 'no_service');
    const failed = await page('POST', '/channels/slack/test', {});
    expect(failed.status).toBe(400);
    expect(failed.body.error).toContain('no_service');
    const entry = (await history()).entries.find((e) => e.test && e.status === 'failed');
    expect(entry).toMatchObject({ channel: 'slack', error: expect.stringContaining('no_service') });
    slack.respondWith(200, 'ok');
  });

  it('Configuration: refusals carry error; an unknown channel type is a 400', async () => {
    const unknown = await page('PUT', '/channels/pigeon', { enabled: true, config: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      validations: [{ field: 'type', detail: expect.any(String) }],
      error: expect.stringContaining('type'),
      message: expect.any(String),
      detail: expect.any(String),
    });

    const badPort = await page('PUT', '/channels/smtp', {
      enabled: true,
      config: { ...cardState((await channelsRead()).smtp.config), smtp_port: 'seven' },
    });
    expect(badPort.status).toBe(400);
    expect(badPort.body.validations.map((v: Json) => v.field)).toEqual(['config.smtp_port']);
    expect(badPort.body.error).toContain('config.smtp_port');

    const badHeaders = await page('PUT', '/channels/webhook', {
      enabled: true,
      config: { webhook_url: `${hook.url}/gatwy`, webhook_headers: '{not json' },
    });
    expect(badHeaders.status).toBe(400);
    expect(badHeaders.body.validations.map((v: Json) => v.field)).toEqual(['config.webhook_headers']);

    // Nothing was changed by the refusals.
    expect((await channelsRead()).smtp.config.smtp_port).toBe(String(smtp.port));

    // A new card sends only the fields typed into; the port it shows (587) is what it means.
    const fresh = await page('PUT', '/channels/discord', { enabled: false });
    expect(fresh.status).toBe(200);
    const smtpBefore = (await channelsRead()).smtp;
    const untouched = await page('PUT', '/channels/smtp', {
      enabled: false,
      config: { smtp_host: 'mail.example.com', smtp_from: 'alerts@example.com' },
    });
    expect(untouched.status, untouched.text).toBe(200);
    expect((await channelsRead()).smtp.config).toMatchObject({
      smtp_host: 'mail.example.com',
      smtp_port: '587',
    });
    const back = await page('PUT', '/channels/smtp', {
      enabled: smtpBefore.enabled,
      config: { ...cardState(smtpBefore.config) },
    });
    expect(back.status, back.text).toBe(200);
    expect((await channelsRead()).smtp).toEqual(smtpBefore);
  });

  it("Rules: the editor's body is accepted and reads back as written; recipients carry hasEmail", async () => {
    const recipients = await page('GET', '/recipients');
    expect(recipients.status).toBe(200);
    const me = recipients.body.users.find((u: Json) => u.email === ADMIN.email);
    expect(me).toMatchObject({ username: ADMIN.username, hasEmail: true, displayName: null });
    expect(me.roles).toContain(me.role);
    expect(recipients.body.roles.map((r: Json) => r.id)).toContain(me.role);

    const body = {
      name: 'Failed logins from outside',
      events: ['auth.login_failed'],
      conditionLogic: 'AND',
      conditions: [
        { field: 'ip', operator: 'not_equals', value: '10.0.0.1' },
        { field: 'event', operator: 'starts_with', value: 'auth.' },
        { field: 'time', operator: 'between', value: '00:00', value2: '23:59' },
      ],
      cadence: { type: 'always' },
      actions: [
        { channel: 'webhook', url: '', template: '' },
        { channel: 'smtp', to_users: [me.id], to: 'ops@example.com, ', subject: '', body: '' },
        { channel: 'telegram', chat_id: '', template: '' },
      ],
      enabled: true,
    };
    const created = await page('POST', '/rules', body);
    expect(created.status, created.text).toBe(201);
    const { id, createdAt, lastTriggeredAt, ...rest } = created.body.rule;
    expect(rest).toEqual(body);
    expect(lastTriggeredAt).toBeNull();
    expect(Number.isNaN(Date.parse(createdAt))).toBe(false);

    // The list shows it the same way, and saving it from the editor again changes nothing.
    const listed = (await page('GET', '/rules')).body.rules.find((r: Json) => r.id === id);
    expect(listed).toEqual(created.body.rule);
    const resaved = await page('PUT', `/rules/${id}`, { ...body, name: listed.name });
    expect(resaved.status, resaved.text).toBe(200);
    expect(resaved.body.rule).toEqual(created.body.rule);

    const throttled = await page('POST', '/rules', {
      ...body,
      name: 'Throttled',
      conditions: [{ field: 'date', operator: 'after', value: '2000-01-01' }],
      cadence: { type: 'throttle', minutes: 60 },
      enabled: true,
    });
    expect(throttled.status, throttled.text).toBe(201);
    expect(throttled.body.rule.cadence).toEqual({ type: 'throttle', minutes: 60 });
    expect((await page('PATCH', `/rules/${throttled.body.rule.id}/toggle`)).body).toEqual({
      ok: true,
      enabled: false,
    });

    const bad = await page('POST', '/rules', {
      ...body,
      conditions: [{ field: 'ip', operator: 'matches', value: '(a+)+$' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.validations[0].field).toBe('conditions[0].value');
    expect(bad.body.error).toContain('conditions[0].value');
  });

  it('fires on an application’s auth.login_failed with ip; History shows the failure; retry keeps it and links new entries', async () => {
    const rule = (await page('GET', '/rules')).body.rules.find(
      (r: Json) => r.name === 'Failed logins from outside',
    );
    const appToken = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'gateway', scopes: ['events:create'] },
      })
    ).body.token;
    const post = (fields: Json) => h.api('POST', '/api/v1/events', { token: appToken, body: fields });

    hookStatus = 404;
    const inside = await post({ name: 'auth.login_failed', ip: '10.0.0.1', userId: 'u-7' });
    expect(inside.status, inside.text).toBe(202);
    const outside = await post({
      name: 'auth.login_failed',
      ip: '203.0.113.7',
      userId: 'u-7',
      target: 'ssh-box',
    });
    expect(outside.status).toBe(202);
    await settled();

    const byRule = async () => (await history(`page=1&limit=50&rule_id=${rule.id}`)).entries;
    const fired = await until(async () => {
      const entries = await byRule();
      return entries.length === 4 && entries.every((e) => e.status !== 'pending') ? entries : undefined;
    });
    expect(fired.map((e) => e.channel).sort()).toEqual(['smtp', 'smtp', 'telegram', 'webhook']);
    expect(
      smtp.received
        .filter((m) => m.subject.includes('auth.login_failed'))
        .flatMap((m) => m.to)
        .sort(),
    ).toEqual([ADMIN.email, 'ops@example.com'].sort());

    // The webhook got Gatwy's body, signed as every Herald webhook is.
    const delivery = hook.received.at(-1)!;
    expect(delivery.json).toMatchObject({
      rule: 'Failed logins from outside',
      event: 'auth.login_failed',
      user: 'u-7',
      target: 'ssh-box',
      ip: '203.0.113.7',
      details: { ip: '203.0.113.7', userId: 'u-7', target: 'ssh-box' },
      timestamp: expect.any(String),
    });
    const failed = fired.find((e) => e.channel === 'webhook')!;
    expect(delivery.headers['x-herald-delivery']).toBe(failed.id);
    expect(
      verifyWebhookSignature(
        h.server.ctx.keys.webhookSigning,
        String(delivery.headers['x-herald-timestamp']),
        delivery.rawBody,
        String(delivery.headers['x-herald-signature']),
      ),
    ).toBe(true);

    // History as the tab reads it: every entry placed in time, the failure with its error and payload.
    const log = await history();
    expect(log).toMatchObject({ page: 1, limit: 50 });
    expect((await history('')).limit).toBe(50);
    for (const e of log.entries) expect(Number.isNaN(Date.parse(e.sentAt))).toBe(false);
    expect(failed).toMatchObject({
      status: 'failed',
      ruleName: 'Failed logins from outside',
      error: expect.stringContaining('404'),
      payload: { to: {}, title: expect.stringContaining('auth.login_failed') },
      retryOf: null,
    });
    expect(
      (await page('GET', '/rules')).body.rules.find((r: Json) => r.id === rule.id).lastTriggeredAt,
    ).toEqual(expect.any(String));

    // Retry while the receiver still fails: a 5xx saying why, and a new failed entry linked to it.
    const stillFailing = await page('POST', `/log/${failed.id}/retry`);
    expect(stillFailing.status).toBe(502);
    expect(stillFailing.body.error).toContain('404');
    let entries = await byRule();
    expect(entries.find((e) => e.id === failed.id)).toMatchObject({ status: 'failed' });
    const firstRetry = entries.find((e) => e.retryOf === failed.id);
    expect(firstRetry).toMatchObject({
      status: 'failed',
      channel: 'webhook',
      error: expect.stringContaining('404'),
    });

    // After it recovers: 200 once sent; the original failure keeps its record.
    hookStatus = 200;
    const recovered = await page('POST', `/log/${failed.id}/retry`);
    expect(recovered.status, recovered.text).toBe(200);
    expect(recovered.body.entry).toMatchObject({ status: 'sent', retryOf: failed.id, channel: 'webhook' });
    expect(hook.received.at(-1)?.headers['x-herald-delivery']).toBe(recovered.body.entry.id);
    entries = await byRule();
    expect(entries).toHaveLength(6);
    expect(entries.find((e) => e.id === failed.id)).toMatchObject({ status: 'failed' });

    // Only failed entries are retried.
    const again = await page('POST', `/log/${recovered.body.entry.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual(expect.any(String));
  });

  it('a waiting retry shows its last error and a time; Herald’s own events are told apart by $source', async () => {
    const ownOnly = await page('POST', '/rules', {
      name: 'Herald logins only',
      events: ['auth.login_failed'],
      conditions: [{ field: '$source', operator: 'equals', value: 'herald' }],
      cadence: 'instant',
      actions: [{ channel: 'webhook', recipients: [] }],
    });
    expect(ownOnly.status, ownOnly.text).toBe(201);
    for (const r of (await page('GET', '/rules')).body.rules) {
      if (r.id !== ownOnly.body.rule.id && r.enabled) await page('PATCH', `/rules/${r.id}/toggle`);
    }
    const appToken = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'app2', scopes: ['events:create'] },
      })
    ).body.token;
    hookStatus = 503;
    // Posted by an application with a claimed source: not Herald's, so the rule stays quiet.
    await h.api('POST', '/api/v1/events', {
      token: appToken,
      body: { name: 'auth.login_failed', source: 'herald', ip: '198.51.100.1' },
    });
    await settled();
    expect((await history(`rule_id=${ownOnly.body.rule.id}`)).total).toBe(0);

    const login = await h.api('POST', '/api/v1/auth/login', {
      body: { email: ADMIN.email, password: 'wrong-password' },
      headers: { 'x-forwarded-for': '198.51.100.2' },
    });
    expect(login.status).toBe(401);
    await settled();
    const waiting = await until(async () => {
      const e = (await history(`rule_id=${ownOnly.body.rule.id}`)).entries[0];
      return e?.attempts === 1 ? e : undefined;
    });
    expect(waiting).toMatchObject({ status: 'pending', error: expect.stringContaining('503') });
    expect(Date.parse(waiting.sentAt)).toBeGreaterThanOrEqual(Date.parse(waiting.createdAt));
    expect(hook.received.at(-1)?.json).toMatchObject({ ip: '198.51.100.2', event: 'auth.login_failed' });
    expect((await page('DELETE', `/log/${waiting.id}`)).status).toBe(200);
    hookStatus = 200;
  });
});
