import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { addMember } from './support/members.ts';

const fields = (body: { validations?: Array<{ field: string }> }) =>
  (body.validations ?? []).map((v) => v.field).sort();

describe.each(STORES)('buckets on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let carol: { id: string; token: string };
  let dave: { id: string; token: string };
  beforeAll(async () => {
    h = await startHerald(store);
    admin = await h.adminToken();
    [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((n) => h.createUser(n)),
    );
  });
  afterAll(() => h?.close());

  const send = (token: string, bucketId: string, title = 'hello') =>
    h.api('POST', '/api/v1/messages', { token, body: { title, bucketId, deliveryType: 'NORMAL' } });
  const readMessages = (token: string, bucketId: string) =>
    h.api('GET', `/api/v1/buckets/${bucketId}/messages`, { token });

  it('creates, lists, gets, updates and deletes a bucket; the creator is owner and member', async () => {
    const created = await h.api('POST', '/api/v1/buckets', {
      token: alice.token,
      body: { name: 'Marketing', description: 'Marketing campaign bucket' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      name: 'Marketing',
      description: 'Marketing campaign bucket',
      ownerId: alice.id,
      permission: 'owner',
    });
    const id = created.body.id as string;

    const members = await h.api('GET', `/api/v1/buckets/${id}/members`, { token: alice.token });
    expect(members.status).toBe(200);
    expect(members.body).toEqual([expect.objectContaining({ userId: alice.id, permission: 'owner' })]);

    const list = await h.api('GET', '/api/v1/buckets', { token: alice.token });
    expect(list.body.map((b: { id: string }) => b.id)).toContain(id);
    const bobList = await h.api('GET', '/api/v1/buckets', { token: bob.token });
    expect(bobList.body.map((b: { id: string }) => b.id)).not.toContain(id);

    const got = await h.api('GET', `/api/v1/buckets/${id}`, { token: alice.token });
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('Marketing');

    const patched = await h.api('PATCH', `/api/v1/buckets/${id}`, {
      token: alice.token,
      body: { name: 'Sales', description: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'Sales', description: null });
    expect((await h.api('GET', `/api/v1/buckets/${id}`, { token: alice.token })).body.name).toBe('Sales');

    expect((await send(alice.token, id)).status).toBe(201);
    expect((await h.api('DELETE', `/api/v1/buckets/${id}`, { token: alice.token })).status).toBe(204);
    expect((await h.api('GET', `/api/v1/buckets/${id}`, { token: alice.token })).status).toBe(404);
    const left = await h.server.ctx.store.db
      .selectFrom('messages')
      .select('id')
      .where('bucket_id', '=', id)
      .execute();
    expect(left).toEqual([]);
  });

  it('names are unique per owner (409 naming the field) but two owners may share a name', async () => {
    const first = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Alerts' } });
    expect(first.status).toBe(201);
    const dup = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Alerts' } });
    expect(dup.status).toBe(409);
    expect(fields(dup.body)).toEqual(['name']);

    const other = await h.api('POST', '/api/v1/buckets', { token: bob.token, body: { name: 'Alerts' } });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);

    const second = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Other' } });
    const rename = await h.api('PATCH', `/api/v1/buckets/${second.body.id}`, {
      token: alice.token,
      body: { name: 'Alerts' },
    });
    expect(rename.status).toBe(409);
    expect((await h.api('GET', `/api/v1/buckets/${second.body.id}`, { token: alice.token })).body.name).toBe(
      'Other',
    );
  });

  it('rejects a bucket without a name, naming it', async () => {
    const res = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { description: 'x' } });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toContain('name');
  });

  it('grants permission levels: read members read but cannot send, write members send', async () => {
    const b = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Levels' } })).body;
    // alice is not a server admin: bob is invited and accepts.
    const addBob = await addMember(h, b.id, alice.token, bob, 'read');
    expect(addBob.status).toBe(200);
    expect(addBob.body).toContainEqual(expect.objectContaining({ userId: bob.id, permission: 'read' }));
    // A username works as the user reference too.
    await h.api('POST', `/api/v1/buckets/${b.id}/members`, {
      token: alice.token,
      body: { userId: 'carol', permission: 'write' },
    });
    const addCarol = await addMember(h, b.id, alice.token, carol, 'write');
    expect(addCarol.status).toBe(200);
    expect(addCarol.body).toContainEqual(expect.objectContaining({ userId: carol.id, permission: 'write' }));

    const bobSend = await send(bob.token, b.id);
    expect(bobSend.status).toBe(403);
    expect((await readMessages(bob.token, b.id)).status).toBe(200);
    expect((await h.api('GET', `/api/v1/buckets/${b.id}`, { token: bob.token })).body.permission).toBe(
      'read',
    );

    const carolSend = await send(carol.token, b.id, 'from carol');
    expect(carolSend.status).toBe(201);
    const page = await readMessages(bob.token, b.id);
    expect(page.body.messages.map((m: { title: string }) => m.title)).toEqual(['from carol']);

    // Upgrading bob to write lets him send.
    await h.api('POST', `/api/v1/buckets/${b.id}/members`, {
      token: alice.token,
      body: { userId: bob.id, permission: 'write' },
    });
    expect((await send(bob.token, b.id)).status).toBe(201);
  });

  it('rejects an unknown permission level, naming it', async () => {
    const b = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'BadLevel' } }))
      .body;
    const res = await h.api('POST', `/api/v1/buckets/${b.id}/members`, {
      token: alice.token,
      body: { userId: bob.id, permission: 'owner' },
    });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toContain('permission');
    const members = await h.api('GET', `/api/v1/buckets/${b.id}/members`, { token: alice.token });
    expect(members.body.map((m: { userId: string }) => m.userId)).toEqual([alice.id]);
  });

  it('a non-member cannot see, send to or read a bucket; a server admin can', async () => {
    const b = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Private' } }))
      .body;
    expect((await h.api('GET', `/api/v1/buckets/${b.id}`, { token: dave.token })).status).toBe(403);
    expect((await send(dave.token, b.id)).status).toBe(403);
    expect((await readMessages(dave.token, b.id)).status).toBe(403);
    expect((await h.api('GET', `/api/v1/buckets/${b.id}/members`, { token: dave.token })).status).toBe(403);

    const adminSend = await send(admin, b.id, 'from admin');
    expect(adminSend.status).toBe(201);
    const adminRead = await readMessages(admin, b.id);
    expect(adminRead.status).toBe(200);
    expect(adminRead.body.messages.map((m: { title: string }) => m.title)).toEqual(['from admin']);
    // The admin is not a member, so the message reached the owner only.
    expect(adminSend.body.recipientCount).toBe(1);
  });

  it('only bucket admins manage members; members may leave; the owner cannot be removed', async () => {
    const b = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Team' } })).body;
    await addMember(h, b.id, alice.token, bob, 'write');
    // A write member cannot add others.
    const byWriter = await h.api('POST', `/api/v1/buckets/${b.id}/members`, {
      token: bob.token,
      body: { userId: dave.id, permission: 'read' },
    });
    expect(byWriter.status).toBe(403);
    // A write member cannot remove others or rename the bucket.
    expect(
      (await h.api('DELETE', `/api/v1/buckets/${b.id}/members/${alice.id}`, { token: bob.token })).status,
    ).toBe(403);
    expect(
      (await h.api('PATCH', `/api/v1/buckets/${b.id}`, { token: bob.token, body: { name: 'Mine' } })).status,
    ).toBe(403);

    // A bucket admin can add members.
    await addMember(h, b.id, alice.token, carol, 'admin');
    const byAdmin = await addMember(h, b.id, carol.token, dave, 'read');
    expect(byAdmin.status).toBe(200);
    expect((await readMessages(dave.token, b.id)).status).toBe(200);

    // Removing a member takes their access away.
    expect(
      (await h.api('DELETE', `/api/v1/buckets/${b.id}/members/${dave.id}`, { token: carol.token })).status,
    ).toBe(204);
    expect((await readMessages(dave.token, b.id)).status).toBe(403);

    // bob leaves on his own.
    expect(
      (await h.api('DELETE', `/api/v1/buckets/${b.id}/members/${bob.id}`, { token: bob.token })).status,
    ).toBe(204);
    expect((await send(bob.token, b.id)).status).toBe(403);

    // Nobody removes the owner, not even a bucket admin.
    expect(
      (await h.api('DELETE', `/api/v1/buckets/${b.id}/members/${alice.id}`, { token: carol.token })).status,
    ).toBe(403);
    const members = await h.api('GET', `/api/v1/buckets/${b.id}/members`, { token: alice.token });
    expect(members.body.map((m: { userId: string; permission: string }) => [m.userId, m.permission])).toEqual(
      expect.arrayContaining([
        [alice.id, 'owner'],
        [carol.id, 'admin'],
      ]),
    );
    expect(members.body).toHaveLength(2);

    // Only the owner (or a server admin) deletes the bucket, not a bucket admin.
    expect((await h.api('DELETE', `/api/v1/buckets/${b.id}`, { token: carol.token })).status).toBe(403);
    expect((await h.api('DELETE', `/api/v1/buckets/${b.id}`, { token: admin })).status).toBe(204);
  });

  it('resolves a bucket by name for its members', async () => {
    const b = (await h.api('POST', '/api/v1/buckets', { token: carol.token, body: { name: 'ByName' } })).body;
    const got = await h.api('GET', '/api/v1/buckets/ByName', { token: carol.token });
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(b.id);
    expect((await h.api('GET', '/api/v1/buckets/ByName', { token: dave.token })).status).toBe(404);
  });
});
