import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

async function until(what: string, probe: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(STORES)('notifier pause (PUT /api/v2/notifications/settings) on %s', (store) => {
  let h: TestHerald;
  let hook: HttpReceiver;
  let admin: string;
  let ruleId: string;
  /** Delivery worker poll interval. */
  const POLL_MS = 50;

  beforeAll(async () => {
    hook = await createHttpReceiver();
    h = await startHerald(store, { env: { HERALD_POLL_INTERVAL_MS: String(POLL_MS) } });
    admin = await h.adminToken();
    const channel = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: { url: `${hook.url}/hook` } },
    });
    expect(channel.status, channel.text).toBe(200);
    const rule = await h.api('POST', '/api/v1/notifications/rules', {
      token: admin,
      body: {
        name: 'Disk alerts',
        events: ['disk.full'],
        actions: [{ channel: 'webhook', recipients: ['ops'] }],
      },
    });
    expect(rule.status, rule.text).toBe(201);
    ruleId = rule.body.rule.id;
  });
  afterAll(async () => {
    await h?.close();
    await hook?.close();
  });

  const event = async (host: string) => {
    const res = await h.api('POST', '/api/v1/events', { token: admin, body: { name: 'disk.full', host } });
    expect(res.status, res.text).toBe(202);
  };
  const setPaused = async (paused: boolean) => {
    const res = await h.api('PUT', '/api/v2/notifications/settings', {
      token: admin,
      body: { notifier_paused: paused },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ notifier_paused: paused });
  };
  const log = async (status: string) =>
    (await h.api('GET', `/api/v1/notifications/log?rule_id=${ruleId}&status=${status}`, { token: admin }))
      .body.entries as unknown[];
  const hostsReceived = () =>
    hook.received.map((r) => ['host-a', 'host-b', 'host-c'].find((x) => r.body.includes(x))).sort();

  it('holds webhook deliveries and new inbox items while paused, and releases them all after unpause', async () => {
    await event('host-a');
    await hook.waitFor(1, 5000);
    expect(hostsReceived()).toEqual(['host-a']);

    await setPaused(true);
    await event('host-b');
    await event('host-c');
    // Both are enqueued (the log shows them pending) but nothing goes out, even once the
    // workers have done everything they may.
    await until('two pending deliveries', async () => (await log('pending')).length === 2);
    await h.server.drain();
    expect(hook.received).toHaveLength(1);
    expect(await log('pending')).toHaveLength(2);

    // As coderd's paused notifier, pausing holds inbox items too: the write is committed (204)
    // but the inbox shows nothing new, and its unread count does not move.
    const inboxBefore = await h.api('GET', '/api/v2/notifications/inbox', { token: admin });
    const custom = await h.api('POST', '/api/v2/notifications/custom', {
      token: admin,
      body: { content: { title: 'while paused', message: 'held until resumed' } },
    });
    expect(custom.status).toBe(204);
    const held = await h.api('GET', '/api/v2/notifications/inbox', { token: admin });
    expect(held.body).toEqual(inboxBefore.body);

    await setPaused(false);
    const released = await h.api('GET', '/api/v2/notifications/inbox', { token: admin });
    expect(released.body.notifications[0]).toMatchObject({ title: 'while paused', read_at: null });
    expect(released.body.unread_count).toBe(inboxBefore.body.unread_count + 1);
    await hook.waitFor(3, 5000);
    expect(hostsReceived()).toEqual(['host-a', 'host-b', 'host-c']);
    await until('every delivery sent', async () => (await log('pending')).length === 0);
    expect(await log('sent')).toHaveLength(3);
    await h.server.drain();
    expect(hook.received).toHaveLength(3);
  });
});
