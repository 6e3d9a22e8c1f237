/**
 * Who gets a message outside the inbox (docs/delivery.md tells operators the same):
 *
 * - email (smtp, when enabled): every recipient with an inbox item and an email address;
 * - web push (webpush, when enabled): every push subscription of those recipients, except for
 *   SILENT messages, which never push; CRITICAL messages with a template also push to the
 *   addressed recipients who disabled that template (and so have no inbox item);
 * - NO_PUSH messages (Zentik's) stay in the inbox: no email, no push;
 * - a recipient who disabled the message's template gets nothing outside (CRITICAL push aside);
 * - a template's `method` narrows the set: `smtp`/`email` → email only, `webpush`/`push` →
 *   push only, `inbox` → nothing outside; no method → both. CRITICAL overrides a user's
 *   preference, never the template's method (an inbox-only template stays inbox-only).
 *
 * This file only decides; `commitMessage` runs the decision as INSERT … SELECT statements
 * (store/delivery.repository.ts) inside the message's own transaction, so a message to 100k
 * recipients is still a couple of statements and its deliveries commit with it (or not at all).
 */

import { smtpChannel } from '../channels/smtp/smtp.channel.ts';
import { webpushChannel } from '../channels/webpush/webpush.channel.ts';

/** The two outside channels messages fan out to, with the template methods that choose each. */
const EMAIL = smtpChannel.messageRoute!;
const PUSH = webpushChannel.messageRoute!;

/** What routing needs to know about one message. */
export interface RoutingInput {
  deliveryType: string;
  /** The message's template, if any; recipients' preferences for it are honoured. */
  templateId: string | null;
  /** The template's `method` (null: no template, or a template without one). */
  templateMethod: string | null;
  /** Channel types the operator has enabled. */
  enabledChannels: ReadonlySet<string>;
  /** Inbox items the message created. */
  inboxItems: number;
}

/** The outside deliveries to write for one message. */
export interface MessageRoute {
  /** One email per inbox item whose user has an email address. */
  email: boolean;
  /** One push per subscription of each inbox item's user. */
  push: boolean;
  /** Those pushes skip no one for having disabled the template (CRITICAL). */
  pushIgnoresPreference: boolean;
  /** Also push to addressed recipients left without an inbox item by their preference (CRITICAL). */
  pushToOptedOut: boolean;
}

function methodsFor(method: string | null): { email: boolean; push: boolean } {
  const m = method?.toLowerCase();
  if (m === 'inbox') return { email: false, push: false };
  const email = m !== undefined && EMAIL.methods.includes(m);
  const push = m !== undefined && PUSH.methods.includes(m);
  return email || push ? { email, push } : { email: true, push: true };
}

/**
 * The outside deliveries of one message; null when there are none. A template's method only
 * ever narrows the result, so a caller may route once without it and read the template only
 * when that answer is not null.
 */
export function routeMessage(input: RoutingInput): MessageRoute | null {
  if (input.deliveryType === 'NO_PUSH') return null;
  const critical = input.deliveryType === 'CRITICAL';
  const reachOptedOut = critical && input.templateId !== null;
  const reached = input.inboxItems > 0;
  if (!reached && !reachOptedOut) return null;
  const methods = methodsFor(input.templateMethod);
  const silenced = (r: typeof PUSH) => r.skipSilent && input.deliveryType === 'SILENT';
  const canPush = input.enabledChannels.has(webpushChannel.type) && !silenced(PUSH) && methods.push;
  const route: MessageRoute = {
    email: reached && input.enabledChannels.has(smtpChannel.type) && !silenced(EMAIL) && methods.email,
    push: reached && canPush,
    pushIgnoresPreference: canPush && critical,
    pushToOptedOut: canPush && reachOptedOut,
  };
  return route.email || route.push || route.pushToOptedOut ? route : null;
}
