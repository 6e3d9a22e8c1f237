import type { AppContext } from '../context.ts';
import { forbidden, notFound } from '../domain/errors.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import { deleteMessage, getMessage } from '../store/message.repository.ts';
import { requireTokenBucket } from './bucket.service.ts';

/**
 * Deletes a message and its inbox items, for its sender or an administrator. Watchers of the
 * recipients' inboxes hear of it once the delete has committed.
 */
export async function deleteMessageAs(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  const message = await getMessage(ctx.store.db, id);
  if (!message) throw notFound('Message');
  if (message.bucket_id) requireTokenBucket(principal, message.bucket_id);
  if (message.sender_id !== principal.userId && !isAdmin(principal)) {
    throw forbidden('Only the sender or an administrator can delete a message.');
  }
  const events = await ctx.store.writer.run(async (tx) => {
    const removed = await deleteMessage(tx, message.id);
    const evs = removed.map((n) => ({ userId: n.user_id, notificationId: n.id, kind: 'updated' as const }));
    await ctx.inboxEvents.inTx(tx, evs);
    return evs;
  });
  ctx.inboxEvents.committed(events);
}
