import type { AppContext } from '../context.ts';
import { AppError } from '../domain/errors.ts';
import type { StoreKind } from '../store/database.ts';
import { pingStore } from '../store/health.repository.ts';

/** Ready means the store (already migrated at start) answers a query right now. */
export async function checkHealth(ctx: AppContext): Promise<{ status: 'ok'; store: StoreKind }> {
  try {
    await pingStore(ctx.store.db);
  } catch {
    throw new AppError('unavailable', 'The store is not reachable.');
  }
  return { status: 'ok', store: ctx.store.kind };
}
