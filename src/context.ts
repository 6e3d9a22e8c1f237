import type { Logger } from 'pino';
import { createJwtCodec, type JwtCodec } from './accounts/jwt.ts';
import { createTokenUsage, type TokenUsage } from './accounts/token-usage.ts';
import type { Config } from './config/config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
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
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.tokenUsage.stop();
  await ctx.store.close();
}
