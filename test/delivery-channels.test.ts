import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../src/channels/webhook/webhook.channel.ts';
import { newId } from '../src/domain/ids.ts';
import { type DeliveryType, emptyDraft } from '../src/domain/message.ts';
import { commitMessage } from '../src/ingest/commit-message.ts';
import { enqueue } from '../src/queue/enqueue.ts';
import {
  createDiscordReceiver,
  createSlackReceiver,
  createTelegramReceiver,
  type DiscordReceiver,
  type SlackReceiver,
  type TelegramReceiver,
} from './receivers/chat-receivers.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { createPushServiceReceiver, type PushServiceReceiver } from './receivers/push-service-receiver.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { until } from './support/wait.ts';

/** Polls until `check` returns a truthy value. */

describe.each(STORES)('delivery over every channel on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let smtp: SmtpReceiver;
  let slack: SlackReceiver;
  let telegram: TelegramReceiver;
  let discord: DiscordReceiver;
  let hook: HttpReceiver;
  let push: PushServiceReceiver;

  beforeAll(async () => {
    [h, smtp, slack, telegram, discord, hook, push] = await Promise.all([
      startHerald(store, { env: { HERALD_POLL_INTERVAL_MS: '100' } }),
      createSmtpReceiver(),
      createSlackReceiver(),
      createTelegramReceiver(),
      createDiscordReceiver(),
      createHttpReceiver(),
      createPushServiceReceiver(),
    ]);
    admin = await h.adminToken();
    const configs: Record<string, Record<string, unknown>> = {
      smtp: { host: smtp.host, port: smtp.port, from: 'Herald <alerts@example.com>', tls: false },
      slack: { webhookUrl: slack.webhookUrl },
      telegram: { botToken: '123456:ABC-DEF_ghi', chatId: '-1001234567890', apiBaseUrl: telegram.apiBaseUrl },
      discord: { webhookUrl: discord.webhookUrl },
      webhook: { url: `${hook.url}/hooks/herald`, secret: 'whsec-test-secret' },
      webpush: {},
    };
    for (const [type, config] of Object.entries(configs)) {
      const res = await h.api('PUT', `/api/v1/notifications/channels/${type}`, {
        token: admin,
        body: { enabled: true, config },
      });
      expect(res.status, `${type}: ${res.text}`).toBe(200);
    }
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([smtp, slack, telegram, discord, hook, push].map((r) => r?.close()));
  });

  const logOf = async (id: string) => {
    const res = await h.api('GET', '/api/v1/notifications/log?limit=200', { token: admin });
    return res.body.entries.find((e: { id: string }) => e.id === id);
  };

  it('mails a message to its recipients: encoded non-ASCII subject, plaintext and HTML parts', async () => {
    const user = await h.createUser(`mailee${store}`);
    const bucket = await h.api('POST', '/api/v1/buckets', {
      token: admin,
      body: { name: `alerts-${store}` },
    });
    expect(bucket.status).toBe(201);
    await h.api('POST', `/api/v1/buckets/${bucket.body.id}/members`, {
      token: admin,
      body: { userId: user.id, permission: 'read' },
    });
    const title = 'Störung behoben — 数据库 ✓';
    const sent = await h.api('POST', '/api/v1/messages', {
      token: admin,
      body: {
        bucketId: bucket.body.id,
        title,
        subtitle: 'Zusammenfassung',
        body: '**Alles** wieder _gut_.\n\nSiehe [Status](https://status.example.com).',
        deliveryType: 'NORMAL',
      },
    });
    expect(sent.status).toBe(201);
    const mail = await until(
      () => smtp.received.find((m) => m.to.includes(user.email)),
      10_000,
      'the mail to the member',
    );
    expect(mail.subject).toBe(title);
    // Non-ASCII subjects travel as RFC 2047 encoded words, never raw 8-bit headers.
    const rawSubject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(mail.raw.toString('latin1'))![1];
    expect(rawSubject).toMatch(/=\?UTF-8\?[BQ]\?/i);
    expect(mail.text).toContain('Zusammenfassung');
    expect(mail.text).toContain('Alles wieder gut.');
    expect(mail.html).toContain('<strong>Alles</strong>');
    expect(mail.html).toContain('href="https://status.example.com"');
    expect(mail.headers['x-herald-delivery']).toBeTruthy();
    // The admin owns the bucket and is a member too.
    await until(
      () => smtp.received.find((m) => m.to.includes('admin@example.com')),
      10_000,
      'the admin mail',
    );

    const entry = await until(() => logOf(mail.headers['x-herald-delivery']), 5_000, 'the log entry');
    await until(async () => (await logOf(entry.id)).status === 'sent', 5_000, 'sent status');
    expect(await logOf(entry.id)).toMatchObject({
      channel: 'smtp',
      status: 'sent',
      error: null,
      ruleId: null,
    });
  });

  it('delivers rule deliveries to Slack, Telegram, Discord and a signed webhook', async () => {
    const content = {
      title: 'Login failed for alice',
      text: 'From 203.0.113.9 <script>',
      url: 'https://herald.example.com/events/1',
      deliveryType: 'NORMAL' as const,
      data: { ipAddress: '203.0.113.9' },
    };
    const ids = await enqueue(h.server.ctx, [
      { channel: 'slack', recipients: [{}], content, ruleId: 'rule_1', ruleName: 'Failed logins' },
      {
        channel: 'telegram',
        recipients: [{}, { address: '42' }],
        content,
        ruleId: 'rule_1',
        ruleName: 'Failed logins',
      },
      { channel: 'discord', recipients: [{}], content, ruleId: 'rule_1', ruleName: 'Failed logins' },
      { channel: 'webhook', recipients: [{}], content, ruleId: 'rule_1', ruleName: 'Failed logins' },
    ]);
    expect(ids).toHaveLength(5);

    const [slackReq] = await slack.waitFor(1);
    expect(slackReq.path).toBe('/services/T000/B000/XXXXSECRET');
    expect(JSON.stringify(slackReq.json)).toContain('Login failed for alice');

    const tgReqs = await telegram.waitFor(2);
    expect(tgReqs.every((r) => r.path === '/bot123456:ABC-DEF_ghi/sendMessage')).toBe(true);
    expect(tgReqs.map((r) => (r.json as { chat_id: string }).chat_id).sort()).toEqual([
      '-1001234567890',
      '42',
    ]);
    expect((tgReqs[0].json as { text: string }).text).toContain('&#60;script&#62;');

    const [discordReq] = await discord.waitFor(1);
    expect(JSON.stringify(discordReq.json)).toContain('Login failed for alice');

    const [hookReq] = await hook.waitFor(1);
    expect(hookReq.path).toBe('/hooks/herald');
    const ts = hookReq.headers['x-herald-timestamp'] as string;
    expect(
      verifyWebhookSignature(
        'whsec-test-secret',
        ts,
        hookReq.rawBody,
        hookReq.headers['x-herald-signature'] as string,
        {
          toleranceSeconds: 60,
        },
      ),
    ).toBe(true);
    expect(
      verifyWebhookSignature('wrong', ts, hookReq.rawBody, hookReq.headers['x-herald-signature'] as string),
    ).toBe(false);
    expect(hookReq.json).toMatchObject({ deliveryId: ids[4], title: content.title, data: content.data });
    expect(hookReq.headers['x-herald-delivery']).toBe(ids[4]);

    for (const id of ids) {
      await until(async () => (await logOf(id))?.status === 'sent', 5_000, `delivery ${id} sent`);
    }
    expect(await logOf(ids[0])).toMatchObject({
      ruleId: 'rule_1',
      ruleName: 'Failed logins',
      channel: 'slack',
    });
  });

  it('pushes to subscriptions (decrypted at the push service); SILENT never pushes, CRITICAL does', async () => {
    const user = await h.createUser(`pushee${store}`);
    const sub = push.createSubscription();
    expect((await h.api('POST', '/api/v1/push-subscriptions', { token: user.token, body: sub })).status).toBe(
      201,
    );
    const { publicKey } = (
      await h.api('GET', '/api/v1/push-subscriptions/vapid-public-key', { token: user.token })
    ).body;

    const send = (title: string, deliveryType: DeliveryType) =>
      commitMessage(
        h.server.ctx,
        { ...emptyDraft(title, deliveryType), body: `${title} body` },
        { userIds: [user.id] },
      );

    await send('silent one', 'SILENT');
    await send('normal one', 'NORMAL');
    await send('critical one', 'CRITICAL');
    const arrived = await until(
      () =>
        push.received.filter((p) => p.endpoint === sub.endpoint).length >= 2 ? push.received : undefined,
      10_000,
      'two pushes',
    );
    await h.server.drain();
    const mine = arrived.filter((p) => p.endpoint === sub.endpoint);
    expect(mine.map((p) => (p.json as { title: string }).title).sort()).toEqual([
      'critical one',
      'normal one',
    ]);
    const critical = mine.find((p) => (p.json as { title: string }).title === 'critical one')!;
    expect(critical.json).toMatchObject({ body: 'critical one body' });
    expect(critical.urgency).toBe('high');
    expect(critical.vapid).toMatchObject({ publicKey, signatureValid: true });
    // Email still goes for SILENT: it is not an interruption.
    await until(
      () => smtp.received.find((m) => m.to.includes(user.email) && m.subject === 'silent one'),
      5_000,
      'the silent mail',
    );
  });

  it('fails a push to a gone subscription at once and forgets the subscription', async () => {
    const user = await h.createUser(`gone${store}`);
    const sub = push.createSubscription();
    await h.api('POST', '/api/v1/push-subscriptions', { token: user.token, body: sub });
    push.unsubscribe(sub.endpoint);
    const committed = await commitMessage(h.server.ctx, emptyDraft('to nobody'), { userIds: [user.id] });
    const db = h.server.ctx.store.db;
    const row = await until(
      () =>
        db
          .selectFrom('deliveries')
          .selectAll()
          .where('message_id', '=', committed.message.id)
          .where('channel', '=', 'webpush')
          .where('status', '=', 'failed')
          .executeTakeFirst(),
      5_000,
      'the failed push',
    );
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain('410');
    const left = await db
      .selectFrom('push_subscriptions')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(left).toEqual([]);
  });

  it('follows preferences: a disabled template sends nothing outside, except a CRITICAL push', async () => {
    const ctx = h.server.ctx;
    const user = await h.createUser(`quiet${store}`);
    const sub = push.createSubscription();
    await h.api('POST', '/api/v1/push-subscriptions', { token: user.token, body: sub });
    const now = Date.now();
    const templateId = newId(now);
    await ctx.store.db
      .insertInto('templates')
      .values({
        id: templateId,
        key: `quiet-${store}-${now}`,
        kind: 'custom',
        name: 'Quiet',
        title_template: 't',
        body_template: 'b',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await ctx.store.db
      .insertInto('preferences')
      .values({ user_id: user.id, template_id: templateId, disabled: 1, updated_at: now })
      .execute();

    const normal = await commitMessage(
      ctx,
      { ...emptyDraft('muted normal'), templateId },
      { userIds: [user.id] },
    );
    const critical = await commitMessage(
      ctx,
      { ...emptyDraft('muted critical', 'CRITICAL'), templateId },
      { userIds: [user.id] },
    );
    const rowsFor = (messageId: string) =>
      ctx.store.db.selectFrom('deliveries').selectAll().where('message_id', '=', messageId).execute();
    expect(await rowsFor(normal.message.id)).toEqual([]);

    // The commit names its recipients, so CRITICAL reaches the devices of those who muted it.
    const pushed = await until(
      () => push.received.find((p) => p.endpoint === sub.endpoint),
      5_000,
      'critical push',
    );
    expect(pushed.json).toMatchObject({ title: 'muted critical' });
    const rows = await rowsFor(critical.message.id);
    expect(rows.map((r) => r.channel)).toEqual(['webpush']);
  });

  it('routes by the template method: inbox-only templates send nothing outside', async () => {
    const ctx = h.server.ctx;
    const user = await h.createUser(`methodic${store}`);
    await h.api('POST', '/api/v1/push-subscriptions', { token: user.token, body: push.createSubscription() });
    const now = Date.now();
    const make = async (method: string) => {
      const id = newId(now);
      await ctx.store.db
        .insertInto('templates')
        .values({
          id,
          key: `m-${method}-${store}-${id}`,
          kind: 'custom',
          name: method,
          title_template: 't',
          body_template: 'b',
          method,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return id;
    };
    const channelsFor = async (method: string, deliveryType: DeliveryType = 'NORMAL') => {
      const committed = await commitMessage(
        ctx,
        { ...emptyDraft(`via ${method}`, deliveryType), templateId: await make(method) },
        { userIds: [user.id] },
      );
      const rows = await ctx.store.db
        .selectFrom('deliveries')
        .select('channel')
        .where('message_id', '=', committed.message.id)
        .execute();
      return rows.map((r) => r.channel).sort();
    };
    expect(await channelsFor('inbox')).toEqual([]);
    expect(await channelsFor('smtp')).toEqual(['smtp']);
    expect(await channelsFor('webpush')).toEqual(['webpush']);
    // CRITICAL overrides preferences, not the template's method.
    expect(await channelsFor('inbox', 'CRITICAL')).toEqual([]);
    expect(await channelsFor('smtp', 'CRITICAL')).toEqual(['smtp']);
  });
});
