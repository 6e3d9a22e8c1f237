import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../src/queue/enqueue.ts';
import { listEventsByName } from '../src/store/event.repository.ts';
import { putSetting } from '../src/store/setting.repository.ts';
import { type Engine, startEngine } from '../src/workers/engine.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { freePort } from './support/postgres-cluster.ts';
import { until } from './support/wait.ts';

const content = { title: 'Disk almost full', text: '91% used on /var' };

describe.each(STORES)('retries, failures and the pause switch on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let engine: Engine;
  let down: HttpReceiver;
  let up: HttpReceiver;
  const arrivals: number[] = [];

  beforeAll(async () => {
    // The server's own engine runs no workers; the test runs one whose jitter it pins, so the
    // delays are the backoff caps themselves: 100, 200, 400 ms.
    h = await startHerald(store, {
      env: {
        HERALD_WORKERS: '0',
        HERALD_RETRY_BASE_MS: '100',
        HERALD_RETRY_MAX_MS: '60000',
        HERALD_MAX_ATTEMPTS: '4',
        HERALD_POLL_INTERVAL_MS: '100',
      },
    });
    engine = startEngine(h.server.ctx, { workers: 4, random: () => 0.999, retention: false });
    down = await createHttpReceiver({
      respond: () => {
        arrivals.push(Date.now());
        return { status: 503, body: 'down for maintenance' };
      },
    });
    up = await createHttpReceiver();
    admin = await h.adminToken();
  });
  afterAll(async () => {
    await engine?.stop();
    await h?.close();
    await Promise.all([down?.close(), up?.close()]);
  });

  const configure = async (type: string, config: Record<string, unknown>) => {
    const res = await h.api('PUT', `/api/v1/notifications/channels/${type}`, {
      token: admin,
      body: { enabled: true, config },
    });
    expect(res.status).toBe(200);
  };
  const row = (id: string) =>
    h.server.ctx.store.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('retries a receiver that is down with growing delays, then marks the delivery failed with its error', async () => {
    await configure('webhook', { url: `${down.url}/hook`, secret: 'retry-secret' });
    const [id] = await enqueue(h.server.ctx, [{ channel: 'webhook', recipients: [{}], content }]);
    const failed = await until(async () => ((await row(id)).status === 'failed' ? row(id) : undefined));
    expect(arrivals).toHaveLength(4);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    // Each retry waits at least its doubled delay (99, 199, 399 ms with the jitter pinned); a
    // worker may pick it up later than that on a busy machine, never sooner.
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(failed.attempts).toBe(4);
    expect(failed.last_error).toMatch(
      /^gave up after 4 attempts: webhook at 127\.0\.0\.1:\d+ answered 503: down for maintenance$/,
    );

    const log = await h.api('GET', '/api/v1/notifications/log?status=failed', { token: admin });
    expect(log.body.entries.find((e: { id: string }) => e.id === id)).toMatchObject({
      status: 'failed',
      // Never sent: sentAt is the last attempt's time.
      sentAt: new Date(Number(failed.updated_at)).toISOString(),
      error: failed.last_error,
      attempts: 4,
    });
    const events = await listEventsByName(h.server.ctx.store.db, 'delivery.failed');
    const event = events.find((e) => JSON.parse(e.fields).deliveryId === id);
    expect(event).toBeDefined();
    expect(JSON.parse(event!.fields)).toMatchObject({
      channel: 'webhook',
      attempts: 4,
      error: failed.last_error,
    });
  });

  it('records the network error of an unreachable receiver', async () => {
    const closed = await freePort();
    await configure('slack', { webhookUrl: `http://127.0.0.1:${closed}/services/T/B/SECRET` });
    const [id] = await enqueue(h.server.ctx, [{ channel: 'slack', recipients: [{}], content }]);
    const failed = await until(async () => ((await row(id)).status === 'failed' ? row(id) : undefined));
    expect(failed.last_error).toContain('ECONNREFUSED');
    expect(failed.last_error).not.toContain('SECRET');
  });

  it('fails a permanent error at once, without retrying', async () => {
    let calls = 0;
    const strict = await createHttpReceiver({
      respond: () => {
        calls++;
        return { status: 400, body: { error: 'unknown field "title"' } };
      },
    });
    try {
      await configure('webhook', { url: `${strict.url}/hook`, secret: 'retry-secret' });
      const [id] = await enqueue(h.server.ctx, [{ channel: 'webhook', recipients: [{}], content }]);
      const failed = await until(async () => ((await row(id)).status === 'failed' ? row(id) : undefined));
      expect(calls).toBe(1);
      expect(failed.attempts).toBe(1);
      expect(failed.last_error).toContain('answered 400');
      expect(failed.last_error).toContain('unknown field');
    } finally {
      await strict.close();
    }
  });

  it('holds deliveries while the notifier is paused and sends them once it is resumed', async () => {
    await configure('webhook', { url: `${up.url}/hook`, secret: 'retry-secret' });
    // Paused through the inbox API (this process hears of it at once).
    const pause = await h.api('PUT', '/api/v2/notifications/settings', {
      token: admin,
      body: { notifier_paused: true },
    });
    expect(pause.status).toBe(200);
    const ids = await enqueue(h.server.ctx, [{ channel: 'webhook', recipients: [{}, {}, {}], content }]);
    await engine.drain();
    expect(up.received).toHaveLength(0);
    const pending = await h.api('GET', '/api/v1/notifications/log?status=pending', { token: admin });
    expect(pending.body.entries.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(ids));

    // Resumed by another process writing the setting: noticed at the next poll.
    await putSetting(h.server.ctx.store.db, 'notifier_paused', false, Date.now());
    await up.waitFor(3, 3_000);
    expect(up.received.map((r) => r.headers['x-herald-delivery']).sort()).toEqual([...ids].sort());

    // And paused by another process: noticed at the next poll too (a drain polls at once).
    await putSetting(h.server.ctx.store.db, 'notifier_paused', true, Date.now());
    await engine.drain();
    const [held] = await enqueue(h.server.ctx, [{ channel: 'webhook', recipients: [{}], content }]);
    await engine.drain();
    expect((await row(held)).status).toBe('pending');
    await h.api('PUT', '/api/v2/notifications/settings', { token: admin, body: { notifier_paused: false } });
    await up.waitFor(4, 3_000);
    await until(async () => (await row(held)).status === 'sent', 3_000, 'the held delivery sent');
  });

  it('counts outcomes in the metrics', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/herald_deliveries_total\{channel="webhook",status="failed"\} [1-9]/);
    expect(text).toMatch(/herald_deliveries_total\{channel="webhook",status="retried"\} [1-9]/);
    expect(text).toMatch(/herald_deliveries_total\{channel="webhook",status="sent"\} [1-9]/);
    expect(text).toMatch(/herald_delivery_send_duration_seconds_count\{channel="webhook"\} [1-9]/);
    expect(text).toMatch(
      /herald_delivery_enqueue_to_send_seconds_bucket\{channel="webhook",le="\+Inf"\} [1-9]/,
    );
  });
});
