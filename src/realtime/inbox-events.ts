import type pg from 'pg';
import type { Logger } from 'pino';
import type { Tx } from '../store/database.ts';
import { notifyInTx } from '../store/notify.repository.ts';
import type { Hub, HubEvent } from './hub.ts';

/**
 * How inbox changes reach live watchers.
 *
 * SQLite (one process): events are published to the local hub right after the commit.
 * PostgreSQL (any number of processes): events are queued with pg_notify inside the same
 * transaction — PostgreSQL delivers them only if it commits — and every process, this one
 * included, feeds its hub from LISTEN. Payloads carry ids only; watchers re-read.
 */
export interface InboxEvents {
  /** Called inside the write transaction. */
  inTx(tx: Tx, events: readonly HubEvent[]): Promise<void>;
  /** Called after the transaction committed. */
  committed(events: readonly HubEvent[]): void;
  close(): Promise<void>;
}

const CHANNEL = 'herald_inbox';
/** Events per NOTIFY payload; PostgreSQL caps a payload at 8000 bytes. */
const PER_PAYLOAD = 60;

export function localInboxEvents(hub: Hub): InboxEvents {
  return {
    inTx: async () => {},
    committed: (events) => hub.publish(events),
    close: async () => {},
  };
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

export async function postgresInboxEvents(url: string, hub: Hub, log: Logger): Promise<InboxEvents> {
  let client: pg.Client | undefined;
  let closed = false;
  // Loaded here, not at the top: only a server on PostgreSQL needs the driver.
  const { Client } = (await import('pg')).default;
  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', (msg) => {
      if (msg.channel === CHANNEL && msg.payload) hub.publish(decode(msg.payload));
    });
    c.on('error', (err) => {
      log.warn({ err }, 'inbox LISTEN connection lost; reconnecting');
      c.end().catch(() => {});
      if (!closed) setTimeout(() => connect().catch(() => {}), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
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
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
