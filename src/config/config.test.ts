import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from './config.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-config-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** loadConfig over a temp data dir plus the given variables; nothing from the real environment. */
const load = (env: Record<string, string> = {}) => loadConfig({ HERALD_DATA_DIR: dataDir, ...env });

/** The ConfigError thrown for env, checked to be one line. */
function errorFor(env: Record<string, string>): ConfigError {
  let caught: unknown;
  try {
    load(env);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.message).not.toContain('\n');
  return err;
}

describe('loadConfig defaults', () => {
  it('listens on loopback port 8080 and derives the base URL from them', () => {
    const config = load();
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.baseUrl).toBe('http://127.0.0.1:8080');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.allowPrivateNetworks).toBe(false);
    expect(config.magicCodeRateLimit).toBe(100);
  });

  it('resolves a relative data dir to an absolute path', () => {
    const relative = path.relative(process.cwd(), dataDir);
    expect(path.isAbsolute(relative)).toBe(false);
    const config = loadConfig({ HERALD_DATA_DIR: relative });
    expect(config.dataDir).toBe(dataDir);
  });

  it('derives the base URL from a custom host and port, and trims a trailing slash from a given one', () => {
    expect(load({ HERALD_HOST: '0.0.0.0', HERALD_PORT: '9000' }).baseUrl).toBe('http://0.0.0.0:9000');
    expect(load({ HERALD_BASE_URL: 'https://herald.example.com/' }).baseUrl).toBe(
      'https://herald.example.com',
    );
  });

  it('reads booleans, numbers and log levels in their accepted spellings', () => {
    const config = load({
      HERALD_ALLOW_PRIVATE_NETWORKS: 'yes',
      HERALD_LOG_LEVEL: 'DEBUG',
      HERALD_WORKERS: '3',
      HERALD_DATABASE_URL: 'postgresql://u@localhost/herald',
    });
    expect(config.allowPrivateNetworks).toBe(true);
    expect(config.logLevel).toBe('debug');
    expect(config.workers).toBe(3);
    expect(load({ HERALD_MAGIC_CODE_RATE_LIMIT: '5' }).magicCodeRateLimit).toBe(5);
    expect(config.databaseUrl).toBe('postgresql://u@localhost/herald');
  });
});

describe('loadConfig rejects bad values with a one-line message naming the variable', () => {
  it.each([
    ['a port that is not a number', { HERALD_PORT: 'abc' }, 'HERALD_PORT'],
    ['a port out of range', { HERALD_PORT: '70000' }, 'HERALD_PORT'],
    [
      'a boolean that is neither true nor false',
      { HERALD_ALLOW_PRIVATE_NETWORKS: 'maybe' },
      'HERALD_ALLOW_PRIVATE_NETWORKS',
    ],
    ['an unknown log level', { HERALD_LOG_LEVEL: 'loud' }, 'HERALD_LOG_LEVEL'],
    [
      'a database URL that is not PostgreSQL',
      { HERALD_DATABASE_URL: 'mysql://localhost/db' },
      'HERALD_DATABASE_URL',
    ],
    ['a secret shorter than 16 characters', { HERALD_SECRET: 'too-short' }, 'HERALD_SECRET'],
    ['a relative base URL', { HERALD_BASE_URL: 'herald.local' }, 'HERALD_BASE_URL'],
    [
      'a magic-code rate limit of zero',
      { HERALD_MAGIC_CODE_RATE_LIMIT: '0' },
      'HERALD_MAGIC_CODE_RATE_LIMIT',
    ],
  ])('%s', (_label, env, variable) => {
    expect(errorFor(env).message).toContain(variable);
  });

  it('refuses a send timeout that is not shorter than the lease, naming both', () => {
    const equal = errorFor({ HERALD_SEND_TIMEOUT_MS: '5000', HERALD_LEASE_MS: '5000' });
    expect(equal.message).toContain('HERALD_SEND_TIMEOUT_MS');
    expect(equal.message).toContain('HERALD_LEASE_MS');
    const longer = errorFor({ HERALD_SEND_TIMEOUT_MS: '9000', HERALD_LEASE_MS: '5000' });
    expect(longer.message).toContain('HERALD_SEND_TIMEOUT_MS');
    expect(load({ HERALD_SEND_TIMEOUT_MS: '4999', HERALD_LEASE_MS: '5000' }).sendTimeoutMs).toBe(4999);
  });

  it('hides no secret value in the message', () => {
    expect(errorFor({ HERALD_SECRET: 'short-secret' }).message).not.toContain('short-secret');
  });
});

describe('the secret', () => {
  it('is generated once into the data dir, readable only by the owner, and reused on the next load', () => {
    const first = load().secret;
    expect(first.length).toBeGreaterThanOrEqual(16);
    const file = path.join(dataDir, 'secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(load().secret).toBe(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
  });

  it('comes from HERALD_SECRET when set, without touching the data dir', () => {
    const secret = 'an-operator-chosen-secret';
    expect(load({ HERALD_SECRET: secret }).secret).toBe(secret);
    expect(() => statSync(path.join(dataDir, 'secret'))).toThrow();
  });

  it('differs between two data dirs', () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'herald-config-'));
    try {
      expect(loadConfig({ HERALD_DATA_DIR: other }).secret).not.toBe(load().secret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('the loaded config', () => {
  it('is frozen: a later assignment throws and changes nothing', () => {
    const config = load();
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(8080);
  });

  it('is built from the given env only, not from process.env', () => {
    const previous = process.env.HERALD_PORT;
    process.env.HERALD_PORT = '1234';
    try {
      const config: Config = load();
      expect(config.port).toBe(8080);
    } finally {
      if (previous === undefined) delete process.env.HERALD_PORT;
      else process.env.HERALD_PORT = previous;
    }
  });
});
