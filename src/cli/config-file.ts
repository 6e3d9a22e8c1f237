import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What `herald login` saves: the login session (access JWT + rotating refresh token) per
 * server URL, in `$XDG_CONFIG_HOME/herald/login.json` (else `~/.config/herald/login.json`),
 * readable by its owner only (0600, in a 0700 directory). A session, not a `zat_` token,
 * because some commands (`herald token create`) need a login session.
 */
export interface SavedLogin {
  url: string;
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  savedAt: string;
}

interface LoginFile {
  /** The URL client commands use when neither --url nor HERALD_URL is given. */
  current?: string;
  logins: Record<string, SavedLogin>;
}

/** ms after which a lock left by a crashed `herald` is taken over. */
const STALE_LOCK_MS = 30_000;
/** ms to wait for another `herald` that is refreshing the same session. */
const LOCK_WAIT_MS = 15_000;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'herald');
}

export const loginFilePath = (): string => path.join(configDir(), 'login.json');

function readFile(): LoginFile {
  try {
    const parsed = JSON.parse(readFileSync(loginFilePath(), 'utf8')) as Partial<LoginFile>;
    return { current: parsed.current, logins: parsed.logins ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { logins: {} };
    throw new Error(`cannot read ${loginFilePath()}: ${(err as Error).message}`);
  }
}

function writeFile(data: LoginFile): void {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = loginFilePath();
  // Written whole then renamed, so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function savedLogin(url: string): SavedLogin | undefined {
  return readFile().logins[url];
}

export function currentUrl(): string | undefined {
  return readFile().current;
}

export function saveLogin(login: SavedLogin, makeCurrent = true): void {
  const data = readFile();
  data.logins[login.url] = login;
  if (makeCurrent) data.current = login.url;
  writeFile(data);
}

export function forgetLogin(url: string): boolean {
  const data = readFile();
  if (!data.logins[url]) return false;
  delete data.logins[url];
  if (data.current === url) data.current = Object.keys(data.logins)[0];
  writeFile(data);
  return true;
}

/**
 * Runs `fn` holding an exclusive lock on the login file. Refresh tokens rotate and a spent one
 * presented again ends the whole session, so two `herald` processes must never refresh the
 * same session at once: the second waits, then finds the pair the first one saved.
 */
export async function withLoginLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const lock = `${loginFilePath()}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // Gone already: try again at once.
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by another herald process`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
