import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { fallbacksOf } from '../src/store/delivery.repository.ts';
import { listEventsByName } from '../src/store/event.repository.ts';
import { SYSTEM_TEMPLATES } from '../src/templates/system-templates.ts';
import {
  createSlackReceiver,
  createTelegramReceiver,
  type SlackReceiver,
  type TelegramReceiver,
} from './receivers/chat-receivers.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { storeAt } from './support/store-at.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

type Entry = Record<string, any>;

describe.each(STORES)('fallback deliveries on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let smtp: SmtpReceiver;
  let telegram: TelegramReceiver;
  let slack: SlackReceiver;
  let hook: HttpReceiver;
  let alice: { id: string; token: string; email: string };
  let bob: { id: string; token: string; email: string };
  let alerts: string;
  const clock = manualClock(Date.parse('2026-05-04T09:00:00Z'));

  beforeAll(async () => {
    [smtp, telegram, slack, hook] = await Promise.all([
      createSmtpReceiver(),
      createTelegramReceiver(),
      createSlackReceiver(),
      createHttpReceiver(),
    ]);
    h = await startHerald(store, {
      clock,
      env: {
        HERALD_ACCESS_TOKEN_TTL_SECONDS: '86400',
        HERALD_POLL_INTERVAL_MS: '50',
        HERALD_RETRY_BASE_MS: '50',
        HERALD_MAX_ATTEMPTS: '2',
      },
    });
    admin = await h.adminToken();
    const configs: Record<string, Record<string, unknown>> = {
      smtp: { host: smtp.host, port: smtp.port, from: 'herald@example.com', tls: false },
      telegram: { botToken: '123456:ABC-DEF_ghi', chatId: '-1001234567890', apiBaseUrl: telegram.apiBaseUrl },
      slack: { webhookUrl: slack.webhookUrl },
      webhook: { url: `${hook.url}/in`, secret: 'fallback-test-secret' },
    };
    for (const [type, config] of Object.entries(configs)) {
      const res = await h.api('PUT', `/api/v1/notifications/channels/${type}`, {
        token: admin,
        body: { enabled: true, config },
      });
      expect(res.status, `${type}: ${res.text}`).toBe(200);
    }
    // Bucket messages stay in the inbox by themselves: the rules decide what leaves it, so
    // every email the SMTP server sees here is a fallback.
    const template = await h.api('PATCH', `/api/v1/templates/${SYSTEM_TEMPLATES.bucketMessage.id}`, {
      token: admin,
      body: { method: 'inbox' },
    });
    expect(template.status, template.text).toBe(200);

    alice = await h.createUser(`alice${store}`);
    bob = await h.createUser(`bob${store}`);
    const address = await h.api('PUT', '/api/v1/users/me/addresses/telegram', {
      token: alice.token,
      body: { address: '4242' },
    });
    expect(address.status, address.text).toBe(200);
    const bucket = await h.api('POST', '/api/v1/buckets', { token: admin, body: { name: 'alerts' } });
    expect(bucket.status, bucket.text).toBe(201);
    alerts = bucket.body.id;
    for (const member of [alice, bob]) {
      const res = await h.api('POST', `/api/v1/buckets/${alerts}/members`, {
        token: admin,
        body: { userId: member.id, permission: 'read' },
      });
      expect(res.status, res.text).toBe(200);
    }
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([smtp, telegram, slack, hook].map((r) => r?.close()));
  });
  afterEach(async () => {
    await h.server.drain();
    for (const r of (await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules) {
      await h.api('DELETE', `/api/v1/notifications/rules/${r.id}`, { token: admin });
    }
    for (const r of [smtp, telegram, slack, hook]) r.received.length = 0;
  });

  const createRule = async (name: string, action: Record<string, unknown>) => {
    const res = await h.api('POST', '/api/v1/notifications/rules', {
      token: admin,
      body: {
        name,
        events: ['message.created'],
        conditions: [{ field: 'bucket', operator: 'equals', value: 'alerts' }],
        cadence: 'instant',
        actions: [action],
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.rule as { id: string; actions: unknown[] };
  };
  const send = async (title: string, body = `${title}: details`) => {
    const res = await h.api('POST', '/api/v1/messages', {
      token: admin,
      body: { bucketId: alerts, title, body, deliveryType: 'CRITICAL' },
    });
    expect(res.status, res.text).toBe(201);
  };
  const log = async (query: string) => {
    const res = await h.api('GET', `/api/v1/notifications/log?limit=200&${query}`, { token: admin });
    expect(res.status, res.text).toBe(200);
    return res.body.entries as Entry[];
  };
  const byChannel = (entries: Entry[], channel: string) => entries.filter((e) => e.channel === channel);
  const telegramRefuses = () =>
    telegram.respondWith(
      400,
      { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
      { times: 1 },
    );

  it('a delivery that fails for good falls back to email, and the log links the two', async () => {
    const rule = await createRule('Alerts to Telegram, else email', {
      channel: 'telegram',
      recipients: [`alice${store}`],
      fallback: { channel: 'smtp' },
    });
    expect(rule.actions).toEqual([
      { channel: 'telegram', recipients: [`alice${store}`], fallback: { channel: 'smtp' } },
    ]);
    telegramRefuses();
    await send('Disk full on nas', 'Only 1% left on /volume1');
    await h.server.drain();

    expect(telegram.received).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.to).toEqual([alice.email]);
    expect(mail.subject).toBe('Disk full on nas');
    expect(mail.text).toContain('Only 1% left on /volume1');

    const entries = await log(`rule_id=${rule.id}`);
    expect(entries).toHaveLength(2);
    const [original] = byChannel(entries, 'telegram');
    const [fallback] = byChannel(entries, 'smtp');
    expect(original).toMatchObject({
      status: 'failed',
      attempts: 1,
      fallbackOf: null,
      fallbackIds: [fallback.id],
      payload: { to: { address: '4242' } },
    });
    expect(original.error).toContain('chat not found');
    expect(fallback).toMatchObject({
      status: 'sent',
      fallbackOf: original.id,
      fallbackIds: [],
      ruleName: 'Alerts to Telegram, else email',
      payload: { to: { address: alice.email }, title: 'Disk full on nas' },
    });
    // The email carries the fallback's own delivery id, as every send does.
    expect(mail.headers['message-id']).toContain(fallback.id);

    // The failure stays on record for rules that watch for it.
    const failed = await listEventsByName(h.server.ctx.store.db, 'delivery.failed');
    expect(failed.map((e) => JSON.parse(e.fields).deliveryId)).toContain(original.id);
    await h.server.drain();
    expect(smtp.received).toHaveLength(1);
  });

  it('a receiver that stays down falls back once its attempts are used up, to the users the action names', async () => {
    const rule = await createRule('Alerts to the webhook, else email', {
      channel: 'webhook',
      recipients: [`bob${store}`],
      fallback: { channel: 'smtp' },
    });
    hook.respondWith(503, 'down for maintenance', { times: 2 });
    await send('UPS on battery');
    await h.server.drain();
    expect(hook.received).toHaveLength(1);
    // Retrying, not failed: no fallback yet.
    expect(smtp.received).toHaveLength(0);
    expect(byChannel(await log(`rule_id=${rule.id}`), 'webhook')[0]).toMatchObject({
      status: 'pending',
      fallbackIds: [],
    });

    clock.advance(MINUTE);
    await h.server.drain();
    expect(hook.received).toHaveLength(2);
    expect(smtp.received.map((m) => m.to)).toEqual([[bob.email]]);
    expect(smtp.received[0].subject).toBe('UPS on battery');
    const entries = await log(`rule_id=${rule.id}`);
    const [original] = byChannel(entries, 'webhook');
    const [fallback] = byChannel(entries, 'smtp');
    expect(original).toMatchObject({ status: 'failed', attempts: 2, fallbackIds: [fallback.id] });
    expect(original.error).toMatch(/^gave up after 2 attempts: .*503/);
    expect(fallback).toMatchObject({ status: 'sent', fallbackOf: original.id });
  });

  it('a delivery without a fallback fails as before: nothing else is sent', async () => {
    const rule = await createRule('Alerts to Telegram only', {
      channel: 'telegram',
      recipients: [`alice${store}`],
    });
    telegramRefuses();
    await send('Fan failure');
    await h.server.drain();
    expect(telegram.received).toHaveLength(1);
    expect(smtp.received).toHaveLength(0);
    const entries = await log(`rule_id=${rule.id}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      channel: 'telegram',
      status: 'failed',
      fallbackOf: null,
      fallbackIds: [],
      reason: null,
    });
    const failed = await listEventsByName(h.server.ctx.store.db, 'delivery.failed');
    expect(failed.map((e) => JSON.parse(e.fields).deliveryId)).toContain(entries[0].id);
  });

  it('an inbox item still unread after the set time is emailed; one read in time is not, and the log says so', async () => {
    const rule = await createRule('Alerts to Slack, email who has not read them', {
      channel: 'slack',
      recipients: [`alice${store}`, `bob${store}`],
      fallback: { channel: 'smtp', afterSeconds: 600 },
    });
    await send('Backup failed', 'The nightly backup of /home failed');
    await h.server.drain();
    expect(slack.received).toHaveLength(1);
    expect(smtp.received).toHaveLength(0);
    let entries = await log(`rule_id=${rule.id}`);
    const [original] = byChannel(entries, 'slack');
    expect(original).toMatchObject({ status: 'sent', fallbackOf: null });
    expect(original.fallbackIds).toHaveLength(2);
    expect(byChannel(entries, 'smtp').map((e) => [e.status, e.fallbackOf])).toEqual([
      ['pending', original.id],
      ['pending', original.id],
    ]);

    // Alice reads hers in the inbox five minutes later; Bob does not.
    clock.advance(5 * MINUTE);
    const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: alice.token });
    const item = inbox.body.notifications.find((n: { title: string }) => n.title === 'Backup failed');
    const read = await h.api('PUT', `/api/v2/notifications/inbox/${item.id}/read-status`, {
      token: alice.token,
      body: { is_read: true },
    });
    expect(read.status, read.text).toBe(200);

    clock.advance(5 * MINUTE - SECOND);
    await h.server.drain();
    expect(smtp.received).toHaveLength(0);

    clock.advance(2 * SECOND);
    await h.server.drain();
    expect(smtp.received.map((m) => m.to)).toEqual([[bob.email]]);
    expect(smtp.received[0].subject).toBe('Backup failed');
    expect(smtp.received[0].text).toContain('The nightly backup of /home failed');

    entries = await log(`rule_id=${rule.id}`);
    const fallbacks = byChannel(entries, 'smtp');
    expect(fallbacks.map((e) => e.id).sort()).toEqual([...original.fallbackIds].sort());
    const toBob = fallbacks.find((e) => e.payload.to.address === bob.email)!;
    const toAlice = fallbacks.find((e) => e.payload.to.address === alice.email)!;
    expect(toBob).toMatchObject({ status: 'sent', fallbackOf: original.id, error: null, reason: null });
    expect(toAlice).toMatchObject({
      status: 'skipped',
      fallbackOf: original.id,
      reason: 'read in time',
      error: null,
      attempts: 0,
    });
    const skipped = await log(`rule_id=${rule.id}&status=skipped`);
    expect(skipped.map((e) => e.id)).toEqual([toAlice.id]);

    // Nothing comes later.
    clock.advance(HOUR);
    await h.server.drain();
    expect(smtp.received).toHaveLength(1);
  });

  it('a fallback waiting for its time goes at once when the delivery fails for good, and only once', async () => {
    const rule = await createRule('Alerts to Telegram, email if unread or failed', {
      channel: 'telegram',
      recipients: [`alice${store}`],
      fallback: { channel: 'smtp', afterSeconds: 3600 },
    });
    telegramRefuses();
    await send('Pool degraded');
    await h.server.drain();
    expect(smtp.received.map((m) => m.to)).toEqual([[alice.email]]);

    clock.advance(2 * HOUR);
    await h.server.drain();
    expect(smtp.received).toHaveLength(1);
    const entries = await log(`rule_id=${rule.id}`);
    const [original] = byChannel(entries, 'telegram');
    const [fallback] = byChannel(entries, 'smtp');
    expect(original).toMatchObject({ status: 'failed', fallbackIds: [fallback.id] });
    expect(fallback).toMatchObject({ status: 'sent', fallbackOf: original.id });
  });

  it('a delivery whose last attempt died with its process falls back once, to the fallback’s own recipients', async () => {
    const rule = await createRule('Alerts to the webhook, else the on-call mailbox', {
      channel: 'webhook',
      recipients: [],
      fallback: { channel: 'smtp', recipients: ['oncall@example.com'] },
    });
    const pause = (paused: boolean) =>
      h.api('PUT', '/api/v2/notifications/settings', { token: admin, body: { notifier_paused: paused } });
    expect((await pause(true)).status).toBe(200);
    await send('Router unreachable');
    await h.server.drain();
    // What a process killed during the last allowed attempt leaves behind: the row still
    // `sending` under a lease that has run out.
    const db = h.server.ctx.store.db;
    const now = clock.now();
    const changed = await db
      .updateTable('deliveries')
      .set({ status: 'sending', attempts: 2, lease_until: now - SECOND, next_attempt_at: now - SECOND })
      .where('rule_id', '=', rule.id)
      .where('channel', '=', 'webhook')
      .executeTakeFirst();
    expect(Number(changed.numUpdatedRows)).toBe(1);
    expect((await pause(false)).status).toBe(200);
    await h.server.drain();
    await h.server.drain();

    expect(hook.received).toHaveLength(0);
    expect(smtp.received.map((m) => m.to)).toEqual([['oncall@example.com']]);
    const entries = await log(`rule_id=${rule.id}`);
    const [original] = byChannel(entries, 'webhook');
    const [fallback] = byChannel(entries, 'smtp');
    expect(original.error).toMatch(/^gave up after 2 attempts; the last lease expired/);
    expect(original).toMatchObject({ status: 'failed', fallbackIds: [fallback.id] });
    expect(fallback).toMatchObject({
      status: 'sent',
      fallbackOf: original.id,
      payload: { to: { address: 'oncall@example.com' } },
    });
  });

  it('refuses a bad fallback with a 400 naming the field, and creates nothing', async () => {
    const before = (await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules.length;
    const refused = async (action: Record<string, unknown>, field: string) => {
      const res = await h.api('POST', '/api/v1/notifications/rules', {
        token: admin,
        body: { name: 'Bad fallback', events: ['message.created'], actions: [action] },
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual([field]);
      return res.body.validations[0].detail as string;
    };
    const telegramTo = (fallback: unknown) => ({ channel: 'telegram', recipients: [], fallback });
    expect(await refused(telegramTo({ channel: 'pigeon' }), 'actions[0].fallback.channel')).toMatch(
      /unknown channel/,
    );
    expect(await refused(telegramTo({ channel: 'inbox' }), 'actions[0].fallback.channel')).toMatch(
      /unknown channel/,
    );
    expect(await refused(telegramTo({ channel: 'telegram' }), 'actions[0].fallback.channel')).toMatch(
      /must differ/,
    );
    expect(await refused(telegramTo({}), 'actions[0].fallback.channel')).toBeTruthy();
    expect(await refused(telegramTo('smtp'), 'actions[0].fallback')).toMatch(/must be an object/);
    expect(
      await refused(telegramTo({ channel: 'slack', afterSeconds: 0 }), 'actions[0].fallback.afterSeconds'),
    ).toMatch(/whole number of seconds/);
    expect(
      await refused(
        telegramTo({ channel: 'slack', afterSeconds: 'soon' }),
        'actions[0].fallback.afterSeconds',
      ),
    ).toMatch(/whole number of seconds/);
    expect(await refused(telegramTo({ channel: 'slack', after: 60 }), 'actions[0].fallback.after')).toMatch(
      /not a fallback field/,
    );
    expect(await refused(telegramTo({ channel: 'smtp' }), 'actions[0].fallback.recipients')).toMatch(
      /names no one/,
    );
    expect(
      await refused(
        { channel: 'inbox', recipients: ['admin'], fallback: { channel: 'smtp' } },
        'actions[0].fallback',
      ),
    ).toMatch(/inbox action/);
    expect((await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules).toHaveLength(
      before,
    );
  });

  it('an update can add and remove a fallback', async () => {
    const rule = await createRule('Alerts to Slack', { channel: 'slack', recipients: [] });
    const put = (actions: unknown[]) =>
      h.api('PUT', `/api/v1/notifications/rules/${rule.id}`, { token: admin, body: { actions } });
    const added = await put([
      { channel: 'slack', recipients: [], fallback: { channel: 'telegram', afterSeconds: 60 } },
    ]);
    expect(added.status, added.text).toBe(200);
    expect(added.body.rule.actions[0].fallback).toEqual({ channel: 'telegram', afterSeconds: 60 });
    const bad = await put([{ channel: 'slack', recipients: [], fallback: { channel: 'slack' } }]);
    expect(bad.status).toBe(400);
    const removed = await put([{ channel: 'slack', recipients: [] }]);
    expect(removed.status).toBe(200);
    expect(removed.body.rule.actions).toEqual([{ channel: 'slack', recipients: [] }]);
  });
});

describe.each(STORES)('the fallback migration on %s', (kind) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  it('0017 keeps the deliveries of a 0015 store and finds fallbacks by the new index', async () => {
    const s = await storeAt(kind, '0015-message-routing', cleanups);
    const now = Date.now();
    const row = (id: string, fallbackOf: string | null) => ({
      id,
      channel: 'smtp',
      status: 'sent',
      message_id: null,
      notification_id: null,
      user_id: null,
      rule_id: null,
      rule_name: null,
      recipient: '{"address":"a@example.com"}',
      content: '{"title":"t","text":"x"}',
      window_key: null,
      next_attempt_at: now,
      lease_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      sent_at: now,
      fallback_of: fallbackOf,
    });
    await s.db
      .insertInto('deliveries')
      .values([row('d-original', null), row('d-fallback', 'd-original')])
      .execute();

    expect(await s.migrate()).toContain('0017-delivery-fallback');
    const index =
      kind === 'postgres'
        ? sql`select indexname as name from pg_indexes where indexname = 'deliveries_fallback_of_idx'`
        : sql`select name from sqlite_master where type = 'index' and name = 'deliveries_fallback_of_idx'`;
    expect((await index.execute(s.db)).rows).toHaveLength(1);
    expect(await fallbacksOf(s.db, ['d-original', 'd-fallback'])).toEqual(
      new Map([['d-original', ['d-fallback']]]),
    );
  });
});
