import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackReceiver, type SlackReceiver } from '../../../test/receivers/chat-receivers.ts';
import { ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { slackChannel } from './slack.channel.ts';

const ctx: SendContext = { timeoutMs: 5_000, allowPrivateNetworks: true, now: () => new Date() };
const message: OutboundMessage = {
  deliveryId: 'dlv_s1',
  title: 'Disk <80%> full & rising',
  text: 'nas: /data at 93%',
  url: 'https://herald.example/m/7',
};

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('slack channel', () => {
  let slack: SlackReceiver;
  beforeEach(async () => {
    slack = await createSlackReceiver();
  });
  afterEach(() => slack.close());

  it('posts text and blocks to the incoming webhook', async () => {
    const result = await slackChannel.send({ webhookUrl: slack.webhookUrl }, message, {}, ctx);

    expect(result.info).toBe('ok');
    const [req] = slack.received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/services/T000/B000/XXXXSECRET');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.json).toEqual({
      text: 'Disk &lt;80%&gt; full &amp; rising\nnas: /data at 93%',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Disk &lt;80%&gt; full &amp; rising*\nnas: /data at 93%' },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://herald.example/m/7|Open>' }] },
      ],
    });
  });

  it('keeps a long body within the section limit', async () => {
    await slackChannel.send(
      { webhookUrl: slack.webhookUrl },
      { ...message, text: 'x'.repeat(10_000) },
      {},
      ctx,
    );
    const { blocks } = slack.received[0].json as { blocks: { text: { text: string } }[] };
    expect(blocks[0].text.text.length).toBeLessThanOrEqual(3000);
  });

  it('treats Slack refusals as final without leaking the webhook path', async () => {
    slack.failWith(404, 'no_service');
    const err = await sendError(slackChannel.send({ webhookUrl: slack.webhookUrl }, message, {}, ctx));
    expect([err.retryable, err.status]).toEqual([false, 404]);
    expect(err.message).toBe(`Slack at ${new URL(slack.url).host} answered 404: no_service`);
    expect(err.message).not.toContain('SECRET');
  });

  it('retries a rate limit and a Slack that is down', async () => {
    slack.failWith(429, 'rate_limited');
    expect(
      (await sendError(slackChannel.send({ webhookUrl: slack.webhookUrl }, message, {}, ctx))).retryable,
    ).toBe(true);

    await slack.close();
    const down = await sendError(slackChannel.send({ webhookUrl: slack.webhookUrl }, message, {}, ctx));
    expect(down.retryable).toBe(true);
    slack = await createSlackReceiver();
  });

  it('refuses a loopback webhook URL unless private networks are allowed', async () => {
    const err = await sendError(
      slackChannel.send(
        { webhookUrl: slack.webhookUrl },
        message,
        {},
        { ...ctx, allowPrivateNetworks: false },
      ),
    );
    expect(err.message).toContain('loopback');
    expect(slack.received).toHaveLength(0);
  });

  it('validates the webhook URL', () => {
    expect(slackChannel.validateConfig({ webhookUrl: 'https://hooks.slack.com/services/T/B/X' }).ok).toBe(
      true,
    );
    const result = slackChannel.validateConfig({ webhookUrl: 'hooks.slack.com', channel: '#ops' });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['channel', 'webhookUrl']);
    expect(slackChannel.validateConfig({})).toEqual({
      ok: false,
      errors: [{ field: 'webhookUrl', detail: 'is required' }],
    });
  });
});
