/**
 * The watcher side of bench/live.ts, in its own process: opens one inbox WebSocket per token
 * (tokens as JSON on stdin), says `ready` on stdout when all are open, then records when each
 * socket's first frame containing `marker` arrives (earlier frames, a warm-up, are ignored) and
 * prints the arrival times (epoch ms) as JSON when all arrived or `timeout` ms after SIGUSR2.
 *
 *   watchers.ts <origin> <timeout ms> <marker>
 */
import WebSocket from 'ws';

const origin = process.argv[2];
const timeoutMs = Number(process.argv[3] ?? 15_000);
const marker = Buffer.from(process.argv[4] ?? '');
/** Handshakes in flight at once while connecting. */
const CONNECT_CONCURRENCY = 200;

async function readStdin(): Promise<string[]> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text) as string[];
}

const tokens = await readStdin();
const arrivals: number[] = [];
const sockets: WebSocket[] = [];
let failed = 0;

const open = (token: string) =>
  new Promise<void>((resolve) => {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/v2/notifications/inbox/watch`, {
      headers: { 'Coder-Session-Token': token },
    });
    let first = true;
    ws.on('message', (data: Buffer) => {
      if (!first || !data.includes(marker)) return;
      first = false;
      arrivals.push(Date.now());
      if (arrivals.length === tokens.length) finish();
    });
    ws.once('open', () => resolve());
    ws.once('error', () => {
      failed++;
      resolve();
    });
    sockets.push(ws);
  });

let next = 0;
await Promise.all(
  Array.from({ length: CONNECT_CONCURRENCY }, async () => {
    while (next < tokens.length) await open(tokens[next++]);
  }),
);
process.stdout.write(`${JSON.stringify({ ready: true, failed })}\n`);

let done = false;
function finish(): void {
  if (done) return;
  done = true;
  process.stdout.write(`${JSON.stringify({ arrivals })}\n`);
  for (const ws of sockets) ws.terminate();
  setTimeout(() => process.exit(0), 100);
}
// The parent signals once it has posted; frames missing after `timeoutMs` from then count as lost.
process.on('SIGUSR2', () => setTimeout(finish, timeoutMs));
