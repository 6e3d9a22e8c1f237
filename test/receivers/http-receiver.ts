import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A generic loopback HTTP receiver for channel and integration tests: it records every request and
 * answers with a default response that tests can override to simulate a failing service.
 */

export interface ReceivedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpAnswer {
  status: number;
  body?: string | Buffer | object;
  headers?: Record<string, string>;
}

export interface HttpReceiverOptions {
  /** Computes the normal answer; defaults to 200 with an empty body. */
  respond?: (req: ReceivedRequest) => HttpAnswer;
}

export interface HttpReceiver {
  /** Base URL, `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  received: ReceivedRequest[];
  /** Answers the next `times` requests (all when omitted) with this instead of the normal answer. */
  respondWith(
    status: number,
    body?: HttpAnswer['body'],
    opts?: { times?: number; headers?: Record<string, string> },
  ): void;
  /** Holds each answer back this long, to exercise send timeouts. */
  delay(ms: number): void;
  /** Resolves once at least `count` requests arrived, for tests where a queue sends in the background. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function encode(answer: HttpAnswer): { body: string | Buffer; type?: string } {
  const { body } = answer;
  if (body === undefined) return { body: '' };
  if (typeof body === 'string' || Buffer.isBuffer(body)) return { body };
  return { body: JSON.stringify(body), type: 'application/json' };
}

export async function createHttpReceiver(opts: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  let override: { answer: HttpAnswer; times: number } | undefined;
  let delayMs = 0;
  const pending = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const body = rawBody.toString('utf8');
      const record: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body,
        json: parseJson(body),
      };
      received.push(record);
      for (const wake of waiters.splice(0)) wake();

      let answer = opts.respond?.(record) ?? { status: 200 };
      if (override) {
        answer = override.answer;
        override.times -= 1;
        if (override.times <= 0) override = undefined;
      }
      const { body: out, type } = encode(answer);
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (res.destroyed) return;
        res.writeHead(answer.status, { ...(type ? { 'content-type': type } : {}), ...answer.headers });
        res.end(out);
      }, delayMs);
      pending.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(status, body, options = {}) {
      override = { answer: { status, body, headers: options.headers }, times: options.times ?? Infinity };
    },
    delay(ms) {
      delayMs = ms;
    },
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} requests, got ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    close() {
      for (const timer of pending) clearTimeout(timer);
      // Keep-alive sockets from undici's pool would otherwise hold close() open until they time out.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
