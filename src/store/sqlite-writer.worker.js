// The SQLite writer thread (see sqlite-dialect.ts): owns the one connection that writes, so no
// statement of a write transaction and no commit's fsync ever runs on the server's event loop.
// Plain JavaScript so it loads the same from src/ and from dist/. Protocol: the parent posts
// { id, sql, params } (or { id, close: true }); the thread answers { id, rows } for statements
// that return rows, { id, changes, lastInsertRowid } for the others, or { id, error }. A message
// may carry `before`: deferred writes ({ sql, params }) to run first, in order. A message
// { list: [statement, …] } runs each in order and is answered by the list of their answers.
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';

const STATEMENT_CACHE_SIZE = 500;

const db = new SqliteDatabase(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

// The WAL is copied back into the database file here, after a commit was answered, instead of
// inside whichever commit crossed SQLite's threshold (a commit of 10k notifications spent half
// its time checkpointing before it could answer). PASSIVE never waits for readers. Rows
// changed (roughly: SQLite counts a commit as its last statement's) stand in for pages
// written: past CHECKPOINT_AFTER_CHANGES since the last checkpoint, the next answered commit
// (or statement outside a transaction) is followed by one.
db.pragma('wal_autocheckpoint = 0');
const CHECKPOINT_AFTER_CHANGES = 1000;
/**
 * Checkpoints that found the next transaction already begun: after this many in a row the
 * next commit checkpoints before it answers, as SQLite would, so the WAL cannot grow without
 * end under a load that never leaves a gap.
 */
const MAX_CHECKPOINTS_MISSED = 10;
let changesSinceCheckpoint = 0;
let checkpointScheduled = false;
let checkpointsMissed = 0;

function checkpoint() {
  changesSinceCheckpoint = 0;
  checkpointsMissed = 0;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A failed checkpoint only leaves the WAL longer; the next one copies what this did not.
  }
}

/** Before a commit's answer: only when checkpoints after answers kept missing their gap. */
function checkpointIfOverdue() {
  if (checkpointsMissed >= MAX_CHECKPOINTS_MISSED) checkpoint();
}

/**
 * After an answer, once this turn's messages are handled: the caller does not wait for it,
 * and statements already queued behind it go first.
 */
function checkpointSoon() {
  if (checkpointScheduled || changesSinceCheckpoint < CHECKPOINT_AFTER_CHANGES) return;
  checkpointScheduled = true;
  setImmediate(() => {
    checkpointScheduled = false;
    if (!db.open) return;
    // The next transaction has begun: the commit that ends it tries again.
    if (db.inTransaction) checkpointsMissed++;
    else checkpoint();
  });
}

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
  changesSinceCheckpoint += changes;
  return { changes, lastInsertRowid };
}

/** One statement message: its answer, or the error that stopped it. */
function answer(msg) {
  try {
    // Deferred writes sent with this statement run first, in order; the first that fails
    // stops the rest and its error is the answer.
    if (msg.before) for (const b of msg.before) runOne(b.sql, b.params);
    return { id: msg.id, ...runOne(msg.sql, msg.params) };
  } catch (err) {
    return { id: msg.id, error: { name: err?.name, message: String(err?.message ?? err), code: err?.code } };
  }
}

parentPort.on('message', (msg) => {
  if (msg.close) {
    cache.clear();
    if (db.open) db.close();
    parentPort.postMessage({ id: msg.id, rows: [] });
    return;
  }
  // Statements issued together by the concurrent units of one batch come as one list, and
  // their answers go back as one: each is answered on its own, as if it had come alone.
  const answers = msg.list ? msg.list.map(answer) : answer(msg);
  if (!db.inTransaction) checkpointIfOverdue();
  parentPort.postMessage(answers);
  if (!db.inTransaction) checkpointSoon();
});
parentPort.postMessage({ ready: true });
