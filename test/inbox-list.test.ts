import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { SYSTEM_TEMPLATES } from '../src/templates/system-templates.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const INBOX = '/api/v2/notifications/inbox';
const ITEM_FIELDS = [
  'actions',
  'content',
  'created_at',
  'icon',
  'id',
  'read_at',
  'targets',
  'template_id',
  'title',
  'user_id',
].sort();

interface InboxItem {
  id: string;
  user_id: string;
  template_id: string;
  targets: string[];
  title: string;
  content: string;
  icon: string;
  actions: Array<{ label: string; url: string }>;
  read_at: string | null;
  created_at: string;
}
interface InboxPage {
  notifications: InboxItem[];
  unread_count: number;
}
interface User {
  id: string;
  token: string;
}

describe.each(STORES)('inbox list, read status and mark-all on %s', (store) => {
  const start = Date.parse('2026-03-01T12:00:00Z');
  const clock = manualClock(start);
  let h: TestHerald;
  let n = 0;

  beforeAll(async () => {
    h = await startHerald(store, { clock });
  });
  afterAll(() => h?.close());

  /** A fresh user with their own bucket, so counts in one test never see another test's items. */
  async function member(): Promise<User & { bucketId: string }> {
    const u = await h.createUser(`inbox${++n}`);
    const bucket = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: `b${n}` } });
    expect(bucket.status).toBe(201);
    return { ...u, bucketId: bucket.body.id };
  }
  async function post(u: User, bucketId: string, body: Record<string, unknown>): Promise<string> {
    const res = await h.api('POST', '/api/v1/messages', {
      token: u.token,
      body: { bucketId, deliveryType: 'NORMAL', ...body },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  }
  async function inbox(u: User, query = ''): Promise<InboxPage> {
    const res = await h.api<InboxPage>('GET', `${INBOX}${query}`, { token: u.token });
    expect(res.status, res.text).toBe(200);
    return res.body;
  }
  const messageIdOf = (item: InboxItem, messageIds: readonly string[]) =>
    item.targets.find((t) => messageIds.includes(t));

  it('accepts Coder-Session-Token (JWT or zat_) and Bearer, and refuses a bad token with 401', async () => {
    const u = await member();
    await post(u, u.bucketId, { title: 'auth check' });
    const zat = await h.api('POST', '/api/v1/access-tokens', {
      token: u.token,
      body: { name: 'inbox reader', scopes: ['inbox:read'] },
    });
    expect(zat.status, zat.text).toBe(201);

    for (const headers of [
      { 'Coder-Session-Token': u.token } as Record<string, string>,
      { 'Coder-Session-Token': zat.body.token as string },
      { Authorization: `Bearer ${u.token}` },
      { Authorization: `Bearer ${zat.body.token}` },
    ]) {
      const res = await h.api<InboxPage>('GET', INBOX, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(res.body.notifications.map((x) => x.title)).toEqual(['auth check']);
      expect(res.body.notifications[0].user_id).toBe(u.id);
    }

    for (const headers of [
      {} as Record<string, string>,
      { 'Coder-Session-Token': 'not-a-token' },
      { 'Coder-Session-Token': 'zat_0000000000000000000000000000' },
      { Authorization: `Bearer ${u.token}x` },
    ]) {
      const res = await h.api('GET', INBOX, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body).toMatchObject({ message: expect.any(String), detail: expect.any(String) });
      expect(res.text).not.toContain('auth check');
    }
  });

  it('lists items with exactly the spec fields, mapping body, actions, icon and targets', async () => {
    const u = await member();
    const messageId = await post(u, u.bucketId, {
      title: 'Disk almost full',
      body: 'db1 is at **95%**',
      attachments: [{ mediaType: 'ICON', url: 'https://example.com/icon.png' }],
      tapAction: { type: 'NAVIGATE', value: 'https://example.com/tap', title: 'Details' },
      actions: [
        { type: 'NAVIGATE', value: 'https://example.com/dashboards/db1', title: 'Open dashboard' },
        { type: 'MARK_AS_READ', value: 'x' },
      ],
    });

    const page = await inbox(u);
    expect(page.unread_count).toBe(1);
    expect(page.notifications).toHaveLength(1);
    const item = page.notifications[0];
    expect(Object.keys(item).sort()).toEqual(ITEM_FIELDS);
    expect(item).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: u.id,
      template_id: SYSTEM_TEMPLATES.bucketMessage.id,
      targets: expect.arrayContaining([messageId, u.bucketId]),
      title: 'Disk almost full',
      content: 'db1 is at **95%**',
      icon: 'https://example.com/icon.png',
      actions: [
        { label: 'Details', url: 'https://example.com/tap' },
        { label: 'Open dashboard', url: 'https://example.com/dashboards/db1' },
      ],
      read_at: null,
      created_at: new Date(clock.now()).toISOString(),
    });
    for (const a of item.actions) expect(Object.keys(a).sort()).toEqual(['label', 'url']);
  });

  it('filters by targets (bucket or message id), templates and read_status', async () => {
    const u = await member();
    const other = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: 'other' } });
    const otherBucket = other.body.id as string;
    const a1 = await post(u, u.bucketId, { title: 'a1' });
    clock.advance(1000);
    const a2 = await post(u, u.bucketId, { title: 'a2' });
    clock.advance(1000);
    const b1 = await post(u, otherBucket, { title: 'b1' });
    clock.advance(1000);
    const custom = await h.api('POST', '/api/v2/notifications/custom', {
      token: u.token,
      body: { content: { title: 'c1', message: 'custom one' } },
    });
    expect(custom.status).toBe(204);
    clock.advance(1000);
    const titles = async (q: string) => (await inbox(u, q)).notifications.map((x) => x.title);

    expect(await titles('')).toEqual(['c1', 'b1', 'a2', 'a1']);
    expect(await titles(`?targets=${u.bucketId}`)).toEqual(['a2', 'a1']);
    expect(await titles(`?targets=${otherBucket}`)).toEqual(['b1']);
    expect(await titles(`?targets=${a1}`)).toEqual(['a1']);
    // Several targets: an item must carry every one (coderd's rule), not any.
    expect(await titles(`?targets=${a2},${u.bucketId}`)).toEqual(['a2']);
    expect(await titles(`?targets=${a2},${b1}`)).toEqual([]);
    expect(await titles(`?targets=${crypto.randomUUID()}`)).toEqual([]);
    expect(await titles(`?templates=${SYSTEM_TEMPLATES.custom.id}`)).toEqual(['c1']);
    expect(await titles(`?templates=${SYSTEM_TEMPLATES.bucketMessage.id}`)).toEqual(['b1', 'a2', 'a1']);
    expect(
      await titles(`?templates=${SYSTEM_TEMPLATES.bucketMessage.id},${SYSTEM_TEMPLATES.custom.id}`),
    ).toEqual(['c1', 'b1', 'a2', 'a1']);
    expect(await titles(`?templates=${SYSTEM_TEMPLATES.test.id}`)).toEqual([]);

    const a2Item = (await inbox(u, `?targets=${a2}`)).notifications[0];
    const mark = await h.api('PUT', `${INBOX}/${a2Item.id}/read-status`, {
      token: u.token,
      body: { is_read: true },
    });
    expect(mark.status).toBe(200);
    expect(await titles('?read_status=read')).toEqual(['a2']);
    expect(await titles('?read_status=unread')).toEqual(['c1', 'b1', 'a1']);
    expect(await titles('?read_status=all')).toEqual(['c1', 'b1', 'a2', 'a1']);
    expect(await titles(`?read_status=unread&targets=${u.bucketId}`)).toEqual(['a1']);
    // Filters narrow the list, never the badge.
    expect((await inbox(u, `?targets=${otherBucket}`)).unread_count).toBe(3);

    const bad = await h.api('GET', `${INBOX}?read_status=maybe`, { token: u.token });
    expect(bad.status).toBe(400);
  });

  it('pages 25 at a time with starting_before, newest first, every item once across equal timestamps', async () => {
    const u = await member();
    const posted: string[] = [];
    const older: string[] = [];
    const newer: string[] = [];
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) older.push(await post(u, u.bucketId, { title: `old ${i}` }));
    clock.advance(1000);
    // The clock stands still: 31 notifications share one created_at.
    for (let i = 0; i < 31; i++) posted.push(await post(u, u.bucketId, { title: `same ${i}` }));
    clock.advance(1000);
    for (let i = 0; i < 3; i++) newer.push(await post(u, u.bucketId, { title: `new ${i}` }));
    const all = [...older, ...posted, ...newer];

    const pages: InboxItem[][] = [];
    let before = '';
    for (let guard = 0; guard < 5; guard++) {
      const page = await inbox(u, before ? `?starting_before=${before}` : '');
      expect(page.unread_count).toBe(all.length);
      if (page.notifications.length === 0) break;
      pages.push(page.notifications);
      before = page.notifications[page.notifications.length - 1].id;
    }
    expect(pages.map((p) => p.length)).toEqual([25, 12]);

    const items = pages.flat();
    const seenMessages = items.map((x) => messageIdOf(x, all));
    expect(new Set(items.map((x) => x.id)).size).toBe(all.length);
    expect([...seenMessages].sort()).toEqual([...all].sort());
    const times = items.map((x) => Date.parse(x.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seenMessages.slice(0, 3).sort()).toEqual([...newer].sort());
    expect(seenMessages.slice(-3).sort()).toEqual([...older].sort());

    // The cursor also works inside the run of equal timestamps, with a filter applied.
    const firstSame = items.findIndex((x) => posted.includes(messageIdOf(x, all)!));
    const mid = items[firstSame + 10];
    const rest = await inbox(u, `?starting_before=${mid.id}&targets=${u.bucketId}`);
    expect(rest.notifications.map((x) => x.id)).toEqual(
      items.slice(firstSame + 11, firstSame + 36).map((x) => x.id),
    );

    // An id that is not in the caller's inbox gives the first page, as coderd answers.
    const foreign = await member();
    await post(foreign, foreign.bucketId, { title: 'foreign first page' });
    const notMine = await inbox(foreign, `?starting_before=${mid.id}`);
    expect(notMine.notifications.map((x) => x.title)).toEqual(['foreign first page']);
    const malformed = await h.api('GET', `${INBOX}?starting_before=nope`, { token: foreign.token });
    expect(malformed.status).toBe(400);
    expect(malformed.body.validations).toEqual([{ field: 'starting_before', detail: 'Invalid UUID' }]);
  });

  it('marks one notification read and unread again, setting and clearing read_at', async () => {
    const u = await member();
    await post(u, u.bucketId, { title: 'first' });
    clock.advance(1000);
    await post(u, u.bucketId, { title: 'second' });
    const [second, first] = (await inbox(u)).notifications;
    expect(first.title).toBe('first');
    clock.advance(5000);
    const readTime = new Date(clock.now()).toISOString();

    const read = await h.api('PUT', `${INBOX}/${first.id}/read-status`, {
      headers: { 'Coder-Session-Token': u.token },
      body: { is_read: true },
    });
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ message: expect.any(String), unread_count: 1 });
    expect(read.body.notification).toMatchObject({ id: first.id, read_at: readTime });
    let page = await inbox(u);
    expect(page.unread_count).toBe(1);
    expect(page.notifications.find((x) => x.id === first.id)?.read_at).toBe(readTime);
    expect(page.notifications.find((x) => x.id === second.id)?.read_at).toBeNull();

    // Marking read again keeps the first read time.
    clock.advance(5000);
    await h.api('PUT', `${INBOX}/${first.id}/read-status`, { token: u.token, body: { is_read: true } });
    page = await inbox(u);
    expect(page.notifications.find((x) => x.id === first.id)?.read_at).toBe(readTime);

    const unread = await h.api('PUT', `${INBOX}/${first.id}/read-status`, {
      token: u.token,
      body: { is_read: false },
    });
    expect(unread.status).toBe(200);
    expect(unread.body.notification.read_at).toBeNull();
    expect(unread.body.unread_count).toBe(2);
    page = await inbox(u);
    expect(page.unread_count).toBe(2);
    expect(page.notifications.every((x) => x.read_at === null)).toBe(true);

    const bad = await h.api('PUT', `${INBOX}/${first.id}/read-status`, { token: u.token, body: {} });
    expect(bad.status).toBe(400);
    expect((await inbox(u)).unread_count).toBe(2);
  });

  it("answers 404 for another user's notification and leaves it unchanged", async () => {
    const owner = await member();
    const intruder = await member();
    await post(owner, owner.bucketId, { title: 'private' });
    const [item] = (await inbox(owner)).notifications;

    for (const is_read of [true, false]) {
      const res = await h.api('PUT', `${INBOX}/${item.id}/read-status`, {
        token: intruder.token,
        body: { is_read },
      });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('private');
    }
    const unknown = await h.api('PUT', `${INBOX}/${crypto.randomUUID()}/read-status`, {
      token: owner.token,
      body: { is_read: true },
    });
    expect(unknown.status).toBe(404);
    // A malformed id is refused as coderd refuses it, before anything is looked up.
    const notUuid = await h.api('PUT', `${INBOX}/nope/read-status`, {
      token: owner.token,
      body: { is_read: true },
    });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.validations).toEqual([{ field: 'id', detail: 'Invalid UUID' }]);

    const after = await inbox(owner);
    expect(after.unread_count).toBe(1);
    expect(after.notifications[0]).toMatchObject({ id: item.id, read_at: null });
    expect((await inbox(intruder)).notifications).toEqual([]);
  });

  it("marks all as read with 204, leaving other users' inboxes alone", async () => {
    const u = await member();
    const other = await member();
    await h.api('POST', `/api/v1/buckets/${u.bucketId}/members`, {
      token: await h.adminToken(), // a server admin adds directly
      body: { userId: other.id, permission: 'read' },
    });
    for (let i = 0; i < 3; i++) await post(u, u.bucketId, { title: `m${i}` });
    expect((await inbox(u)).unread_count).toBe(3);
    expect((await inbox(other)).unread_count).toBe(3);

    clock.advance(1000);
    const res = await h.api('PUT', `${INBOX}/mark-all-as-read`, {
      headers: { 'Coder-Session-Token': u.token },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const page = await inbox(u);
    expect(page.unread_count).toBe(0);
    expect(page.notifications.map((x) => x.read_at)).toEqual(
      Array(3).fill(new Date(clock.now()).toISOString()),
    );
    expect((await inbox(u, '?read_status=unread')).notifications).toEqual([]);
    expect((await inbox(other)).unread_count).toBe(3);

    const again = await h.api('PUT', `${INBOX}/mark-all-as-read`, { token: u.token });
    expect(again.status).toBe(204);
  });
});
