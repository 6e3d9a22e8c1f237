import type { Channel, Recipient } from '../channels/channel.ts';
import { getChannel } from '../channels/channel-registry.ts';
import { isEmailAddress } from '../channels/smtp/smtp.channel.ts';
import type { AppContext } from '../context.ts';
import { AppError, invalid, notFound } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import type { DeliveryContent } from '../queue/enqueue.ts';
import { listPushSubscriptions } from '../store/push-subscription.repository.ts';
import { loadChannelSetting, resolveConfig } from './channel-settings.service.ts';
import { sendNowAndLog } from './immediate-send.service.ts';

/** How test entries are named in the delivery log. */
export const TEST_ENTRY_NAME = 'Test notification';

export interface ChannelTestRequest {
  /** Overrides merged over the saved settings (masked secrets mean "the saved one"). */
  config?: Record<string, unknown>;
  /** smtp: the address to mail (default: the caller's); telegram: a chat id. */
  to?: string;
}

/** The caller is the test's audience: their email address, their browsers, or the configured target. */
async function recipientsFor(
  ctx: AppContext,
  principal: Principal,
  channel: Channel,
  to: string | undefined,
): Promise<Recipient[]> {
  switch (channel.addressing) {
    case 'email': {
      const address = to ?? principal.email;
      if (!address) throw invalid('to', 'is required: your account has no email address');
      if (!isEmailAddress(address)) throw invalid('to', 'must be an email address');
      return [{ address }];
    }
    case 'push-subscription': {
      const subs = await listPushSubscriptions(ctx.store.db, principal.userId);
      if (subs.length === 0) {
        throw invalid(
          'to',
          'you have no push subscription; register one with POST /api/v1/push-subscriptions',
        );
      }
      return subs.map((s) => ({
        subscription: { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
      }));
    }
    case 'chat':
      return [to ? { address: to } : {}];
    case 'none':
      return [{}];
  }
}

/**
 * Sends one test notification through a channel right now and reports the receiver's answer:
 * a failure becomes a 400 whose message quotes what the receiver said. Each attempt is kept
 * in the delivery log as a test entry (`data.test`), sent or failed, so it can be looked at
 * and retried from there.
 */
export async function testChannel(
  ctx: AppContext,
  principal: Principal,
  type: string,
  request: ChannelTestRequest,
): Promise<void> {
  const channel = getChannel(type);
  if (!channel) throw notFound(`Channel type "${type}"`);
  const saved = await loadChannelSetting(ctx, type);
  if (saved && saved.config === null && !request.config) {
    throw invalid(
      'config',
      'the saved secrets cannot be decrypted (HERALD_SECRET changed?); save the channel again',
    );
  }
  const merged = { ...(saved?.config ?? {}), ...(request.config ?? {}) };
  if (Object.keys(merged).length === 0 && !channel.withDefaults) {
    throw invalid('config', `the ${type} channel is not configured; save it first or send a config to test`);
  }
  const config = resolveConfig(ctx, type, merged, saved?.config);
  const recipients = await recipientsFor(ctx, principal, channel, request.to);
  const who = principal.username ?? principal.email ?? 'an administrator';
  const message: DeliveryContent = {
    title: 'Herald test notification',
    text: `This is a test of the ${channel.label} channel, sent by ${who}. If you can read it, the channel works.`,
    deliveryType: 'NORMAL',
    data: { test: true },
  };
  for (const recipient of recipients) {
    const outcome = await sendNowAndLog(ctx, {
      channel: type,
      config,
      content: message,
      recipient: { ...recipient, userId: principal.userId },
      ruleName: TEST_ENTRY_NAME,
    });
    if (!outcome.ok) {
      const reason = outcome.error;
      throw new AppError('badRequest', reason, [], `The test notification was not delivered: ${reason}`);
    }
  }
}
