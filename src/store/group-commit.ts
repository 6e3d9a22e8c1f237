import { type Dialect, type Driver, Transaction } from 'kysely';
import type { Database, Db, Tx } from './database.ts';

/**
 * Group commit: concurrent requests hand in write units; the committer runs every unit that
 * is waiting in one transaction and settles each caller only after that transaction commits.
 * One durable commit (one fsync on SQLite) then covers many requests, so "2xx means
 * committed" stays cheap under load.
 *
 * States of the committer: idle (queue empty) → scheduled (a flush is queued for the next
 * turn of the event loop, so units from the same burst gather) → flushing (a batch is in a
 * transaction; new units wait for the next batch) → idle or scheduled again.
 *
 * A unit must only touch the database through `tx` and be safe to run twice: if a batch
 * fails, it is rolled back and each unit is retried in a transaction of its own so that one
 * bad unit fails alone.
 *
 * Units handed in as `concurrent` that sit next to each other in a batch run at the same time
 * on the batch's connection: each one's statements go out as soon as it issues them, without
 * waiting for another unit's answer to come back and its code to resume. On SQLite, where each
 * answer crosses from the writer thread, that waiting was most of a batch's time. A unit may
 * be concurrent only if nothing it reads can be written by another concurrent unit of the
 * batch (its statements and theirs interleave); checks followed by writes that depend on them,
 * such as an idempotency claim or a collapse of older messages, must stay in order.
 */
export type WriteUnit<T> = (tx: Tx) => Promise<T>;

export interface WriteOptions {
  /** Runs beside the other concurrent units of its batch (see above). */
  concurrent?: boolean;
}

export interface GroupCommitter {
  run<T>(unit: WriteUnit<T>, opts?: WriteOptions): Promise<T>;
  /** Resolves once every unit handed in so far has settled. */
  drain(): Promise<void>;
}

interface Pending {
  unit: WriteUnit<unknown>;
  concurrent: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most units in one transaction; bounds how long one batch holds the write lock. */
  maxBatch?: number;
  /** Batches allowed in flight at once (1 for SQLite's single writer; more for PostgreSQL). */
  concurrency?: number;
  /**
   * Whether units handed in as concurrent run together (default true). Off on PostgreSQL: its
   * client would queue one unit's query while another's runs, which `pg` deprecates (and 9.0
   * removes), and it sends them one at a time all the same.
   */
  concurrentUnits?: boolean;
}

export function createGroupCommitter(db: Db, opts: GroupCommitOptions = {}): GroupCommitter {
  const maxBatch = opts.maxBatch ?? 256;
  const concurrency = opts.concurrency ?? 1;
  const concurrentUnits = opts.concurrentUnits ?? true;
  const queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idleWaiters: Array<() => void> = [];

  function schedule(): void {
    if (scheduled || inFlight >= concurrency || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (inFlight < concurrency && queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        inFlight++;
        void flush(batch).finally(() => {
          inFlight--;
          if (queue.length > 0) schedule();
          else if (inFlight === 0) settleIdle();
        });
      }
    });
  }

  function settleIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  async function flush(batch: Pending[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await db.transaction().execute((tx) => runBatch(tx, batch));
        for (const [i, p] of batch.entries()) p.resolve(results[i]);
        return;
      } catch {
        // Fall through: run each unit alone so only the failing one reports an error.
      }
    }
    for (const p of batch) {
      try {
        p.resolve(await db.transaction().execute((tx) => p.unit(tx)));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  return {
    run<T>(unit: WriteUnit<T>, opts: WriteOptions = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({
          unit,
          concurrent: concurrentUnits && opts.concurrent === true,
          resolve: resolve as (v: unknown) => void,
          reject,
        });
        schedule();
      });
    },
    drain(): Promise<void> {
      if (queue.length === 0 && inFlight === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/**
 * Runs a batch's units in order on `tx`, except that each run of neighbouring concurrent
 * units starts together on a view of the same connection. The batch fails with the first
 * failure in unit order, and only once every unit of that run has settled, so no statement is
 * still under way when the transaction is rolled back.
 */
async function runBatch(tx: Tx, batch: readonly Pending[]): Promise<unknown[]> {
  const out: unknown[] = new Array(batch.length);
  let shared: Tx | undefined;
  let i = 0;
  while (i < batch.length) {
    let end = i + 1;
    while (batch[i].concurrent && end < batch.length && batch[end].concurrent) end++;
    if (end - i === 1) {
      out[i] = await batch[i].unit(tx);
      i = end;
      continue;
    }
    shared ??= await sharedConnection(tx);
    const view = shared;
    const settled = await Promise.allSettled(batch.slice(i, end).map((p) => p.unit(view)));
    for (const [k, r] of settled.entries()) {
      if (r.status === 'rejected') throw r.reason;
      out[i + k] = r.value;
    }
    i = end;
  }
  return out;
}

const noDriver = (): never => {
  throw new Error('a transaction shared by concurrent units cannot open, end or nest transactions');
};
/** What a shared view hands Kysely for the driver and dialect it never uses for queries. */
const NO_DRIVER: Driver = {
  init: noDriver,
  acquireConnection: noDriver,
  beginTransaction: noDriver,
  commitTransaction: noDriver,
  rollbackTransaction: noDriver,
  releaseConnection: noDriver,
  destroy: noDriver,
};

const NO_DIALECT: Dialect = {
  createDriver: () => NO_DRIVER,
  createQueryCompiler: noDriver,
  createAdapter: noDriver,
  createIntrospector: noDriver,
};

/**
 * The same transaction, on the same connection, without Kysely's rule that a transaction's
 * queries wait for one another: a query is handed to the connection as soon as it is issued,
 * and the connection keeps them in that order (the SQLite writer thread's message queue, the
 * PostgreSQL client's query queue). Only {@link runBatch} makes one, for concurrent units.
 */
async function sharedConnection(tx: Tx): Promise<Tx> {
  const executor = tx.getExecutor();
  const connection = await executor.provideConnection(async (c) => c);
  return new Transaction<Database>({
    config: { dialect: NO_DIALECT },
    driver: NO_DRIVER,
    dialect: NO_DIALECT,
    executor: executor.withConnectionProvider({ provideConnection: (consume) => consume(connection) }),
  });
}
