// The SQLite writer thread (see sqlite-dialect.ts): owns the one connection that writes, so no
// statement of a write transaction and no commit's fsync ever runs on the server's event loop.
// Plain JavaScript so it loads the same from src/ and from dist/. Protocol: the parent posts
// { id, sql, params } (or { id, close: true }); the thread answers { id, rows } for statements
// that return rows, { id, changes, lastInsertRowid } for the others, or { id, error }. A message
// may carry `before`: deferred writes ({ sql, params }) to run first, in order.
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';

const STATEMENT_CACHE_SIZE = 500;

const db = new SqliteDatabase(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const cache = new Map();
function prepare(sql) {
  let stmt = cache.get(sql);
  if (stmt) {
    cache.delete(sql);
  } else {
    stmt = db.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value);
  }
  cache.set(sql, stmt);
  return stmt;
}

/** Structured clone turns a Buffer into a plain Uint8Array; better-sqlite3 binds Buffers. */
const toBindable = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v);

/** Runs one statement; returns what the parent reads of it. */
function runOne(sql, params) {
  const stmt = prepare(sql);
  const bound = params.map(toBindable);
  if (stmt.reader) return { rows: stmt.all(bound) };
  const { changes, lastInsertRowid } = stmt.run(bound);
  return { changes, lastInsertRowid };
}

parentPort.on('message', (msg) => {
  if (msg.close) {
    cache.clear();
    if (db.open) db.close();
    parentPort.postMessage({ id: msg.id, rows: [] });
    return;
  }
  try {
    // Deferred writes sent with this statement run first, in order; the first that fails
    // stops the rest and its error is the answer.
    if (msg.before) for (const b of msg.before) runOne(b.sql, b.params);
    parentPort.postMessage({ id: msg.id, ...runOne(msg.sql, msg.params) });
  } catch (err) {
    parentPort.postMessage({
      id: msg.id,
      error: { name: err?.name, message: String(err?.message ?? err), code: err?.code },
    });
  }
});
parentPort.postMessage({ ready: true });
