import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { addMember } from './support/members.ts';

const fields = (body: { validations?: Array<{ field: string }> }) =>
  (body.validations ?? []).map((v) => v.field).sort();

describe.each(STORES)('POST /api/v1/messages on %s', (store) => {
  let h: TestHerald;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let carol: { id: string; token: string };
  let dave: { id: string; token: string };
  let bucketId: string;

  beforeAll(async () => {
    h = await startHerald(store);
    [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((n) => h.createUser(n)),
    );
    const bucket = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Orders' } });
    bucketId = bucket.body.id;
    for (const u of [bob, carol]) await addMember(h, bucketId, alice.token, u, 'read');
  });
  afterAll(() => h?.close());

  const post = (body: Record<string, unknown>, token = alice.token) =>
    h.api('POST', '/api/v1/messages', { token, body: { bucketId, deliveryType: 'NORMAL', ...body } });
  const messageCount = async () =>
    Number(
      (
        await h.server.ctx.store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const recipientsOf = async (messageId: string) =>
    (
      await h.server.ctx.store.db
        .selectFrom('notifications')
        .select('user_id')
        .where('message_id', '=', messageId)
        .execute()
    )
      .map((r) => r.user_id)
      .sort();

  it('creates a minimal message with the documented defaults, one inbox item per member', async () => {
    const res = await post({ title: 'Welcome!' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      title: 'Welcome!',
      bucketId,
      senderId: alice.id,
      subtitle: null,
      body: null,
      deliveryType: 'NORMAL',
      attachments: [],
      actions: [],
      tapAction: null,
      snoozes: [],
      groupId: bucketId,
      collapseId: null,
    });
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();
    expect(await recipientsOf(res.body.id)).toEqual([alice.id, bob.id, carol.id].sort());
  });

  it('stores every field of the table and returns it', async () => {
    const res = await post({
      title: 'Order Confirmed',
      subtitle: 'Payment received',
      body: 'Your order #12345 has been confirmed',
      deliveryType: 'CRITICAL',
      attachments: [{ mediaType: 'IMAGE', url: 'https://example.com/i.png', name: 'receipt' }],
      actions: [
        { type: 'WEBHOOK', value: 'https://example.com/hook', destructive: true, icon: 'bolt', title: 'Go' },
      ],
      tapAction: { type: 'NAVIGATE', value: '/orders/123' },
      sound: 'ping.aiff',
      snoozes: [5, 10, 30],
      locale: 'en-EN',
      groupId: 'orders',
      collapseId: 'order-update-123',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      subtitle: 'Payment received',
      body: 'Your order #12345 has been confirmed',
      deliveryType: 'CRITICAL',
      attachments: [{ mediaType: 'IMAGE', url: 'https://example.com/i.png', name: 'receipt' }],
      actions: [
        { type: 'WEBHOOK', value: 'https://example.com/hook', destructive: true, icon: 'bolt', title: 'Go' },
      ],
      tapAction: { type: 'NAVIGATE', value: '/orders/123' },
      sound: 'ping.aiff',
      snoozes: [5, 10, 30],
      locale: 'en-EN',
      groupId: 'orders',
      collapseId: 'order-update-123',
    });
    // What was stored reads back the same through the bucket listing.
    const page = await h.api('GET', `/api/v1/buckets/${bucketId}/messages?limit=1`, { token: bob.token });
    expect(page.body.messages[0]).toEqual(
      (({ recipientCount: _r, ...rest }: Record<string, unknown>) => rest)(res.body),
    );
  });

  it.each(['SILENT', 'NORMAL', 'CRITICAL'])('accepts deliveryType %s', async (deliveryType) => {
    const res = await post({ title: 't', deliveryType });
    expect(res.status).toBe(201);
    expect(res.body.deliveryType).toBe(deliveryType);
  });

  it.each([
    ['title', 100],
    ['subtitle', 100],
    ['body', 500],
  ])(
    '%s: %i characters are accepted, one more is a 400 naming it, and nothing is stored',
    async (field, max) => {
      const ok = await post({ title: 'limit', [field]: 'x'.repeat(max) });
      expect(ok.status).toBe(201);
      expect(ok.body[field]).toHaveLength(max);
      const before = await messageCount();
      const tooLong = await post({ title: 'limit', [field]: 'x'.repeat(max + 1) });
      expect(tooLong.status).toBe(400);
      expect(fields(tooLong.body)).toEqual([field]);
      expect(await messageCount()).toBe(before);
    },
  );

  it('counts characters, not UTF-16 units, against the title limit', async () => {
    const res = await post({ title: '🔔'.repeat(100) });
    expect(res.status).toBe(201);
    expect((await post({ title: '🔔'.repeat(101) })).status).toBe(400);
  });

  it('names every missing required field', async () => {
    const res = await h.api('POST', '/api/v1/messages', { token: alice.token, body: {} });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['bucketId', 'title']);
    const blank = await post({ title: '   ' });
    expect(blank.status).toBe(400);
    expect(fields(blank.body)).toEqual(['title']);
  });

  it('names enum fields with values outside their enum', async () => {
    const res = await post({
      title: 't',
      deliveryType: 'LOUD',
      attachments: [{ mediaType: 'PDF', url: 'https://example.com/a.pdf' }],
      actions: [
        { type: 'NAVIGATE', value: '/ok' },
        { type: 'EXPLODE', value: 'x' },
      ],
      tapAction: { type: 'CALL', value: 'x' },
    });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual([
      'actions[1].type',
      'attachments[0].mediaType',
      'deliveryType',
      'tapAction.type',
    ]);
    expect(res.body.detail).toContain('SILENT, NORMAL, CRITICAL');
  });

  it.each(['VIDEO', 'IMAGE', 'GIF', 'AUDIO', 'ICON'])('accepts mediaType %s', async (mediaType) => {
    const res = await post({ title: 't', attachments: [{ mediaType, url: 'https://example.com/f' }] });
    expect(res.status).toBe(201);
    expect(res.body.attachments).toEqual([{ mediaType, url: 'https://example.com/f' }]);
  });

  it.each([
    'NAVIGATE',
    'BACKGROUND_CALL',
    'MARK_AS_READ',
    'SNOOZE',
    'OPEN_NOTIFICATION',
    'WEBHOOK',
    'DELETE',
  ])('accepts action type %s', async (type) => {
    const res = await post({ title: 't', actions: [{ type, value: 'v' }] });
    expect(res.status).toBe(201);
    expect(res.body.actions).toEqual([{ type, value: 'v' }]);
  });

  it('names malformed nested and typed fields', async () => {
    const res = await post({
      title: 't',
      attachments: [{ mediaType: 'IMAGE' }, { mediaType: 'IMAGE', url: 'not a url' }],
      actions: [{ type: 'NAVIGATE' }],
      snoozes: [5, -1],
      addDeleteAction: 'yes',
      imageUrl: 'ftp://example.com/x.png',
    });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual([
      'actions[0].value',
      'addDeleteAction',
      'attachments[0].url',
      'attachments[1].url',
      'imageUrl',
      'snoozes[1]',
    ]);
  });

  it('ignores unknown fields at the top level and inside attachments and actions', async () => {
    const res = await post({
      title: 'unknowns',
      priority: 'urgent',
      extra: { nested: true },
      attachments: [{ mediaType: 'GIF', url: 'https://example.com/a.gif', width: 300 }],
      actions: [{ type: 'NAVIGATE', value: '/x', color: 'red' }],
    });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('priority');
    expect(res.body.attachments).toEqual([{ mediaType: 'GIF', url: 'https://example.com/a.gif' }]);
    expect(res.body.actions).toEqual([{ type: 'NAVIGATE', value: '/x' }]);
  });

  it('resolves bucketId given as a bucket name', async () => {
    const res = await post({ title: 'by name', bucketId: 'Orders' });
    expect(res.status).toBe(201);
    expect(res.body.bucketId).toBe(bucketId);
    const unknown = await post({ title: 'by name', bucketId: 'No Such Bucket' });
    expect(unknown.status).toBe(404);
    expect(fields(unknown.body)).toEqual(['bucketId']);
  });

  describe('userIds narrows recipients to the named members', () => {
    it('as a JSON array of ids', async () => {
      const res = await post({ title: 'narrow', userIds: [bob.id] });
      expect(res.status).toBe(201);
      expect(res.body.recipientCount).toBe(1);
      expect(await recipientsOf(res.body.id)).toEqual([bob.id]);
    });

    it('as a comma-separated string of usernames', async () => {
      const res = await post({ title: 'narrow', userIds: 'bob, carol' });
      expect(res.status).toBe(201);
      expect(await recipientsOf(res.body.id)).toEqual([bob.id, carol.id].sort());
    });

    it('as an array mixing ids and usernames, each user once', async () => {
      const res = await post({ title: 'narrow', userIds: ['carol', carol.id, alice.id] });
      expect(res.status).toBe(201);
      expect(await recipientsOf(res.body.id)).toEqual([alice.id, carol.id].sort());
    });

    it('refuses a user who is not a bucket member, naming its position, and sends nothing', async () => {
      const before = await messageCount();
      const res = await post({ title: 'narrow', userIds: ['bob', dave.id, 'nobody'] });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['userIds[1]', 'userIds[2]']);
      expect(await messageCount()).toBe(before);
    });
  });

  describe('shortcuts', () => {
    it('imageUrl, videoUrl and gifUrl each add an attachment of their media type', async () => {
      const res = await post({
        title: 'media',
        attachments: [{ mediaType: 'AUDIO', url: 'https://example.com/a.mp3' }],
        imageUrl: 'https://example.com/i.png',
        videoUrl: 'https://example.com/v.mp4',
        gifUrl: 'https://example.com/g.gif',
      });
      expect(res.status).toBe(201);
      expect(res.body.attachments).toEqual([
        { mediaType: 'AUDIO', url: 'https://example.com/a.mp3' },
        { mediaType: 'IMAGE', url: 'https://example.com/i.png' },
        { mediaType: 'VIDEO', url: 'https://example.com/v.mp4' },
        { mediaType: 'GIF', url: 'https://example.com/g.gif' },
      ]);
    });

    it('tapUrl becomes a NAVIGATE tapAction', async () => {
      const res = await post({ title: 'tap', tapUrl: 'https://app.example.com/orders/123' });
      expect(res.status).toBe(201);
      expect(res.body.tapAction).toEqual({ type: 'NAVIGATE', value: 'https://app.example.com/orders/123' });
    });

    it('an explicit tapAction wins over tapUrl', async () => {
      const res = await post({
        title: 'tap',
        tapUrl: 'https://app.example.com/orders/123',
        tapAction: { type: 'OPEN_NOTIFICATION', value: 'x' },
      });
      expect(res.status).toBe(201);
      expect(res.body.tapAction).toEqual({ type: 'OPEN_NOTIFICATION', value: 'x' });
    });

    it('each add*Action flag appends its predefined action after the given ones', async () => {
      const res = await post({
        title: 'flags',
        actions: [{ type: 'NAVIGATE', value: '/x' }],
        addMarkAsReadAction: true,
        addOpenNotificationAction: true,
        addDeleteAction: true,
      });
      expect(res.status).toBe(201);
      const id = res.body.id;
      expect(res.body.actions).toEqual([
        { type: 'NAVIGATE', value: '/x' },
        { type: 'MARK_AS_READ', value: id, title: 'Mark as Read' },
        { type: 'OPEN_NOTIFICATION', value: id, title: 'Open' },
        { type: 'DELETE', value: id, title: 'Delete', destructive: true },
      ]);
      const one = await post({ title: 'flags', addDeleteAction: true, addMarkAsReadAction: false });
      expect(one.body.actions.map((a: { type: string }) => a.type)).toEqual(['DELETE']);
    });
  });

  it('refuses a body that is not a JSON object', async () => {
    const res = await h.api('POST', '/api/v1/messages', { token: alice.token, body: ['title'] });
    expect(res.status).toBe(400);
    const broken = await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      raw: '{"title": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
  });

  it('needs authentication', async () => {
    expect((await h.api('POST', '/api/v1/messages', { body: { title: 't', bucketId } })).status).toBe(401);
  });
});
