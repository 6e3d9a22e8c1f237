import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { authentikParser } from './authentik.parser.ts';

// The messages below are what Zentik's built-in authentik parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) =>
  authentikParser(payload, headers, NOW);

const payloads = {
  loginFailed: {
    body: "login_failed: {'stage': {'pk': 'c6a8e1d2-5b4f-4e0a-9d7c-3f2b1a0e9d8c', 'app': 'authentik_stages_password', 'name': 'default-authentication-password', 'model_name': 'passwordstage'}, 'password': '********', 'username': 'bob', 'http_request': {'args': {'query': 'next=%2F'}, 'path': '/api/v3/flows/executor/default-authentication-flow/', 'method': 'POST', 'request_id': '1a2b3c4d', 'user_agent': 'curl/8.5.0'}}",
    severity: 'warning',
    user_email: 'admin@example.org',
    user_username: 'akadmin',
    event_user_email: 'bob@example.org',
    event_user_username: 'bob',
  },
  login: {
    body: "login: {'auth_method': 'password', 'auth_method_args': {'mfa_devices': []}, 'http_request': {'args': {'next': '/application/o/authorize/?client_id=f3b1c2&redirect_uri=https%3A%2F%2Fgrafana.example.org%2Flogin%2Fgeneric_oauth&response_type=code'}, 'path': '/api/v3/flows/executor/default-authentication-flow/', 'method': 'GET', 'request_id': '9f2c7d0e1b2a4c3d', 'user_agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'}, 'geo': {'lat': 45.4642, 'city': 'Milan', 'long': 9.19, 'country': 'IT', 'continent': 'EU'}, 'asn': {'asn': 3269, 'as_org': 'Telecom Italia', 'network': '79.0.0.0/10'}}",
    severity: 'notice',
    user_email: 'admin@example.org',
    user_username: 'akadmin',
    event_user_email: 'carol@example.org',
    event_user_username: 'carol',
  },
  logout: {
    body: "logout: {'http_request': {'args': {}, 'path': '/flows/-/default/invalidation/', 'method': 'GET', 'user_agent': 'Mozilla/5.0'}}",
    severity: 'notice',
    user_email: 'dave@example.org',
    user_username: 'dave',
  },
  update: {
    body: 'New version 2025.4.1 available!',
    severity: 'notice',
    user_email: 'admin@example.org',
    user_username: 'akadmin',
  },
  unmapped: {
    body: "model_created: {'model': {'pk': 12, 'app': 'authentik_core', 'name': 'Wiki', 'model_name': 'application'}}",
    severity: 'notice',
    user_email: 'admin@example.org',
    user_username: 'akadmin',
  },
  plain: {
    body: 'Test Notification from transport ops-webhook',
    severity: 'notice',
    user_email: 'admin@example.org',
    user_username: 'akadmin',
  },
};

describe("authentik parser: Authentik's Webhook transport, as Zentik reads them", () => {
  it('a failed login is CRITICAL, titled with the action as Authentik writes it', () => {
    expect(parse(payloads.loginFailed)).toEqual({
      title: 'Login_failed: bob',
      subtitle: 'bob@example.org',
      body: 'bob\nUser agent: curl/8.5.0',
      deliveryType: 'CRITICAL',
    });
  });
  it('a login names the app, user agent, method, ASN and location', () => {
    expect(parse(payloads.login)).toEqual({
      title: 'Login: carol',
      subtitle: 'carol@example.org',
      body: 'carol\nApp: https://grafana.example.org\nUser agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\nAuthentication method: password\nASN: 3269 (Telecom Italia)\nLocation: Milan, IT',
      deliveryType: 'NORMAL',
    });
  });
  it('a logout falls back to user_* when event_user_* is absent', () => {
    expect(parse(payloads.logout)).toEqual({
      title: 'Logout: dave',
      subtitle: 'dave@example.org',
      body: 'dave\nUser agent: Mozilla/5.0',
      deliveryType: 'NORMAL',
    });
  });
  it('an update notice keeps the sentence as the body', () => {
    expect(parse(payloads.update)).toEqual({
      title: 'Update Available',
      subtitle: 'admin@example.org',
      body: 'New version 2025.4.1 available!',
      deliveryType: 'NORMAL',
    });
  });
  it('another action is an unmapped event with the summary as body', () => {
    expect(parse(payloads.unmapped)).toEqual({
      title: 'Model_created - Unmapped event',
      body: "model_created: {'model': {'pk': 12, 'app': 'authentik_core', 'name': 'Wiki', 'model_name': 'application'}}",
      deliveryType: 'NORMAL',
    });
  });
  it('a summary without an action prefix is an unknown unmapped event', () => {
    expect(parse(payloads.plain)).toEqual({
      title: 'Unknown - Unmapped event',
      body: 'Test Notification from transport ops-webhook',
      deliveryType: 'NORMAL',
    });
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('authentik parser: payloads Zentik fails on', () => {
  it('refuses a summary that is not text, naming body', () => {
    expect(refusedField({ ...payloads.logout, body: 42 })).toBe('body');
  });
});
