import { describe, expect, it } from 'vitest';
import {
  deliveryTypeOfPriority,
  ntfyIdOf,
  numberOfNtfyId,
  parseActions,
  parseDuration,
  parsePriority,
  parseSince,
  passes,
  priorityOfDeliveryType,
} from './ntfy-format.ts';

/** The field an AppError refused, with its detail. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const v = (err as { validations?: Array<{ field: string; detail: string }> }).validations?.[0];
    return v ? `${v.field}: ${v.detail}` : String(err);
  }
  return 'no error';
}

describe('ntfy format', () => {
  it('reads priorities as numbers and words, and maps them to delivery types and back', () => {
    expect(
      ['1', 'min', '2', 'low', '3', 'default', '4', 'high', '5', 'max', 'urgent', ' HIGH '].map((p) =>
        parsePriority(p),
      ),
    ).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5, 4]);
    expect(parsePriority(undefined)).toBeUndefined();
    expect(refusal(() => parsePriority('6'))).toMatch(/^priority: /);
    expect([1, 2, 3, 4, 5].map(deliveryTypeOfPriority)).toEqual([
      'SILENT',
      'SILENT',
      'NORMAL',
      'CRITICAL',
      'CRITICAL',
    ]);
    expect(['SILENT', 'NORMAL', 'CRITICAL'].map(priorityOfDeliveryType)).toEqual([2, 3, 4]);
  });

  it('makes 12-character ids from message numbers and reads them back', () => {
    for (const n of [1, 61, 62, 3844, 123_456_789, Number.MAX_SAFE_INTEGER]) {
      const id = ntfyIdOf(n);
      expect(id).toMatch(/^h[0-9A-Za-z]{11}$/);
      expect(numberOfNtfyId(id)).toBe(n);
    }
    expect(numberOfNtfyId('sPs71M8A2T12')).toBeUndefined();
    expect(numberOfNtfyId('h0000')).toBeUndefined();
  });

  it('parses since= as ntfy does', () => {
    const now = 1_700_000_000_000;
    expect(parseSince(undefined, false, now)).toEqual({ kind: 'none' });
    expect(parseSince(undefined, true, now)).toEqual({ kind: 'all' });
    expect(parseSince('all', false, now)).toEqual({ kind: 'all' });
    expect(parseSince('latest', false, now)).toEqual({ kind: 'latest' });
    expect(parseSince('1700000000', false, now)).toEqual({ kind: 'time', ms: 1_700_000_000_000 });
    expect(parseSince('10m', false, now)).toEqual({ kind: 'time', ms: now - 600_000 });
    expect(parseSince('hAbCdEfGhIjK', false, now)).toEqual({ kind: 'id', id: 'hAbCdEfGhIjK' });
    expect(refusal(() => parseSince('soon', false, now))).toMatch(/^since: /);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1x')).toBeUndefined();
  });

  it('parses the short action form with quotes, headers and extras', () => {
    const [view, http, broadcast] = parseActions(
      'view, \'Open, now\', https://example.com/a; http, Call, https://example.com/b, method=put, headers.X-Key=1, body="a=b, c", clear=yes; broadcast, Shoot, extras.cmd=pic',
    );
    expect(view).toMatchObject({
      action: 'view',
      label: 'Open, now',
      url: 'https://example.com/a',
      clear: false,
    });
    expect(http).toMatchObject({
      action: 'http',
      label: 'Call',
      url: 'https://example.com/b',
      method: 'PUT',
      headers: { 'X-Key': '1' },
      body: 'a=b, c',
      clear: true,
    });
    expect(broadcast).toMatchObject({ action: 'broadcast', label: 'Shoot', extras: { cmd: 'pic' } });
    expect(refusal(() => parseActions('view, Open'))).toBe('actions[0].url: is required');
    expect(refusal(() => parseActions('view, Open, https://x, color=red'))).toContain("key 'color' unknown");
    expect(refusal(() => parseActions('[{"action":"view"'))).toBe('actions: is not valid JSON');
    expect(refusal(() => parseActions('jump, Go'))).toContain('actions[0].action');
  });

  it('filters messages and lets control events through', () => {
    const m = {
      id: 'h00000000001',
      time: 1,
      event: 'message' as const,
      topic: 't',
      message: 'x',
      tags: ['a', 'b'],
    };
    expect(passes({ tags: ['a'] }, m)).toBe(true);
    expect(passes({ tags: ['a', 'c'] }, m)).toBe(false);
    expect(passes({ priorities: [3] }, m)).toBe(true);
    expect(passes({ priorities: [4] }, m)).toBe(false);
    expect(passes({ message: 'y' }, { ...m, event: 'keepalive' })).toBe(true);
  });
});
