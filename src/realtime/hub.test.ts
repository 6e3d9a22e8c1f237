import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, type Hub, type HubEvent, type SubscriberSink } from './hub.ts';

const ev = (userId: string, n: number, kind: HubEvent['kind'] = 'created'): HubEvent => ({
  userId,
  notificationId: `n${n}`,
  kind,
});

/** Lets queued microtasks and a few macrotask turns run so drain loops make all the progress they can. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function recorder(deliver?: (e: HubEvent) => Promise<void> | void) {
  const got: string[] = [];
  const overflow = vi.fn();
  const sink: SubscriberSink = {
    deliver: (e) => {
      got.push(e.notificationId);
      return deliver?.(e);
    },
    overflow,
  };
  return { sink, got, overflow };
}

const never = () => new Promise<void>(() => {});

let hub: Hub;
afterEach(() => hub?.close());

describe('hub delivery', () => {
  it('delivers each user only their events, in publish order, one at a time', async () => {
    hub = createHub();
    let inFlight = 0;
    let maxInFlight = 0;
    const a = recorder(async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      inFlight--;
    });
    const b = recorder();
    hub.subscribe('alice', a.sink);
    hub.subscribe('bob', b.sink);

    hub.publish([ev('alice', 1), ev('bob', 2), ev('alice', 3)]);
    hub.publish([ev('alice', 4, 'updated')]);
    hub.publish([ev('alice', 5), ev('alice', 6)]);

    await vi.waitFor(() => expect(a.got).toEqual(['n1', 'n3', 'n4', 'n5', 'n6']));
    expect(b.got).toEqual(['n2']);
    expect(maxInFlight).toBe(1);
  });

  it('keeps order when some deliveries finish at once and others later, even one that publishes', async () => {
    hub = createHub();
    let gate!: () => void;
    const a = recorder((e) => {
      // n2 waits until released; the rest return nothing (the frame went out at once).
      if (e.notificationId === 'n2') return new Promise<void>((resolve) => (gate = resolve));
      if (e.notificationId === 'n3') hub.publish([ev('alice', 9)]);
    });
    hub.subscribe('alice', a.sink);
    hub.publish([ev('alice', 1), ev('alice', 2), ev('alice', 3), ev('alice', 4)]);
    await settle();
    expect(a.got).toEqual(['n1', 'n2']);
    gate();
    await vi.waitFor(() => expect(a.got).toEqual(['n1', 'n2', 'n3', 'n4', 'n9']));
  });

  it('never runs sink code inside publish', () => {
    hub = createHub();
    const a = recorder();
    hub.subscribe('alice', a.sink);
    hub.publish([ev('alice', 1)]);
    expect(a.got).toEqual([]);
  });

  it('delivers to every subscriber of the same user', async () => {
    hub = createHub();
    const tab1 = recorder();
    const tab2 = recorder();
    hub.subscribe('alice', tab1.sink);
    hub.subscribe('alice', tab2.sink);
    hub.publish([ev('alice', 1)]);
    await vi.waitFor(() => expect(tab2.got).toEqual(['n1']));
    expect(tab1.got).toEqual(['n1']);
  });

  it('does not let a stalled subscriber delay another one', async () => {
    hub = createHub();
    const stalled = recorder(never);
    const healthy = recorder();
    hub.subscribe('alice', stalled.sink);
    hub.subscribe('alice', healthy.sink);

    hub.publish([ev('alice', 1), ev('alice', 2)]);
    hub.publish([ev('alice', 3)]);

    await vi.waitFor(() => expect(healthy.got).toEqual(['n1', 'n2', 'n3']));
    expect(stalled.got).toEqual(['n1']);
  });

  it('keeps delivering after a sink throws or rejects, reporting the error', async () => {
    const onError = vi.fn(() => {
      throw new Error('reporter is broken too');
    });
    hub = createHub({ onError });
    const a = recorder((e) => {
      if (e.notificationId === 'n1') throw new Error('sync');
      if (e.notificationId === 'n2') return Promise.reject(new Error('async'));
    });
    hub.subscribe('alice', a.sink);
    hub.publish([ev('alice', 1), ev('alice', 2), ev('alice', 3)]);
    await vi.waitFor(() => expect(a.got).toEqual(['n1', 'n2', 'n3']));
    expect(onError).toHaveBeenCalledTimes(2);
  });
});

describe('hub overflow', () => {
  it('calls overflow() once, drops the subscriber and delivers nothing more', async () => {
    hub = createHub();
    let release!: () => void;
    const slow = recorder(() => new Promise<void>((r) => (release = r)));
    const other = recorder();
    hub.subscribe('alice', slow.sink, { maxQueue: 2 });
    hub.subscribe('alice', other.sink);

    hub.publish([ev('alice', 1)]);
    await settle(); // n1 is now in flight, the queue is empty
    hub.publish([ev('alice', 2), ev('alice', 3)]); // queue full
    expect(slow.overflow).not.toHaveBeenCalled();
    hub.publish([ev('alice', 4), ev('alice', 5)]); // one past the limit

    expect(slow.overflow).toHaveBeenCalledTimes(1);
    expect(hub.subscriberCount('alice')).toBe(1);

    release();
    hub.publish([ev('alice', 6)]);
    await vi.waitFor(() => expect(other.got).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']));
    await settle();
    expect(slow.got).toEqual(['n1']);
    expect(slow.overflow).toHaveBeenCalledTimes(1);
  });

  it('uses the hub-wide default limit and tolerates overflow() closing or throwing', async () => {
    const onError = vi.fn();
    hub = createHub({ defaultMaxQueue: 1, onError });
    const sink: SubscriberSink = {
      deliver: never,
      overflow: () => {
        sub.close();
        throw new Error('socket already gone');
      },
    };
    const sub = hub.subscribe('alice', sink);
    hub.publish([ev('alice', 1)]);
    await settle();
    expect(() => hub.publish([ev('alice', 2), ev('alice', 3), ev('alice', 4)])).not.toThrow();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(hub.subscriberCount()).toBe(0);
  });

  it('rejects a queue limit that is not a positive integer', () => {
    hub = createHub();
    expect(() => hub.subscribe('alice', recorder().sink, { maxQueue: 0 })).toThrow(RangeError);
    expect(() => createHub({ defaultMaxQueue: 1.5 })).toThrow(RangeError);
  });
});

describe('hub subscriptions', () => {
  it('stops delivering, including already queued events, once a subscription is closed', async () => {
    hub = createHub();
    let release!: () => void;
    const a = recorder(() => new Promise<void>((r) => (release = r)));
    const sub = hub.subscribe('alice', a.sink);
    expect(sub.id).toMatch(/\S/);
    expect(hub.subscriberCount('alice')).toBe(1);

    hub.publish([ev('alice', 1), ev('alice', 2)]);
    await settle();
    sub.close();
    sub.close();
    release();
    hub.publish([ev('alice', 3)]);
    await settle();

    expect(a.got).toEqual(['n1']);
    expect(a.overflow).not.toHaveBeenCalled();
    expect(hub.subscriberCount('alice')).toBe(0);
    expect(hub.subscriberCount()).toBe(0);
  });

  it('counts subscribers per user and in total', () => {
    hub = createHub();
    const s1 = hub.subscribe('alice', recorder().sink);
    hub.subscribe('alice', recorder().sink);
    hub.subscribe('bob', recorder().sink);
    expect(hub.subscriberCount('alice')).toBe(2);
    expect(hub.subscriberCount('carol')).toBe(0);
    expect(hub.subscriberCount()).toBe(3);
    s1.close();
    expect(hub.subscriberCount('alice')).toBe(1);
    expect(hub.subscriberCount()).toBe(2);
  });

  it('publishing to users without subscribers does not visit anyone else', async () => {
    hub = createHub();
    let calls = 0;
    const shared: SubscriberSink = { deliver: () => void calls++, overflow: () => void calls++ };
    for (let i = 0; i < 20_000; i++) hub.subscribe(`user-${i}`, shared);
    const events = Array.from({ length: 20_000 }, (_, i) => ev(`nobody-${i}`, i));

    const started = performance.now();
    hub.publish(events);
    const elapsed = performance.now() - started;

    // A scan over all subscribers per event would be 4e8 steps (seconds); a lookup is ~1 ms.
    expect(elapsed).toBeLessThan(100);
    await settle();
    expect(calls).toBe(0);
  });

  it('close() drops everyone without overflow(), then ignores publishes and refuses subscribers', async () => {
    hub = createHub();
    const a = recorder();
    hub.subscribe('alice', a.sink);
    hub.close();
    expect(hub.subscriberCount()).toBe(0);
    expect(() => hub.publish([ev('alice', 1)])).not.toThrow();
    expect(() => hub.subscribe('alice', recorder().sink)).toThrow(/closed/);
    await settle();
    expect(a.got).toEqual([]);
    expect(a.overflow).not.toHaveBeenCalled();
  });
});
