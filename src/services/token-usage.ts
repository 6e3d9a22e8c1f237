import { touchAccessTokens } from '../store/access-token.repository.ts';
import type { Store } from '../store/store.ts';

/**
 * Last-used times for access tokens, gathered in memory and written in one batch every few
 * seconds, so authenticating a request never costs a write.
 */
export interface TokenUsage {
  touch(tokenId: string, at: number): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function createTokenUsage(store: Store, intervalMs = 5_000): TokenUsage {
  let pending = new Map<string, number>();
  async function flush(): Promise<void> {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    await store.writer.run((tx) => touchAccessTokens(tx, store.kind, batch));
  }
  const timer = setInterval(() => {
    flush().catch(() => {});
  }, intervalMs);
  timer.unref();
  return {
    touch(tokenId, at) {
      pending.set(tokenId, at);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush().catch(() => {});
    },
  };
}
