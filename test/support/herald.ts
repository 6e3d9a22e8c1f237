import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { type RunningServer, startServer } from '../../src/main.ts';

export type StoreKind = 'sqlite' | 'postgres';
/** Every integration suite runs once per store. */
export const STORES: StoreKind[] = ['sqlite', 'postgres'];

export const ADMIN = { email: 'admin@example.com', username: 'admin', password: 'admin-password-1' };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: BodyInit;
}

export interface TestHerald {
  readonly url: string;
  readonly server: RunningServer;
  readonly dataDir: string;
  api<T = any>(method: string, path: string, opts?: ApiOptions): Promise<ApiResponse<T>>;
  /** Logs in and returns the access JWT. */
  login(identifier?: string, password?: string): Promise<string>;
  /** Creates a user (as admin) and returns its id and an access JWT. */
  createUser(
    name: string,
    opts?: { roles?: string[]; password?: string },
  ): Promise<{ id: string; token: string; email: string }>;
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

async function createDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `herald_${Math.random().toString(36).slice(2, 12)}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = baseUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Starts a real Herald server on a free loopback port over a fresh store. */
export async function startHerald(
  store: StoreKind,
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    dataDir?: string;
    databaseUrl?: string;
    /** Builds the server's logger from its config (tests that read what is logged). */
    log?: (config: Config) => Logger;
  } = {},
): Promise<TestHerald> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'herald-test-'));
  let database: { url: string; drop: () => Promise<void> } | undefined;
  if (store === 'postgres' && !opts.databaseUrl) database = await createDatabase(inject('pgUrl'));
  const config = loadConfig({
    HERALD_HOST: '127.0.0.1',
    HERALD_PORT: '0',
    HERALD_DATA_DIR: dataDir,
    HERALD_ADMIN_EMAIL: ADMIN.email,
    HERALD_ADMIN_PASSWORD: ADMIN.password,
    HERALD_LOG_LEVEL: process.env.HERALD_TEST_LOG_LEVEL ?? 'silent',
    HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
    ...(store === 'postgres' ? { HERALD_DATABASE_URL: opts.databaseUrl ?? database!.url } : {}),
    ...opts.env,
  });
  let server: RunningServer;
  try {
    server = await startServer(config, { clock: opts.clock, log: opts.log?.(config) });
  } catch (err) {
    if (database) await database.drop().catch(() => {});
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let adminJwt: string | undefined;

  const api = async <T>(method: string, p: string, o: ApiOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: BodyInit | undefined = o.raw;
    if (o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(server.url + p, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };

  const login = async (identifier = ADMIN.email, password = ADMIN.password) => {
    const res = await api<any>('POST', '/api/v1/auth/login', { body: { email: identifier, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return res.body.accessToken as string;
  };
  const adminToken = async () => {
    adminJwt ??= await login();
    return adminJwt;
  };

  return {
    url: server.url,
    server,
    dataDir,
    api,
    login,
    adminToken,
    async createUser(name, o = {}) {
      const email = `${name}@example.com`;
      const password = o.password ?? `${name}-password-1`;
      const res = await api<any>('POST', '/api/v1/users', {
        token: await adminToken(),
        body: { email, username: name, password, roles: o.roles ?? ['member'] },
      });
      if (res.status !== 201) throw new Error(`createUser failed: ${res.status} ${res.text}`);
      return { id: res.body.id, token: await login(email, password), email };
    },
    async close() {
      await server.close();
      if (database) await database.drop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
