import type { Channel } from './channel.ts';
import { discordChannel } from './discord/discord.channel.ts';
import { slackChannel } from './slack/slack.channel.ts';
import { smtpChannel } from './smtp/smtp.channel.ts';
import { telegramChannel } from './telegram/telegram.channel.ts';
import { webhookChannel } from './webhook/webhook.channel.ts';
import { webpushChannel } from './webpush/webpush.channel.ts';

/**
 * Every outside channel by type. The queue looks adapters up here by the type stored on a delivery; the
 * HTTP layer uses it to validate `PUT /notifications/channels/:type` and to know which fields to mask.
 */
export const channels: Readonly<Record<string, Channel>> = Object.freeze({
  smtp: smtpChannel,
  webhook: webhookChannel,
  slack: slackChannel,
  telegram: telegramChannel,
  discord: discordChannel,
  webpush: webpushChannel,
});

/** The channel for `type`, or undefined for an unknown type (including inherited names like `toString`). */
export function getChannel(type: string): Channel | undefined {
  return Object.hasOwn(channels, type) ? channels[type] : undefined;
}
