import { afterEach, describe, expect, it } from 'vitest';
import { STORES } from './support/herald.ts';
import { storeAt } from './support/store-at.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const message = (id: string, bucketId: string | null, createdAt: number) => ({
  id,
  bucket_id: bucketId,
  sender_id: 'u1',
  template_id: null,
  title: id,
  subtitle: null,
  body: null,
  delivery_type: 'NORMAL',
  tap_action: null,
  sound: null,
  locale: null,
  group_id: null,
  collapse_id: null,
  tenant_id: null,
  entity_type: null,
  entity_id: null,
  action_url: null,
  payload: null,
  created_at: createdAt,
});

describe.each(STORES)('0006-gotify on %s', (kind) => {
  it('numbers stored bucket messages oldest first, then every new one as it is written', async () => {
    const store = await storeAt(kind, '0003-message-attachments', cleanups);
    const now = Date.now();
    await store.db
      .insertInto('users')
      .values({
        id: 'u1',
        email: 'a@example.com',
        username: 'a',
        password_hash: null,
        display_name: null,
        tenant_id: null,
        locked_until: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await store.db
      .insertInto('buckets')
      .values({
        id: 'b1',
        owner_id: 'u1',
        name: 'b',
        description: null,
        icon: null,
        color: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    // Written out of order on purpose: numbering follows created_at, not insertion.
    await store.db
      .insertInto('messages')
      .values([message('late', 'b1', now + 2), message('early', 'b1', now), message('direct', null, now + 1)])
      .execute();

    expect(await store.migrate()).toContain('0006-gotify');
    const numbered = async () =>
      (
        await store.db
          .selectFrom('gotify_messages')
          .select(['id', 'message_id', 'priority'])
          .orderBy('id')
          .execute()
      ).map((r) => [r.message_id, r.priority]);
    // Messages without a bucket have no Gotify application, so no number.
    expect(await numbered()).toEqual([
      ['early', null],
      ['late', null],
    ]);

    await store.db
      .insertInto('messages')
      .values(message('new', 'b1', now + 3))
      .execute();
    await store.db
      .insertInto('messages')
      .values(message('direct2', null, now + 4))
      .execute();
    expect(await numbered()).toEqual([
      ['early', null],
      ['late', null],
      ['new', null],
    ]);
    const ids = (await store.db.selectFrom('gotify_messages').select('id').orderBy('id').execute()).map((r) =>
      Number(r.id),
    );

    // A deleted message's number goes with it and is never handed out again.
    await store.db.deleteFrom('messages').where('id', '=', 'new').execute();
    await store.db
      .insertInto('messages')
      .values(message('newer', 'b1', now + 5))
      .execute();
    const after = await store.db
      .selectFrom('gotify_messages')
      .select(['id', 'message_id'])
      .orderBy('id')
      .execute();
    expect(after.map((r) => r.message_id)).toEqual(['early', 'late', 'newer']);
    expect(Number(after[2].id)).toBeGreaterThan(ids[2]);
  });
});
