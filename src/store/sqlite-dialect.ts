import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { packageRoot } from '../config/package-root.ts';
import { isDeferred } from './deferred-write.ts';

/** Prepared statements kept per connection; `in (…)` lists of many lengths make the set open-ended. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query afresh, which was about a quarter of the CPU of
 * a message send. The driver only calls `prepare` and `close`, so hand it a facade that
 * reuses prepared statements (least recently used evicted first).
 */
function withStatementCache(db: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string): SqliteDatabase.Statement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close(): void {
      cache.clear();
      if (db.open) db.close();
    },
  };
}

/** Rows cross the thread boundary by structured clone, which turns Buffers into Uint8Arrays. */
function withBuffers<R>(rows: R[]): R[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const key in row) {
      const v = row[key];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v))
        row[key] = Buffer.from(v.buffer, v.byteOffset, v.length);
    }
  }
  return rows;
}

/** A statement as it crosses to the writer thread. */
interface Statement {
  sql: string;
  params: readonly unknown[];
}

type WriterReply =
  | { id: number; rows: unknown[] }
  | { id: number; changes: number; lastInsertRowid: number | bigint }
  | { id: number; error: { name?: string; message: string; code?: string } };

type Outgoing = { sql: string; params: readonly unknown[]; before?: Statement[] } | { close: true };

/**
 * The writer thread (sqlite-writer.worker.js) and the requests waiting for its answers.
 *
 * A statement goes to the thread at once when nothing is waiting for it. One issued while an
 * earlier one is still unanswered (the concurrent units of a group commit issue theirs
 * together) waits for the end of this turn of the event loop, and all that gathered by then
 * go in one message: waking the thread, which sleeps between messages, was most of what each
 * message cost.
 */
class WriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: WriterReply) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #dead: Error | undefined;
  /** Messages posted and not yet answered. */
  #unanswered = 0;
  /** Statements gathered for the next message, in the order they were issued. */
  #gathered: Array<Outgoing & { id: number }> = [];
  #postScheduled = false;
  readonly ready: Promise<void>;

  constructor(file: string) {
    this.#worker = new Worker(writerScript(), { workerData: { file }, execArgv: [] });
    this.ready = new Promise((resolve, reject) => {
      this.#worker.once('message', () => resolve());
      this.#worker.once('error', reject);
    });
    this.#worker.on('message', (reply: WriterReply | WriterReply[] | { ready: true }) => {
      if (Array.isArray(reply)) {
        this.#unanswered--;
        for (const r of reply) this.#settle(r);
      } else if ('id' in reply) {
        this.#unanswered--;
        this.#settle(reply);
      }
    });
    const fail = (err: Error) => {
      this.#dead ??= err;
      for (const w of this.#pending.values()) w.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (${code})`)));
  }

  #settle(reply: WriterReply): void {
    const waiter = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    waiter?.resolve(reply);
  }

  send(message: Outgoing): Promise<WriterReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // `close` goes after everything issued before it, and never in a list.
      if ('close' in message) this.#postGathered();
      if ('close' in message || (this.#unanswered === 0 && this.#gathered.length === 0)) {
        this.#unanswered++;
        this.#worker.postMessage({ id, ...message });
        return;
      }
      this.#gathered.push({ id, ...message });
      if (!this.#postScheduled) {
        this.#postScheduled = true;
        setImmediate(() => this.#postGathered());
      }
    });
  }

  #postGathered(): void {
    this.#postScheduled = false;
    const list = this.#gathered;
    this.#gathered = [];
    if (list.length === 0) return;
    this.#unanswered++;
    this.#worker.postMessage(list.length === 1 ? list[0] : { list });
  }

  /** Runs `query` after the deferred writes in `before` (which fail it if one of them fails). */
  async execute<R>(query: CompiledQuery, before?: Statement[]): Promise<QueryResult<R>> {
    const reply = await this.send({
      sql: query.sql,
      params: query.parameters,
      ...(before && before.length > 0 ? { before } : {}),
    });
    if ('error' in reply) throw errorOf(reply.error);
    if ('rows' in reply) return { rows: withBuffers(reply.rows as R[]) };
    return {
      numAffectedRows: BigInt(reply.changes),
      insertId: reply.lastInsertRowid != null ? BigInt(reply.lastInsertRowid) : undefined,
      rows: [],
    };
  }

  async close(): Promise<void> {
    if (!this.#dead) await this.send({ close: true }).catch(() => undefined);
    await this.#worker.terminate();
  }
}

function errorOf(e: { name?: string; message: string; code?: string }): Error {
  const err = new Error(e.message) as Error & { code?: string };
  if (e.name) err.name = e.name;
  if (e.code) err.code = e.code;
  return err;
}

/** The writer script beside this module (sources), or in dist/ (the bundle copies it there). */
function writerScript(): string {
  const beside = fileURLToPath(new URL('./sqlite-writer.worker.js', import.meta.url));
  return existsSync(beside) ? beside : path.join(packageRoot(), 'dist', 'sqlite-writer.worker.js');
}

