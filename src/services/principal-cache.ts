import type { Principal } from '../domain/principal.ts';

/** ms a resolved access token is trusted without asking the store again. */
export const PRINCIPAL_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Resolved `zat_` tokens, kept a few seconds so a busy integration does not cost two reads
 * per request. Revoking a token, deleting a user or changing roles clears it in this process;
 * other processes (PostgreSQL deployments) notice within the TTL.
 */
export interface PrincipalCache {
  get(key: string, now: number): Principal | undefined;
  set(key: string, principal: Principal, now: number, expiresAt: number | null): void;
  clear(): void;
}

export function createPrincipalCache(ttlMs = PRINCIPAL_CACHE_TTL_MS): PrincipalCache {
  const entries = new Map<string, { principal: Principal; until: number }>();
  return {
    get(key, now) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until <= now) {
        entries.delete(key);
        return undefined;
      }
      return e.principal;
    },
    set(key, principal, now, expiresAt) {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(key, { principal, until: Math.min(now + ttlMs, expiresAt ?? Number.POSITIVE_INFINITY) });
    },
    clear() {
      entries.clear();
    },
  };
}
