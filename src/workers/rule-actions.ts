import type { Recipient } from '../channels/channel.ts';
import { getChannel } from '../channels/channel-registry.ts';
import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import { emptyDraft } from '../domain/message.ts';
import { type CommittedMessage, writeMessage } from '../ingest/commit-message.ts';
import { type DeliveryContent, enqueueDeliveries, type FallbackPlan } from '../queue/enqueue.ts';
import { MESSAGE_CREATED, renderDigest } from '../rules/cadence.ts';
import { readEventAttribute } from '../rules/conditions.ts';
import type { RuleEvent } from '../rules/rule.types.ts';
import type { DeliveryPlan as RulePlan } from '../rules/rule-matcher.ts';
import type { Tx } from '../store/database.ts';
import { inboxItemsOfMessage } from '../store/inbox.repository.ts';
import { draftToRow } from '../store/message.repository.ts';
import {
  findOpenDigest,
  lookupRecipients,
  pushSubscriptionsOf,
  type RecipientDirectory,
  updateDeliveryContent,
} from '../store/rule.repository.ts';
import { addressesOfUsers } from '../store/user-address.repository.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';

/** Most events listed in one digest; the count keeps going. */
const DIGEST_KEEP = 50;

type Target = Recipient & { userId?: string | null };

/** One line per top-level field, so a message says what happened without a template. */
export function describeEvent(event: RuleEvent): string {
  const lines = Object.entries(event.fields)
    .filter(([, v]) => v !== null && v !== undefined)
    .slice(0, 20)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return [`Event ${event.name} at ${event.occurredAt.toISOString()}`, ...lines].join('\n');
}

/** Per user, their own address on each channel (their profile's addresses). */
export type UserAddressBook = Map<string, Map<string, string>>;

/**
 * Expands a plan's recipients for its channel: users (by id, username or email) and roles
 * (every member) become the user's address on that channel (their profile's own address,
 * else, for email, the account's); anything else is taken as a raw address (an email address,
 * a chat id). Channels with a target of their own (webhook, slack, discord; telegram's
 * default chat) get one delivery there when no named user has an address on them.
 */
export function targetsFor(
  channel: string,
  refs: readonly string[],
  dir: RecipientDirectory,
  subs: Map<string, Target[]>,
  book: UserAddressBook = new Map(),
): {
  userIds: string[];
  targets: Target[];
} {
  const userIds = new Set<string>();
  const raw: string[] = [];
  for (const ref of refs) {
    const user = dir.users.find((u) => u.id === ref || u.username === ref || u.email === ref.toLowerCase());
    const role = dir.roles.find((r) => r.id === ref || r.name === ref);
    if (user) userIds.add(user.id);
    else if (role) for (const id of dir.roleMembers.get(role.id) ?? []) userIds.add(id);
    else raw.push(ref);
  }
  const users = dir.users.filter((u) => userIds.has(u.id));
  const own = (u: { id: string }) => book.get(u.id)?.get(channel);
  if (channel === 'inbox') return { userIds: [...userIds], targets: [] };
  switch (getChannel(channel)?.addressing) {
    case 'email': {
      const targets: Target[] = [];
      for (const u of users) {
        const address = own(u) ?? u.email;
        if (address) targets.push({ address, userId: u.id });
      }
      for (const r of raw)
        if (r.includes('@') && !targets.some((t) => t.address === r)) targets.push({ address: r });
      return { userIds: [...userIds], targets };
    }
    case 'push-subscription':
      return { userIds: [...userIds], targets: users.flatMap((u) => subs.get(u.id) ?? []) };
    case 'chat':
    case 'none': {
      const targets: Target[] = [];
      for (const u of users) {
        const address = own(u);
        if (address) targets.push({ address, userId: u.id });
      }
      if (getChannel(channel)?.addressing === 'chat') for (const address of raw) targets.push({ address });
      if (targets.length > 0) return { userIds: [...userIds], targets };
      break;
    }
  }
  return { userIds: [...userIds], targets: [{}] };
}

const DELIVERY_TYPES = new Set(['SILENT', 'NORMAL', 'CRITICAL']);

/**
 * What a rule firing sends. A `message.created` event sends the message itself (its title,
 * body and loudness), so a rule on messages reads like the message on every channel; any
 * other event is described field by field under the rule's name.
 */