/** Waits its turn for the writer: one transaction (or lone write) at a time. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const turn = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return turn;
  }
}

/**
 * One connection as Kysely sees it. A SELECT outside a transaction runs at once on the reader
 * (this thread; WAL lets it read the last commit while the writer works); anything else takes
 * the writer, and holds it from `begin` until the connection is released.
 */
class SplitConnection implements DatabaseConnection {
  #unlock: (() => void) | undefined;
  /** Between `begin` and `commit`/`rollback`: only then may a write be deferred. */
  #inTransaction = false;
  /** Deferred writes not yet sent: they go to the thread with the next statement that waits. */
  #deferred: Statement[] = [];

  constructor(
    private readonly reader: ReturnType<typeof withStatementCache>,
    private readonly writer: WriterThread,
    private readonly mutex: Mutex,
  ) {}

  async holdWriter(): Promise<void> {
    this.#unlock ??= await this.mutex.lock();
  }

  release(): void {
    const unlock = this.#unlock;
    this.#unlock = undefined;
    unlock?.();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#unlock && SelectQueryNode.is(query.query)) {
      return { rows: this.reader.prepare(query.sql).all(query.parameters as unknown[]) as R[] };
    }
    await this.holdWriter();
    if (this.#inTransaction && isDeferred(query)) {
      this.#deferred.push({ sql: query.sql, params: query.parameters });
      return { rows: [] };
    }
    return this.writer.execute<R>(query, this.#takeDeferred());
  }

  #takeDeferred(): Statement[] {
    const taken = this.#deferred;
    this.#deferred = [];
    return taken;
  }

  /** `begin` itself travels with the transaction's first statement: one round trip fewer. */
  async begin(): Promise<void> {
    await this.holdWriter();
    this.#deferred = [{ sql: 'begin', params: [] }];
    this.#inTransaction = true;
  }

  /** Sends what is still deferred with the commit: the commit runs only if all of it succeeded. */
  async commit(): Promise<void> {
    this.#inTransaction = false;
    await this.writer.execute(CompiledQuery.raw('commit'), this.#takeDeferred());
  }

  async rollback(): Promise<void> {
    this.#inTransaction = false;
    const unsent = this.#takeDeferred();
    // Nothing reached the thread, not even `begin`: there is nothing to roll back.
    if (unsent[0]?.sql === 'begin') return;
    await this.writer.execute(CompiledQuery.raw('rollback'));
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (this.#unlock || !SelectQueryNode.is(query.query)) {
      throw new Error('only a SELECT outside a transaction can be streamed on SQLite');
    }
    for (const row of this.reader.prepare(query.sql).iterate(query.parameters as unknown[])) {
      yield { rows: [row as R] };
    }
  }
}

class SplitDriver implements Driver {
  readonly #file: string;
  readonly #mutex = new Mutex();
  #writer: WriterThread | undefined;
  #reader: ReturnType<typeof withStatementCache> | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  async init(): Promise<void> {
    const writer = new WriterThread(this.#file);
    this.#writer = writer;
    // The writer creates the file and switches it to WAL before the reader opens it.
    await writer.ready;
    const sqlite = new SqliteDatabase(this.#file);
    sqlite.pragma('busy_timeout = 5000');
    this.#reader = withStatementCache(sqlite);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#reader || !this.#writer) throw new Error('the SQLite store is not open');
    return new SplitConnection(this.#reader, this.#writer, this.#mutex);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SplitConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SplitConnection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SplitConnection).rollback();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as SplitConnection).release();
  }

  async destroy(): Promise<void> {
    this.#reader?.close();
    this.#reader = undefined;
    await this.#writer?.close();
    this.#writer = undefined;
  }
}

class SplitSqliteDialect implements Dialect {
  constructor(private readonly file: string) {}
  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new SplitDriver(this.file);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

/** Permissions of herald.db: it holds password hashes and sealed secrets. */
export const STORE_FILE_MODE = 0o600;

/**
 * The embedded store. WAL lets readers run beside the writer; synchronous=FULL makes every
 * commit durable before we answer 2xx — the group committer keeps that affordable by
 * committing many requests per fsync. Writes run on a thread of their own (a write
 * transaction's statements and its commit's fsync were a fifth of the event loop's time under
 * load); reads outside transactions run here, on a second connection.
 */
export function createSqliteDialect(dataDir: string): { dialect: Dialect } {
  const file = path.join(dataDir, 'herald.db');
  // Owner-only (rw-------) before SQLite writes a byte; its -wal and -shm files copy this mode.
  closeSync(openSync(file, 'a', STORE_FILE_MODE));
  chmodSync(file, STORE_FILE_MODE);
  return { dialect: new SplitSqliteDialect(file) };
}

/**
 * Kysely's migrator takes no lock on SQLite. Processes sharing a data dir serialise their
 * migrations on an exclusive transaction in a separate lock database (a second connection to
 * herald.db itself would block the migration's own writes).
 */
export async function withSqliteMigrationLock<T>(dataDir: string, run: () => Promise<T>): Promise<T> {
  const lock = new SqliteDatabase(path.join(dataDir, 'migrate.lock'));
  try {
    // better-sqlite3 waits synchronously, which would stall this process's own event loop
    // (and any migration running in it), so poll without blocking instead.
    lock.pragma('busy_timeout = 0');
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    try {
      return await run();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
