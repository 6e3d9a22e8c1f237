import type { Channel } from './channel.ts';
import { discordChannel } from './discord/discord.channel.ts';
import { slackChannel } from './slack/slack.channel.ts';
import { smtpChannel } from './smtp/smtp.channel.ts';
import { telegramChannel } from './telegram/telegram.channel.ts';
import { webhookChannel } from './webhook/webhook.channel.ts';
import { webpushChannel } from './webpush/webpush.channel.ts';

/**
 * Every outside channel by type, in the order the settings API lists them (the routing spec's
 * four first, then the rest). The queue looks adapters up here by the type stored on a delivery;
 * services use it to validate `PUT /notifications/channels/:type` and to know which fields to mask.
 */
export const channels: Readonly<Record<string, Channel>> = Object.freeze({
  smtp: smtpChannel,
  telegram: telegramChannel,
  slack: slackChannel,
  webhook: webhookChannel,
  discord: discordChannel,
  webpush: webpushChannel,
});

/** Every channel type, in listing order. */
export const channelTypes: readonly string[] = Object.freeze(Object.keys(channels));

/** The channel for `type`, or undefined for an unknown type (including inherited names like `toString`). */
export function getChannel(type: string): Channel | undefined {
  return Object.hasOwn(channels, type) ? channels[type] : undefined;
}
