import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureMagicCode } from '../src/store/magic-code.repository.ts';
import { STORES } from './support/herald.ts';
import { storeAt } from './support/store-at.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe.each(STORES)('upgrading from the previous schema on %s', (kind) => {
  it('0003 links attachments already sent with a message', async () => {
    const store = await storeAt(kind, '0002-messaging', cleanups);
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
      .insertInto('messages')
      .values({
        id: 'm1',
        bucket_id: null,
        sender_id: 'u1',
        template_id: null,
        title: 't',
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
        created_at: now,
      })
      .execute();
    await store.db
      .insertInto('attachments')
      .values({
        id: 'a1',
        owner_id: 'u1',
        message_id: 'm1',
        filename: 'f',
        content_type: 'text/plain',
        media_type: 'FILE',
        size: 1,
        path: 'x',
        source_url: null,
        created_at: now,
      })
      .execute();

    // 0003 is the first migration pending after 0002; later ones follow it.
    expect((await store.migrate())[0]).toBe('0003-message-attachments');
    const links = await store.db.selectFrom('message_attachments').selectAll().execute();
    expect(links).toEqual([{ message_id: 'm1', attachment_id: 'a1' }]);
  });

  it("0007 moves the custom and test templates to Coder's ids, with their references, and adds held_since", async () => {
    const store = await storeAt(kind, '0006-gotify', cleanups);
    const now = Date.now();
    const oldCustom = '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a02';
    const newCustom = '39b1e189-c857-4b0c-877a-511144c18516';
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
      .insertInto('templates')
      .values({
        id: oldCustom,
        key: 'CUSTOM_NOTIFICATION',
        kind: 'system',
        name: 'Custom Notification (edited)',
        title_template: '{{custom_title}}',
        body_template: '{{custom_message}}',
        method: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await store.db
      .insertInto('messages')
      .values({
        id: 'm1',
        bucket_id: null,
        sender_id: 'u1',
        template_id: oldCustom,
        title: 't',
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
        created_at: now,
      })
      .execute();
    await sql`insert into notifications (id, message_id, user_id, template_id, created_at)
      values ('n1', 'm1', 'u1', ${oldCustom}, ${now})`.execute(store.db);
    await store.db
      .insertInto('preferences')
      .values({ user_id: 'u1', template_id: oldCustom, disabled: 1, updated_at: now })
      .execute();

    expect(await store.migrate()).toContain('0007-coder-clients');
    const templates = await store.db.selectFrom('templates').select(['id', 'key', 'name']).execute();
    expect(templates).toEqual([
      { id: newCustom, key: 'CUSTOM_NOTIFICATION', name: 'Custom Notification (edited)' },
    ]);
    expect(
      (await store.db.selectFrom('messages').select('template_id').executeTakeFirstOrThrow()).template_id,
    ).toBe(newCustom);
    const n = await store.db
      .selectFrom('notifications')
      .select(['template_id', 'held_since'])
      .executeTakeFirstOrThrow();
    expect(n).toEqual({ template_id: newCustom, held_since: null });
    const prefs = await store.db.selectFrom('preferences').selectAll().execute();
    expect(prefs.map((p) => [p.template_id, p.disabled])).toEqual([[newCustom, 1]]);
  });
  it('0016 gives every existing membership its own magic code; a taken code is drawn again; the code goes with its membership', async () => {
    const store = await storeAt(kind, '0015-message-routing', cleanups);
    const now = Date.now();
    const user = (id: string) => ({
      id,
      email: `${id}@example.com`,
      username: id,
      password_hash: null,
      display_name: null,
      tenant_id: null,
      locked_until: null,
      created_at: now,
      updated_at: now,
    });
    await store.db
      .insertInto('users')
      .values([user('u1'), user('u2'), user('u3')])
      .execute();
    const bucket = (id: string, name: string) => ({
      id,
      owner_id: 'u1',
      name,
      description: null,
      icon: null,
      color: null,
      created_at: now,
      updated_at: now,
    });
    await store.db
      .insertInto('buckets')
      .values([bucket('b1', 'One'), bucket('b2', 'Two')])
      .execute();
    const member = (bucket_id: string, user_id: string, permission: string) => ({
      bucket_id,
      user_id,
      permission,
      created_at: now,
    });
    await store.db
      .insertInto('bucket_members')
      .values([member('b1', 'u1', 'owner'), member('b1', 'u2', 'write'), member('b2', 'u1', 'owner')])
      .execute();

    expect(await store.migrate()).toContain('0016-magic-codes');
    const codes = await store.db
      .selectFrom('bucket_magic_codes')
      .select(['bucket_id', 'user_id', 'code'])
      .orderBy('bucket_id')
      .orderBy('user_id')
      .execute();
    expect(codes.map((c) => [c.bucket_id, c.user_id])).toEqual([
      ['b1', 'u1'],
      ['b1', 'u2'],
      ['b2', 'u1'],
    ]);
    for (const c of codes) expect(c.code).toMatch(/^[0-9a-f]{8}$/);
    expect(new Set(codes.map((c) => c.code)).size).toBe(3);

    // A code already taken is skipped and another drawn; asking again keeps the member's code.
    await store.db
      .insertInto('bucket_members')
      .values(member('b2', 'u3', 'write'))
      .execute();
    const draws = [codes[0]!.code, 'abcdef01'];
    const made = await ensureMagicCode(store.db, 'b2', 'u3', now, () => draws.shift() ?? 'ffffffff');
    expect(made.code).toBe('abcdef01');
    expect((await ensureMagicCode(store.db, 'b2', 'u3', now, () => '12345678')).code).toBe('abcdef01');
    // The code goes with its membership.
    await store.db
      .deleteFrom('bucket_members')
      .where('bucket_id', '=', 'b2')
      .where('user_id', '=', 'u3')
      .execute();
    const left = await store.db
      .selectFrom('bucket_magic_codes')
      .select('code')
      .where('user_id', '=', 'u3')
      .execute();
    expect(left).toEqual([]);
  });
});
