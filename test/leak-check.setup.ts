import { afterAll, beforeAll } from 'vitest';

/**
 * Fails a test file that leaves a server, socket or child process open once its own
 * afterAll/afterEach cleanup has run (STYLE.md rule 12): a leak in one file otherwise shows
 * up later as a hung run, a busy port or a stray process, far from its cause.
 *
 * Counted by resource kind (process.getActiveResourcesInfo) before the file's first hook and
 * after its last one, so whatever the runner itself holds open (its IPC pipe, stdio) is in
 * both counts and cancels out. Hooks from setup files run first before, and last after.
 */
const WATCHED = new Set([
  'TCPServerWrap',
  'TCPSocketWrap',
  'PipeServerWrap',
  'PipeWrap',
  'ProcessWrap',
  'UDPWrap',
]);
/** A closed socket or exited child is released on a later turn of the event loop. */
const SETTLE_MS = 2_000;

function counts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) out.set(kind, (out.get(kind) ?? 0) + 1);
  }
  return out;
}

function excess(before: Map<string, number>, now: Map<string, number>): string[] {
  return [...now]
    .filter(([kind, n]) => n > (before.get(kind) ?? 0))
    .map(([kind, n]) => `${n - (before.get(kind) ?? 0)} × ${kind}`);
}

/** Node's list of open handles: an internal API, so used only to make the message precise. */
const activeHandles = (): unknown[] =>
  (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];

/** The handles opened since `baseline` that say what they are. */
function describeHandles(baseline: Set<unknown>): string[] {
  return activeHandles().flatMap((h: any) => {
    if (baseline.has(h)) return [];
    const kind = h?.constructor?.name ?? 'handle';
    if (kind === 'ChildProcess') return [`child process ${h.pid} (${(h.spawnargs ?? []).join(' ')})`];
    if (typeof h?.listening === 'boolean' && h.listening) return [`server on ${JSON.stringify(h.address())}`];
    if (kind === 'Socket' && h.remotePort) return [`socket to ${h.remoteAddress}:${h.remotePort}`];
    return [];
  });
}

let before = new Map<string, number>();
let baseline = new Set<unknown>();

beforeAll(() => {
  before = counts();
  baseline = new Set(activeHandles());
});

afterAll(async () => {
  const deadline = Date.now() + SETTLE_MS;
  let leaked = excess(before, counts());
  while (leaked.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    leaked = excess(before, counts());
  }
  if (leaked.length > 0) {
    const what = describeHandles(baseline);
    throw new Error(
      `this test file left open: ${leaked.join(', ')}${what.length > 0 ? ` (${what.join('; ')})` : ''}. ` +
        'Close every server, socket and child process it starts in afterEach/afterAll.',
    );
  }
});
