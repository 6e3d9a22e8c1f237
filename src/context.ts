import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import type { CommitStep } from './ingest/commit-message.ts';
import { createHub, type Hub } from './realtime/hub.ts';
import { type InboxEvents, localInboxEvents, postgresInboxEvents } from './realtime/inbox-events.ts';
import { createJwtCodec, type JwtCodec } from './services/jwt.ts';
import { createPrincipalCache, type PrincipalCache } from './services/principal-cache.ts';
import { createTokenUsage, type TokenUsage } from './services/token-usage.ts';
import { openStore, type Store } from './store/store.ts';

/**
 * Everything a request handler, worker or CLI command needs, built once per process and
 * passed first to every core function.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly jwt: JwtCodec;
  readonly tokenUsage: TokenUsage;
  /** Recently resolved access tokens; clear it when tokens, users or roles change. */
  readonly principals: PrincipalCache;
  /** Live inbox fan-out: told about notifications after their transaction commits. */
  readonly hub: Hub;
  /** Carries inbox changes to the hub (directly, or across processes over LISTEN/NOTIFY). */
  inboxEvents: InboxEvents;
  /** Steps run inside every message transaction (the delivery engine enqueues here). */
  readonly commitSteps: CommitStep[];
  /** Emits 'message' (CommittedMessage) and 'deliveries' after commits, to wake workers. */
  readonly afterCommit: EventEmitter;
}

export interface ContextOverrides {
  clock?: Clock;
}

export function createContext(config: Config, log: Logger, overrides: ContextOverrides = {}): AppContext {
  const store = openStore(config);
  const hub = createHub({ onError: (err) => log.warn({ err }, 'inbox watcher failed') });
  return {
    config,
    store,
    log,
    clock: overrides.clock ?? systemClock,
    jwt: createJwtCodec(config.secret, config.accessTokenTtlSeconds),
    tokenUsage: createTokenUsage(store),
    principals: createPrincipalCache(),
    hub,
    inboxEvents: localInboxEvents(hub),
    commitSteps: [],
    afterCommit: new EventEmitter(),
  };
}

/** Connects what needs a live store connection (the cross-process inbox bridge). */
export async function connectContext(ctx: AppContext): Promise<void> {
  if (ctx.store.kind === 'postgres' && ctx.config.databaseUrl) {
    ctx.inboxEvents = await postgresInboxEvents(ctx.config.databaseUrl, ctx.hub, ctx.log);
  }
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.inboxEvents.close();
  ctx.hub.close();
  await ctx.tokenUsage.stop();
  await ctx.store.close();
}
