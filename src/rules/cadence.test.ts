import { describe, expect, it } from 'vitest';
import { decideCadence, digestWindow, MAX_DIGEST_LINES, renderDigest } from './cadence.ts';
import type { RuleEvent } from './rule.types.ts';

const now = new Date('2026-11-22T14:37:12.345Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

describe('decideCadence', () => {
  it('fires instant rules every time', () => {
    expect(decideCadence({ type: 'instant' }, now, { lastFiredAt: null })).toEqual({ fire: 'now' });
    expect(decideCadence({ type: 'instant' }, now, { lastFiredAt: now })).toEqual({ fire: 'now' });
  });

  it('fires a throttled rule that never fired', () => {
    expect(decideCadence({ type: 'throttle', minutes: 15 }, now, { lastFiredAt: null })).toEqual({
      fire: 'now',
    });
  });

  it('skips a throttled rule that fired within the window', () => {
    const throttle = { type: 'throttle', minutes: 15 } as const;
    expect(decideCadence(throttle, now, { lastFiredAt: now })).toEqual({ fire: 'skip' });
    expect(decideCadence(throttle, now, { lastFiredAt: minutesAgo(1) })).toEqual({ fire: 'skip' });
    expect(decideCadence(throttle, now, { lastFiredAt: minutesAgo(14.99) })).toEqual({ fire: 'skip' });
  });

  it('fires again once the window has fully passed', () => {
    const throttle = { type: 'throttle', minutes: 15 } as const;
    expect(decideCadence(throttle, now, { lastFiredAt: minutesAgo(15) })).toEqual({ fire: 'now' });
    expect(decideCadence(throttle, now, { lastFiredAt: minutesAgo(60) })).toEqual({ fire: 'now' });
  });

  it('stays quiet when the last firing is in the future (clock moved back)', () => {
    const future = new Date(now.getTime() + 60_000);
    expect(decideCadence({ type: 'throttle', minutes: 1 }, now, { lastFiredAt: future })).toEqual({
      fire: 'skip',
    });
  });

  it('puts digest events into the UTC hour window', () => {
    expect(decideCadence({ type: 'digest', every: 'hour' }, now, { lastFiredAt: null })).toEqual({
      fire: 'digest',
      windowKey: '2026-11-22T14',
      windowStart: new Date('2026-11-22T14:00:00.000Z'),
      windowEnd: new Date('2026-11-22T15:00:00.000Z'),
    });
  });

  it('puts digest events into the UTC day window whatever the last firing', () => {
    expect(decideCadence({ type: 'digest', every: 'day' }, now, { lastFiredAt: minutesAgo(1) })).toEqual({
      fire: 'digest',
      windowKey: '2026-11-22',
      windowStart: new Date('2026-11-22T00:00:00.000Z'),
      windowEnd: new Date('2026-11-23T00:00:00.000Z'),
    });
  });
});

describe('digestWindow', () => {
  it('includes the window start and excludes its end', () => {
    expect(digestWindow('hour', new Date('2026-11-22T14:00:00.000Z')).windowKey).toBe('2026-11-22T14');
    expect(digestWindow('hour', new Date('2026-11-22T14:59:59.999Z')).windowKey).toBe('2026-11-22T14');
    expect(digestWindow('hour', new Date('2026-11-22T15:00:00.000Z')).windowKey).toBe('2026-11-22T15');
  });

  it('crosses day, month and year boundaries', () => {
    const lastHour = digestWindow('hour', new Date('2026-12-31T23:30:00Z'));
    expect(lastHour.windowKey).toBe('2026-12-31T23');
    expect(lastHour.windowEnd).toEqual(new Date('2027-01-01T00:00:00Z'));
    const lastDay = digestWindow('day', new Date('2026-12-31T23:30:00Z'));
    expect(lastDay.windowEnd).toEqual(new Date('2027-01-01T00:00:00Z'));
  });
});

function event(index: number, fields: Record<string, unknown> = {}): RuleEvent {
  return {
    id: `evt_${index}`,
    name: 'auth.login_failed',
    fields,
    occurredAt: new Date(Date.UTC(2026, 10, 22, 14, 0, index)),
  };
}

describe('renderDigest', () => {
  it('counts the events and lists one line each, oldest first', () => {
    const digest = renderDigest('Failed logins', [
      event(2, { username: 'bob' }),
      event(1, { username: 'alice', ipAddress: '203.0.113.9', meta: { nested: true } }),
    ]);
    expect(digest.title).toBe('Failed logins: 2 events');
    expect(digest.body.split('\n')).toEqual([
      '2 events matched rule "Failed logins":',
      '- 2026-11-22T14:00:01.000Z auth.login_failed (username=alice, ipAddress=203.0.113.9)',
      '- 2026-11-22T14:00:02.000Z auth.login_failed (username=bob)',
    ]);
  });

  it('uses the singular for one event and handles none', () => {
    expect(renderDigest('R', [event(0)]).title).toBe('R: 1 event');
    expect(renderDigest('R', [event(0)]).body).toContain('- 2026-11-22T14:00:00.000Z auth.login_failed');
    expect(renderDigest('R', [])).toEqual({ title: 'R: 0 events', body: 'No events in this window.' });
  });

  it('lists at most 50 events, then says how many more', () => {
    const events = Array.from({ length: 73 }, (_, i) => event(i));
    const lines = renderDigest('Noisy', events).body.split('\n');
    expect(lines).toHaveLength(1 + MAX_DIGEST_LINES + 1);
    expect(lines[0]).toBe('73 events matched rule "Noisy":');
    expect(lines.at(-1)).toBe('…and 23 more');
  });

  it('shortens very long lines', () => {
    const body = renderDigest('R', [event(0, { message: 'x'.repeat(1000) })]).body;
    expect(body.split('\n')[1].length).toBe(200);
    expect(body.endsWith('…')).toBe(true);
  });
});
