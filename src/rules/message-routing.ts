import type { AppContext } from '../context.ts';
import type { Recipients } from '../domain/message.ts';
import type { CommittedMessage } from '../ingest/commit-message.ts';
import { enabledChannelTypes } from '../store/channel-config.repository.ts';
import type { Tx } from '../store/database.ts';
import {
  insertMessageEmails,
  insertMessagePushes,
  insertPushesForDisabled,
  type MessageDeliveryInsert,
  templateMethod,
} from '../store/delivery.repository.ts';
import { messageContent } from '../templates/message-content.ts';

/**
 * Who gets a message outside the inbox (docs/delivery.md tells operators the same):
 *
 * - email (smtp, when enabled): every recipient with an inbox item and an email address;
 * - web push (webpush, when enabled): every push subscription of those recipients, except for
 *   SILENT messages, which never push; CRITICAL messages also push to recipients who disabled
 *   the message's template (when the commit tells us who the recipients were);
 * - a recipient who disabled the message's template gets nothing outside (CRITICAL push aside);
 * - a template's `method` narrows the set: `smtp`/`email` → email only, `webpush`/`push` →
 *   push only, `inbox` → nothing outside; no method → both. CRITICAL overrides a user's
 *   preference, never the template's method (an inbox-only template stays inbox-only).
 *
 * Everything is INSERT … SELECT over the message's notifications, inside the message's own
 * transaction, so a message to 100k recipients is still a couple of statements and its
 * deliveries commit with it (or not at all).
 */

const registered = new WeakSet<AppContext>();
const withDeliveries = new WeakSet<CommittedMessage>();

/** Adds the routing step to every message transaction of this context (once). */
export function registerMessageRouting(ctx: AppContext): void {
  if (registered.has(ctx)) return;
  registered.add(ctx);
  ctx.afterCommit.on('channels', () => enabledCache.delete(ctx));
  ctx.commitSteps.push(async (tx, committed) => {
    if ((await routeMessage(ctx, tx, committed)) > 0) withDeliveries.add(committed);
  });
}

/** Whether committing this message enqueued outside deliveries (so workers should wake). */
export const enqueuedDeliveries = (committed: CommittedMessage): boolean => withDeliveries.has(committed);

function methodsFor(method: string | null): { email: boolean; push: boolean } {
  switch (method?.toLowerCase()) {
    case 'inbox':
      return { email: false, push: false };
    case 'smtp':
    case 'email':
      return { email: true, push: false };
    case 'webpush':
    case 'push':
      return { email: false, push: true };
    default:
      return { email: true, push: true };
  }
}

/**
 * ms the enabled channel types are trusted without a query: every message needs them, they
 * change rarely, a change in this process clears them at once, and other processes (on
 * PostgreSQL) follow within this time.
 */
const ENABLED_CACHE_MS = 2_000;
const enabledCache = new WeakMap<AppContext, { types: Set<string>; until: number }>();

async function enabledTypes(ctx: AppContext, tx: Tx): Promise<Set<string>> {
  const now = Date.now();
  const hit = enabledCache.get(ctx);
  if (hit && hit.until > now) return hit.types;
  const types = await enabledChannelTypes(tx);
  enabledCache.set(ctx, { types, until: now + ENABLED_CACHE_MS });
  return types;
}

/** Recipients as addressed, when the commit step is told them (see docs/delivery.md). */
function recipientsOf(committed: CommittedMessage): Recipients | undefined {
  return 'recipients' in committed ? (committed.recipients as Recipients) : undefined;
}

/** Inserts the message's outside deliveries; returns how many. */
export async function routeMessage(ctx: AppContext, tx: Tx, committed: CommittedMessage): Promise<number> {
  const m = committed.message;
  const critical = m.delivery_type === 'CRITICAL';
  const recipients = critical && m.template_id ? recipientsOf(committed) : undefined;
  if (committed.notifications.length === 0 && !recipients) return 0;
  const enabled = await enabledTypes(ctx, tx);
  let email = enabled.has('smtp');
  let push = enabled.has('webpush') && m.delivery_type !== 'SILENT';
  if (!email && !push) return 0;
  if (m.template_id) {
    const methods = methodsFor(await templateMethod(tx, m.template_id));
    email &&= methods.email;
    push &&= methods.push;
  }
  if (!email && !push) return 0;
  const insert: MessageDeliveryInsert = {
    messageId: m.id,
    content: JSON.stringify(messageContent(m)),
    now: m.created_at,
    skipDisabledTemplateId: m.template_id,
  };
  let count = 0;
  if (email) count += await insertMessageEmails(tx, ctx.store.kind, insert);
  if (push) {
    // CRITICAL pushes ignore the template preference.
    const pushInsert = critical ? { ...insert, skipDisabledTemplateId: null } : insert;
    count += await insertMessagePushes(tx, ctx.store.kind, pushInsert);
    if (recipients && m.template_id) {
      count += await insertPushesForDisabled(
        tx,
        ctx.store.kind,
        { ...insert, templateId: m.template_id },
        recipients,
      );
    }
  }
  return count;
}
