import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { deriveKey } from './domain/secrets.ts';
import { createSignals, type Signals } from './domain/signals.ts';
import { createHub, type Hub } from './realtime/hub.ts';
import {
  type InboxEvents,
  localInboxEvents,
  type OnRevoke,
  postgresInboxEvents,
} from './realtime/inbox-events.ts';
import { type BucketChannelsCache, createBucketChannelsCache } from './services/bucket-channels-cache.ts';
import { createEnabledChannelsCache, type EnabledChannelsCache } from './services/enabled-channels-cache.ts';
import { createInboxFrames, type InboxFrames } from './services/inbox-frames.ts';
import { createJwtCodec, type JwtCodec } from './services/jwt.ts';
import { createMetrics, type Metrics } from './services/metrics.ts';
import { createPrincipalCache, type PrincipalCache } from './services/principal-cache.ts';
import { createRateLimiter, type RateLimiter } from './services/rate-limiter.ts';
import { createTokenUsage, type TokenUsage } from './services/token-usage.ts';
import { openStore, type Store } from './store/store.ts';

/** Keys derived once from HERALD_SECRET, one per purpose. */
export interface DerivedKeys {
  /** AES-256-GCM key channel secrets are sealed with at rest. */
  readonly channelSecrets: Buffer;
  /** Signs webhooks whose config names no `secret` of its own. */
  readonly webhookSigning: string;
}

/**
 * Everything a request handler, worker or CLI command needs, built once per process and
 * passed first to every core function. All per-process state lives here (caches, signals,
 * the hub), never in module-level maps.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly jwt: JwtCodec;
  readonly keys: DerivedKeys;
  readonly tokenUsage: TokenUsage;
  /** Recently resolved access tokens; clear it when tokens, users or roles change. */
  readonly principals: PrincipalCache;
  /**
   * Per-minute budgets of magic codes: sends per code, and failed lookups per client address.
   * Codes themselves are never cached: each send looks its code up, so a regenerated or removed
   * code stops at once, in every process.
   */
  readonly magicCodeLimits: RateLimiter;
  /** Enabled channel types for message routing; cleared when a channel is saved. */
  readonly enabledChannels: EnabledChannelsCache;
  /** Each bucket's default channels, read by every message to it; dropped when they change. */
  readonly bucketChannels: BucketChannelsCache;
  /** Live inbox fan-out: told about notifications after their transaction commits. */
  readonly hub: Hub;
  /** Reads what live watchers show, batched across all watchers woken together; feeds the hub. */
  readonly inboxFrames: InboxFrames;
  /** Carries inbox changes to the hub (directly, or across processes over LISTEN/NOTIFY). */
  inboxEvents: InboxEvents;
  /** Runs for every revocation the hub applies: cached principals of another process go too. */
  readonly onRevoke: OnRevoke;
  /** Raised after commits, so workers and caches in this process act at once. */
  readonly signals: Signals;
  /** This context's Prometheus registry: delivery, HTTP and process metrics for `/metrics`. */
  readonly metrics: Metrics;
}

/** ms of one magic-code rate window: HERALD_MAGIC_CODE_RATE_LIMIT counts per minute. */
export const MAGIC_CODE_WINDOW_MS = 60_000;

export interface ContextOverrides {
  clock?: Clock;
}

export function createContext(config: Config, log: Logger, overrides: ContextOverrides = {}): AppContext {
  const store = openStore(config);
  const hub = createHub({ onError: (err) => log.warn({ err }, 'inbox watcher failed') });
  const signals = createSignals((err, signal) => log.error({ err, signal }, 'a signal listener failed'));
  const enabledChannels = createEnabledChannelsCache();
  signals.channelsChanged.subscribe(() => enabledChannels.clear());
  const principals = createPrincipalCache();
  const clock = overrides.clock ?? systemClock;
  const inboxFrames = createInboxFrames({
    db: () => store.db,
    kind: store.kind,
    hub,
    clock,
    onError: (err) => log.warn({ err }, 'reading a fan-out for its watchers failed'),
  });
  return {
    config,
    store,
    log,
    clock,
    jwt: createJwtCodec(config.secret, config.accessTokenTtlSeconds),
    keys: {
      channelSecrets: deriveKey(config.secret, 'channel-secrets'),
      webhookSigning: deriveKey(config.secret, 'webhook-signing').toString('hex'),
    },
    tokenUsage: createTokenUsage(store),
    principals,
    magicCodeLimits: createRateLimiter(config.magicCodeRateLimit, MAGIC_CODE_WINDOW_MS),
    enabledChannels,
    bucketChannels: createBucketChannelsCache(),
    hub,
    inboxFrames,
    inboxEvents: localInboxEvents(hub, inboxFrames),
    onRevoke: () => principals.clear(),
    signals,
    metrics: createMetrics({ store, hub }),
  };
}

/** Connects what needs a live store connection (the cross-process inbox bridge). */
export async function connectContext(ctx: AppContext): Promise<void> {
  if (ctx.store.kind === 'postgres' && ctx.config.databaseUrl) {
    ctx.inboxEvents = await postgresInboxEvents(
      ctx.config.databaseUrl,
      ctx.hub,
      ctx.inboxFrames,
      ctx.log,
      ctx.onRevoke,
    );
  }
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.inboxEvents.close();
  ctx.hub.close();
  await ctx.tokenUsage.stop();
  await ctx.store.close();
}