export function contentOf(ruleName: string, event: RuleEvent, now: number): DeliveryContent {
  const f = event.fields;
  const firing = {
    rule: ruleName,
    event: event.name,
    user: readEventAttribute(event, '$user') ?? null,
    target: f.target ?? null,
    ip: readEventAttribute(event, '$ip') ?? null,
    timestamp: new Date(now).toISOString(),
    details: f,
  };
  if (event.name === MESSAGE_CREATED && typeof f.title === 'string') {
    const text = [f.subtitle, f.body].filter((x) => typeof x === 'string' && x !== '').join('\n\n');
    const type = String(f.deliveryType);
    return {
      title: f.title,
      text: text || f.title,
      deliveryType: (DELIVERY_TYPES.has(type) ? type : 'NORMAL') as DeliveryContent['deliveryType'],
      data: { event: event.name, eventId: event.id, messageId: f.messageId, bucketId: f.bucketId },
      firing,
    };
  }
  return {
    title: `${ruleName}: ${event.name}`,
    text: describeEvent(event),
    deliveryType: 'NORMAL',
    data: { event: event.name, eventId: event.id, fields: f },
    firing,
  };
}

export interface AppliedPlans {
  messages: CommittedMessage[];
  deliveries: number;
}

/** Writes what the matched rules planned, inside the event's processing transaction. */
export async function applyPlans(
  ctx: AppContext,
  tx: Tx,
  event: RuleEvent,
  plans: readonly RulePlan[],
): Promise<AppliedPlans> {
  const out: AppliedPlans = { messages: [], deliveries: 0 };
  if (plans.length === 0) return out;
  const now = ctx.clock.now();
  const refs = plans.flatMap((p) => [...p.recipients, ...(p.fallback?.recipients ?? [])]);
  const dir = await lookupRecipients(tx, [...new Set(refs)]);
  const book: UserAddressBook = new Map();
  for (const a of await addressesOfUsers(
    tx,
    dir.users.map((u) => u.id),
  )) {
    const own = book.get(a.user_id) ?? new Map<string, string>();
    own.set(a.channel, a.address);
    book.set(a.user_id, own);
  }
  const subs = new Map<string, Target[]>();
  const pushes = (channel: string | undefined) =>
    channel !== undefined && getChannel(channel)?.addressing === 'push-subscription';
  if (plans.some((p) => pushes(p.channel) || pushes(p.fallback?.channel))) {
    for (const s of await pushSubscriptionsOf(
      tx,
      dir.users.map((u) => u.id),
    )) {
      const list = subs.get(s.user_id) ?? [];
      list.push({
        subscription: { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
        userId: s.user_id,
      });
      subs.set(s.user_id, list);
    }
  }
  // A message's inbox items, for fallbacks that wait to see whether they are read.
  const inboxItems = new Map<string, string>();
  const messageId = event.name === MESSAGE_CREATED ? event.fields.messageId : undefined;
  if (typeof messageId === 'string' && plans.some((p) => p.fallback?.afterSeconds !== undefined)) {
    for (const n of await inboxItemsOfMessage(
      tx,
      messageId,
      dir.users.map((u) => u.id),
    ))
      inboxItems.set(n.user_id, n.id);
  }
  const resolve = (channel: string, refs: readonly string[]) =>
    targetsFor(channel, refs, dir, subs, book).targets;
  for (const plan of plans) {
    const { userIds, targets } = targetsFor(plan.channel, plan.recipients, dir, subs, book);
    if (plan.channel === 'inbox') {
      const title = `${plan.ruleName}: ${event.name}`;
      const body = describeEvent(event);
      if (userIds.length === 0) continue;
      const t = SYSTEM_TEMPLATES.ruleTriggered;
      const draft = {
        ...emptyDraft(title.slice(0, 200)),
        body,
        templateId: t.id,
        payload: { ruleId: plan.ruleId, eventId: event.id },
      };
      out.messages.push(
        await writeMessage(ctx, tx, draftToRow(newId(now), draft, now), { userIds }, { event: false }),
      );
      continue;
    }
    const fallbacks = plan.fallback
      ? fallbacksFor(plan, targets, dir, resolve, plan.mode === 'digest' ? new Map() : inboxItems, now)
      : undefined;
    if (plan.mode === 'digest' && plan.windowKey) {
      out.deliveries += await addToDigest(tx, plan, event, targets, now, fallbacks);
      continue;
    }
    const content = contentOf(plan.ruleName, event, now);
    await enqueueDeliveries(
      tx,
      [
        {
          channel: plan.channel,
          recipients: targets.map((t, i) => (fallbacks?.[i] ? { ...t, fallback: fallbacks[i] } : t)),
          content,
          ruleId: plan.ruleId,
          ruleName: plan.ruleName,
        },
      ],
      now,
    );
    out.deliveries += targets.length;
  }
  return out;
}

/**
 * The fallback of each of an action's deliveries (docs/delivery.md, "Fallback"), in target
 * order. A delivery to a user falls back to that user on the fallback channel (their address
 * there, else the channel's own target); one for no one in particular (a channel's own target,
 * a raw address) to the fallback's recipients, else the action's users and roles. With
 * `afterSeconds`, a fallback to a user with an inbox item for the message is written now, due
 * then, and dropped if the item was read by then; each inbox item gets one such fallback per
 * firing, so a user reached on several devices is nudged once. The rest are written only if
 * the delivery fails for good.
 */
export function fallbacksFor(
  plan: RulePlan,
  targets: readonly Target[],
  dir: RecipientDirectory,
  resolve: (channel: string, refs: readonly string[]) => Target[],
  inboxItems: ReadonlyMap<string, string>,
  now: number,
): Array<FallbackPlan | undefined> {
  const fb = plan.fallback!;
  const named = (ref: string) =>
    dir.users.some((u) => u.id === ref || u.username === ref || u.email === ref.toLowerCase()) ||
    dir.roles.some((r) => r.id === ref || r.name === ref);
  const forNoOne = fb.recipients ?? plan.recipients.filter(named);
  const waiting = new Set<string>();
  const at = fb.afterSeconds === undefined ? undefined : now + fb.afterSeconds * 1000;
  return targets.map((original) => {
    const onFailure: Target[] = [];
    const unlessRead: Array<Target & { notificationId: string }> = [];
    for (const t of resolve(fb.channel, original.userId ? [original.userId] : forNoOne)) {
      const item = at !== undefined && t.userId ? inboxItems.get(t.userId) : undefined;
      if (item === undefined) onFailure.push(t);
      else if (!waiting.has(item)) {
        waiting.add(item);
        unlessRead.push({ ...t, notificationId: item });
      }
    }
    if (onFailure.length === 0 && unlessRead.length === 0) return undefined;
    return {
      channel: fb.channel,
      targets: onFailure,
      ...(unlessRead.length > 0 ? { unlessRead: { at: at!, targets: unlessRead } } : {}),
    };
  });
}

/**
 * Digest: one pending delivery per rule action, window and recipient, due at the window's
 * end; each event in the window is added to its content until it is sent.
 */
async function addToDigest(
  tx: Tx,
  plan: RulePlan,
  event: RuleEvent,
  targets: Target[],
  now: number,
  fallbacks?: ReadonlyArray<FallbackPlan | undefined>,
): Promise<number> {
  let created = 0;
  for (const [i, { userId, ...recipient }] of targets.entries()) {
    const recipientJson = JSON.stringify(recipient);
    const open = await findOpenDigest(tx, plan.ruleId, plan.windowKey!, plan.channel, recipientJson);
    const entry = {
      id: event.id,
      name: event.name,
      occurredAt: event.occurredAt.toISOString(),
      fields: event.fields,
    };
    if (open) {
      const content = JSON.parse(open.content) as DeliveryContent & {
        data: { count: number; events: (typeof entry)[] };
      };
      const events = [...content.data.events, entry].slice(0, DIGEST_KEEP);
      const count = content.data.count + 1;
      const rendered = renderDigestOf(plan.ruleName, events, count);
      await updateDeliveryContent(
        tx,
        open.id,
        JSON.stringify({ ...content, ...rendered, data: { ...content.data, count, events } }),
        now,
      );
      continue;
    }
    const rendered = renderDigestOf(plan.ruleName, [entry], 1);
    await enqueueDeliveries(
      tx,
      [
        {
          channel: plan.channel,
          recipients: [
            { ...recipient, userId: userId ?? null, ...(fallbacks?.[i] ? { fallback: fallbacks[i] } : {}) },
          ],
          content: {
            ...rendered,
            deliveryType: 'NORMAL',
            data: { digest: plan.windowKey, count: 1, events: [entry] },
          },
          ruleId: plan.ruleId,
          ruleName: plan.ruleName,
          windowKey: plan.windowKey,
          notBefore: plan.windowEnd!.getTime(),
        },
      ],
      now,
    );
    created++;
  }
  return created;
}

function renderDigestOf(
  ruleName: string,
  events: Array<{ id: string; name: string; occurredAt: string; fields: Record<string, unknown> }>,
  count: number,
) {
  const d = renderDigest(
    ruleName,
    events.map((e) => ({ id: e.id, name: e.name, occurredAt: new Date(e.occurredAt), fields: e.fields })),
  );
  const more = count > events.length ? `\n…and ${count - events.length} more` : '';
  const title = count > events.length ? d.title.replace(/\d+/, String(count)) : d.title;
  return { title, text: d.body + more };
}
