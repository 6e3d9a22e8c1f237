import { type AddressInfo, createServer, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpReceiver, type SmtpReceiver } from '../../../test/receivers/smtp-receiver.ts';
import { ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { type SmtpConfig, smtpChannel } from './smtp.channel.ts';

const ctx: SendContext = { timeoutMs: 5_000, allowPrivateNetworks: true, now: () => new Date() };

const message: OutboundMessage = {
  deliveryId: 'dlv_01HX',
  title: 'Sauvegarde échouée ✓',
  text: 'La sauvegarde de « nas » a échoué à 03:00.',
  html: '<p>La sauvegarde de <b>« nas »</b> a échoué.</p>',
  url: 'https://herald.example/m/1',
  deliveryType: 'CRITICAL',
};

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('smtp channel', () => {
  let smtp: SmtpReceiver;
  let config: SmtpConfig;

  beforeEach(async () => {
    smtp = await createSmtpReceiver();
    config = { host: smtp.host, port: smtp.port, from: 'Herald <alerts@example.com>', tls: false };
  });
  afterEach(() => smtp.close());

  it('delivers both parts with a correctly encoded non-ASCII subject', async () => {
    const result = await smtpChannel.send(
      { ...config, username: 'alerts', password: 's3cret pass' },
      message,
      { address: 'admin@example.com' },
      ctx,
    );

    expect(result.info).toMatch(/^250/);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.from).toBe('alerts@example.com');
    expect(mail.to).toEqual(['admin@example.com']);
    expect(mail.auth).toEqual({ username: 'alerts', password: 's3cret pass' });
    // The raw header must be 7-bit (RFC 2047 encoded words), and decode back to the original.
    const rawSubject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(mail.raw.toString('latin1'))?.[1] ?? '';
    expect(rawSubject).toMatch(/^[\x20-\x7e\r\n\t]+$/);
    expect(rawSubject).toContain('=?UTF-8?');
    expect(mail.subject).toBe('Sauvegarde échouée ✓');
    expect(mail.message.contentType).toBe('multipart/alternative');
    expect(mail.text).toBe('La sauvegarde de « nas » a échoué à 03:00.\n\nhttps://herald.example/m/1');
    expect(mail.html).toBe('<p>La sauvegarde de <b>« nas »</b> a échoué.</p>');
    expect(mail.headers['x-herald-delivery']).toBe('dlv_01HX');
    expect(mail.headers['message-id']).toBe('<dlv_01HX@example.com>');
    expect(mail.headers['x-priority']).toMatch(/^1/);
  });

  it('builds an HTML part from the text when none was rendered', async () => {
    const { html: _html, ...plain } = message;
    await smtpChannel.send(
      config,
      { ...plain, text: 'a < b\nsecond line' },
      { address: 'ops@example.com' },
      ctx,
    );

    const mail = smtp.received[0];
    expect(mail.text).toBe('a < b\nsecond line\n\nhttps://herald.example/m/1');
    expect(mail.html).toContain('a &#60; b<br>');
    expect(mail.html).toContain('<a href="https://herald.example/m/1">');
  });

  it('treats a permanent SMTP rejection as final and a temporary one as retryable', async () => {
    smtp.respondWith(550, 'No such user here');
    const permanent = await sendError(
      smtpChannel.send(config, message, { address: 'nobody@example.com' }, ctx),
    );
    expect(permanent.retryable).toBe(false);
    expect(permanent.status).toBe(550);
    expect(permanent.message).toContain('No such user here');

    smtp.respondWith(451, 'Try again later');
    const temporary = await sendError(
      smtpChannel.send(config, message, { address: 'busy@example.com' }, ctx),
    );
    expect(temporary.retryable).toBe(true);
    expect(temporary.status).toBe(451);
  });

  it('refuses an invalid or missing recipient without connecting', async () => {
    for (const address of [
      'not-an-address',
      'a@b.example, c@d.example',
      'x@y.example\r\nBcc: z@z.example',
      undefined,
    ]) {
      const err = await sendError(smtpChannel.send(config, message, { address }, ctx));
      expect(err.retryable).toBe(false);
    }
    expect(smtp.received).toHaveLength(0);
  });

  it('reports a server that is down as retryable', async () => {
    await smtp.close();
    const err = await sendError(smtpChannel.send(config, message, { address: 'admin@example.com' }, ctx));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED|connect/i);
    smtp = await createSmtpReceiver();
  });

  it('gives up on a server that never greets within the send timeout, as retryable', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const err = await sendError(
        smtpChannel.send(
          { ...config, port },
          message,
          { address: 'admin@example.com' },
          { ...ctx, timeoutMs: 300 },
        ),
      );
      expect(err.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a loopback server unless private networks are allowed', async () => {
    const err = await sendError(
      smtpChannel.send(
        config,
        message,
        { address: 'admin@example.com' },
        { ...ctx, allowPrivateNetworks: false },
      ),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('loopback');
    expect(smtp.received).toHaveLength(0);
  });
});

