import { enabledChannelTypes } from '../store/channel-config.repository.ts';
import type { Executor } from '../store/database.ts';

/**
 * ms the enabled channel types are trusted without a query: every message needs them, they
 * change rarely, a save in this process clears them at once, and other processes (on
 * PostgreSQL) follow within this time.
 */
export const ENABLED_CHANNELS_TTL_MS = 2_000;

/** Which channel types are enabled, as message routing reads them inside each message's transaction. */
export interface EnabledChannelsCache {
  get(db: Executor): Promise<ReadonlySet<string>>;
  clear(): void;
}

export function createEnabledChannelsCache(
  ttlMs = ENABLED_CHANNELS_TTL_MS,
  now: () => number = Date.now,
): EnabledChannelsCache {
  let cached: { types: ReadonlySet<string>; until: number } | undefined;
  // A save while a read is under way must not let that (older) read be cached.
  let generation = 0;
  return {
    async get(db) {
      if (cached && cached.until > now()) return cached.types;
      const started = generation;
      const types = await enabledChannelTypes(db);
      if (generation === started) cached = { types, until: now() + ttlMs };
      return types;
    },
    clear() {
      generation++;
      cached = undefined;
    },
  };
}
