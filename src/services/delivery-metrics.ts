import type { AppContext } from '../context.ts';
import { queueDepth } from '../store/delivery.repository.ts';

/**
 * Delivery metrics in the Prometheus text format (version 0.0.4), kept per process: counters
 * and histograms start at zero when the process starts, as Prometheus expects; the queue depth
 * is read from the database on each scrape, so it is the same from every process.
 */

/** seconds: sends to loopback take milliseconds; the top buckets catch slow SMTP servers. */
const SEND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** seconds: from enqueue to sent, which includes any retry backoff (up to hours). */
const LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

interface Histogram {
  buckets: readonly number[];
  /** Per label value: counts per bucket (not cumulative), sum and count. */
  series: Map<string, { counts: number[]; sum: number; count: number }>;
}

export interface DeliveryMetrics {
  /** One outcome recorded: status is sent, retried or failed. */
  countOutcome(channel: string, status: 'sent' | 'retried' | 'failed'): void;
  observeSend(channel: string, seconds: number): void;
  observeEnqueueToSend(channel: string, seconds: number): void;
  /** The exposition text, with a fresh queue-depth reading. */
  render(): Promise<string>;
}

const perContext = new WeakMap<AppContext, DeliveryMetrics>();

/** The metrics of this process (one set per context). */
export function deliveryMetrics(ctx: AppContext): DeliveryMetrics {
  let m = perContext.get(ctx);
  if (!m) {
    m = createMetrics(ctx);
    perContext.set(ctx, m);
  }
  return m;
}

function observe(h: Histogram, label: string, value: number): void {
  let s = h.series.get(label);
  if (!s) {
    s = { counts: new Array(h.buckets.length).fill(0), sum: 0, count: 0 };
    h.series.set(label, s);
  }
  const i = h.buckets.findIndex((b) => value <= b);
  if (i >= 0) s.counts[i] += 1;
  s.sum += value;
  s.count += 1;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function renderHistogram(name: string, help: string, h: Histogram): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const [channel, s] of h.series) {
    const label = `channel="${escapeLabel(channel)}"`;
    let cumulative = 0;
    h.buckets.forEach((b, i) => {
      cumulative += s.counts[i];
      lines.push(`${name}_bucket{${label},le="${b}"} ${cumulative}`);
    });
    lines.push(`${name}_bucket{${label},le="+Inf"} ${s.count}`);
    lines.push(`${name}_sum{${label}} ${s.sum}`);
    lines.push(`${name}_count{${label}} ${s.count}`);
  }
  return lines;
}

function createMetrics(ctx: AppContext): DeliveryMetrics {
  const outcomes = new Map<string, number>();
  const send: Histogram = { buckets: SEND_BUCKETS, series: new Map() };
  const latency: Histogram = { buckets: LATENCY_BUCKETS, series: new Map() };
  return {
    countOutcome(channel, status) {
      const key = `channel="${escapeLabel(channel)}",status="${status}"`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    },
    observeSend: (channel, seconds) => observe(send, channel, seconds),
    observeEnqueueToSend: (channel, seconds) => observe(latency, channel, seconds),
    async render() {
      const depth = await queueDepth(ctx.store.db);
      const lines = [
        '# HELP herald_deliveries_total Delivery attempts recorded by this process, by channel and outcome.',
        '# TYPE herald_deliveries_total counter',
        ...[...outcomes].map(([labels, n]) => `herald_deliveries_total{${labels}} ${n}`),
        '# HELP herald_delivery_queue_depth Deliveries owed a send, by status (all processes).',
        '# TYPE herald_delivery_queue_depth gauge',
        `herald_delivery_queue_depth{status="pending"} ${depth.pending}`,
        `herald_delivery_queue_depth{status="sending"} ${depth.sending}`,
        ...renderHistogram(
          'herald_delivery_enqueue_to_send_seconds',
          'Time from enqueue to a successful send, retries included.',
          latency,
        ),
        ...renderHistogram('herald_delivery_send_duration_seconds', 'Duration of one send attempt.', send),
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}
