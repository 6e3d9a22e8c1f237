import { isIP } from 'node:net';
import { type Static, Type } from 'typebox';
import type { FieldError } from '../../domain/errors.ts';
import { pinOutboundHost } from '../../net/outbound-guard.ts';
import { type Channel, ChannelError, type OutboundMessage, type SendContext } from '../channel.ts';
import { configChecker } from '../config-schema.ts';
import { escapeHtml } from '../text-format.ts';

/**
 * Email over SMTP with nodemailer. `tls` picks the transport security:
 * - true: encryption required (implicit TLS on port 465, STARTTLS elsewhere; fails if the server lacks it);
 * - false: plain text, STARTTLS never attempted (loopback relays, test servers);
 * - absent: implicit TLS on 465, otherwise STARTTLS when the server offers it.
 */
const ADDRESS = String.raw`[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+`;
const EMAIL = new RegExp(`^${ADDRESS}$`);
const FROM = `^(?:[^<>\\r\\n]*<${ADDRESS}>|${ADDRESS})$`;
const HOST = String.raw`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]+$`;

export const SmtpConfigSchema = Type.Object(
  {
    host: Type.String({
      pattern: HOST,
      maxLength: 253,
      'x-detail': 'must be a host name or IP address, without scheme or port',
    }),
    port: Type.Integer({ minimum: 1, maximum: 65535, 'x-detail': 'must be a whole number from 1 to 65535' }),
    username: Type.Optional(Type.String({ description: 'Set together with password' })),
    password: Type.Optional(Type.String({ description: 'Secret: read back masked' })),
    from: Type.String({
      pattern: FROM,
      description: '`alerts@example.com` or `Herald <alerts@example.com>`',
      'x-detail': 'must be an address like alerts@example.com or "Herald <alerts@example.com>"',
    }),
    tls: Type.Optional(
      Type.Boolean({
        description:
          'true: encryption required; false: plain text, STARTTLS never tried; absent: implicit TLS on 465, else STARTTLS when offered',
      }),
    ),
  },
  { additionalProperties: false, $id: 'SmtpChannelConfig' },
);

export type SmtpConfig = Static<typeof SmtpConfigSchema>;

/** A login needs both halves. */
function credentialPair(config: Record<string, unknown>): FieldError[] {
  if (config.username !== undefined && config.password === undefined)
    return [{ field: 'password', detail: 'is required when username is set' }];
  if (config.password !== undefined && config.username === undefined)
    return [{ field: 'username', detail: 'is required when password is set' }];
  return [];
}
/** Longest address SMTP can carry (RFC 5321 path limit). */
const MAX_ADDRESS_LENGTH = 254;

/** Codes nodemailer uses for failures before or outside an SMTP reply: all worth another try. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'ECONNREFUSED',
  'ECONNRESET',
]);

export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_ADDRESS_LENGTH && EMAIL.test(value);
}

/** A minimal HTML alternative when the template rendered none, so every mail has both parts. */
function htmlFromText(message: OutboundMessage): string {
  const body = escapeHtml(message.text).replace(/\r?\n/g, '<br>\n');
  const link = message.url
    ? `<p><a href="${escapeHtml(message.url)}">${escapeHtml(message.url)}</a></p>`
    : '';
  return `<!doctype html><html><body><p>${body}</p>${link}</body></html>`;
}

/** SMTP replies decide when present (5xx permanent, 4xx temporary); otherwise only connection trouble retries. */
function classify(err: unknown): ChannelError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const message = `SMTP: ${e.message ?? String(err)}`;
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new ChannelError(message, e.responseCode < 500, e.responseCode);
  }
  if (e.code && TRANSIENT_CODES.has(e.code)) return new ChannelError(message, true);
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new ChannelError(message, false);
  return new ChannelError(message, true);
}

async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new ChannelError(`SMTP server did not finish within ${ms} ms`, true));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const smtpChannel: Channel<SmtpConfig> = {
  type: 'smtp',
  label: 'Email (SMTP)',
  configSchema: SmtpConfigSchema,
  secretFields: ['password'],
  addressing: 'email',
  messageRoute: { methods: ['smtp', 'email'], skipSilent: false },
  validateConfig: configChecker(SmtpConfigSchema, { verbatim: ['password'], crossChecks: credentialPair }),

  async send(config, message, recipient, ctx: SendContext) {
    const to = recipient.address?.trim();
    if (!to) throw new ChannelError('SMTP: no recipient email address', false);
    if (!isEmailAddress(to))
      throw new ChannelError(`SMTP: invalid recipient address "${to.slice(0, 100)}"`, false);
    // Resolved and checked once; the connection goes to that address (a second lookup by the mail
    // library could answer a private one), and TLS still presents and verifies the configured name.
    const address = await pinOutboundHost(config.host, ctx.allowPrivateNetworks, ctx.lookup);
    const servername = isIP(config.host) ? undefined : config.host;

    const implicitTls = config.port === 465 && config.tls !== false;
    // Loaded on the first send: most servers never mail, and the library is large.
    const { default: nodemailer } = await import('nodemailer');
    const transporter = nodemailer.createTransport({
      host: address,
      port: config.port,
      ...(servername ? { servername, tls: { servername } } : {}),
      secure: implicitTls,
      requireTLS: config.tls === true && !implicitTls,
      ignoreTLS: config.tls === false,
      auth: config.username ? { user: config.username, pass: config.password ?? '' } : undefined,
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
      dnsTimeout: ctx.timeoutMs,
    });
    // A stable Message-ID per delivery lets mail systems and people spot a retried duplicate.
    const fromDomain = /@([^>\s]+)>?$/.exec(config.from)?.[1] ?? 'herald.invalid';
    const idPart = message.deliveryId.replace(/[^A-Za-z0-9._-]/g, '_');
    try {
      const info = await withDeadline(
        transporter.sendMail({
          from: config.from,
          to,
          subject: message.title,
          text: message.url ? `${message.text}\n\n${message.url}` : message.text,
          html: message.html ?? htmlFromText(message),
          messageId: `<${idPart}@${fromDomain}>`,
          headers: { 'X-Herald-Delivery': message.deliveryId },
          priority:
            message.deliveryType === 'CRITICAL'
              ? 'high'
              : message.deliveryType === 'SILENT'
                ? 'low'
                : 'normal',
        }),
        ctx.timeoutMs,
        () => transporter.close(),
      );
      return { info: typeof info.response === 'string' ? info.response : undefined };
    } catch (err) {
      throw err instanceof ChannelError ? err : classify(err);
    } finally {
      transporter.close();
    }
  },
};
