import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHerald, type TestHerald } from './support/herald.ts';

// `/metrics` beyond the delivery counters (those are asserted where deliveries happen): request
// timings by route pattern, open watchers read at scrape time, process metrics, and one registry
// per server even when two run in one process.

async function scrape(h: TestHerald): Promise<string> {
  const res = await fetch(`${h.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the one series whose line starts with `series` (name and labels), or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('metrics', () => {
  let a: TestHerald;
  let b: TestHerald;

  beforeAll(async () => {
    [a, b] = await Promise.all([startHerald('sqlite'), startHerald('sqlite')]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('times requests by route pattern, not by raw URL', async () => {
    const token = await a.adminToken();
    for (const id of ['bkt_one', 'bkt_two', 'bkt_three']) {
      expect((await a.api('GET', `/api/v1/buckets/${id}`, { token })).status).toBe(404);
    }
    expect((await a.api('GET', '/no/such/path')).status).toBe(404);
    const text = await scrape(a);
    expect(
      value(
        text,
        'herald_http_request_duration_seconds_count{method="GET",route="/api/v1/buckets/:id",status_code="404"}',
      ),
    ).toBe(3);
    expect(text).not.toContain('bkt_one');
    expect(
      value(
        text,
        'herald_http_request_duration_seconds_count{method="GET",route="(unmatched)",status_code="404"}',
      ),
    ).toBe(1);
    expect(text).toContain('# TYPE herald_http_request_duration_seconds histogram');
  });

  it('reports process metrics and event-loop lag', async () => {
    const text = await scrape(a);
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^herald_delivery_queue_depth\{status="pending"\} 0$/m);
  });

  it('counts open inbox watchers at scrape time', async () => {
    const token = await a.adminToken();
    expect(value(await scrape(a), 'herald_inbox_watchers')).toBe(0);
    const ws = new WebSocket(`${a.url.replace(/^http/, 'ws')}/api/v2/notifications/inbox/watch`, {
      headers: { authorization: `Bearer ${token}` },
    });
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      await until(
        'the watcher to subscribe',
        async () => value(await scrape(a), 'herald_inbox_watchers') === 1,
      );
      expect(value(await scrape(b), 'herald_inbox_watchers')).toBe(0);
    } finally {
      ws.close();
    }
    await until('the watcher to go', async () => value(await scrape(a), 'herald_inbox_watchers') === 0);
  });

  it('keeps each server’s counts apart in one process', async () => {
    const text = await scrape(b);
    expect(
      value(
        text,
        'herald_http_request_duration_seconds_count{method="GET",route="/api/v1/buckets/:id",status_code="404"}',
      ),
    ).toBeUndefined();
    expect(
      value(
        text,
        'herald_http_request_duration_seconds_count{method="GET",route="/metrics",status_code="200"}',
      ),
    ).toBe(
      // The scrapes of b so far: one in the watcher test.
      1,
    );
  });
});
