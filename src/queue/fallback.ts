import type { Executor } from '../store/database.ts';
import {
  bringFallbacksForward,
  type DeliveryRow,
  insertDeliveries,
  setFallbackId,
} from '../store/delivery.repository.ts';
import { fallbackRow, type StoredFallback } from './enqueue.ts';

/**
 * A delivery failed for good: its fallback goes now. Runs in the transaction that marks it
 * failed, so the fallback is written exactly once (the failure is recorded once, under the
 * lease that made the last attempt) and never without the failure. Two kinds are handled:
 * the targets kept on the row are written as new deliveries due now, and fallbacks written
 * earlier to wait for an unread inbox item are made due now (still dropped if it was read).
 * Returns how many fallbacks became due.
 */
export async function fallBack(tx: Executor, row: DeliveryRow, now: number): Promise<number> {
  if (!row.fallback) return 0;
  const stored = JSON.parse(row.fallback) as StoredFallback;
  const rows = stored.targets.map((target) => fallbackRow(row, stored.channel, target, now));
  await insertDeliveries(tx, rows);
  if (rows.length > 0) await setFallbackId(tx, row.id, rows[0].id);
  return rows.length + (await bringFallbacksForward(tx, row.id, now));
}
