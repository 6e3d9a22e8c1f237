import { describe, expect, it } from 'vitest';
import { createSignals } from './signals.ts';

describe('signals', () => {
  it('calls every subscriber with the value until it unsubscribes', () => {
    const signals = createSignals(() => {});
    const seen: number[] = [];
    const off = signals.deliveriesCommitted.subscribe(({ count }) => seen.push(count));
    signals.deliveriesCommitted.subscribe(({ count }) => seen.push(count * 10));
    signals.deliveriesCommitted.emit({ count: 2 });
    off();
    signals.deliveriesCommitted.emit({ count: 3 });
    expect(seen).toEqual([2, 20, 30]);
  });

  it('keeps the channels apart', () => {
    const signals = createSignals(() => {});
    const keys: string[] = [];
    signals.settingsChanged.subscribe(({ key }) => keys.push(key));
    signals.channelsChanged.emit({ type: 'smtp' });
    signals.settingsChanged.emit({ key: 'notifier_paused', value: true });
    expect(keys).toEqual(['notifier_paused']);
  });

  it('reports a listener that throws and still calls the others', () => {
    const errors: Array<[unknown, string]> = [];
    const signals = createSignals((err, name) => errors.push([err, name]));
    let called = 0;
    signals.eventsCommitted.subscribe(() => {
      throw new Error('boom');
    });
    signals.eventsCommitted.subscribe(() => called++);
    expect(() => signals.eventsCommitted.emit({ count: 1 })).not.toThrow();
    expect(called).toBe(1);
    expect(errors).toEqual([[new Error('boom'), 'eventsCommitted']]);
  });

  it('lets a listener unsubscribe while it is being called', () => {
    const signals = createSignals(() => {});
    let calls = 0;
    const off = signals.channelsChanged.subscribe(() => {
      calls++;
      off();
    });
    signals.channelsChanged.emit({ type: 'webpush' });
    signals.channelsChanged.emit({ type: 'webpush' });
    expect(calls).toBe(1);
  });
});
