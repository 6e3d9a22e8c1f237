import { describe, expect, it } from 'vitest';
import { isRetryableHttpStatus } from './channel.ts';
import { channels, channelTypes, getChannel } from './channel-registry.ts';

describe('channel registry', () => {
  it('lists every channel under its own type', () => {
    expect(Object.keys(channels).sort()).toEqual([
      'discord',
      'slack',
      'smtp',
      'telegram',
      'webhook',
      'webpush',
    ]);
    for (const [type, channel] of Object.entries(channels)) {
      expect(channel.type).toBe(type);
      expect(getChannel(type)).toBe(channel);
    }
  });

  it('knows no inherited or unknown names', () => {
    expect(getChannel('toString')).toBeUndefined();
    expect(getChannel('__proto__')).toBeUndefined();
    expect(getChannel('pagerduty')).toBeUndefined();
  });

  it('refuses non-object configs on every channel with a field error', () => {
    for (const channel of Object.values(channels)) {
      for (const input of [null, 'x', [], 42]) {
        const result = channel.validateConfig(input);
        expect(result.ok).toBe(false);
        expect(result.ok ? [] : result.errors.map((e) => e.field)).toContain('config');
      }
    }
  });

  it('marks the credential of every channel as secret', () => {
    expect(
      Object.fromEntries(Object.entries(channels).map(([type, c]) => [type, [...c.secretFields]])),
    ).toEqual({
      smtp: ['password'],
      webhook: ['secret', 'headers', 'url'],
      slack: ['webhookUrl'],
      telegram: ['botToken'],
      discord: ['webhookUrl'],
      webpush: ['vapidPrivateKey'],
    });
  });
});

describe('isRetryableHttpStatus', () => {
  it('retries timeouts, rate limits and server errors only', () => {
    const retryable = [200, 301, 400, 401, 403, 404, 408, 410, 413, 422, 429, 500, 502, 503, 599].filter(
      isRetryableHttpStatus,
    );
    expect(retryable).toEqual([408, 429, 500, 502, 503, 599]);
  });
});

describe('channel config schemas', () => {
  it('name what each channel requires, and refuse unknown keys naming them', () => {
    for (const channel of Object.values(channels)) {
      const required = (channel.configSchema as { required?: string[] }).required ?? [];
      const result = channel.validateConfig({ nonsense: 1 });
      expect(result.ok, channel.type).toBe(false);
      const fields = result.ok ? [] : result.errors.map((e) => e.field);
      expect(fields, channel.type).toEqual(expect.arrayContaining([...required, 'nonsense']));
    }
  });

  it('say how each channel addresses a recipient and which take part in message routing', () => {
    expect(Object.fromEntries(Object.values(channels).map((c) => [c.type, c.addressing]))).toEqual({
      smtp: 'email',
      telegram: 'chat',
      slack: 'none',
      webhook: 'none',
      discord: 'none',
      webpush: 'push-subscription',
    });
    expect(
      Object.values(channels)
        .filter((c) => c.messageRoute)
        .map((c) => c.type),
    ).toEqual(['smtp', 'webpush']);
  });

  it('lists channels in the order the settings API shows them, each with a label', () => {
    expect(channelTypes).toEqual(['smtp', 'telegram', 'slack', 'webhook', 'discord', 'webpush']);
    for (const channel of Object.values(channels)) expect(channel.label.length).toBeGreaterThan(0);
  });
});
