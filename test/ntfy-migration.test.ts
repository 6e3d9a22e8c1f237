import { afterEach, describe, expect, it } from 'vitest';
import { toNtfyMessage } from '../src/services/ntfy-message-view.ts';
import { listNtfyMessages } from '../src/store/ntfy-message.repository.ts';
import { STORES } from './support/herald.ts';
import { storeAt } from './support/store-at.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const message = (id: string, createdAt: number) => ({
  id,
  bucket_id: 'b1',
  sender_id: 'u1',
  template_id: null,
  title: `title ${id}`,
  subtitle: null,
  body: `body ${id}`,
  delivery_type: 'CRITICAL',
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

describe.each(STORES)('0014-ntfy on %s', (kind) => {
  it('upgrades a store with bucket messages: a topic bound to the bucket later shows them all', async () => {
    // The last migration before this one that every store has.
    const store = await storeAt(kind, '0012-gatwy-settings', cleanups);
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
        name: 'alerts',
        description: null,
        icon: null,
        color: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await store.db
      .insertInto('messages')
      .values([message('m1', now), message('m2', now + 1)])
      .execute();

    expect(await store.migrate()).toContain('0014-ntfy');
    await store.db
      .insertInto('ntfy_topics')
      .values({ name: 'alerts', bucket_id: 'b1', anonymous_read: 0, anonymous_write: 0, created_at: now })
      .execute();
    const rows = await listNtfyMessages(store.db, ['b1'], { limit: 10 });
    const shown = rows.map((r) => toNtfyMessage(r, (id) => `/a/${id}`));
    expect(shown).toEqual([
      expect.objectContaining({ topic: 'alerts', title: 'title m1', message: 'body m1', priority: 4 }),
      expect.objectContaining({ topic: 'alerts', title: 'title m2', message: 'body m2', priority: 4 }),
    ]);
    expect(shown[0].id).not.toBe(shown[1].id);
    // Deleting the bucket removes its topic.
    await store.db.deleteFrom('buckets').where('id', '=', 'b1').execute();
    expect(await store.db.selectFrom('ntfy_topics').selectAll().execute()).toEqual([]);
  });
});
