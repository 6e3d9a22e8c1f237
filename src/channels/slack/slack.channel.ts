import { type Static, Type } from 'typebox';
import { receiverLabel, sendJson } from '../../net/http-send.ts';
import type { Channel, OutboundMessage } from '../channel.ts';
import { configChecker, HttpUrl } from '../config-schema.ts';
import { httpUrlOrUndefined, truncate } from '../text-format.ts';

/**
 * Slack incoming webhooks. The webhook URL fixes the Slack channel, so the recipient is ignored; the URL
 * itself is the credential, hence secret.
 */
export const SlackConfigSchema = Type.Object(
  { webhookUrl: HttpUrl({ description: 'Incoming webhook URL; it is the credential, so it is secret' }) },
  { additionalProperties: false, $id: 'SlackChannelConfig' },
);

export type SlackConfig = Static<typeof SlackConfigSchema>;

/** Slack refuses a section block whose text exceeds 3000 characters. */
const MAX_SECTION_CHARS = 3000;
/** Top-level `text` is the notification preview and fallback; Slack truncates it past 40,000 anyway. */
const MAX_FALLBACK_CHARS = 4000;

/** Slack's mrkdwn only needs these three escaped; everything else is literal. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(message: OutboundMessage): { text: string; blocks: object[] } {
  const title = escapeMrkdwn(message.title);
  const body = escapeMrkdwn(message.text);
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${title}*\n${body}`, MAX_SECTION_CHARS) } },
  ];
  const url = httpUrlOrUndefined(message.url);
  if (url) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${escapeMrkdwn(url)}|Open>` }] });
  }
  return { text: truncate(`${title}\n${body}`, MAX_FALLBACK_CHARS), blocks };
}

export const slackChannel: Channel<SlackConfig> = {
  type: 'slack',
  label: 'Slack',
  configSchema: SlackConfigSchema,
  secretFields: ['webhookUrl'],
  addressing: 'none',
  validateConfig: configChecker(SlackConfigSchema),

  async send(config, message, recipient, ctx) {
    // A user's own webhook (their profile's address) stands in for the configured one.
    const url = recipient.address?.trim() || config.webhookUrl;
    const answer = await sendJson(ctx, {
      url,
      label: receiverLabel('Slack', url),
      payload: slackPayload(message),
    });
    return { info: answer.body.trim() || `HTTP ${answer.status}` };
  },
};
