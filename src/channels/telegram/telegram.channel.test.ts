import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramReceiver, type TelegramReceiver } from '../../../test/receivers/chat-receivers.ts';
import { ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { type TelegramConfig, telegramChannel, telegramText } from './telegram.channel.ts';

const ctx: SendContext = { timeoutMs: 5_000, allowPrivateNetworks: true, now: () => new Date() };
const message: OutboundMessage = {
  deliveryId: 'dlv_t1',
  title: 'Login failed <admin>',
  text: 'From 203.0.113.9 & 3 more',
  url: 'https://herald.example/m/3',
};

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('telegram channel', () => {
  let telegram: TelegramReceiver;
  let config: TelegramConfig;
  beforeEach(async () => {
    telegram = await createTelegramReceiver();
    config = { botToken: '123456:ABC-DEF_ghi', chatId: '-1001234567890', apiBaseUrl: telegram.apiBaseUrl };
  });
  afterEach(() => telegram.close());

  it('calls sendMessage on the configured chat with escaped HTML', async () => {
    const result = await telegramChannel.send(config, message, {}, ctx);

    expect(result.info).toBe('message_id 1');
    const [req] = telegram.received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/bot123456:ABC-DEF_ghi/sendMessage');
    expect(req.json).toEqual({
      chat_id: '-1001234567890',
      text:
        '<b>Login failed &#60;admin&#62;</b>\nFrom 203.0.113.9 &#38; 3 more\n\n' +
        '<a href="https://herald.example/m/3">https://herald.example/m/3</a>',
      parse_mode: 'HTML',
      disable_notification: false,
      link_preview_options: { is_disabled: true },
    });
  });

  it('sends to the recipient chat when given, silently for SILENT messages', async () => {
    await telegramChannel.send(config, { ...message, deliveryType: 'SILENT' }, { address: '42' }, ctx);
    const body = telegram.received[0].json as { chat_id: string; disable_notification: boolean };
    expect(body.chat_id).toBe('42');
    expect(body.disable_notification).toBe(true);
  });

  it('gives up on "chat not found" and retries 429, quoting Telegram', async () => {
    telegram.failWith(400, 'Bad Request: chat not found');
    const notFound = await sendError(telegramChannel.send(config, message, {}, ctx));
    expect([notFound.retryable, notFound.status]).toEqual([false, 400]);
    expect(notFound.message).toBe(
      `Telegram API at ${new URL(telegram.url).host} answered 400: Bad Request: chat not found`,
    );
    expect(notFound.message).not.toContain('ABC-DEF');

    telegram.failWith(429, 'Too Many Requests: retry after 5', 5);
    const limited = await sendError(telegramChannel.send(config, message, {}, ctx));
    expect([limited.retryable, limited.status]).toEqual([true, 429]);
  });

  it('reads ok:false even when it comes with HTTP 200', async () => {
    telegram.respondWith(200, {
      ok: false,
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    const err = await sendError(telegramChannel.send(config, message, {}, ctx));
    expect([err.retryable, err.status]).toEqual([false, 403]);
    expect(err.message).toContain('bot was blocked');
  });

  it('refuses a malformed chat id, retries when the API is down', async () => {
    expect(
      (await sendError(telegramChannel.send(config, message, { address: 'alice; drop' }, ctx))).retryable,
    ).toBe(false);

    await telegram.close();
    const down = await sendError(telegramChannel.send(config, message, {}, ctx));
    expect(down.retryable).toBe(true);
    expect(down.message).not.toContain('ABC-DEF');
    telegram = await createTelegramReceiver();
  });

  it('refuses a loopback API base unless private networks are allowed', async () => {
    const err = await sendError(
      telegramChannel.send(config, message, {}, { ...ctx, allowPrivateNetworks: false }),
    );
    expect(err.message).toContain('loopback');
  });

  it('keeps a long message within 4096 characters', () => {
    const text = telegramText({ ...message, text: '<&>'.repeat(5_000) });
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toMatch(/…\n\n<a href=/);
    expect(text).not.toMatch(/&#\d*…/);
  });
});

describe('telegram validateConfig', () => {
  it('accepts the spec example, numeric chat ids, and trims the base URL', () => {
    expect(telegramChannel.validateConfig({ botToken: '123456:ABC-DEF', chatId: '-1001234567890' })).toEqual({
      ok: true,
      config: { botToken: '123456:ABC-DEF', chatId: '-1001234567890' },
    });
    const result = telegramChannel.validateConfig({
      botToken: '1:x',
      chatId: -42,
      apiBaseUrl: 'http://tg.local/',
    });
    expect(result).toEqual({
      ok: true,
      config: { botToken: '1:x', chatId: '-42', apiBaseUrl: 'http://tg.local' },
    });
  });

  it('names every bad field', () => {
    const result = telegramChannel.validateConfig({ botToken: 'nope', chatId: 'general', apiBaseUrl: 'tg' });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['botToken', 'chatId', 'apiBaseUrl']);
  });
});