describe('smtp validateConfig', () => {
  it('accepts the spec example and normalises numbers', () => {
    const result = smtpChannel.validateConfig({
      host: 'smtp.example.com',
      port: '587',
      username: 'alerts@example.com',
      password: 'smtp-password',
      from: 'alerts@example.com',
      tls: true,
    });
    expect(result).toEqual({
      ok: true,
      config: {
        host: 'smtp.example.com',
        port: 587,
        username: 'alerts@example.com',
        password: 'smtp-password',
        from: 'alerts@example.com',
        tls: true,
      },
    });
  });

  it('names every bad field', () => {
    const result = smtpChannel.validateConfig({
      host: 'smtp://x',
      port: 70000,
      from: 'nope',
      tls: 'yes',
      user: 'a',
    });
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['from', 'host', 'port', 'tls', 'user']);
  });

  it('requires host, port and from, and a password with a username', () => {
    const result = smtpChannel.validateConfig({ username: 'alerts' });
    expect(result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.detail}`)).toEqual([
      'host: is required',
      'port: is required',
      'from: is required',
      'password: is required when username is set',
    ]);
  });
});

describe('smtp channel: resolve once, connect to the checked address', () => {
  let smtp: SmtpReceiver;
  beforeEach(async () => {
    smtp = await createSmtpReceiver();
  });
  afterEach(() => smtp.close());

  it('looks the host up once and sends to the address it answered', async () => {
    const lookups: string[] = [];
    const lookup = async (host: string) => {
      lookups.push(host);
      return [{ address: smtp.host }];
    };
    const result = await smtpChannel.send(
      { host: 'mail.example.test', port: smtp.port, from: 'alerts@example.com', tls: false },
      message,
      { address: 'admin@example.com' },
      { ...ctx, lookup },
    );
    expect(result.info).toMatch(/^250/);
    expect(lookups).toEqual(['mail.example.test']);
    expect(smtp.received).toHaveLength(1);
  });

  it('refuses when the one answer is private, without connecting', async () => {
    const lookup = async () => [{ address: smtp.host }];
    const err = await sendError(
      smtpChannel.send(
        { host: 'mail.example.test', port: smtp.port, from: 'alerts@example.com', tls: false },
        message,
        { address: 'admin@example.com' },
        { ...ctx, allowPrivateNetworks: false, lookup },
      ),
    );
    expect(err.message).toContain('loopback');
    expect(err.retryable).toBe(false);
    expect(smtp.received).toHaveLength(0);
  });

  it('keeps the configured host as the TLS server name when connecting to its address', async () => {
    const names: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      logger: false,
      disableReverseLookup: true,
      closeTimeout: 1_000,
      SNICallback: (name: string, cb: (err: Error | null) => void) => {
        names.push(name);
        cb(new Error('no certificate in this test'));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      await sendError(
        smtpChannel.send(
          { host: 'mail.example.test', port, from: 'alerts@example.com', tls: true },
          message,
          { address: 'admin@example.com' },
          { ...ctx, lookup: async () => [{ address: '127.0.0.1' }] },
        ),
      );
      expect(names).toEqual(['mail.example.test']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
