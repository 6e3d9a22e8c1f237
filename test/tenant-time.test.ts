import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const NOTIFICATIONS = '/notification/v1/notifications';
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

/**
 * These tests move the server's clock by months, past the life of a login JWT, so every call
 * uses `zat_` access tokens (which do not expire unless asked to).
 */
describe.each(STORES)('tenant notifications over time on %s', (store) => {
  const clock = manualClock(Date.parse('2025-01-10T12:00:00Z'));
  let h: TestHerald;
  let adminZat: string;
  let service: string;
  const tenantId = randomUUID();

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    const jwt = await h.adminToken();
    const z = await h.api('POST', '/api/v1/access-tokens', {
      token: jwt,
      body: { name: 'admin automation', scopes: ['*'] },
    });
    expect(z.status, z.text).toBe(201);
    adminZat = z.body.token;
    const s = await h.api('POST', '/api/v1/access-tokens', {
      token: jwt,
      body: { name: 'svc', scopes: ['notifications:create', 'notifications:read'], tenantId },
    });
    expect(s.status, s.text).toBe(201);
    service = s.body.token;
    const t = await h.api('POST', '/api/v1/templates', {
      token: adminZat,
      body: {
        templateKey: 'INVOICE_DUE',
        name: 'Invoice due',
        category: 'Billing',
        titleTemplate: 'Invoice {{n}} due',
        messageTemplate: 'Invoice {{n}} is due.',
      },
    });
    expect(t.status, t.text).toBe(201);
  });
  afterAll(() => h?.close());

  async function notify(userId: string, n: string) {
    const res = await h.api('POST', NOTIFICATIONS, {
      token: service,
      body: {
        templateKey: 'INVOICE_DUE',
        userId,
        tenantId,
        entityType: 'invoice',
        entityId: n,
        placeholders: { n },
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.data as { id: string; createdAt: string; relativeTime: string };
  }

  async function get(path: string) {
    const res = await h.api('GET', path, { token: service });
    expect(res.status, res.text).toBe(200);
    return res.body.data;
  }

  it('counts per timePeriod (1m, 3m, 6m, all) and lists with the same window', async () => {
    const userId = randomUUID();
    // Ages at the moment of counting: 240, 120, 60 and 7 days.
    clock.set(Date.parse('2025-02-01T12:00:00Z'));
    const eightMonths = await notify(userId, 'eight-months');
    clock.advance(120 * DAY);
    const fourMonths = await notify(userId, 'four-months');
    clock.advance(60 * DAY);
    await notify(userId, 'two-months');
    clock.advance(53 * DAY);
    await notify(userId, 'one-week');
    clock.advance(7 * DAY);

    const read = await h.api('PATCH', `${NOTIFICATIONS}/${fourMonths.id}/toggle-status`, {
      token: service,
      body: { status: 'READ' },
    });
    expect(read.status, read.text).toBe(200);

    const q = `tenantId=${tenantId}&userId=${userId}`;
    const expected = {
      '1m': { unread: 1, read: 0, total: 1, titles: ['Invoice one-week due'] },
      '3m': { unread: 2, read: 0, total: 2, titles: ['Invoice one-week due', 'Invoice two-months due'] },
      '6m': {
        unread: 2,
        read: 1,
        total: 3,
        titles: ['Invoice one-week due', 'Invoice two-months due', 'Invoice four-months due'],
      },
      all: {
        unread: 3,
        read: 1,
        total: 4,
        titles: [
          'Invoice one-week due',
          'Invoice two-months due',
          'Invoice four-months due',
          'Invoice eight-months due',
        ],
      },
    };
    for (const [timePeriod, e] of Object.entries(expected)) {
      const c = await get(`${NOTIFICATIONS}/count?${q}&timePeriod=${timePeriod}`);
      expect(c, timePeriod).toEqual({ unread: e.unread, read: e.read, total: e.total, timePeriod });
      const l = await get(`${NOTIFICATIONS}?${q}&timePeriod=${timePeriod}`);
      expect(
        l.data.map((i: { title: string }) => i.title),
        timePeriod,
      ).toEqual(e.titles);
      expect(l.total, timePeriod).toBe(e.total);
    }
    // No timePeriod means all.
    expect(await get(`${NOTIFICATIONS}/count?${q}`)).toEqual({
      unread: 3,
      read: 1,
      total: 4,
      timePeriod: 'all',
    });
    // Old items keep their creation time; relativeTime is from now.
    const all = await get(`${NOTIFICATIONS}?${q}`);
    const oldest = all.data.at(-1);
    expect(oldest).toMatchObject({
      id: eightMonths.id,
      createdAt: eightMonths.createdAt,
      relativeTime: '8 months ago',
    });
  });

  it('computes relativeTime when read, not when created', async () => {
    const userId = randomUUID();
    const created = await notify(userId, 'rt');
    expect(created.relativeTime).toBe('just now');

    clock.advance(2 * HOUR);
    const listed = await get(`${NOTIFICATIONS}?tenantId=${tenantId}&userId=${userId}`);
    expect(listed.data[0]).toMatchObject({
      id: created.id,
      createdAt: created.createdAt,
      relativeTime: '2 hours ago',
    });

    const toggled = await h.api('PATCH', `${NOTIFICATIONS}/${created.id}/toggle-status`, {
      token: service,
      body: { status: 'READ' },
    });
    expect(toggled.body.data.relativeTime).toBe('2 hours ago');

    clock.advance(3 * DAY);
    const later = await get(`${NOTIFICATIONS}?tenantId=${tenantId}&userId=${userId}`);
    expect(later.data[0].relativeTime).toBe('3 days ago');
  });

  it('counts calendar months back, clamped to the end of a shorter month', async () => {
    const userId = randomUUID();
    clock.set(Date.parse('2026-03-01T12:00:00Z'));
    await notify(userId, 'first-of-march');
    // 30 days later, on 31 March: one month back is 28 February, so 1 March is inside "1m".
    clock.set(Date.parse('2026-03-31T12:00:00Z'));
    const c = await get(`${NOTIFICATIONS}/count?tenantId=${tenantId}&userId=${userId}&timePeriod=1m`);
    expect(c).toEqual({ unread: 1, read: 0, total: 1, timePeriod: '1m' });
    // On 31 August, six months back is 28 February: 1 March is inside "6m", and leaves it on 1 September + a day.
    clock.set(Date.parse('2026-08-31T12:00:00Z'));
    expect(
      (await get(`${NOTIFICATIONS}/count?tenantId=${tenantId}&userId=${userId}&timePeriod=6m`)).total,
    ).toBe(1);
    clock.set(Date.parse('2026-09-02T12:00:00Z'));
    expect(
      (await get(`${NOTIFICATIONS}/count?tenantId=${tenantId}&userId=${userId}&timePeriod=6m`)).total,
    ).toBe(0);
  });
});
