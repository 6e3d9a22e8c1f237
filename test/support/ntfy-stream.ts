import WebSocket from 'ws';

/** A line- or event-oriented reader over one open ntfy subscription. */
export interface NtfyReader {
  /** The next item (parsed JSON, raw line, or SSE block), waiting at most timeoutMs. */
  next(timeoutMs?: number): Promise<any>;
  /** The next item that is not a keepalive (which may come between any two messages). */
  nextMessage(timeoutMs?: number): Promise<any>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

const open = new Set<NtfyReader>();

/** Closes whatever a failing test left open (call from afterEach). */
export function closeNtfyReaders(): void {
  for (const r of open) r.close();
  open.clear();
}

const isKeepalive = (item: any): boolean => item === '' || item?.event === 'keepalive';

function queue() {
  const items: any[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  let done = false;
  return {
    push(item: any) {
      items.push(item);
      wake?.();
    },
    end() {
      done = true;
      wake?.();
    },
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (items.length <= taken) {
        const left = deadline - Date.now();
        if (left <= 0 || done)
          throw new Error(`no item within ${timeoutMs} ms${done ? ' (stream ended)' : ''}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      return items[taken++];
    },
    async nextMessage(timeoutMs = 3000) {
      for (;;) {
        const item = await this.next(timeoutMs);
        if (!isKeepalive(item)) return item;
      }
    },
  };
}

/**
 * GET an HTTP subscription (`/json`, `/sse`, `/raw`) and split it: JSON lines parsed, raw
 * lines as strings, SSE blocks as `{event, data}`. Throws with the status on a refusal.
 */
export async function openHttpStream(
  url: string,
  kind: 'json' | 'sse' | 'raw',
  headers: Record<string, string> = {},
): Promise<NtfyReader & { status: number; contentType: string | null }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  if (res.status !== 200) {
    const text = await res.text();
    throw Object.assign(new Error(`subscribe refused: ${res.status} ${text}`), {
      status: res.status,
      body: text,
    });
  }
  const q = queue();
  let endResolve!: () => void;
  const ended = new Promise<void>((r) => {
    endResolve = r;
  });
  const sep = kind === 'sse' ? '\n\n' : '\n';
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i = buf.indexOf(sep);
        while (i >= 0) {
          const part = buf.slice(0, i);
          buf = buf.slice(i + sep.length);
          if (kind === 'json') q.push(JSON.parse(part));
          else if (kind === 'raw') q.push(part);
          else {
            const event = /^event: (.*)$/m.exec(part)?.[1] ?? 'message';
            const data = /^data: (.*)$/m.exec(part)?.[1];
            q.push({ event, data: data ? JSON.parse(data) : undefined });
          }
          i = buf.indexOf(sep);
        }
      }
    } catch {
      // Aborted by close().
    } finally {
      q.end();
      endResolve();
    }
  })();
  const reader = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    next: (t?: number) => q.next(t),
    nextMessage: (t?: number) => q.nextMessage(t),
    ended,
    close: () => abort.abort(),
  };
  open.add(reader);
  return reader;
}

/** A WebSocket subscription (`/ws`): each frame parsed as JSON. */
export function openWsStream(url: string, headers: Record<string, string> = {}): Promise<NtfyReader> {
  const ws = new WebSocket(url, { headers });
  const q = queue();
  ws.on('message', (data) => q.push(JSON.parse(String(data))));
  const ended = new Promise<void>((resolve) =>
    ws.once('close', () => {
      q.end();
      resolve();
    }),
  );
  const reader = {
    next: (t?: number) => q.next(t),
    nextMessage: (t?: number) => q.nextMessage(t),
    ended,
    close: () => ws.terminate(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      open.add(reader);
      resolve(reader);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}
