import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { newId } from '../src/domain/ids.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const fields = (body: { validations?: Array<{ field: string }> }) =>
  (body.validations ?? []).map((v) => v.field).sort();

describe.each(STORES)('fan-out, collapse, idempotency, paging and access on %s', (store) => {
  let h: TestHerald;
  const clock = manualClock(Date.parse('2026-03-01T12:00:00Z'));
  let admin: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let carol: { id: string; token: string };
  let bucketId: string;

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    admin = await h.adminToken();
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => h.createUser(n)));
    bucketId = await makeBucket('Team', alice.token, [
      [bob.id, 'write'],
      [carol.id, 'write'],
    ]);
  });
  afterAll(() => h?.close());

  async function makeBucket(name: string, token: string, members: Array<[string, string]> = []) {
    const b = await h.api('POST', '/api/v1/buckets', { token, body: { name } });
    // A server admin adds members directly (a bucket owner's add is an invite; see bucket-invites).
    for (const [userId, permission] of members) {
      await h.api('POST', `/api/v1/buckets/${b.body.id}/members`, {
        token: admin,
        body: { userId, permission },
      });
    }
    return b.body.id as string;
  }
  const send = (token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.api('POST', '/api/v1/messages', {
      token,
      headers,
      body: { bucketId, deliveryType: 'NORMAL', title: 'hi', ...body },
    });
  /** Each user's inbox, as message ids, straight from the store. */
  async function inboxes(userIds: string[]): Promise<Record<string, string[]>> {
    const rows = await h.server.ctx.store.db
      .selectFrom('notifications')
      .select(['user_id', 'message_id'])
      .where('user_id', 'in', userIds)
      .execute();
    const out: Record<string, string[]> = Object.fromEntries(userIds.map((u) => [u, []]));
    for (const r of rows) out[r.user_id].push(r.message_id);
    for (const list of Object.values(out)) list.sort();
    return out;
  }
  const countMessages = async (title: string) =>
    Number(
      (
        await h.server.ctx.store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('title', '=', title)
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('collapseId', () => {
    it('a newer message replaces the older one only in its own recipients’ inboxes', async () => {
      const first = await send(alice.token, { title: 'deploy 1', collapseId: 'deploy' });
      const unrelated = await send(alice.token, { title: 'other', collapseId: 'other' });
      const otherBucket = await makeBucket('Elsewhere', alice.token, [[bob.id, 'read']]);
      const elsewhere = await send(alice.token, {
        title: 'deploy elsewhere',
        bucketId: otherBucket,
        collapseId: 'deploy',
      });
      expect([first.status, unrelated.status, elsewhere.status]).toEqual([201, 201, 201]);

      const second = await send(alice.token, { title: 'deploy 2', collapseId: 'deploy', userIds: [bob.id] });
      expect(second.status).toBe(201);

      const inbox = await inboxes([alice.id, bob.id, carol.id]);
      const ids = (list: string[]) => list.filter((m) => m !== unrelated.body.id);
      // bob got the newer message and lost the older one; the others keep the older one.
      expect(ids(inbox[bob.id]).sort()).toEqual([second.body.id, elsewhere.body.id].sort());
      expect(ids(inbox[alice.id])).toEqual([first.body.id, elsewhere.body.id].sort());
      expect(ids(inbox[carol.id])).toEqual([first.body.id]);
      // A different collapseId was left alone for everyone.
      for (const u of [alice.id, bob.id, carol.id]) expect(inbox[u]).toContain(unrelated.body.id);

      // A third message to everyone leaves exactly one "deploy" item per member of the bucket.
      const third = await send(alice.token, { title: 'deploy 3', collapseId: 'deploy' });
      const after = await inboxes([alice.id, bob.id, carol.id]);
      for (const u of [alice.id, bob.id, carol.id]) {
        expect(after[u]).toContain(third.body.id);
        expect(after[u]).not.toContain(first.body.id);
        expect(after[u]).not.toContain(second.body.id);
      }
      expect(after[bob.id]).toContain(elsewhere.body.id);
    });
  });

  describe('Idempotency-Key', () => {
    it('a retry with the same key returns the first response and creates nothing new', async () => {
      const key = { 'idempotency-key': 'order-42' };
      const first = await send(alice.token, { title: 'idem once' }, key);
      expect(first.status).toBe(201);
      const retry = await send(alice.token, { title: 'idem once' }, key);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await countMessages('idem once')).toBe(1);
      expect((await inboxes([bob.id]))[bob.id].filter((m) => m === first.body.id)).toHaveLength(1);
    });

    it('a different key creates a new message', async () => {
      const a = await send(alice.token, { title: 'idem two' }, { 'idempotency-key': 'k-a' });
      const b = await send(alice.token, { title: 'idem two' }, { 'idempotency-key': 'k-b' });
      expect(b.body.id).not.toBe(a.body.id);
      expect(await countMessages('idem two')).toBe(2);
    });

    it('the same key from a different user is a separate message', async () => {
      const a = await send(alice.token, { title: 'idem users' }, { 'idempotency-key': 'shared' });
      const b = await send(bob.token, { title: 'idem users' }, { 'idempotency-key': 'shared' });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.body.id).not.toBe(a.body.id);
      expect(b.body.senderId).toBe(bob.id);
      expect(await countMessages('idem users')).toBe(2);
    });

    it('concurrent retries with one key create one message and all get its response', async () => {
      const key = { 'idempotency-key': 'burst' };
      const results = await Promise.all(
        Array.from({ length: 8 }, () => send(alice.token, { title: 'idem burst' }, key)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await countMessages('idem burst')).toBe(1);
    });

    it('a refused request does not use up its key', async () => {
      const key = { 'idempotency-key': 'fix-and-retry' };
      const bad = await send(alice.token, { title: 'x'.repeat(101) }, key);
      expect(bad.status).toBe(400);
      const good = await send(alice.token, { title: 'idem fixed' }, key);
      expect(good.status).toBe(201);
      expect(await countMessages('idem fixed')).toBe(1);
    });

    it('a key is forgotten after 24 hours', async () => {
      const zat = (
        await h.api('POST', '/api/v1/access-tokens', {
          token: alice.token,
          body: { name: 'idem', scopes: ['messages:create'] },
        })
      ).body.token;
      const key = { 'idempotency-key': 'daily' };
      const first = await send(zat, { title: 'idem daily' }, key);
      clock.advance(23 * 3600_000);
      expect((await send(zat, { title: 'idem daily' }, key)).body.id).toBe(first.body.id);
      clock.advance(2 * 3600_000);
      const later = await send(zat, { title: 'idem daily' }, key);
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(first.body.id);
      expect(await countMessages('idem daily')).toBe(2);
      // Log in again: the manual clock moved past the JWTs' lifetime.
      alice.token = await h.login('alice@example.com', 'alice-password-1');
      bob.token = await h.login('bob@example.com', 'bob-password-1');
      carol.token = await h.login('carol@example.com', 'carol-password-1');
      admin = await h.login();
    });
  });

  describe('GET /api/v1/buckets/:id/messages', () => {
    it('pages newest first with a cursor, never skipping or repeating messages with equal timestamps', async () => {
      const paged = await makeBucket('Paging', alice.token, [[bob.id, 'read']]);
      const t0 = clock.now();
      const sent: Array<{ id: string; createdAt: string }> = [];
      for (let i = 0; i < 5; i++)
        sent.push((await send(alice.token, { bucketId: paged, title: `old ${i}` })).body);
      clock.advance(1_000);
      for (let i = 0; i < 6; i++)
        sent.push((await send(alice.token, { bucketId: paged, title: `new ${i}` })).body);
      expect(new Set(sent.map((m) => m.createdAt)).size).toBe(2);

      const seen: Array<{ id: string; title: string; createdAt: string }> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = cursor ? `limit=4&cursor=${encodeURIComponent(cursor)}` : 'limit=4';
        const page = await h.api('GET', `/api/v1/buckets/${paged}/messages?${q}`, { token: bob.token });
        expect(page.status).toBe(200);
        seen.push(...page.body.messages);
        cursor = page.body.nextCursor;
        pages++;
        if (pages === 1) {
          // A message arriving while the reader pages must not shift later pages.
          clock.advance(1_000);
          await send(alice.token, { bucketId: paged, title: 'arrived while paging' });
        }
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(seen.map((m) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
      // Newest first: every "new" message precedes every "old" one.
      expect(seen.slice(0, 6).every((m) => m.title.startsWith('new'))).toBe(true);
      expect(seen.slice(6).every((m) => Date.parse(m.createdAt) === t0)).toBe(true);

      const fresh = await h.api('GET', `/api/v1/buckets/${paged}/messages?limit=1`, { token: bob.token });
      expect(fresh.body.messages[0].title).toBe('arrived while paging');
    });

    it('refuses a cursor it did not issue, naming it', async () => {
      const res = await h.api('GET', `/api/v1/buckets/${bucketId}/messages?cursor=bm9wZQ`, {
        token: bob.token,
      });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['cursor']);
    });
  });

  describe('DELETE /api/v1/messages/:id', () => {
    it('the sender deletes their message and its inbox items', async () => {
      const m = await send(bob.token, { title: 'to delete' });
      expect((await inboxes([alice.id]))[alice.id]).toContain(m.body.id);
      expect((await h.api('DELETE', `/api/v1/messages/${m.body.id}`, { token: bob.token })).status).toBe(204);
      expect((await inboxes([alice.id, carol.id]))[alice.id]).not.toContain(m.body.id);
      const page = await h.api('GET', `/api/v1/buckets/${bucketId}/messages?limit=100`, {
        token: alice.token,
      });
      expect(page.body.messages.map((x: { id: string }) => x.id)).not.toContain(m.body.id);
      expect((await h.api('DELETE', `/api/v1/messages/${m.body.id}`, { token: bob.token })).status).toBe(404);
    });

    it('another member, even the bucket owner, cannot delete it; a server admin can', async () => {
      const m = await send(bob.token, { title: 'not yours' });
      expect((await h.api('DELETE', `/api/v1/messages/${m.body.id}`, { token: carol.token })).status).toBe(
        403,
      );
      expect((await h.api('DELETE', `/api/v1/messages/${m.body.id}`, { token: alice.token })).status).toBe(
        403,
      );
      expect((await inboxes([carol.id]))[carol.id]).toContain(m.body.id);
      expect((await h.api('DELETE', `/api/v1/messages/${m.body.id}`, { token: admin })).status).toBe(204);
      expect((await inboxes([carol.id]))[carol.id]).not.toContain(m.body.id);
    });
  });

  describe('bucket-restricted access tokens', () => {
    it('send only to their buckets and read only those', async () => {
      const other = await makeBucket('Other', alice.token);
      const token = await h.api('POST', '/api/v1/access-tokens', {
        token: alice.token,
        body: { name: 'team only', scopes: ['messages:create', 'messages:read'], bucketIds: [bucketId] },
      });
      expect(token.status).toBe(201);
      const zat = token.body.token;
      expect((await send(zat, { title: 'restricted ok' })).status).toBe(201);
      const denied = await send(zat, { title: 'restricted denied', bucketId: other });
      expect(denied.status).toBe(403);
      expect((await send(zat, { title: 'restricted denied', bucketId: 'Other' })).status).toBe(403);
      expect(await countMessages('restricted denied')).toBe(0);
      expect((await h.api('GET', `/api/v1/buckets/${other}/messages`, { token: zat })).status).toBe(403);
      expect((await h.api('GET', `/api/v1/buckets/${bucketId}/messages`, { token: zat })).status).toBe(200);

      const get = await h.api('GET', `/api/v1/messages?title=x&deliveryType=NORMAL&bucketId=${other}`, {
        token: zat,
      });
      expect(get.status).toBe(403);
    });
  });

  describe('set-based fan-out', () => {
    it('one POST to a bucket of 2,000 members writes 2,000 inbox items', async () => {
      const big = await makeBucket('Everyone', alice.token);
      const now = clock.now();
      const users = Array.from({ length: 1_999 }, (_, i) => ({
        id: newId(now),
        email: `bulk${i}@example.com`,
        username: `bulk${i}`,
        created_at: now,
        updated_at: now,
      }));
      const db = h.server.ctx.store.db;
      await db.insertInto('users').values(users).execute();
      await db
        .insertInto('bucket_members')
        .values(users.map((u) => ({ bucket_id: big, user_id: u.id, permission: 'read', created_at: now })))
        .execute();

      const res = await send(alice.token, { bucketId: big, title: 'to everyone' });
      expect(res.status).toBe(201);
      expect(res.body.recipientCount).toBe(2_000);
      const rows = await db
        .selectFrom('notifications')
        .select(['id', 'user_id'])
        .where('message_id', '=', res.body.id)
        .execute();
      expect(rows).toHaveLength(2_000);
      expect(new Set(rows.map((r) => r.user_id)).size).toBe(2_000);
      expect(new Set(rows.map((r) => r.id)).size).toBe(2_000);
      expect(rows.map((r) => r.user_id)).toContain(alice.id);
    });
  });
});
