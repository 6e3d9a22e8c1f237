import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type Hub, type HubEvent } from './hub.ts';
import { type StreamEncoder, type StreamSink, subscribe } from './subscribe.ts';

const ev = (userId: string, id: string): HubEvent => ({ userId, notificationId: id, kind: 'created' });

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function memorySink(opts: { slow?: () => Promise<void> } = {}) {
  const frames: string[] = [];
  const ended: string[] = [];
  let pings = 0;
  const sink: StreamSink = {
    async write(frame) {
      await opts.slow?.();
      frames.push(frame);
    },
    ping: () => {
      pings++;
    },
    end: (reason) => {
      ended.push(reason);
    },
  };
  return { sink, frames, ended, pings: () => pings };
}

const encoder: StreamEncoder<string> = { open: () => 'open', item: (s) => `item:${s}` };

let hub: Hub;
afterEach(() => hub?.close());

describe('subscribe', () => {
  it('writes the opening frame, then the replay oldest first, then live items', async () => {
    hub = createHub();
    const out = memorySink();
    const stream = subscribe(
      hub,
      {
        userIds: ['u1'],
        resolve: async (e) => e.notificationId,
        replay: async () => ['a', 'b'],
        keyOf: (s) => s,
      },
      encoder,
      out.sink,
      { keepaliveMs: 60_000 },
    );
    await stream.ready;
    hub.publish([ev('u1', 'c'), ev('u2', 'x')]);
    await settle();
    expect(out.frames).toEqual(['open', 'item:a', 'item:b', 'item:c']);
    stream.close();
    hub.publish([ev('u1', 'd')]);
    await settle();
    expect(out.frames).toHaveLength(4);
    expect(hub.subscriberCount()).toBe(0);
  });

  it('holds live items until the replay is written and drops those it already sent', async () => {
    hub = createHub();
    const out = memorySink();
    let release!: () => void;
    const replayGate = new Promise<void>((r) => {
      release = r;
    });
    const stream = subscribe(
      hub,
      {
        userIds: ['u1'],
        resolve: async (e) => e.notificationId,
        replay: async () => {
          await replayGate;
          return ['a', 'b'];
        },
        keyOf: (s) => s,
      },
      encoder,
      out.sink,
      { keepaliveMs: 60_000 },
    );
    // Committed while the replay was being read: 'b' is in both, 'c' only live.
    hub.publish([ev('u1', 'b'), ev('u1', 'c')]);
    await settle();
    expect(out.frames).toEqual(['open']);
    release();
    await stream.ready;
    await settle();
    expect(out.frames).toEqual(['open', 'item:a', 'item:b', 'item:c']);
    stream.close();
  });

  it('skips events the resolver refuses and de-duplicates items seen through two hub keys', async () => {
    hub = createHub();
    const out = memorySink();
    const stream = subscribe(
      hub,
      {
        userIds: ['u1', 'u2'],
        // Both users receive message m1; u1's copy of m2 is filtered out.
        resolve: async (e) => (e.notificationId === 'm2' && e.userId === 'u1' ? undefined : e.notificationId),
        keyOf: (s) => s,
      },
      { item: (s) => s },
      out.sink,
      { keepaliveMs: 60_000 },
    );
    await stream.ready;
    hub.publish([ev('u1', 'm1'), ev('u2', 'm1'), ev('u1', 'm2')]);
    await settle();
    expect(out.frames).toEqual(['m1']);
    hub.publish([ev('u2', 'm2')]);
    await settle();
    expect(out.frames).toEqual(['m1', 'm2']);
    stream.close();
  });

  it('in poll mode writes the replay and ends without subscribing', async () => {
    hub = createHub();
    const out = memorySink();
    const stream = subscribe(
      hub,
      { userIds: ['u1'], resolve: async (e) => e.notificationId, replay: async () => ['a'], keyOf: (s) => s },
      encoder,
      out.sink,
      { keepaliveMs: 60_000, poll: true },
    );
    expect(hub.subscriberCount()).toBe(0);
    await stream.ready;
    expect(out.frames).toEqual(['open', 'item:a']);
    expect(out.ended).toEqual(['done']);
  });

  it('sends keepalive frames, or pings when the encoder has none', async () => {
    hub = createHub();
    const framed = memorySink();
    const pinged = memorySink();
    const a = subscribe(
      hub,
      { userIds: ['u1'], resolve: async () => undefined, keyOf: (s: string) => s },
      { item: (s) => s, keepalive: () => 'ka' },
      framed.sink,
      { keepaliveMs: 10 },
    );
    const b = subscribe(
      hub,
      { userIds: ['u1'], resolve: async () => undefined, keyOf: (s: string) => s },
      { item: (s) => s },
      pinged.sink,
      { keepaliveMs: 10 },
    );
    await Promise.all([a.ready, b.ready]);
    await new Promise((r) => setTimeout(r, 45));
    a.close();
    b.close();
    expect(framed.frames.filter((f) => f === 'ka').length).toBeGreaterThanOrEqual(2);
    expect(pinged.pings()).toBeGreaterThanOrEqual(2);
    expect(pinged.frames).toEqual([]);
  });

  it('ends the stream with overflow when the client falls behind', async () => {
    hub = createHub({ defaultMaxQueue: 2 });
    const out = memorySink({ slow: () => new Promise(() => {}) });
    const stream = subscribe(
      hub,
      { userIds: ['u1'], resolve: async (e) => e.notificationId, keyOf: (s) => s },
      { item: (s) => s },
      out.sink,
      { keepaliveMs: 60_000 },
    );
    await stream.ready;
    hub.publish([ev('u1', '1')]);
    await settle();
    hub.publish([ev('u1', '2'), ev('u1', '3'), ev('u1', '4')]);
    await settle();
    expect(out.ended).toEqual(['overflow']);
    expect(hub.subscriberCount()).toBe(0);
  });

  it('ends the stream when the replay fails', async () => {
    hub = createHub();
    const out = memorySink();
    const errors: unknown[] = [];
    const stream = subscribe(
      hub,
      {
        userIds: ['u1'],
        resolve: async (e) => e.notificationId,
        replay: async () => {
          throw new Error('store down');
        },
        keyOf: (s) => s,
      },
      encoder,
      out.sink,
      { keepaliveMs: 60_000, onError: (e) => errors.push(e) },
    );
    await stream.ready;
    expect(out.ended).toEqual(['done']);
    expect(errors).toHaveLength(1);
    expect(hub.subscriberCount()).toBe(0);
  });
});
