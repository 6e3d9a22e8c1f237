// The SQLite writer thread (see sqlite-dialect.ts): owns the one connection that writes, so no
// statement of a write transaction and no commit's fsync ever runs on the server's event loop.
// Plain JavaScript so it loads the same from src/ and from dist/. Protocol: the parent posts
// { id, sql, params } (or { id, close: true }); the thread answers { id, rows } for statements
// that return rows, { id, changes, lastInsertRowid } for the others, or { id, error }.
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

parentPort.on('message', (msg) => {
  if (msg.close) {
    cache.clear();
    if (db.open) db.close();
    parentPort.postMessage({ id: msg.id, rows: [] });
    return;
  }
  try {
    const stmt = prepare(msg.sql);
    const params = msg.params.map(toBindable);
    if (stmt.reader) {
      parentPort.postMessage({ id: msg.id, rows: stmt.all(params) });
    } else {
      const { changes, lastInsertRowid } = stmt.run(params);
      parentPort.postMessage({ id: msg.id, changes, lastInsertRowid });
    }
  } catch (err) {
    parentPort.postMessage({
      id: msg.id,
      error: { name: err?.name, message: String(err?.message ?? err), code: err?.code },
    });
  }
});
parentPort.postMessage({ ready: true });
