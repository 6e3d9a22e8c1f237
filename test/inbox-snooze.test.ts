import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const INBOX = '/api/v2/notifications/inbox';
const MINUTE = 60_000;

interface InboxPage {
  notifications: Array<{ id: string; title: string; read_at: string | null }>;
  unread_count: number;
}
interface User {
  id: string;
  token: string;
  bucketId: string;
}

/** Snoozing an inbox item through the public API: it leaves the list and count, then comes back. */
describe.each(STORES)('inbox snooze on %s', (store) => {
  const clock = manualClock(Date.parse('2026-04-01T08:00:00Z'));
  let h: TestHerald;
  let n = 0;

  beforeAll(async () => {
    h = await startHerald(store, { clock });
  });
  afterAll(() => h?.close());

  async function member(): Promise<User> {
    const u = await h.createUser(`snooze${++n}`);
    const bucket = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: `s${n}` } });
    expect(bucket.status, bucket.text).toBe(201);
    return { ...u, bucketId: bucket.body.id };
  }
  async function post(u: User, title: string): Promise<void> {
    const res = await h.api('POST', '/api/v1/messages', {
      token: u.token,
      body: { bucketId: u.bucketId, title, deliveryType: 'NORMAL' },
    });
    expect(res.status, res.text).toBe(201);
    clock.advance(1);
  }
  async function inbox(u: User, query = ''): Promise<InboxPage> {
    const res = await h.api<InboxPage>('GET', `${INBOX}${query}`, { token: u.token });
    expect(res.status, res.text).toBe(200);
    return res.body;
  }
  const idOf = async (u: User, title: string) =>
    (await inbox(u)).notifications.find((x) => x.title === title)!.id;
  const inMinutes = (m: number) => new Date(clock.now() + m * MINUTE).toISOString();

  it('hides a snoozed item from the list and the unread count until its time, then brings it back', async () => {
    const u = await member();
    await post(u, 'keep');
    await post(u, 'later');
    const id = await idOf(u, 'later');
    expect((await inbox(u)).unread_count).toBe(2);

    // Short, so the session tokens (15 min) outlive the moved clock.
    const until = inMinutes(5);
    const res = await h.api('PUT', `/api/v1/inbox/${id}/snooze`, { token: u.token, body: { until } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ snoozed_until: until, unread_count: 1 });

    let page = await inbox(u);
    expect(page.notifications.map((x) => x.title)).toEqual(['keep']);
    expect(page.unread_count).toBe(1);
    expect((await inbox(u, '?read_status=unread')).notifications.map((x) => x.title)).toEqual(['keep']);

    const snoozed = await h.api('GET', '/api/v1/inbox/snoozed', { token: u.token });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.snoozed).toHaveLength(1);
    expect(snoozed.body.snoozed[0]).toMatchObject({
      snoozed_until: until,
      notification: { id, title: 'later' },
    });

    clock.advance(5 * MINUTE - 1);
    expect((await inbox(u)).notifications.map((x) => x.title)).toEqual(['keep']);
    clock.advance(1);
    page = await inbox(u);
    expect(page.notifications.map((x) => x.title)).toEqual(['later', 'keep']);
    expect(page.notifications[0].read_at).toBeNull();
    expect(page.unread_count).toBe(2);
    expect((await h.api('GET', '/api/v1/inbox/snoozed', { token: u.token })).body.snoozed).toEqual([]);
  });

  it('wakes an item early with DELETE, and keeps a read item read', async () => {
    const u = await member();
    await post(u, 'read one');
    const id = await idOf(u, 'read one');
    const read = await h.api('PUT', `${INBOX}/${id}/read-status`, {
      token: u.token,
      body: { is_read: true },
    });
    expect(read.status).toBe(200);
    const snooze = await h.api('PUT', `/api/v1/inbox/${id}/snooze`, {
      token: u.token,
      body: { until: inMinutes(60) },
    });
    expect(snooze.body.unread_count).toBe(0);
    expect((await inbox(u)).notifications).toEqual([]);

    const woke = await h.api('DELETE', `/api/v1/inbox/${id}/snooze`, { token: u.token });
    expect(woke.status, woke.text).toBe(200);
    expect(woke.body).toEqual({ snoozed_until: null, unread_count: 0 });
    const page = await inbox(u);
    expect(page.notifications.map((x) => x.title)).toEqual(['read one']);
    expect(page.notifications[0].read_at).not.toBeNull();
  });

  it('refuses a time in the past, past a year or not a date, naming the field, and changes nothing', async () => {
    const u = await member();
    await post(u, 'stays');
    const id = await idOf(u, 'stays');
    for (const until of [inMinutes(-1), inMinutes(366 * 24 * 60), 'tomorrow']) {
      const res = await h.api('PUT', `/api/v1/inbox/${id}/snooze`, { token: u.token, body: { until } });
      expect(res.status, `${until}: ${res.text}`).toBe(400);
      expect(res.text).toContain('until');
    }
    const missing = await h.api('PUT', `/api/v1/inbox/${id}/snooze`, { token: u.token, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('until');
    expect((await inbox(u)).notifications.map((x) => x.title)).toEqual(['stays']);
  });

  it("answers 404 for another user's item, an unknown id, and 401 without a token", async () => {
    const owner = await member();
    const other = await member();
    await post(owner, 'private');
    const id = await idOf(owner, 'private');
    const body = { until: inMinutes(10) };
    const theirs = await h.api('PUT', `/api/v1/inbox/${id}/snooze`, { token: other.token, body });
    expect(theirs.status).toBe(404);
    const unknown = await h.api('PUT', '/api/v1/inbox/00000000-0000-4000-8000-000000000000/snooze', {
      token: owner.token,
      body,
    });
    expect(unknown.status).toBe(404);
    expect((await h.api('PUT', `/api/v1/inbox/${id}/snooze`, { body })).status).toBe(401);
    expect((await h.api('GET', '/api/v1/inbox/snoozed', {})).status).toBe(401);
    expect((await inbox(owner)).notifications.map((x) => x.title)).toEqual(['private']);
    expect((await h.api('GET', '/api/v1/inbox/snoozed', { token: other.token })).body.snoozed).toEqual([]);
  });
});
