/**
 * Every default Herald runs with, named, with its unit. The README's configuration table
 * lists the same values; change both together.
 */
export const DEFAULTS = {
  /** Loopback only until the operator decides to expose Herald. */
  host: '127.0.0.1',
  port: 8080,
  /** SQLite file, attachments and the generated secret live here. */
  dataDir: './data',
  logLevel: 'info',
  /** Outbound calls to private ranges are an SSRF risk on a shared network; opt in. */
  allowPrivateNetworks: false,
  /** Without a proxy in front, X-Forwarded-For is attacker-controlled; trust nothing by default. */
  trustProxy: false as boolean | string,
  /** bytes: 25 MiB per uploaded or downloaded attachment. */
  maxUploadBytes: 25 * 1024 * 1024,
  /** Failed logins in a row before the account locks. */
  loginMaxAttempts: 5,
  /** minutes an account stays locked after too many failed logins. */
  loginLockMinutes: 15,
  /** seconds an access JWT lives; short because it cannot be revoked. */
  accessTokenTtlSeconds: 15 * 60,
  /** days a refresh token lives unless rotated. */
  refreshTokenTtlDays: 30,
  /** ms allowed for a saveOnServer download. */
  downloadTimeoutMs: 10_000,
  /** Concurrent delivery sends per process; outside sends mostly wait on the network. */
  workers: 32,
  /** ms allowed for one outside send; must stay below the lease. */
  sendTimeoutMs: 10_000,
  /** ms a claimed delivery stays reserved before another worker may take it. */
  leaseMs: 60_000,
  /** Attempts before a retryable delivery is marked failed. */
  maxAttempts: 8,
  /** ms of the first retry delay; doubles each attempt, with jitter. */
  retryBaseMs: 5_000,
  /** ms cap on a retry delay. */
  retryMaxMs: 3_600_000,
  /** ms between queue polls when no wake-up arrives. */
  pollIntervalMs: 1_000,
  /** seconds between ntfy keepalive events on an idle subscription (ntfy's own default). */
  ntfyKeepaliveSeconds: 45,
  /**
   * Sends per minute one bucket magic code may make (and failed code lookups per minute per
   * client address): a code is a short secret, often pasted into scripts, so it gets a budget.
   */
  magicCodeRateLimit: 100,
  minSecretLength: 16,
  minPasswordLength: 8,
} as const;
