/**
 * In-process signals raised after a transaction commits, so the parts that act on committed
 * rows (workers, caches) act at once instead of at their next poll. A signal only says "look
 * now": the rows are the truth, and every listener also polls, so a signal lost (another
 * process on a shared PostgreSQL, a listener that failed) delays work but never loses it.
 */

/** One typed channel. `subscribe` returns the function that unsubscribes. */
export interface Signal<T> {
  emit(value: T): void;
  subscribe(listener: (value: T) => void): () => void;
}

export interface Signals {
  /** Deliveries were committed due now (enqueued or requeued): delivery workers claim. */
  readonly deliveriesCommitted: Signal<{ count: number }>;
  /** Events were recorded: the event worker matches them against the rules. */
  readonly eventsCommitted: Signal<{ count: number }>;
  /** A channel's settings were saved: cached channel settings and enabled types are stale. */
  readonly channelsChanged: Signal<{ type: string }>;
  /** An operator setting (e.g. `notifier_paused`) was saved with this value. */
  readonly settingsChanged: Signal<{ key: string; value: unknown }>;
}

/** Told about a listener that threw; the other listeners still run and the emitter goes on. */
export type SignalErrorHandler = (err: unknown, signal: keyof Signals) => void;

function createSignal<T>(name: keyof Signals, onError: SignalErrorHandler): Signal<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    emit(value) {
      // A copy, so a listener that unsubscribes (or subscribes) while being called is safe.
      for (const listener of [...listeners]) {
        try {
          listener(value);
        } catch (err) {
          onError(err, name);
        }
      }
    },
    subscribe(listener) {
      // Wrapped, so subscribing the same function twice needs two unsubscribes, like two listeners.
      const entry = (value: T) => listener(value);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}

export function createSignals(onError: SignalErrorHandler): Signals {
  return {
    deliveriesCommitted: createSignal('deliveriesCommitted', onError),
    eventsCommitted: createSignal('eventsCommitted', onError),
    channelsChanged: createSignal('channelsChanged', onError),
    settingsChanged: createSignal('settingsChanged', onError),
  };
}
