import { type Static, Type } from 'typebox';
import { jsonField, receiverLabel, sendJson } from '../../net/http-send.ts';
import type { Channel, OutboundMessage } from '../channel.ts';
import { configChecker, HttpUrl } from '../config-schema.ts';
import { httpUrlOrUndefined, truncate } from '../text-format.ts';

/**
 * Discord webhooks (execute webhook). The webhook URL fixes the channel and carries its token, so the
 * recipient is ignored and the URL is secret. Answers 204 on success (no `?wait=true`).
 */
export const DiscordConfigSchema = Type.Object(
  { webhookUrl: HttpUrl({ description: 'Webhook URL; it carries the token, so it is secret' }) },
  { additionalProperties: false, $id: 'DiscordChannelConfig' },
);

export type DiscordConfig = Static<typeof DiscordConfigSchema>;

/** Discord's documented field limits; a longer field fails the whole message with 400. */
const MAX_CONTENT_CHARS = 2000;
const MAX_EMBED_TITLE_CHARS = 256;
const MAX_EMBED_DESCRIPTION_CHARS = 4096;
/** Message flag that posts without a push or desktop notification. */
const SUPPRESS_NOTIFICATIONS = 1 << 12;

export function discordPayload(message: OutboundMessage): Record<string, unknown> {
  const url = httpUrlOrUndefined(message.url);
  return {
    // The content line is what phones show in the push preview; embeds are not shown there.
    content: truncate(message.title, MAX_CONTENT_CHARS),
    embeds: [
      {
        title: truncate(message.title, MAX_EMBED_TITLE_CHARS),
        description: truncate(message.text, MAX_EMBED_DESCRIPTION_CHARS),
        ...(url ? { url } : {}),
      },
    ],
    // Message text comes from senders Herald does not control; it must not be able to ping @everyone.
    allowed_mentions: { parse: [] },
    ...(message.deliveryType === 'SILENT' ? { flags: SUPPRESS_NOTIFICATIONS } : {}),
  };
}

export const discordChannel: Channel<DiscordConfig> = {
  type: 'discord',
  label: 'Discord',
  configSchema: DiscordConfigSchema,
  secretFields: ['webhookUrl'],
  addressing: 'none',
  validateConfig: configChecker(DiscordConfigSchema),

  async send(config, message, recipient, ctx) {
    // A user's own webhook (their profile's address) stands in for the configured one.
    const url = recipient.address?.trim() || config.webhookUrl;
    const answer = await sendJson(ctx, {
      url,
      label: receiverLabel('Discord', url),
      payload: discordPayload(message),
      detail: jsonField('message'),
    });
    return { info: `HTTP ${answer.status}` };
  },
};
