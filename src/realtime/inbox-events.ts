import type pg from 'pg';
import type { Logger } from 'pino';
import type { Tx } from '../store/database.ts';
import { notifyInTx } from '../store/notify.repository.ts';
import type { Hub, HubEvent, Revocation } from './hub.ts';

/**
 * How inbox changes reach live watchers.
 *
 * SQLite (one process): events are published to the local hub right after the commit.
 * PostgreSQL (any number of processes): events are queued with pg_notify inside the same
 * transaction — PostgreSQL delivers them only if it commits — and every process, this one
 * included, feeds its hub from LISTEN. Payloads carry ids only; watchers re-read.
 * Revocations (a token revoked, a session logged out, a user deleted, a member removed) travel
 * the same way on their own channel, so a watcher in any process closes within moments.
 */
export interface InboxEvents {
  /** Called inside the write transaction. */
  inTx(tx: Tx, events: readonly HubEvent[]): Promise<void>;
  /** Called after the transaction committed. */
  committed(events: readonly HubEvent[]): void;
  /** Revocations, the same way: inside the transaction that revokes, then after it committed. */
  revokeInTx(tx: Tx, revocations: readonly Revocation[]): Promise<void>;
  revoked(revocations: readonly Revocation[]): void;
  close(): Promise<void>;
}

/** Told about every revocation this process's hub applies (local or from another process). */
export type OnRevoke = (revocations: readonly Revocation[]) => void;

const CHANNEL = 'herald_inbox';
const REVOKE_CHANNEL = 'herald_revoke';
/** Events per NOTIFY payload; PostgreSQL caps a payload at 8000 bytes. */
const PER_PAYLOAD = 60;

export function localInboxEvents(hub: Hub, onRevoke: OnRevoke = () => {}): InboxEvents {
  return {
    inTx: async () => {},
    committed: (events) => hub.publish(events),
    revokeInTx: async () => {},
    revoked: (revocations) => {
      hub.revoke(revocations);
      onRevoke(revocations);
    },
    close: async () => {},
  };
}

/** `t:<tokenId>`, `s:<sessionId>`, `u:<userId>`, `m:<userId>:<bucketId>`; ids hold no ':' or ','. */
const encodeRevocation = (r: Revocation): string =>
  r.kind === 'token'
    ? `t:${r.tokenId}`
    : r.kind === 'session'
      ? `s:${r.sessionId}`
      : r.kind === 'user'
        ? `u:${r.userId}`
        : `m:${r.userId}:${r.bucketId}`;

function decodeRevocations(payload: string): Revocation[] {
  const out: Revocation[] = [];
  for (const part of payload.split(',')) {
    const [k, a, b] = part.split(':');
    if (!a) continue;
    if (k === 't') out.push({ kind: 'token', tokenId: a });
    else if (k === 's') out.push({ kind: 'session', sessionId: a });
    else if (k === 'u') out.push({ kind: 'user', userId: a });
    else if (k === 'm' && b) out.push({ kind: 'membership', userId: a, bucketId: b });
  }
  return out;
}

const encode = (e: HubEvent): string => `${e.kind === 'created' ? 'c' : 'u'}:${e.userId}:${e.notificationId}`;

function decode(payload: string): HubEvent[] {
  const out: HubEvent[] = [];
  for (const part of payload.split(',')) {
    const [k, userId, notificationId] = part.split(':');
    if (userId && notificationId)
      out.push({ kind: k === 'c' ? 'created' : 'updated', userId, notificationId });
  }
  return out;
}

export async function postgresInboxEvents(
  url: string,
  hub: Hub,
  log: Logger,
  onRevoke: OnRevoke = () => {},
): Promise<InboxEvents> {
  let client: pg.Client | undefined;
  let closed = false;
  // Loaded here, not at the top: only a server on PostgreSQL needs the driver.
  const { Client } = (await import('pg')).default;
  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', (msg) => {
      if (msg.channel === CHANNEL && msg.payload) hub.publish(decode(msg.payload));
      if (msg.channel === REVOKE_CHANNEL && msg.payload) {
        const revocations = decodeRevocations(msg.payload);
        hub.revoke(revocations);
        onRevoke(revocations);
      }
    });
    c.on('error', (err) => {
      log.warn({ err }, 'inbox LISTEN connection lost; reconnecting');
      c.end().catch(() => {});
      if (!closed) setTimeout(() => connect().catch(() => {}), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    await c.query(`LISTEN ${REVOKE_CHANNEL}`);
    client = c;
  };
  await connect();
  return {
    async inTx(tx, events) {
      if (events.length === 0) return;
      const payloads: string[] = [];
      for (let i = 0; i < events.length; i += PER_PAYLOAD) {
        payloads.push(
          events
            .slice(i, i + PER_PAYLOAD)
            .map(encode)
            .join(','),
        );
      }
      await notifyInTx(tx, CHANNEL, payloads);
    },
    committed: () => {},
    async revokeInTx(tx, revocations) {
      if (revocations.length === 0) return;
      const payloads: string[] = [];
      for (let i = 0; i < revocations.length; i += PER_PAYLOAD) {
        payloads.push(
          revocations
            .slice(i, i + PER_PAYLOAD)
            .map(encodeRevocation)
            .join(','),
        );
      }
      await notifyInTx(tx, REVOKE_CHANNEL, payloads);
    },
    // Every process, this one included, applies them from LISTEN once the revoke commits.
    revoked: () => {},
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
