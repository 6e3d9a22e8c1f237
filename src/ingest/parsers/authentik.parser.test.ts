import { describe, expect, it } from 'vitest';
import { authentikParser } from './authentik.parser.ts';
import { ParserInputError } from './parser.ts';

const parse = (payload: unknown) => authentikParser(payload, {});

// What the generic "Webhook" notification transport posts (Content-Type text/json).
const failedLoginNotification = {
  body:
    "login_failed: {'username': 'alice', 'password': '********************', 'stage': {'pk': " +
    "'0b5a1e0c-6f0e-4a53-9c1f-2f8f1c6a9d11', 'app': 'authentik_stages_password', 'name': " +
    "'default-authentication-password', 'model_name': 'passwordstage'}, 'http_request': {'args': " +
    "{'query': 'next=%2F'}, 'path': '/api/v3/flows/executor/default-authentication-flow/', 'method': " +
    "'POST', 'request_id': '5c1e4a1b6c3d4e2f9a8b7c6d5e4f3a2b', 'user_agent': 'Mozilla/5.0'}}",
  severity: 'notice',
  user_email: 'admin@example.com',
  user_username: 'akadmin',
  event_user_email: '',
  event_user_username: 'AnonymousUser',
};

describe('authentik parser: notification webhook', () => {
  it('names the action from the summary and escalates a failed login', () => {
    const message = parse(failedLoginNotification);
    expect(message.title).toBe('Authentik: Login failed');
    expect(message.subtitle).toBe('AnonymousUser');
    expect(message.body).toMatch(/^login_failed: \{'username': 'alice'/);
    expect(message.deliveryType).toBe('CRITICAL');
  });

  it('keeps routine model changes at NORMAL', () => {
    const message = parse({
      body:
        "model_updated: {'model': {'pk': 12, 'app': 'authentik_core', 'name': 'Grafana', " +
        "'model_name': 'application'}, 'http_request': {'args': {}, 'path': '/api/v3/core/applications/grafana/', " +
        "'method': 'PATCH', 'request_id': 'a1b2c3', 'user_agent': 'Mozilla/5.0'}}",
      severity: 'notice',
      user_email: 'admin@example.com',
      user_username: 'akadmin',
      event_user_email: 'admin@example.com',
      event_user_username: 'akadmin',
    });
    expect(message.title).toBe('Authentik: Model updated');
    expect(message.subtitle).toBe('akadmin');
    expect(message.deliveryType).toBe('NORMAL');
  });

  it('follows an alert severity set on the notification rule', () => {
    const message = parse({
      body: 'New version 2025.2.1 available!',
      severity: 'alert',
      user_email: 'admin@example.com',
      user_username: 'akadmin',
    });
    expect(message.title).toBe('Authentik: Alert');
    expect(message.body).toBe('New version 2025.2.1 available!');
    expect(message.deliveryType).toBe('CRITICAL');
    expect(message).not.toHaveProperty('subtitle');
  });

  it('clips a long summary to the body limit', () => {
    const message = parse({ ...failedLoginNotification, body: `login_failed: ${'x'.repeat(900)}` });
    expect(Array.from(message.body ?? '')).toHaveLength(500);
  });
});

describe('authentik parser: event object', () => {
  it('maps the documented example', () => {
    expect(parse({ event: 'user.login', username: 'alice' })).toEqual({
      title: 'Authentik: Login (alice)',
      body: 'User: alice',
      deliveryType: 'NORMAL',
    });
  });

  it('escalates suspicious requests and shows where they came from', () => {
    const message = parse({
      event: 'suspicious_request',
      username: 'bob',
      email: 'bob@example.com',
      client_ip: '203.0.113.9',
      message: 'Reputation below threshold',
    });
    expect(message.title).toBe('Authentik: Suspicious request (bob)');
    expect(message.body).toBe('User: bob <bob@example.com>\nIP: 203.0.113.9\nReputation below threshold');
    expect(message.deliveryType).toBe('CRITICAL');
  });

  it('reads the attempted username of a failed login from an Authentik event', () => {
    const message = parse({
      pk: '7b9a1c55-4d1e-4f4e-9a63-31f5e2f0d0aa',
      user: { pk: 0, email: '', username: 'AnonymousUser' },
      action: 'login_failed',
      app: 'authentik.events.signals',
      context: { username: 'carol', stage: { name: 'default-authentication-password' } },
      client_ip: '198.51.100.20',
      created: '2025-03-01T09:15:00.000000Z',
    });
    expect(message.title).toBe('Authentik: Login failed (carol)');
    expect(message.body).toBe('User: carol\nIP: 198.51.100.20\nApplication: authentik.events.signals');
    expect(message.deliveryType).toBe('CRITICAL');
  });

  it('keeps a logout NORMAL', () => {
    expect(parse({ event: 'logout', username: 'alice' }).deliveryType).toBe('NORMAL');
  });
});

describe('authentik parser: rejections', () => {
  it.each([null, 'login', 42, [{ event: 'login' }]])('rejects %j as not an object', (payload) => {
    expect(() => parse(payload)).toThrow(ParserInputError);
    expect(() => parse(payload)).toThrow(/Authentik payload must be a JSON object/);
  });

  it('rejects a notification without a body', () => {
    expect(() => parse({ severity: 'alert', user_username: 'akadmin' })).toThrow(
      expect.objectContaining({ field: 'body', message: expect.stringContaining('"body"') }),
    );
  });

  it('rejects a payload with neither body nor event', () => {
    expect(() => parse({ username: 'alice' })).toThrow(
      expect.objectContaining({ name: 'ParserInputError', field: 'event' }),
    );
  });
});
