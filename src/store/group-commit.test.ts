import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Db, Tx } from './database.ts';
import { createGroupCommitter } from './group-commit.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';

/** A real SQLite database with one scratch table; each unit writes one row to it. */
let dir: string;
let db: Db;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'herald-group-commit-'));
  const { dialect } = createSqliteDialect(dir);
  db = new Kysely<Database>({ dialect });
  await sql`create table t (id integer primary key autoincrement, label text not null unique)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (tx: Tx, label: string) => sql`insert into t (label) values (${label})`.execute(tx);
const labels = async () =>
  (await sql<{ label: string }>`select label from t order by id`.execute(db)).rows.map((r) => r.label);

describe('group commit', () => {
  it('runs units handed in together in one transaction and gives each caller its own result', async () => {
    const writer = createGroupCommitter(db);
    const seen: Tx[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((label) =>
        writer.run(async (tx) => {
          seen.push(tx);
          await insert(tx, label);
          return label.toUpperCase();
        }),
      ),
    );
    expect(results).toEqual(['A', 'B', 'C', 'D']);
    expect(new Set(seen).size).toBe(1);
    expect(await labels()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs the units of a batch in the order they were handed in, each seeing the ones before', async () => {
    const writer = createGroupCommitter(db);
    const counts = await Promise.all(
      ['first', 'second', 'third'].map((label) =>
        writer.run(async (tx) => {
          await insert(tx, label);
          return Number((await sql<{ n: number }>`select count(*) as n from t`.execute(tx)).rows[0].n);
        }),
      ),
    );
    expect(counts).toEqual([1, 2, 3]);
    expect(await labels()).toEqual(['first', 'second', 'third']);
  });

  it('settles a caller only after its transaction has committed', async () => {
    const writer = createGroupCommitter(db);
    await writer.run((tx) => insert(tx, 'durable'));
    // Read on the database, outside any transaction of the committer.
    expect(await labels()).toEqual(['durable']);
  });

  it('fails only the unit that throws; the others of its batch still commit, once each', async () => {
    const writer = createGroupCommitter(db);
    const runs: string[] = [];
    const unit = (label: string, fail = false) =>
      writer.run(async (tx) => {
        runs.push(label);
        await insert(tx, label);
        if (fail) throw new Error(`${label} refused`);
        return label;
      });
    const settled = await Promise.allSettled([unit('ok-1'), unit('bad', true), unit('ok-2')]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('bad refused');
    // The shared batch was rolled back, and every unit ran again alone (the contract: units
    // must be safe to run twice); the failing one's row is gone, the others are there once.
    expect(await labels()).toEqual(['ok-1', 'ok-2']);
    expect(runs.filter((r) => r === 'ok-1')).toHaveLength(2);
  });

  it('rejects a unit that fails on its own with its error', async () => {
    const writer = createGroupCommitter(db);
    await writer.run((tx) => insert(tx, 'taken'));
    await expect(writer.run((tx) => insert(tx, 'taken'))).rejects.toThrow(/UNIQUE/);
    expect(await labels()).toEqual(['taken']);
  });

  it('splits a burst into batches of at most maxBatch, in order', async () => {
    const writer = createGroupCommitter(db, { maxBatch: 2 });
    const seen: Tx[] = [];
    await Promise.all(
      ['1', '2', '3', '4', '5'].map((label) =>
        writer.run(async (tx) => {
          seen.push(tx);
          await insert(tx, label);
        }),
      ),
    );
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).toBe(seen[3]);
    expect(new Set(seen).size).toBe(3);
    expect(await labels()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('puts a unit handed in while a batch is in its transaction into the next batch', async () => {
    const writer = createGroupCommitter(db);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inFirst = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const seen: Tx[] = [];
    const first = writer.run(async (tx) => {
      seen.push(tx);
      entered();
      await gate;
      await insert(tx, 'early');
    });
    await inFirst;
    const second = writer.run(async (tx) => {
      seen.push(tx);
      await insert(tx, 'late');
    });
    release();
    await Promise.all([first, second]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(await labels()).toEqual(['early', 'late']);
  });

  it('drain() resolves once every unit handed in so far has settled', async () => {
    const writer = createGroupCommitter(db);
    await writer.drain();
    const settled: string[] = [];
    for (const label of ['x', 'y', 'z']) {
      void writer.run((tx) => insert(tx, label)).then(() => settled.push(label));
    }
    await writer.drain();
    // drain's waiters run after the batch's callers were settled.
    await new Promise((r) => setImmediate(r));
    expect(settled.sort()).toEqual(['x', 'y', 'z']);
    expect(await labels()).toEqual(['x', 'y', 'z']);
  });
});

describe('group commit: concurrent units', () => {
  /** A unit that notes when it starts and ends, with a statement in between. */
  const traced = (log: string[], label: string) => async (tx: Tx) => {
    log.push(`start ${label}`);
    await insert(tx, label);
    const n = Number((await sql<{ n: number }>`select count(*) as n from t`.execute(tx)).rows[0].n);
    log.push(`end ${label}`);
    return n;
  };

  it('starts neighbouring concurrent units together, and commits them all in one transaction', async () => {
    const writer = createGroupCommitter(db);
    const log: string[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c'].map((label) => writer.run(traced(log, label), { concurrent: true })),
    );
    // Each unit issued its statements before the one before it had its answers.
    expect(log.slice(0, 3)).toEqual(['start a', 'start b', 'start c']);
    expect(await labels()).toEqual(['a', 'b', 'c']);
    // Every unit read inside the same transaction, after all three inserts had gone out.
    expect(results).toEqual([3, 3, 3]);
  });

  it('runs concurrent units one after another when the store does not take them (PostgreSQL)', async () => {
    const writer = createGroupCommitter(db, { concurrentUnits: false });
    const log: string[] = [];
    const results = await Promise.all(
      ['a', 'b'].map((label) => writer.run(traced(log, label), { concurrent: true })),
    );
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(results).toEqual([1, 2]);
    expect(await labels()).toEqual(['a', 'b']);
  });

  it('runs a unit that is not concurrent only after the ones before it finished, and before the ones after it start', async () => {
    const writer = createGroupCommitter(db);
    const log: string[] = [];
    await Promise.all([
      writer.run(traced(log, 'a'), { concurrent: true }),
      writer.run(traced(log, 'b'), { concurrent: true }),
      writer.run(traced(log, 'in-order')),
      writer.run(traced(log, 'c'), { concurrent: true }),
      writer.run(traced(log, 'd'), { concurrent: true }),
    ]);
    const at = (entry: string) => log.indexOf(entry);
    expect(at('start b')).toBeLessThan(at('end a'));
    expect(at('start in-order')).toBeGreaterThan(Math.max(at('end a'), at('end b')));
    expect(at('start c')).toBeGreaterThan(at('end in-order'));
    expect(at('start d')).toBeLessThan(at('end c'));
    expect(await labels()).toEqual(['a', 'b', 'in-order', 'c', 'd']);
  });

  it('fails only the concurrent unit whose statement failed; the others commit once each', async () => {
    const writer = createGroupCommitter(db);
    await writer.run((tx) => insert(tx, 'taken'));
    const settled = await Promise.allSettled(
      ['x', 'taken', 'y'].map((label) => writer.run((tx) => insert(tx, label), { concurrent: true })),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(await labels()).toEqual(['taken', 'x', 'y']);
  });

  it('rolls a failed batch back only once its slower concurrent units have finished, then runs each unit alone', async () => {
    const writer = createGroupCommitter(db);
    const runs: string[] = [];
    const settled = await Promise.allSettled([
      writer.run(
        async () => {
          runs.push('fails');
          throw new Error('refused at once');
        },
        { concurrent: true },
      ),
      writer.run(
        async (tx) => {
          runs.push('slow');
          const run = runs.filter((r) => r === 'slow').length;
          await new Promise((r) => setTimeout(r, 20));
          await insert(tx, `slow, run ${run}, 1`);
          await insert(tx, `slow, run ${run}, 2`);
          runs.push('slow end');
          return 'done';
        },
        { concurrent: true },
      ),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
    // The batch ran both and was rolled back only after the slow unit's writes; then each ran
    // again alone.
    expect(runs).toEqual(['fails', 'slow', 'slow end', 'fails', 'slow', 'slow end']);
    // Both writes of the first run were rolled back with the batch, none committed on its own.
    expect(await labels()).toEqual(['slow, run 2, 1', 'slow, run 2, 2']);
  });
});
