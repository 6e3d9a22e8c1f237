import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { leafParts, type MimePart, parseMime } from './mime.ts';

/**
 * A loopback SMTP server (the `smtp-server` package) that keeps every accepted message: the raw DATA as
 * sent, plus the decoded subject and text/HTML parts from a minimal MIME reader. Plain text only: STARTTLS
 * is not offered, and AUTH is accepted over plain text so credentials can be checked.
 */

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** Credentials the client authenticated with, if it did. */
  auth?: { username: string; password: string };
  /** The message exactly as transmitted in DATA. */
  raw: Buffer;
  message: MimePart;
  headers: Record<string, string>;
  /** Subject with encoded words decoded. */
  subject: string;
  text?: string;
  html?: string;
}

export interface SmtpReceiver {
  host: string;
  port: number;
  received: ReceivedMail[];
  /**
   * Rejects every following RCPT TO with this reply (550 = permanent, 451 = temporary); `null` restores
   * normal service.
   */
  respondWith(code: number | null, message?: string): void;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function createSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  const logins = new Map<string, { username: string; password: string }>();
  let rejection: { code: number; message: string } | undefined;

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    // A client that never sends QUIT would otherwise hold close() for the 30 s default.
    closeTimeout: 1_000,
    onAuth(auth, session, callback) {
      logins.set(session.id, { username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      callback(rejection ? smtpError(rejection.code, rejection.message) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const message = parseMime(raw);
        const leaves = leafParts(message);
        const envelopeFrom = session.envelope.mailFrom;
        received.push({
          from: envelopeFrom ? envelopeFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          auth: logins.get(session.id),
          raw,
          message,
          headers: message.headers,
          subject: message.headers.subject ?? '',
          text: leaves.find((p) => p.contentType === 'text/plain')?.body,
          html: leaves.find((p) => p.contentType === 'text/html')?.body,
        });
        callback(null, 'queued');
      });
    },
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    received,
    respondWith(code, message = 'rejected by test receiver') {
      rejection = code === null ? undefined : { code, message };
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
