import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../../domain/errors.ts';
import { fromGatwyConfig, gatwyFieldName, isGatwyConfig, toGatwyConfig } from './gatwy-channel-vocabulary.ts';
import { fromGatwyRule, isGatwyRule, toGatwyRule } from './gatwy-rule-vocabulary.ts';

describe("Gatwy's channel keys", () => {
  it('translate to the core keys, keeping templates aside', () => {
    const input = {
      smtp_host: 'mail.example.com',
      smtp_port: '587',
      smtp_user: 'u',
      smtp_password: 'p',
      smtp_from: 'a@example.com',
      smtp_secure: 'true',
      smtp_default_subject: '{{rule}}',
    };
    expect(isGatwyConfig('smtp', input)).toBe(true);
    expect(isGatwyConfig('smtp', { host: 'x' })).toBe(false);
    expect(fromGatwyConfig('smtp', input)).toEqual({
      config: {
        host: 'mail.example.com',
        port: '587',
        username: 'u',
        password: 'p',
        from: 'a@example.com',
        tls: true,
      },
      extras: { smtp_default_subject: '{{rule}}' },
    });
    // An untouched port field on the card sends nothing and means 587.
    expect(fromGatwyConfig('smtp', { smtp_secure: 'false' }).config).toEqual({ port: 587 });
  });

  it('read back as strings in the keys they were sent in', () => {
    expect(toGatwyConfig('smtp', { host: 'h', port: 25, tls: true }, { smtp_default_body: 'b' })).toEqual({
      smtp_host: 'h',
      smtp_port: '25',
      smtp_secure: 'true',
      smtp_default_body: 'b',
    });
    expect(toGatwyConfig('webhook', { url: 'https://x', method: 'POST', headers: { A: 'b' } }, {})).toEqual({
      webhook_url: 'https://x',
      webhook_method: 'POST',
      webhook_headers: '{"A":"b"}',
    });
  });

  it('refuse headers that are not a JSON object, and a field named both ways', () => {
    const problem = (type: string, config: Record<string, unknown>) => {
      try {
        fromGatwyConfig(type, config);
        return undefined;
      } catch (err) {
        return (err as AppError).validations.map((v) => v.field);
      }
    };
    expect(problem('webhook', { webhook_headers: '[1]' })).toEqual(['config.webhook_headers']);
    expect(problem('webhook', { webhook_headers: '' })).toBeUndefined();
    expect(problem('slack', { slack_webhook_url: 'https://a', webhookUrl: 'https://b' })).toEqual([
      'config.slack_webhook_url',
    ]);
  });

  it('name refused core fields by the key the page sent', () => {
    expect(gatwyFieldName('smtp', 'config.port')).toBe('config.smtp_port');
    expect(gatwyFieldName('webhook', 'config.headers.X-Herald-A')).toBe('config.webhook_headers.X-Herald-A');
    expect(gatwyFieldName('telegram', 'config.apiBaseUrl')).toBe('config.apiBaseUrl');
  });
});

describe("Gatwy's rule editor bodies", () => {
  const body = {
    name: 'r',
    events: ['auth.login_failed'],
    conditionLogic: 'OR',
    conditions: [{ field: 'time', operator: 'between', value: '09:00', value2: '17:00' }],
    cadence: { type: 'always' },
    actions: [{ channel: 'smtp', to: 'a@example.com, b@example.com', to_users: ['u1'], to_roles: ['admin'] }],
  };

  it('become the documented body, remembering what was written', () => {
    expect(isGatwyRule(body)).toBe(true);
    expect(
      isGatwyRule({ ...body, cadence: 'instant', actions: [{ channel: 'smtp', recipients: ['x'] }] }),
    ).toBe(false);
    const { body: out, shape } = fromGatwyRule(body);
    expect(out).toMatchObject({
      cadence: 'instant',
      conditions: [{ field: '$time', operator: 'between', value: ['09:00', '17:00'] }],
      actions: [{ channel: 'smtp', recipients: ['u1', 'admin', 'a@example.com', 'b@example.com'] }],
    });
    expect(toGatwyRule({ id: 'x', ...out }, shape)).toEqual({ id: 'x', ...body });
  });

  it('take the legacy single event', () => {
    expect(fromGatwyRule({ event: 'auth.logout', actions: [] }).body.events).toEqual(['auth.logout']);
  });
});
