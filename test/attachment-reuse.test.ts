import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

describe.each(STORES)('an attachment sent with several messages on %s', (store) => {
  let h: TestHerald;
  beforeAll(async () => {
    h = await startHerald(store);
  });
  afterAll(() => h?.close());

  it("stays readable by every message's recipients, and only by them", async () => {
    const alice = await h.createUser('alice');
    const bob = await h.createUser('bob');
    const carol = await h.createUser('carol');
    const eve = await h.createUser('eve');
    const team = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'team' } })).body
      .id;
    const other = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'other' } }))
      .body.id;
    await h.api('POST', `/api/v1/buckets/${team}/members`, {
      token: await h.adminToken(), // a server admin adds directly
      body: { userId: 'bob', permission: 'read' },
    });
    await h.api('POST', `/api/v1/buckets/${other}/members`, {
      token: await h.adminToken(),
      body: { userId: 'carol', permission: 'read' },
    });

    const form = new FormData();
    form.set('title', 'Report');
    form.set('bucketId', team);
    form.set('deliveryType', 'NORMAL');
    form.set('attachment', new Blob(['quarterly numbers'], { type: 'text/plain' }), 'report.txt');
    const first = await fetch(`${h.url}/api/v1/messages/with-attachment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(first.status).toBe(201);
    const uuid = (await first.json()).attachments[0].attachmentUuid as string;

    const second = await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      body: {
        title: 'Same report',
        bucketId: other,
        deliveryType: 'NORMAL',
        attachments: [{ mediaType: 'IMAGE', attachmentUuid: uuid }],
      },
    });
    expect(second.status).toBe(201);

    for (const [who, status] of [
      [alice, 200],
      [bob, 200],
      [carol, 200],
      [eve, 404],
    ] as const) {
      const res = await h.api('GET', `/api/v1/attachments/${uuid}`, { token: who.token });
      expect(res.status, who.email).toBe(status);
      if (status === 200) expect(res.text).toBe('quarterly numbers');
    }
  });
});
