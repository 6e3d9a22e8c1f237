import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const INBOX = '/api/v2/notifications/inbox';
const DAY = 24 * 60 * 60 * 1000;

interface User {
  id: string;
  token: string;
  email: string;
}

describe.each(STORES)('bucket invites on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let n = 0;
  const clock = manualClock(Date.parse('2026-03-10T10:00:00Z'));
  beforeAll(async () => {
    h = await startHerald(store, { clock });
    admin = await h.adminToken();
  });
  afterAll(() => h?.close());

  const user = () => h.createUser(`inv${++n}`);
  const bucketOf = async (owner: User) =>
    (await h.api('POST', '/api/v1/buckets', { token: owner.token, body: { name: `b${++n}` } })).body
      .id as string;
  const add = (token: string, bucketId: string, userId: string, permission = 'write') =>
    h.api('POST', `/api/v1/buckets/${bucketId}/members`, { token, body: { userId, permission } });
  const invitesOf = async (u: User) => {
    const res = await h.api('GET', '/api/v1/buckets/invites', { token: u.token });
    expect(res.status, res.text).toBe(200);
    return res.body as Array<{ id: string; bucketId: string; permission: string }>;
  };
  const send = async (u: User, bucketId: string, title: string) => {
    const res = await h.api('POST', '/api/v1/messages', {
      token: u.token,
      body: { bucketId, title, deliveryType: 'NORMAL' },
    });
    expect(res.status, res.text).toBe(201);
  };
  const inboxTitles = async (u: User) => {
    const res = await h.api('GET', INBOX, { token: u.token });
    expect(res.status, res.text).toBe(200);
    return (res.body.notifications as Array<{ title: string }>).map((i) => i.title);
  };
  const memberIds = async (token: string, bucketId: string) =>
    (await h.api('GET', `/api/v1/buckets/${bucketId}/members`, { token })).body.map(
      (m: { userId: string }) => m.userId,
    );

  it('a non-admin add is an invite: no membership and no inbox items until accepted', async () => {
    const [owner, invitee] = [await user(), await user()];
    const b = await bucketOf(owner);
    const res = await add(owner.token, b, invitee.email);
    expect(res.status).toBe(200);
    expect(res.body.map((m: { userId: string }) => m.userId)).toEqual([owner.id]);
    await send(owner, b, 'before accepting');
    expect(await inboxTitles(invitee)).not.toContain('before accepting');
    expect((await h.api('GET', `/api/v1/buckets/${b}/messages`, { token: invitee.token })).status).toBe(403);
    expect(
      (
        await h.api('POST', '/api/v1/messages', {
          token: invitee.token,
          body: { bucketId: b, title: 'x', deliveryType: 'NORMAL' },
        })
      ).status,
    ).toBe(403);

    const pending = await invitesOf(invitee);
    expect(pending).toEqual([expect.objectContaining({ bucketId: b, permission: 'write' })]);
    const pendingForOwner = await h.api('GET', `/api/v1/buckets/${b}/invites`, { token: owner.token });
    expect(pendingForOwner.body.map((i: { id: string }) => i.id)).toEqual([pending[0].id]);

    const ok = await h.api('POST', `/api/v1/buckets/invites/${pending[0].id}/accept`, {
      token: invitee.token,
    });
    expect(ok.status, ok.text).toBe(204);
    expect((await memberIds(owner.token, b)).sort()).toEqual([owner.id, invitee.id].sort());
    expect(await invitesOf(invitee)).toEqual([]);
    await send(owner, b, 'after accepting');
    expect(await inboxTitles(invitee)).toContain('after accepting');
    expect(await inboxTitles(invitee)).not.toContain('before accepting');
  });

  it('declining leaves no membership; the invite is gone', async () => {
    const [owner, invitee] = [await user(), await user()];
    const b = await bucketOf(owner);
    await add(owner.token, b, invitee.id);
    const [inv] = await invitesOf(invitee);
    const res = await h.api('POST', `/api/v1/buckets/invites/${inv.id}/decline`, { token: invitee.token });
    expect(res.status).toBe(204);
    expect(await memberIds(owner.token, b)).toEqual([owner.id]);
    expect(await invitesOf(invitee)).toEqual([]);
    expect(
      (await h.api('POST', `/api/v1/buckets/invites/${inv.id}/accept`, { token: invitee.token })).status,
    ).toBe(404);
  });

  it('a server admin adds directly', async () => {
    const [owner, u] = [await user(), await user()];
    const b = await bucketOf(owner);
    const res = await add(admin, b, u.id, 'read');
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual(expect.objectContaining({ userId: u.id, permission: 'read' }));
    expect(await invitesOf(u)).toEqual([]);
    // Admins can see every account, so an unknown user is a plain 400 for them.
    const unknown = await add(admin, b, 'nobody@example.com');
    expect(unknown.status).toBe(400);
  });

  it('an unknown email or id answers exactly like an existing one', async () => {
    const [owner, existing] = [await user(), await user()];
    const b = await bucketOf(owner);
    const known = await add(owner.token, b, existing.email);
    const unknown = await add(owner.token, b, 'no-such-person@example.com');
    const unknownId = await add(owner.token, b, '01JZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(unknown.status).toBe(known.status);
    expect(unknownId.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    expect(unknownId.text).toBe(known.text);
  });

  it('another user cannot accept, decline or see someone else’s invite', async () => {
    const [owner, invitee, other] = [await user(), await user(), await user()];
    const b = await bucketOf(owner);
    await add(owner.token, b, invitee.id);
    const [inv] = await invitesOf(invitee);
    expect(await invitesOf(other)).toEqual([]);
    for (const verb of ['accept', 'decline']) {
      const res = await h.api('POST', `/api/v1/buckets/invites/${inv.id}/${verb}`, { token: other.token });
      expect(res.status).toBe(404);
    }
    expect((await h.api('GET', `/api/v1/buckets/${b}/invites`, { token: other.token })).status).toBe(403);
    expect(await memberIds(owner.token, b)).toEqual([owner.id]);
    expect(await invitesOf(invitee)).toHaveLength(1);
  });

  it('the bucket admin can withdraw an invite; a member can still leave', async () => {
    const [owner, invitee] = [await user(), await user()];
    const b = await bucketOf(owner);
    await add(owner.token, b, invitee.id);
    const [inv] = await invitesOf(invitee);
    const res = await h.api('DELETE', `/api/v1/buckets/${b}/invites/${inv.id}`, { token: owner.token });
    expect(res.status).toBe(204);
    expect(await invitesOf(invitee)).toEqual([]);
    expect(
      (await h.api('DELETE', `/api/v1/buckets/${b}/invites/${inv.id}`, { token: owner.token })).status,
    ).toBe(404);
    await add(owner.token, b, invitee.id);
    const [again] = await invitesOf(invitee);
    await h.api('POST', `/api/v1/buckets/invites/${again.id}/accept`, { token: invitee.token });
    expect(
      (await h.api('DELETE', `/api/v1/buckets/${b}/members/${invitee.id}`, { token: invitee.token })).status,
    ).toBe(204);
    expect(await memberIds(owner.token, b)).toEqual([owner.id]);
  });

  it('an expired invite cannot be accepted (runs last: it moves the clock)', async () => {
    const [owner, invitee] = [await user(), await user()];
    const b = await bucketOf(owner);
    await add(owner.token, b, invitee.id);
    const [inv] = await invitesOf(invitee);
    clock.advance(8 * DAY);
    // Sessions expire too; log in again.
    invitee.token = await h.login(invitee.email, `${invitee.email.split('@')[0]}-password-1`);
    owner.token = await h.login(owner.email, `${owner.email.split('@')[0]}-password-1`);
    expect(await invitesOf(invitee)).toEqual([]);
    const res = await h.api('POST', `/api/v1/buckets/invites/${inv.id}/accept`, { token: invitee.token });
    expect(res.status).toBe(404);
    expect(await memberIds(owner.token, b)).toEqual([owner.id]);
  });
});
