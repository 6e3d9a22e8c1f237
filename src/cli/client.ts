import type { Command } from 'commander';
import { CliFailure, UsageError } from './cli-error.ts';
import {
  currentUrl,
  forgetLogin,
  type SavedLogin,
  savedLogin,
  saveLogin,
  withLoginLock,
} from './config-file.ts';

/**
 * The HTTP client behind every client command. It speaks only Herald's public API, with a
 * credential from --token / HERALD_TOKEN, else the session `herald login` saved for the URL
 * (refreshed when the access JWT expires).
 */
export interface ClientOptions {
  url?: string;
  token?: string;
  /** Send no credential at all (the login request itself). */
  anonymous?: boolean;
}

export interface RequestOptions {
  json?: unknown;
  form?: FormData;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** ms before the request is abandoned; streams pass 0 for none. */
  timeoutMs?: number;
}

export interface Client {
  readonly url: string;
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /** Opens a long-lived GET (the inbox stream) and returns the response once it is 2xx. */
  open(path: string, opts?: RequestOptions): Promise<Response>;
}

/** ms a plain request may take before the command gives up. */
const REQUEST_TIMEOUT_MS = 30_000;
/** s before expiry at which a saved access JWT is refreshed rather than sent. */
const REFRESH_MARGIN_S = 10;

interface ApiErrorBody {
  message?: string;
  detail?: string;
  validations?: Array<{ field: string; detail: string }>;
}

/** Adds --url and --token (with their environment variables) to a client command. */
export function clientCommand(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'Herald server URL (env HERALD_URL; default: the saved login, else HERALD_HOST:PORT)',
    )
    .option(
      '--token <token>',
      'access token (zat_…) or access JWT (env HERALD_TOKEN; default: the saved login)',
    );
}

export function resolveUrl(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw =
    given ??
    env.HERALD_URL ??
    currentUrl() ??
    `http://${hostForClient(env.HERALD_HOST ?? '127.0.0.1')}:${env.HERALD_PORT ?? '8080'}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an absolute http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`--url must be an http or https URL, got "${raw}"`);
  }
  return u.toString().replace(/\/+$/, '');
}

/** A server listening on every address is reached on loopback. */
export function hostForClient(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

export function describeError(status: number, body: ApiErrorBody | string | undefined): string {
  if (typeof body === 'object' && body && typeof body.message === 'string') {
    const parts = [body.message.trim()];
    if (body.detail && body.detail !== body.message) parts.push(body.detail.trim());
    const fields = (body.validations ?? []).map((v) => `${v.field}: ${v.detail}`);
    const text = parts.filter(Boolean).join(' ');
    return `${text}${fields.length > 0 ? ` (${fields.join('; ')})` : ''} [HTTP ${status}]`;
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return `${text || 'the server answered with an error'} [HTTP ${status}]`;
}

function networkFailure(url: string, err: unknown): CliFailure {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError') return new CliFailure(`Herald at ${url} did not answer in time.`);
  const why = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return new CliFailure(`Cannot reach Herald at ${url} (${why}).`);
}

export function createClient(opts: ClientOptions = {}): Client {
  const url = resolveUrl(opts.url);
  const fixedToken = opts.anonymous ? undefined : (opts.token ?? (process.env.HERALD_TOKEN || undefined));
  let session: SavedLogin | undefined = fixedToken || opts.anonymous ? undefined : savedLogin(url);

  /** Rotates the saved pair under the login-file lock (see withLoginLock). */
  async function refreshSession(used: string): Promise<void> {
    if (!session) return;
    await withLoginLock(async () => {
      const latest = savedLogin(url);
      if (latest && latest.accessToken !== used && (jwtExpiry(latest.accessToken) ?? 0) * 1000 > Date.now()) {
        session = latest; // another herald process refreshed it meanwhile
        return;
      }
      const current = latest ?? session!;
      let res: Response;
      try {
        res = await fetch(`${url}/api/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (err) {
        throw networkFailure(url, err);
      }
      if (res.status === 401 || res.status === 400) {
        forgetLogin(url);
        session = undefined;
        throw new CliFailure(
          `The saved login for ${url} has expired or was revoked; run "herald login" again.`,
        );
      }
      if (!res.ok) throw new CliFailure(describeError(res.status, await readBody(res)), res.status);
      const pair = (await res.json()) as { accessToken: string; refreshToken: string };
      session = { ...current, ...pair, savedAt: new Date().toISOString() };
      saveLogin(session, false);
    });
  }

  async function credential(): Promise<string | undefined> {
    if (fixedToken) return fixedToken;
    if (!session) return undefined;
    const exp = jwtExpiry(session.accessToken);
    if (exp !== undefined && exp - REFRESH_MARGIN_S < Date.now() / 1000)
      await refreshSession(session.accessToken);
    return session?.accessToken;
  }

  async function send(method: string, path: string, o: RequestOptions): Promise<Response> {
    const target = new URL(url + path);
    for (const [k, v] of Object.entries(o.query ?? {})) {
      if (v !== undefined) target.searchParams.set(k, String(v));
    }
    const attempt = async (): Promise<{ res: Response; token: string | undefined }> => {
      const token = await credential();
      const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      let body: BodyInit | undefined;
      if (o.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(o.json);
      } else if (o.form) {
        body = o.form;
      }
      const timeout = o.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const signals = [o.signal, timeout > 0 ? AbortSignal.timeout(timeout) : undefined].filter(
        (s): s is AbortSignal => s !== undefined,
      );
      try {
        const res = await fetch(target, {
          method,
          headers,
          body,
          signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
        });
        return { res, token };
      } catch (err) {
        if (o.signal?.aborted) throw err;
        throw networkFailure(url, err);
      }
    };
    let { res, token } = await attempt();
    // A saved session's JWT may have been revoked or outlived the clock check: refresh once.
    // (A body that is a one-shot stream cannot be sent twice; forms here are built from files
    // and are re-readable.)
    if (res.status === 401 && session && token) {
      await res.body?.cancel();
      await refreshSession(token);
      ({ res, token } = await attempt());
    }
    if (!res.ok) {
      let text = describeError(res.status, await readBody(res));
      if (res.status === 401 && !token) {
        text += ` — run "herald login" or pass --token (HERALD_TOKEN) for ${url}`;
      }
      throw new CliFailure(text, res.status);
    }
    return res;
  }

  return {
    url,
    async request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
      const res = await send(method, path, o);
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      if (text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        return text as T;
      }
    },
    open: (path, o = {}) => send('GET', path, { ...o, timeoutMs: 0 }),
  };
}

async function readBody(res: Response): Promise<ApiErrorBody | string | undefined> {
  const text = await res.text().catch(() => '');
  try {
    return JSON.parse(text) as ApiErrorBody;
  } catch {
    return text;
  }
}
