import type { Db, Tx } from './database.ts';

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
 */
export type WriteUnit<T> = (tx: Tx) => Promise<T>;

export interface GroupCommitter {
  run<T>(unit: WriteUnit<T>): Promise<T>;
  /** Resolves once every unit handed in so far has settled. */
  drain(): Promise<void>;
}

interface Pending {
  unit: WriteUnit<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most units in one transaction; bounds how long one batch holds the write lock. */
  maxBatch?: number;
  /** Batches allowed in flight at once (1 for SQLite's single writer; more for PostgreSQL). */
  concurrency?: number;
}

export function createGroupCommitter(db: Db, opts: GroupCommitOptions = {}): GroupCommitter {
  const maxBatch = opts.maxBatch ?? 256;
  const concurrency = opts.concurrency ?? 1;
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
        const results = await db.transaction().execute(async (tx) => {
          const out: unknown[] = [];
          for (const p of batch) out.push(await p.unit(tx));
          return out;
        });
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
    run<T>(unit: WriteUnit<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ unit, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    drain(): Promise<void> {
      if (queue.length === 0 && inFlight === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
