// Live inbox updates over Server-Sent Events (`GET /api/v1/inbox/stream`).
//
// States: connecting → live; a dropped connection the browser retries by itself (reconnecting,
// with Last-Event-ID); one it gives up on (401 after the session ended, server gone) is closed
// here and retried with backoff (offline → connecting), with `since=<last id>` so nothing
// missed is lost. The browser sends the session cookie; no token is put in the URL. `close()` is final. An `overflow` event means too much was missed:
// the owner refetches the inbox and calls `restart(newestId)`.

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * @param {object} o
 * @param {string|null} o.since  id of the newest notification already shown
 * @param {() => Promise<unknown>} o.ready  resolves while the session is valid
 * @param {(frame: {notification: object, unread_count: number}) => void} o.onFrame
 * @param {() => void} o.onOverflow
 * @param {(state: 'connecting'|'live'|'reconnecting'|'offline'|'closed', retryMs?: number) => void} o.onStatus
 * @param {(err: unknown) => boolean} o.isFatal  true when an error from `ready` means stop for good
 */
export function openInboxStream(o) {
  let lastId = o.since ?? null;
  let source = null;
  let timer = null;
  let closed = false;
  let delay = FIRST_RETRY_MS;

  const drop = () => {
    clearTimeout(timer);
    timer = null;
    source?.close();
    source = null;
  };

  const retryLater = () => {
    drop();
    o.onStatus('offline', delay);
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  };

  async function connect() {
    timer = null;
    if (closed) return;
    o.onStatus('connecting');
    try {
      await o.ready();
    } catch (err) {
      if (o.isFatal(err)) close();
      else if (!closed) retryLater();
      return;
    }
    if (closed || source) return;
    const query = new URLSearchParams({ format: 'markdown' });
    if (lastId) query.set('since', lastId);
    const es = new EventSource(`/api/v1/inbox/stream?${query}`);
    source = es;
    es.addEventListener('open', () => {
      delay = FIRST_RETRY_MS;
      o.onStatus('live');
    });
    es.addEventListener('notification', (event) => {
      if (event.lastEventId) lastId = event.lastEventId;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame?.notification?.id) o.onFrame(frame);
    });
    es.addEventListener('overflow', () => {
      drop();
      o.onStatus('connecting');
      o.onOverflow();
    });
    es.addEventListener('error', () => {
      if (source !== es) return;
      if (es.readyState === EventSource.CLOSED) retryLater();
      else o.onStatus('reconnecting');
    });
  }

  function close() {
    closed = true;
    drop();
    o.onStatus('closed');
  }

  void connect();
  return {
    close,
    /** Reconnects from `since` (after a refetch), dropping the current connection. */
    restart(since) {
      if (closed) return;
      drop();
      lastId = since ?? lastId;
      delay = FIRST_RETRY_MS;
      void connect();
    },
  };
}
