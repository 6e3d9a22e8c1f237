import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS } from './defaults.ts';

/** The validated, frozen configuration every part of Herald reads. Built once at start. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly baseUrl: string;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly secret: string;
  readonly logLevel: string;
  readonly allowPrivateNetworks: boolean;
  /** false, true (trust every hop) or a comma list of proxy addresses/CIDRs, as Fastify's trustProxy. */
  readonly trustProxy: boolean | string;
  readonly maxUploadBytes: number;
  readonly loginMaxAttempts: number;
  readonly loginLockMinutes: number;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlDays: number;
  readonly downloadTimeoutMs: number;
  readonly workers: number;
  readonly sendTimeoutMs: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly pollIntervalMs: number;
  readonly ntfyKeepaliveSeconds: number;
  /** Sends per minute per magic code; also failed code lookups per minute per client address. */
  readonly magicCodeRateLimit: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/**
 * The secret signs JWTs and encrypts channel secrets. When the operator sets none, one is
 * generated once and kept in the data dir so tokens survive restarts.
 */
function loadSecret(env: Env, dataDir: string): string {
  const given = str(env, 'HERALD_SECRET');
  if (given !== undefined) {
    if (given.length < DEFAULTS.minSecretLength) {
      throw new ConfigError(`HERALD_SECRET must be at least ${DEFAULTS.minSecretLength} characters`);
    }
    return given;
  }
  const file = path.join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** HERALD_TRUST_PROXY: true/false, or the proxies to trust (so client IPs in events are real). */
function trustProxyOf(env: Env): boolean | string {
  const raw = str(env, 'HERALD_TRUST_PROXY');
  if (raw === undefined) return DEFAULTS.trustProxy;
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (!/^[0-9a-fA-F:.,/\s]+$/.test(raw)) {
    throw new ConfigError(
      `HERALD_TRUST_PROXY must be true, false or a comma list of addresses/CIDRs, got "${raw}"`,
    );
  }
  return raw;
}

/** Reads HERALD_* variables, validates them, and returns a frozen Config. Throws ConfigError. */
/** Permissions of a data dir Herald creates: owner only (rwx------). */
export const DATA_DIR_MODE = 0o700;

export function loadConfig(env: Env = process.env): Config {
  const host = str(env, 'HERALD_HOST') ?? DEFAULTS.host;
  const port = int(env, 'HERALD_PORT', DEFAULTS.port, 0, 65535);
  const dataDir = path.resolve(str(env, 'HERALD_DATA_DIR') ?? DEFAULTS.dataDir);
  const databaseUrl = str(env, 'HERALD_DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('HERALD_DATABASE_URL must start with postgres:// or postgresql://');
  }
  const baseUrl = (str(env, 'HERALD_BASE_URL') ?? `http://${host}:${port}`).replace(/\/+$/, '');
  try {
    new URL(baseUrl);
  } catch {
    throw new ConfigError(`HERALD_BASE_URL must be an absolute URL, got "${baseUrl}"`);
  }
  const adminEmail = str(env, 'HERALD_ADMIN_EMAIL');
  const adminPassword = str(env, 'HERALD_ADMIN_PASSWORD');
  if (adminEmail !== undefined && !adminEmail.includes('@')) {
    throw new ConfigError(`HERALD_ADMIN_EMAIL must be an email address, got "${adminEmail}"`);
  }
  if (adminPassword !== undefined && adminPassword.length < DEFAULTS.minPasswordLength) {
    throw new ConfigError(`HERALD_ADMIN_PASSWORD must be at least ${DEFAULTS.minPasswordLength} characters`);
  }
  const logLevel = (str(env, 'HERALD_LOG_LEVEL') ?? DEFAULTS.logLevel).toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`HERALD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const sendTimeoutMs = int(env, 'HERALD_SEND_TIMEOUT_MS', DEFAULTS.sendTimeoutMs, 100, 600_000);
  const leaseMs = int(env, 'HERALD_LEASE_MS', DEFAULTS.leaseMs, 200, 3_600_000);
  if (sendTimeoutMs >= leaseMs) {
    throw new ConfigError(
      `HERALD_SEND_TIMEOUT_MS (${sendTimeoutMs}) must be shorter than HERALD_LEASE_MS (${leaseMs}), or a slow send could be claimed twice`,
    );
  }
  const retryBaseMs = int(env, 'HERALD_RETRY_BASE_MS', DEFAULTS.retryBaseMs, 1, 3_600_000);
  const retryMaxMs = int(env, 'HERALD_RETRY_MAX_MS', DEFAULTS.retryMaxMs, 1, 86_400_000);
  if (retryMaxMs < retryBaseMs) {
    throw new ConfigError('HERALD_RETRY_MAX_MS must not be shorter than HERALD_RETRY_BASE_MS');
  }

  const config: Omit<Config, 'secret'> = {
    host,
    port,
    dataDir,
    databaseUrl,
    baseUrl,
    adminEmail,
    adminPassword,
    logLevel,
    allowPrivateNetworks: bool(env, 'HERALD_ALLOW_PRIVATE_NETWORKS', DEFAULTS.allowPrivateNetworks),
    trustProxy: trustProxyOf(env),
    maxUploadBytes: int(env, 'HERALD_MAX_UPLOAD_BYTES', DEFAULTS.maxUploadBytes, 1024, 2 ** 32),
    loginMaxAttempts: int(env, 'HERALD_LOGIN_MAX_ATTEMPTS', DEFAULTS.loginMaxAttempts, 1, 1000),
    loginLockMinutes: int(env, 'HERALD_LOGIN_LOCK_MINUTES', DEFAULTS.loginLockMinutes, 1, 10_080),
    accessTokenTtlSeconds: int(
      env,
      'HERALD_ACCESS_TOKEN_TTL_SECONDS',
      DEFAULTS.accessTokenTtlSeconds,
      10,
      86_400,
    ),
    refreshTokenTtlDays: int(env, 'HERALD_REFRESH_TOKEN_TTL_DAYS', DEFAULTS.refreshTokenTtlDays, 1, 365),
    downloadTimeoutMs: int(env, 'HERALD_DOWNLOAD_TIMEOUT_MS', DEFAULTS.downloadTimeoutMs, 100, 600_000),
    workers: int(env, 'HERALD_WORKERS', DEFAULTS.workers, 0, 256),
    sendTimeoutMs,
    leaseMs,
    maxAttempts: int(env, 'HERALD_MAX_ATTEMPTS', DEFAULTS.maxAttempts, 1, 100),
    retryBaseMs,
    retryMaxMs,
    pollIntervalMs: int(env, 'HERALD_POLL_INTERVAL_MS', DEFAULTS.pollIntervalMs, 10, 60_000),
    ntfyKeepaliveSeconds: int(env, 'HERALD_NTFY_KEEPALIVE_SECONDS', DEFAULTS.ntfyKeepaliveSeconds, 1, 3600),
    magicCodeRateLimit: int(env, 'HERALD_MAGIC_CODE_RATE_LIMIT', DEFAULTS.magicCodeRateLimit, 1, 1_000_000),
  };
  // Only once every value is valid does loading touch the disk.
  // Only Herald's own user may read its store, attachments and generated secret.
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  return Object.freeze({ ...config, secret: loadSecret(env, dataDir) });
}
