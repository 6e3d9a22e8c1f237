import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killLeftovers, type ServeProcess, startServe } from './support/herald-process.ts';
import { freePort } from './support/postgres-cluster.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-serve-'));
});
afterEach(async () => {
  const leaked = await killLeftovers();
  rmSync(dataDir, { recursive: true, force: true });
  expect(leaked, 'herald processes left running').toBe(0);
});

const serve = async () => startServe(await freePort(), { HERALD_DATA_DIR: dataDir });

const isAdminNotice = (l: Record<string, any>) => /Created the first admin/.test(String(l.msg));

/** The generated password, read from the one log line that announces it. */
function generatedPassword(h: ServeProcess): string {
  const notices = h.logs.filter(isAdminNotice);
  expect(notices).toHaveLength(1);
  expect(notices[0].email).toBe('admin@localhost');
  const match = /password (\S+) —/.exec(notices[0].msg);
  expect(match).not.toBeNull();
  return match![1];
}

async function login(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  await res.text();
  return res.status;
}

async function healthz(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: await res.json() };
}

// Each test starts real `herald serve` processes (a few seconds each on a busy machine).
const SLOW = { timeout: 120_000 };

describe('herald serve with no admin configured', SLOW, () => {
  it('prints a generated admin password once; it logs in, and a restart prints none', async () => {
    const first = await serve();
    const password = generatedPassword(first);
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(await healthz(first.url)).toEqual({ status: 200, body: { status: 'ok', store: 'sqlite' } });
    expect(await login(first.url, 'admin@localhost', password)).toBe(200);
    expect(await login(first.url, 'admin@localhost', `${password}x`)).toBe(401);
    expect(first.stderr()).not.toContain(password);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await serve();
    try {
      expect(await healthz(second.url)).toMatchObject({ status: 200 });
      expect(second.logs.filter(isAdminNotice)).toHaveLength(0);
      expect(JSON.stringify(second.logs)).not.toContain(password);
      expect(await login(second.url, 'admin@localhost', password)).toBe(200);
    } finally {
      expect(await second.stop()).toEqual({ code: 0, signal: null });
    }
  });
});

type Outcome =
  | { kind: 'complete'; status: number; body: any; at: number }
  | { kind: 'refused'; at: number }
  | { kind: 'broken'; status: number; error: string };

/** One login; tells "no response at all" apart from "a response cut off mid-body". */
async function attempt(url: string, body: object, headers: Record<string, string>): Promise<Outcome> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    return { kind: 'refused', at: Date.now() };
  }
  try {
    const text = await res.text();
    return { kind: 'complete', status: res.status, body: JSON.parse(text), at: Date.now() };
  } catch (err) {
    return { kind: 'broken', status: res.status, error: String(err) };
  }
}

/**
 * Fires a burst of logins (right and wrong; the wrong ones name no account, so nothing
 * locks), sends SIGTERM as soon as the first is answered, and waits up to 10 s for the exit.
 */
async function sigtermDuringBurst(h: ServeProcess, password: string, headers: Record<string, string>) {
  const burst = Array.from({ length: 40 }, (_, i) =>
    attempt(
      h.url,
      i % 4 === 0
        ? { email: 'nobody@example.com', password: 'wrong-password' }
        : { email: 'admin@localhost', password },
      headers,
    ),
  );
  const firstDone = await Promise.race(burst);
  expect(firstDone.kind).toBe('complete');
  const signalledAt = Date.now();
  h.signal('SIGTERM');
  const outcomes = await Promise.all(burst);
  const exit = await Promise.race([
    h.exited,
    new Promise<'still running'>((r) => setTimeout(r, 10_000, 'still running')),
  ]);
  return { outcomes, signalledAt, exit };
}

describe('graceful shutdown on SIGTERM', SLOW, () => {
  it('answers every in-flight request completely, exits 0 and leaves a store that reopens', async () => {
    const h = await serve();
    const password = generatedPassword(h);
    expect(await login(h.url, 'admin@localhost', password)).toBe(200);

    const { outcomes, signalledAt, exit } = await sigtermDuringBurst(h, password, { connection: 'close' });
    expect(outcomes.filter((o) => o.kind === 'broken')).toEqual([]);
    const complete = outcomes.filter((o) => o.kind === 'complete');
    for (const o of complete) {
      expect([200, 401, 503]).toContain(o.status);
      if (o.status === 200) expect(o.body.accessToken).toMatch(/^ey/);
      else expect(o.body.message).toEqual(expect.any(String));
    }
    // Requests already being handled when the signal came were finished, not dropped.
    expect(complete.filter((o) => o.at > signalledAt && o.status === 200).length).toBeGreaterThan(0);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(h.logs.some((l) => l.signal === 'SIGTERM')).toBe(true);

    // Closed cleanly: the write-ahead log was checkpointed into the database file.
    const wal = path.join(dataDir, 'herald.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);

    const again = await serve();
    try {
      expect(await healthz(again.url)).toMatchObject({ status: 200 });
      expect(again.logs.filter(isAdminNotice)).toHaveLength(0);
      expect(await login(again.url, 'admin@localhost', password)).toBe(200);
    } finally {
      expect(await again.stop()).toEqual({ code: 0, signal: null });
    }
  });

  // Connections busy when SIGTERM comes must not keep the process alive through keep-alive:
  // once closing, responses say `connection: close` and idle sockets are swept.
  it('exits 0 promptly even when clients keep their connections alive', async () => {
    const h = await serve();
    try {
      const password = generatedPassword(h);
      const { outcomes, exit } = await sigtermDuringBurst(h, password, {});
      expect(outcomes.filter((o) => o.kind === 'broken')).toEqual([]);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      await h.stop(100);
    }
  });

  it('also exits 0 on SIGINT', async () => {
    const h = await serve();
    h.signal('SIGINT');
    const exit = await Promise.race([h.exited, new Promise((r) => setTimeout(r, 10_000, 'still running'))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(h.logs.some((l) => l.signal === 'SIGINT')).toBe(true);
  });
});
