import type pg from 'pg';
import type { Logger } from 'pino';
import type { Tx } from '../store/database.ts';
import { notifyInTx } from '../store/notify.repository.ts';
import type { Hub, HubEvent, Revocation } from './hub.ts';

/**
 * A message written to every member of a bucket by one INSERT … SELECT. It names no users: a
 * bucket of 100k members would be 100k events (and 1,700 NOTIFY payloads). Each process finds
 * the items of the users it has watchers for in the store (services/inbox-frames.ts) and hands
 * them to its hub as `created` events.
 */
export interface FanOutEvent {
  messageId: string;
  /** The items' `created_at` (the message's), which with the user finds an item by index. */
  createdAt: number;
  /** Items written. */
  reached: number;
}

/** Hands committed inbox changes to this process's hub, fan-outs expanded first. */
export interface InboxAnnouncer {
  announce(events: readonly HubEvent[], fanOuts: readonly FanOutEvent[]): void;
}

/**
 * How inbox changes reach live watchers.
 *
 * SQLite (one process): events go to the local hub (through the announcer) right after the commit.
 * PostgreSQL (any number of processes): events are queued with pg_notify inside the same
 * transaction — PostgreSQL delivers them only if it commits — and every process, this one
 * included, feeds its hub from LISTEN. Payloads carry ids only; watchers re-read.
 * Revocations (a token revoked, a session logged out, a user deleted, a member removed) travel
 * the same way on their own channel, so a watcher in any process closes within moments.
 */
export interface InboxEvents {
  /** Called inside the write transaction. */
  inTx(tx: Tx, events: readonly HubEvent[], fanOuts?: readonly FanOutEvent[]): Promise<void>;
  /** Called after the transaction committed. */
  committed(events: readonly HubEvent[], fanOuts?: readonly FanOutEvent[]): void;
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

export function localInboxEvents(
  hub: Hub,
  announcer: InboxAnnouncer,
  onRevoke: OnRevoke = () => {},
): InboxEvents {
  return {
    inTx: async () => {},
    committed: (events, fanOuts = []) => announcer.announce(events, fanOuts),
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

/** `c:<userId>:<notificationId>`, `u:…` (updated), `f:<messageId>:<createdAt>:<reached>` (a fan-out). */
const encode = (e: HubEvent): string => `${e.kind === 'created' ? 'c' : 'u'}:${e.userId}:${e.notificationId}`;
const encodeFanOut = (f: FanOutEvent): string => `f:${f.messageId}:${f.createdAt}:${f.reached}`;

function decode(payload: string): { events: HubEvent[]; fanOuts: FanOutEvent[] } {
  const events: HubEvent[] = [];
  const fanOuts: FanOutEvent[] = [];
  for (const part of payload.split(',')) {
    const [k, a, b, c] = part.split(':');
    if (k === 'f') {
      const createdAt = Number(b);
      const reached = Number(c);
      if (a && Number.isFinite(createdAt) && Number.isFinite(reached))
        fanOuts.push({ messageId: a, createdAt, reached });
    } else if (a && b) events.push({ kind: k === 'c' ? 'created' : 'updated', userId: a, notificationId: b });
  }
  return { events, fanOuts };
}

export async function postgresInboxEvents(
  url: string,
  hub: Hub,
  announcer: InboxAnnouncer,
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
      if (msg.channel === CHANNEL && msg.payload) {
        const { events, fanOuts } = decode(msg.payload);
        announcer.announce(events, fanOuts);
      }
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
    async inTx(tx, events, fanOuts = []) {
      const parts = [...fanOuts.map(encodeFanOut), ...events.map(encode)];
      if (parts.length === 0) return;
      const payloads: string[] = [];
      for (let i = 0; i < parts.length; i += PER_PAYLOAD)
        payloads.push(parts.slice(i, i + PER_PAYLOAD).join(','));
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
