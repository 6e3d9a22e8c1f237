import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Hub } from '../realtime/hub.ts';
import { queueDepth } from '../store/delivery.repository.ts';
import type { Store } from '../store/store.ts';

/**
 * What `GET /metrics` shows, in one prom-client registry per context (tests run several servers
 * in one process; a shared default registry would mix their counts). Counters and histograms
 * start at zero when the process starts, as Prometheus expects; queue depth and open watchers are
 * read at scrape time, the queue from the database so it is the same from every process.
 */
export interface Metrics {
  /** Delivery outcomes recorded (`count`, default 1): status is sent, retried, failed or skipped (a fallback read in time). */
  countOutcome(channel: string, status: 'sent' | 'retried' | 'failed' | 'skipped', count?: number): void;
  observeSend(channel: string, seconds: number): void;
  observeEnqueueToSend(channel: string, seconds: number): void;
  /** `route` is the route's pattern (`/api/v1/messages/:id`), never the raw URL, so series stay few. */
  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** The exposition text, with fresh queue-depth and watcher readings. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** seconds: sends to loopback take milliseconds; the top buckets catch slow SMTP servers. */
const SEND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** seconds: from enqueue to sent, which includes any retry backoff (up to hours). */
const LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];
/** seconds: most API calls answer in a few milliseconds; long polls and uploads reach the top. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// prom-client writes a bucket's `le` first; Prometheus ignores label order, but scrapers that
// match lines by text (and earlier Herald releases) put it last, after `channel`.
const LE_FIRST = /_bucket\{le="([^"]*)",([^}]*)\}/g;

export function createMetrics(sources: { store: Store; hub: Hub }): Metrics {
  const registry = new Registry();
  const registers = [registry];
  // Process CPU, memory, handles, GC and event-loop lag (`nodejs_eventloop_lag_*`).
  collectDefaultMetrics({ register: registry });

  const outcomes = new Counter({
    name: 'herald_deliveries_total',
    help: 'Delivery attempts recorded by this process, by channel and outcome.',
    labelNames: ['channel', 'status'] as const,
    registers,
  });
  new Gauge({
    name: 'herald_delivery_queue_depth',
    help: 'Deliveries owed a send, by status (all processes).',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const depth = await queueDepth(sources.store.db);
      this.set({ status: 'pending' }, depth.pending);
      this.set({ status: 'sending' }, depth.sending);
    },
  });
  const latency = new Histogram({
    name: 'herald_delivery_enqueue_to_send_seconds',
    help: 'Time from enqueue to a successful send, retries included.',
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const send = new Histogram({
    name: 'herald_delivery_send_duration_seconds',
    help: 'Duration of one send attempt.',
    labelNames: ['channel'] as const,
    buckets: SEND_BUCKETS,
    registers,
  });
  const http = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'herald_inbox_watchers',
    help: 'Open live inbox subscriptions (WebSocket, SSE, ntfy and Gotify streams) in this process.',
    registers,
    collect() {
      this.set(sources.hub.subscriberCount());
    },
  });

  return {
    countOutcome: (channel, status, count = 1) => outcomes.inc({ channel, status }, count),
    observeSend: (channel, seconds) => send.observe({ channel }, seconds),
    observeEnqueueToSend: (channel, seconds) => latency.observe({ channel }, seconds),
    observeHttpRequest: (method, route, statusCode, seconds) =>
      http.observe({ method, route, status_code: String(statusCode) }, seconds),
    async render() {
      return (await registry.metrics()).replace(LE_FIRST, '_bucket{$2,le="$1"}');
    },
    contentType: registry.contentType,
  };
}
