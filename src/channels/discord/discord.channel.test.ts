import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordReceiver, type DiscordReceiver } from '../../../test/receivers/chat-receivers.ts';
import { ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { discordChannel } from './discord.channel.ts';

const ctx: SendContext = { timeoutMs: 5_000, allowPrivateNetworks: true, now: () => new Date() };
const message: OutboundMessage = {
  deliveryId: 'dlv_d1',
  title: 'Deploy finished',
  text: 'api v2.3.1 is live @everyone',
  url: 'https://ci.example/runs/9',
};

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('discord channel', () => {
  let discord: DiscordReceiver;
  beforeEach(async () => {
    discord = await createDiscordReceiver();
  });
  afterEach(() => discord.close());

  it('executes the webhook with content and an embed, mentions disabled', async () => {
    const result = await discordChannel.send({ webhookUrl: discord.webhookUrl }, message, {}, ctx);

    expect(result.info).toBe('HTTP 204');
    const [req] = discord.received;
    expect(req.path).toBe('/api/webhooks/123456/SECRETTOKEN');
    expect(req.json).toEqual({
      content: 'Deploy finished',
      embeds: [
        {
          title: 'Deploy finished',
          description: 'api v2.3.1 is live @everyone',
          url: 'https://ci.example/runs/9',
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it('posts SILENT messages without a notification and drops links Discord would reject', async () => {
    await discordChannel.send(
      { webhookUrl: discord.webhookUrl },
      { ...message, deliveryType: 'SILENT', url: 'javascript:alert(1)', title: 't'.repeat(300) },
      {},
      ctx,
    );
    const body = discord.received[0].json as {
      flags: number;
      content: string;
      embeds: Record<string, string>[];
    };
    expect(body.flags).toBe(4096);
    expect(body.embeds[0].url).toBeUndefined();
    expect(body.embeds[0].title).toHaveLength(256);
    expect(body.content).toHaveLength(300);
  });

  it('retries 429 and a Discord that is down, gives up on 404', async () => {
    discord.failWith(429, 'You are being rate limited.');
    const limited = await sendError(
      discordChannel.send({ webhookUrl: discord.webhookUrl }, message, {}, ctx),
    );
    expect([limited.retryable, limited.status]).toEqual([true, 429]);
    expect(limited.message).toContain('answered 429: You are being rate limited.');

    discord.failWith(404, 'Unknown Webhook');
    const unknown = await sendError(
      discordChannel.send({ webhookUrl: discord.webhookUrl }, message, {}, ctx),
    );
    expect([unknown.retryable, unknown.status]).toEqual([false, 404]);
    expect(unknown.message).toContain('Unknown Webhook');
    expect(unknown.message).not.toContain('SECRETTOKEN');

    await discord.close();
    expect(
      (await sendError(discordChannel.send({ webhookUrl: discord.webhookUrl }, message, {}, ctx))).retryable,
    ).toBe(true);
    discord = await createDiscordReceiver();
  });

  it('refuses a loopback webhook URL unless private networks are allowed', async () => {
    const err = await sendError(
      discordChannel.send(
        { webhookUrl: discord.webhookUrl },
        message,
        {},
        { ...ctx, allowPrivateNetworks: false },
      ),
    );
    expect(err.retryable).toBe(false);
    expect(discord.received).toHaveLength(0);
  });

  it('validates the webhook URL', () => {
    expect(discordChannel.validateConfig({ webhookUrl: 'https://discord.com/api/webhooks/1/abc' }).ok).toBe(
      true,
    );
    const result = discordChannel.validateConfig({ webhookUrl: 12 });
    expect(result).toEqual({ ok: false, errors: [{ field: 'webhookUrl', detail: 'must be a string' }] });
  });
});
