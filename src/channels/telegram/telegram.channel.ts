import { Type } from 'typebox';
import { jsonField, receiverLabel, sendJson } from '../../net/http-send.ts';
import { type Channel, ChannelError, isRetryableHttpStatus, type OutboundMessage } from '../channel.ts';
import { configChecker, HttpUrl } from '../config-schema.ts';
import { escapeHtml, httpUrlOrUndefined, truncate } from '../text-format.ts';

/**
 * Telegram Bot API `sendMessage`. The recipient's address, when given, is the chat id; otherwise the
 * configured `chatId` is used. `apiBaseUrl` exists so tests and self-hosted Bot API servers can be used.
 */
export interface TelegramConfig {
  botToken: string;
  /** Numeric chat id (`-100…` for channels and supergroups) or `@channelusername`. */
  chatId: string;
  apiBaseUrl?: string;
}

export const DEFAULT_TELEGRAM_API = 'https://api.telegram.org';
/** Telegram refuses messages longer than 4096 characters after entity parsing. */
const MAX_MESSAGE_CHARS = 4096;
const BOT_TOKEN = String.raw`^\d+:[A-Za-z0-9_-]+$`;
const CHAT_ID = /^-?\d+$|^@[A-Za-z][A-Za-z0-9_]{3,}$/;

export const TelegramConfigSchema = Type.Object(
  {
    botToken: Type.String({
      pattern: BOT_TOKEN,
      description: 'Secret: read back masked',
      'x-detail': 'must be a bot token like 123456:ABC-DEF…',
    }),
    chatId: Type.Union(
      [
        Type.String({ pattern: CHAT_ID.source, 'x-detail': 'must be a numeric chat id or @channelname' }),
        Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
      ],
      { description: 'Default chat: numeric id (-100… for channels and supergroups) or @channelusername' },
    ),
    apiBaseUrl: Type.Optional(HttpUrl({ description: `Bot API server; default ${DEFAULT_TELEGRAM_API}` })),
  },
  { additionalProperties: false, $id: 'TelegramChannelConfig' },
);

interface TelegramReply {
  ok?: boolean;
  error_code?: number;
  description?: string;
  result?: { message_id?: number };
}

/** HTML parse mode text: bold title, body, then the link; the body is cut so the whole fits. */
export function telegramText(message: OutboundMessage): string {
  const url = httpUrlOrUndefined(message.url);
  const head = `<b>${escapeHtml(message.title)}</b>\n`;
  const tail = url ? `\n\n<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : '';
  // Entities count once after parsing, so budgeting on the escaped length is conservative.
  const budget = Math.max(MAX_MESSAGE_CHARS - head.length - tail.length, 16);
  let max = budget;
  let body = escapeHtml(truncate(message.text, max));
  while (body.length > budget && max > 1) {
    max = Math.max(1, max - Math.ceil((body.length - budget) / 4));
    body = escapeHtml(truncate(message.text, max));
  }
  return `${head}${body}${tail}`;
}

export const telegramChannel: Channel<TelegramConfig> = {
  type: 'telegram',
  label: 'Telegram',
  configSchema: TelegramConfigSchema,
  secretFields: ['botToken'],
  addressing: 'chat',
  validateConfig: configChecker(TelegramConfigSchema, {
    // A chat id typed as a JSON number is kept as the digits Telegram expects.
    finish: ({ apiBaseUrl, chatId, ...rest }): TelegramConfig => ({
      ...rest,
      chatId: String(chatId),
      ...(apiBaseUrl ? { apiBaseUrl: apiBaseUrl.replace(/\/+$/, '') } : {}),
    }),
  }),

  async send(config, message, recipient, ctx) {
    const chatId = recipient.address?.trim() || config.chatId;
    if (!CHAT_ID.test(chatId))
      throw new ChannelError(`Telegram: invalid chat id "${chatId.slice(0, 64)}"`, false);
    const base = config.apiBaseUrl ?? DEFAULT_TELEGRAM_API;
    const answer = await sendJson(ctx, {
      url: `${base}/bot${config.botToken}/sendMessage`,
      label: receiverLabel('Telegram API', base),
      payload: {
        chat_id: chatId,
        text: telegramText(message),
        parse_mode: 'HTML',
        disable_notification: message.deliveryType === 'SILENT',
        link_preview_options: { is_disabled: true },
      },
      detail: jsonField('description'),
    });
    let reply: TelegramReply;
    try {
      reply = JSON.parse(answer.body) as TelegramReply;
    } catch {
      throw new ChannelError(
        `Telegram API answered ${answer.status} with a body that is not JSON`,
        true,
        answer.status,
      );
    }
    if (reply.ok !== true) {
      // Telegram normally mirrors error_code in the HTTP status; this covers proxies that answer 200.
      const code = reply.error_code ?? 500;
      throw new ChannelError(
        `Telegram API error ${code}: ${reply.description ?? 'unknown'}`,
        isRetryableHttpStatus(code),
        code,
      );
    }
    return {
      info: reply.result?.message_id === undefined ? undefined : `message_id ${reply.result.message_id}`,
    };
  },
};
