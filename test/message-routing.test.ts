import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import {
  createDiscordReceiver,
  createSlackReceiver,
  createTelegramReceiver,
  type DiscordReceiver,
  type SlackReceiver,
  type TelegramReceiver,
} from './receivers/chat-receivers.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const MINUTE = 60_000;

describe.each(STORES)('messages on every channel on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let smtp: SmtpReceiver;
  let slack: SlackReceiver;
  let telegram: TelegramReceiver;
  let discord: DiscordReceiver;
  const clock = manualClock(Date.parse('2026-05-04T09:05:00Z'));

  beforeAll(async () => {
    [smtp, slack, telegram, discord] = await Promise.all([
      createSmtpReceiver(),
      createSlackReceiver(),
      createTelegramReceiver(),
      createDiscordReceiver(),
    ]);
    h = await startHerald(store, {
      clock,
      env: {
        HERALD_ACCESS_TOKEN_TTL_SECONDS: '86400',
        HERALD_POLL_INTERVAL_MS: '50',
        HERALD_RETRY_BASE_MS: '50',
      },
    });
    admin = await h.adminToken();
    const configs: Record<string, Record<string, unknown>> = {
      smtp: { host: smtp.host, port: smtp.port, from: 'herald@example.com', tls: false },
      slack: { webhookUrl: slack.webhookUrl },
      telegram: { botToken: '123456:ABC-DEF_ghi', chatId: '-1001234567890', apiBaseUrl: telegram.apiBaseUrl },
      discord: { webhookUrl: discord.webhookUrl },
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
    await Promise.all([smtp, slack, telegram, discord].map((r) => r?.close()));
  });
  afterEach(async () => {
    await h.server.drain();
    for (const r of (await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules) {
      await h.api('DELETE', `/api/v1/notifications/rules/${r.id}`, { token: admin });
    }
    smtp.received.length = 0;
    slack.received.length = 0;
    telegram.received.length = 0;
    discord.received.length = 0;
  });

  const bucketIds = new Map<string, string>();
  const bucket = async (name: string, token = admin) => {
    const key = `${token}:${name}`;
    if (bucketIds.has(key)) return bucketIds.get(key)!;
    const res = await h.api('POST', '/api/v1/buckets', { token, body: { name } });
    expect(res.status, res.text).toBe(201);
    bucketIds.set(key, res.body.id);
    return res.body.id as string;
  };
  const send = async (bucketName: string, body: Record<string, unknown>, token = admin) => {
    const res = await h.api('POST', '/api/v1/messages', {
      token,
      body: { bucketId: await bucket(bucketName, token), deliveryType: 'NORMAL', ...body },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const createRule = async (body: Record<string, unknown>) => {
    const res = await h.api('POST', '/api/v1/notifications/rules', {
      token: admin,
      body: { enabled: true, conditionLogic: 'and', cadence: 'instant', ...body },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.rule as { id: string };
  };
  const log = async (ruleId?: string) => {
    const q = ruleId ? `&rule_id=${ruleId}` : '';
    const res = await h.api('GET', `/api/v1/notifications/log?limit=200${q}`, { token: admin });
    expect(res.status).toBe(200);
    return res.body.entries as Array<Record<string, any>>;
  };

  it('a CRITICAL message to bucket alerts reaches Telegram and Slack once each through one rule', async () => {
    const rule = await createRule({
      name: 'Critical alerts to chat',
      events: ['message.created'],
      conditions: [
        { field: 'bucket', operator: 'equals', value: 'alerts' },
        { field: 'deliveryType', operator: 'equals', value: 'CRITICAL' },
      ],
      actions: [
        { channel: 'telegram', recipients: [] },
        { channel: 'slack', recipients: [] },
      ],
    });
    await send('alerts', { title: 'Disk full on nas', body: 'Only 1% left', deliveryType: 'CRITICAL' });
    await send('alerts', { title: 'Backup done' });
    await send('chatter', { title: 'Critical elsewhere', deliveryType: 'CRITICAL' });
    await h.server.drain();

    expect(telegram.received).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    const tg = telegram.received[0].json as { chat_id: string; text: string };
    expect(tg.chat_id).toBe('-1001234567890');
    expect(tg.text).toContain('<b>Disk full on nas</b>');
    expect(tg.text).toContain('Only 1% left');
    expect(JSON.stringify(slack.received[0].json)).toContain('Disk full on nas');

    const entries = await log(rule.id);
    expect(entries.map((e) => [e.channel, e.status]).sort()).toEqual([
      ['slack', 'sent'],
      ['telegram', 'sent'],
    ]);
    // Draining again sends nothing more: the message's event fired once.
    await h.server.drain();
    expect(telegram.received).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
  });

  it('the event names the bucket, type, tags, sender and family, and rules can match each', async () => {
    const rule = await createRule({
      name: 'ntfy tagged',
      events: ['message.*'],
      conditions: [
        { field: 'family', operator: 'equals', value: 'ntfy' },
        { field: 'tags', operator: 'contains', value: 'warning' },
      ],
      actions: [{ channel: 'discord', recipients: [] }],
    });
    const basic = `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}`;
    const ntfy = await h.api('POST', '/upsmon', {
      raw: 'The UPS is on battery',
      headers: {
        authorization: basic,
        'x-title': 'UPS',
        'x-tags': 'warning,zap',
        'content-type': 'text/plain',
      },
    });
    expect(ntfy.status, ntfy.text).toBe(200);
    await send('homelab', { title: 'Through the messages family' });
    await h.server.drain();
    expect(discord.received).toHaveLength(1);
    expect(JSON.stringify(discord.received[0].json)).toContain('The UPS is on battery');
    expect((await log(rule.id)).map((e) => e.status)).toEqual(['sent']);
  });

  it('ten messages in an hour make one digest delivery', async () => {
    clock.set(Date.parse('2026-05-04T10:02:00Z'));
    const rule = await createRule({
      name: 'Hourly alerts digest',
      events: ['message.created'],
      conditions: [{ field: 'bucket', operator: 'equals', value: 'alerts' }],
      cadence: { type: 'digest', every: 'hour' },
      actions: [{ channel: 'slack', recipients: [] }],
    });
    for (let i = 1; i <= 10; i++) {
      await send('alerts', { title: `Ping ${i}` });
      await h.server.drain();
      clock.advance(5 * MINUTE);
    }
    expect(slack.received).toHaveLength(0);
    clock.set(Date.parse('2026-05-04T11:00:01Z'));
    await h.server.drain();
    expect(slack.received).toHaveLength(1);
    const text = JSON.stringify(slack.received[0].json);
    expect(text).toContain('Hourly alerts digest: 10 messages');
    for (let i = 1; i <= 10; i++) expect(text).toContain(`Ping ${i}`);
    const entries = await log(rule.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ channel: 'slack', status: 'sent' });
  });

  it("a bucket's default channels carry every message to it, held while the notifier is paused", async () => {
    const id = await bucket('cameras');
    const put = await h.api('PUT', `/api/v1/buckets/${id}/channels/telegram`, { token: admin, body: {} });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ channel: 'telegram', recipients: null });
    expect((await h.api('GET', `/api/v1/buckets/${id}/channels`, { token: admin })).body).toEqual([
      expect.objectContaining({ channel: 'telegram', recipients: null }),
    ]);

    await send('cameras', { title: 'Motion at the door' });
    await h.server.drain();
    expect(telegram.received).toHaveLength(1);
    expect((telegram.received[0].json as { text: string }).text).toContain('Motion at the door');

    const pause = (paused: boolean) =>
      h.api('PUT', '/api/v2/notifications/settings', { token: admin, body: { notifier_paused: paused } });
    expect((await pause(true)).status).toBe(200);
    await send('cameras', { title: 'Motion in the garden' });
    await h.server.drain();
    expect(telegram.received).toHaveLength(1);
    expect((await pause(false)).status).toBe(200);
    await h.server.drain();
    expect(telegram.received).toHaveLength(2);

    // Removed: the next message stays in the inbox.
    expect((await h.api('DELETE', `/api/v1/buckets/${id}/channels/telegram`, { token: admin })).status).toBe(
      204,
    );
    await send('cameras', { title: 'Motion again' });
    await h.server.drain();
    expect(telegram.received).toHaveLength(2);
  });

  it("another user's bucket channels are refused (403, 404) and bad input changes nothing (400)", async () => {
    const mallory = await h.createUser(`mallory${store}`);
    const id = await bucket('private-ops');
    const as = (token: string, method: string, path: string, body?: unknown) =>
      h.api(method, `/api/v1/buckets/${path}`, { token, ...(body ? { body } : {}) });
    expect((await as(mallory.token, 'GET', `${id}/channels`)).status).toBe(403);
    expect((await as(mallory.token, 'PUT', `${id}/channels/slack`, {})).status).toBe(403);
    expect((await as(mallory.token, 'DELETE', `${id}/channels/slack`)).status).toBe(403);
    expect((await as(mallory.token, 'PUT', 'private-ops/channels/slack', {})).status).toBe(404);
    expect((await as(admin, 'PUT', 'no-such-bucket/channels/slack', {})).status).toBe(404);
    expect((await as(admin, 'DELETE', `${id}/channels/slack`)).status).toBe(404);

    const badChannel = await as(admin, 'PUT', `${id}/channels/pigeon`, {});
    expect(badChannel.status).toBe(400);
    expect(badChannel.body.validations.map((v: { field: string }) => v.field)).toContain('channel');
    const badRecipient = await as(admin, 'PUT', `${id}/channels/slack`, {
      recipients: ['admin', 'nobody-here'],
    });
    expect(badRecipient.status).toBe(400);
    expect(badRecipient.body.validations).toEqual([expect.objectContaining({ field: 'recipients[1]' })]);
    const extra = await as(admin, 'PUT', `${id}/channels/slack`, { recipient: ['admin'] });
    expect(extra.status).toBe(400);
    expect((await as(admin, 'GET', `${id}/channels`)).body).toEqual([]);
  });

  it("users' own addresses carry what bucket channels and rules send them, webhook URLs sealed and masked", async () => {
    const una = await h.createUser(`una${store}`);
    const hook = `${slack.url}/services/T0/B0/una-secret-token-${store}`;
    const setAddress = (channel: string, address: unknown, token = una.token) =>
      h.api('PUT', `/api/v1/users/me/addresses/${channel}`, { token, body: { address } });
    expect((await setAddress('telegram', '4242')).status).toBe(200);
    const slackSet = await setAddress('slack', hook);
    expect(slackSet.status, slackSet.text).toBe(200);
    expect(slackSet.body.address).not.toContain('una-secret-token');
    const listed = await h.api('GET', '/api/v1/users/me/addresses', { token: una.token });
    expect(listed.body.map((a: { channel: string }) => a.channel)).toEqual(['slack', 'telegram']);
    expect(JSON.stringify(listed.body)).not.toContain('una-secret-token');
    const stored = await h.server.ctx.store.db.selectFrom('user_addresses').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('una-secret-token');

    const id = await bucket('family');
    await h.api('POST', `/api/v1/buckets/${id}/members`, {
      token: admin,
      body: { userId: una.id, permission: 'read' },
    });
    expect(
      (
        await h.api('PUT', `/api/v1/buckets/${id}/channels/telegram`, {
          token: admin,
          body: { recipients: ['member'] },
        })
      ).status,
    ).toBe(200);
    const rule = await createRule({
      name: 'Family news to Slack',
      events: ['message.created'],
      conditions: [{ field: 'bucket', operator: 'equals', value: 'family' }],
      actions: [{ channel: 'slack', recipients: [`una${store}`] }],
    });
    await send('family', { title: 'Dinner at eight' });
    await h.server.drain();
    // The role `member` names una (the admin has no telegram address, so only una's chat).
    expect(telegram.received.map((r) => (r.json as { chat_id: string }).chat_id)).toEqual(['4242']);
    expect(slack.received.map((r) => r.path)).toEqual([`/services/T0/B0/una-secret-token-${store}`]);
    const entry = (await log(rule.id))[0];
    expect(entry).toMatchObject({ channel: 'slack', status: 'sent' });
    expect(JSON.stringify(entry)).not.toContain('una-secret-token');
    await h.api('DELETE', `/api/v1/buckets/${id}/channels/telegram`, { token: admin });
  });

  it("refuses bad addresses and other users' addresses, changing nothing", async () => {
    const vic = await h.createUser(`vic${store}`);
    const other = await h.createUser(`otto${store}`);
    const put = (channel: string, body: unknown, ref = 'me', token = vic.token) =>
      h.api('PUT', `/api/v1/users/${ref}/addresses/${channel}`, { token, body });
    const fieldsOf = (res: { body: { validations?: Array<{ field: string }> } }) =>
      (res.body.validations ?? []).map((v) => v.field);
    const chat = await put('telegram', { address: 'not a chat' });
    expect(chat.status).toBe(400);
    expect(fieldsOf(chat)).toEqual(['address']);
    const mail = await put('smtp', { address: 'nobody' });
    expect(mail.status).toBe(400);
    expect(fieldsOf(mail)).toEqual(['address']);
    const scheme = await put('discord', { address: 'ftp://example.com/hook' });
    expect(scheme.status).toBe(400);
    expect(fieldsOf(scheme)).toEqual(['address']);
    const channel = await put('pigeon', { address: 'x' });
    expect(channel.status).toBe(400);
    expect(fieldsOf(channel)).toContain('channel');
    expect((await put('telegram', {})).status).toBe(400);
    expect((await put('telegram', { address: '77' }, other.id)).status).toBe(403);
    expect((await h.api('GET', `/api/v1/users/${other.id}/addresses`, { token: vic.token })).status).toBe(
      403,
    );
    expect((await h.api('DELETE', '/api/v1/users/me/addresses/telegram', { token: vic.token })).status).toBe(
      404,
    );
    expect((await h.api('GET', '/api/v1/users/me/addresses', { token: vic.token })).body).toEqual([]);
    expect((await h.api('GET', '/api/v1/users/me/addresses')).status).toBe(401);
  });
});
