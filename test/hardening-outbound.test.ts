import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/** Every form of a private address a review got through, plus their neighbours. */
const HOSTS = [
  '[::127.0.0.1]',
  '[::7f00:1]',
  '[64:ff9b::a9fe:a9fe]',
  '[64:ff9b::127.0.0.1]',
  '[64:ff9b:1::7f00:1]',
  '[2002:7f00:1::]',
  '[::ffff:0:7f00:1]',
  '[::ffff:127.0.0.1]',
  '[fec0::1]',
  '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
  '198.18.0.1',
  '198.19.255.254',
  '169.254.169.254',
  '2130706433',
  '0x7f.1',
  'localhost',
];

describe.each(STORES)('hardening: the outbound guard refuses every private form on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let hook: HttpReceiver;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    hook = await createHttpReceiver();
    smtp = await createSmtpReceiver();
    h = await startHerald(store, { env: { HERALD_ALLOW_PRIVATE_NETWORKS: 'false' } });
    admin = await h.adminToken();
  });
  afterAll(async () => {
    await h?.close();
    await hook?.close();
    await smtp?.close();
  });

  it.each(HOSTS)('webhook to http://%s is refused and nothing is sent', async (host) => {
    const port = new URL(hook.url).port;
    const res = await h.api('POST', '/api/v1/notifications/channels/webhook/test', {
      token: admin,
      body: { config: { url: `http://${host}:${port}/hook` } },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toMatch(/refused to connect/);
    expect(hook.received).toHaveLength(0);
  });

  it.each(HOSTS.filter((host) => !/^\d|^0x/.test(host) || host.includes('.')))(
    'smtp to %s is refused and nothing is sent',
    async (host) => {
      const res = await h.api('POST', '/api/v1/notifications/channels/smtp/test', {
        token: admin,
        body: {
          config: { host: host.replace(/^\[|\]$/g, ''), port: smtp.port, from: 'a@example.com', tls: false },
          to: 'b@example.com',
        },
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.message).toMatch(/refused to connect/);
      expect(smtp.received).toHaveLength(0);
    },
  );
});
