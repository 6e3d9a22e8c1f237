import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createJwtCodec, type JwtCodec } from './accounts/jwt.ts';
import { createTokenUsage, type TokenUsage } from './accounts/token-usage.ts';
import type { Config } from './config/config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import type { CommitStep } from './ingest/commit-message.ts';
import { createHub, type Hub } from './realtime/hub.ts';
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
  /** Live inbox fan-out: told about notifications after their transaction commits. */
  readonly hub: Hub;
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
  return {
    config,
    store,
    log,
    clock: overrides.clock ?? systemClock,
    jwt: createJwtCodec(config.secret, config.accessTokenTtlSeconds),
    tokenUsage: createTokenUsage(store),
    hub: createHub({ onError: (err) => log.warn({ err }, 'inbox watcher failed') }),
    commitSteps: [],
    afterCommit: new EventEmitter(),
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  ctx.hub.close();
  await ctx.tokenUsage.stop();
  await ctx.store.close();
}
