import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/**
 * The requests Zentik's real clients send, replayed as they send them (our own code, from
 * reading their public source): the Home Assistant component (notify.py posts JSON to the
 * configured server URL with a zat_ bearer token and reads only the status), the Scrypted
 * plugin (axios JSON post to `<serverUrl>/messages`, logs the body), the app (its server check
 * probes `/api/v1/health`; its share extension posts JSON with the login token and reads
 * `message` on failure) and the backend's own scripts/messages/test-messages-endpoint.js. The
 * magic-code cases are in the magic-code suite.
 */
describe.each(STORES)("Zentik's clients against Herald on %s", (store) => {
  let h: TestHerald;
  let alice: { id: string; token: string };
  let bucketId: string;
  let zat: string;

  beforeAll(async () => {
    h = await startHerald(store);
    alice = await h.createUser('alice');
    bucketId = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Home' } })).body
      .id;
    const created = await h.api('POST', '/api/v1/access-tokens', {
      token: alice.token,
      body: { name: 'Home Assistant', scopes: ['messages:create'] },
    });
    expect(created.status).toBe(201);
    zat = created.body.token;
  });
  afterAll(() => h?.close());

  const inbox = async () =>
    (await h.api('GET', '/api/v2/notifications/inbox', { token: alice.token })).body.notifications as Array<{
      title: string;
      content: string;
    }>;

  describe('Home Assistant component', () => {
    it("sends notify's default payload (title and message, no deliveryType) and gets a 2xx", async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: `Bearer ${zat}`, 'content-type': 'application/json' },
        raw: JSON.stringify({ title: 'Front door', body: 'Motion detected', bucketId }),
      });
      expect(res.status).toBeLessThan(400);
      expect(res.body).toMatchObject({ title: 'Front door', bucketId, deliveryType: 'NORMAL' });
    });

    it('passes its service fields through, the ones Herald does not know ignored', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: `Bearer ${zat}`, 'content-type': 'application/json' },
        raw: JSON.stringify({
          title: 'zentik',
          bucketId,
          userIds: [alice.id],
          subtitle: 'Garage',
          deliveryType: 'CRITICAL',
          snoozes: [5, 15],
          postpones: [60],
          remindEveryMinutes: 10,
          maxReminders: 3,
          executionId: 'automation.1',
          addMarkAsReadAction: true,
          actions: [{ type: 'NAVIGATE', value: '/lovelace/0', title: 'Open' }],
        }),
      });
      expect(res.status).toBeLessThan(400);
      expect(res.body).toMatchObject({ subtitle: 'Garage', deliveryType: 'CRITICAL', snoozes: [5, 15] });
      expect(res.body.actions.map((a: { type: string }) => a.type)).toEqual(['NAVIGATE', 'MARK_AS_READ']);
    });

    it('gets a 4xx it logs when the token is wrong', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: 'Bearer zat_wrong', 'content-type': 'application/json' },
        raw: JSON.stringify({ title: 'x', bucketId }),
      });
      expect(res.status).toBe(401);
      expect(res.text).toContain('invalid');
    });
  });

  describe('Scrypted plugin', () => {
    it('posts title, bucketId, body, imageUrl, locale and its zentik props; reads the created message', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: `Bearer ${zat}`, 'content-type': 'application/json' },
        raw: JSON.stringify({
          title: 'Doorbell',
          bucketId: 'Home',
          body: 'Someone is at the door',
          imageUrl: 'https://scrypted.example/snapshot.jpg',
          locale: 'en-EN',
          addDeleteAction: true,
        }),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        title: 'Doorbell',
        bucketId,
        locale: 'en-EN',
      });
      expect(res.body.attachments).toEqual([
        { mediaType: 'IMAGE', url: 'https://scrypted.example/snapshot.jpg' },
      ]);
      expect(Date.parse(res.body.createdAt)).not.toBeNaN();
    });

    it('is refused with a 400 naming the field when the title is missing', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: `Bearer ${zat}`, 'content-type': 'application/json' },
        raw: JSON.stringify({ bucketId, body: 'no title' }),
      });
      expect(res.status).toBe(400);
      expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual(['title']);
    });
  });

  describe('the app', () => {
    it('its server check: GET /api/v1/health answers ok without a token', async () => {
      const res = await h.api('GET', '/api/v1/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', version: expect.any(String) });
      expect(Date.parse(res.body.timestamp)).not.toBeNaN();
    });

    it('its share extension posts with the login token; attachmentUuids and postpones are ignored', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        raw: JSON.stringify({
          title: 'Shared',
          body: 'From the share sheet',
          bucketId,
          deliveryType: 'NORMAL',
          attachmentUuids: [],
          snoozes: [10],
        }),
      });
      expect(res.status).toBe(201);
      const bad = await h.api('POST', '/api/v1/messages', {
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        raw: JSON.stringify({ title: 'Shared', bucketId: 'no-such-bucket', deliveryType: 'NORMAL' }),
      });
      expect(bad.status).toBe(404);
      expect(typeof bad.body.message).toBe('string');
    });
  });

  describe("Zentik's test-messages-endpoint.js, its four steps", () => {
    it('1. JSON with an unknown priority field', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        token: zat,
        body: {
          title: 'JSON Test',
          body: 'This is a JSON test message',
          priority: 'high',
          bucketId,
          deliveryType: 'NORMAL',
        },
      });
      expect(res.status).toBe(201);
    });

    it('2. multipart with a file to /with-attachment, bucketId also in the query', async () => {
      const form = new FormData();
      form.set('title', 'Multipart File Test');
      form.set('body', 'This is a multipart test with file');
      form.set('deliveryType', 'NORMAL');
      form.set('bucketId', bucketId);
      form.set('attachmentOptions', JSON.stringify({ mediaType: 'IMAGE' }));
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      );
      form.set('file', new Blob([png], { type: 'image/png' }), 'Zentik.png');
      const res = await h.api('POST', `/api/v1/messages/with-attachment?bucketId=${bucketId}`, {
        token: zat,
        raw: form,
      });
      expect(res.status).toBe(201);
      expect(res.body.attachments).toHaveLength(1);
      expect(res.body.attachments[0]).toMatchObject({ mediaType: 'IMAGE', name: 'Zentik.png' });
    });

    it('3. URL-encoded form', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: new URLSearchParams({
          title: 'URL Encoded Test',
          body: 'This is a URL encoded test message',
          bucketId,
          deliveryType: 'NORMAL',
        }).toString(),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        title: 'URL Encoded Test',
        body: 'This is a URL encoded test message',
      });
    });

    it('4. title and body from x-message-* headers, the rest in JSON', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: {
          'x-message-title': 'Header Title',
          'x-message-body': 'Header Body',
          'x-message-priority': 'low',
        },
        body: { bucketId, deliveryType: 'NORMAL' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ title: 'Header Title', body: 'Header Body' });
    });
  });

  describe('sources merged as Zentik merges them', () => {
    it('headers win over the query string, which wins over the body', async () => {
      const res = await h.api('POST', `/api/v1/messages?title=Query&subtitle=FromQuery`, {
        token: zat,
        headers: { 'x-message-title': 'Header', 'x-message-deliverytype': 'SILENT' },
        body: { bucketId, title: 'Body', subtitle: 'FromBody', body: 'kept' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        title: 'Header',
        subtitle: 'FromQuery',
        body: 'kept',
        deliveryType: 'SILENT',
      });
    });

    it('reads text sources as text: flags, snoozes and JSON-encoded actions', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-message-snoozes': '5, 10',
          'x-message-addDeleteAction': 'true',
        },
        raw: new URLSearchParams({
          title: 'Form',
          bucketId,
          actions: JSON.stringify([{ type: 'WEBHOOK', value: 'https://example.com/hook' }]),
        }).toString(),
      });
      expect(res.status).toBe(201);
      expect(res.body.snoozes).toEqual([5, 10]);
      expect(res.body.actions.map((a: { type: string }) => a.type)).toEqual(['WEBHOOK', 'DELETE']);
    });

    it('a field repeated in a form is a list', async () => {
      const form = new URLSearchParams({ title: 'Repeated', bucketId });
      form.append('userIds', alice.id);
      form.append('userIds', 'alice');
      form.append('snoozes', '5');
      form.append('snoozes', '30');
      const res = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: form.toString(),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ snoozes: [5, 30], recipientCount: 1 });
    });

    it('a plain-text body is the message body; a JSON-object text body is fields', async () => {
      const plain = await h.api('POST', `/api/v1/messages?bucketId=${bucketId}`, {
        token: zat,
        headers: { 'content-type': 'text/plain', 'x-message-title': 'Disk' },
        raw: 'Disk almost full',
      });
      expect(plain.status).toBe(201);
      expect(plain.body).toMatchObject({ title: 'Disk', body: 'Disk almost full' });
      const json = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: { 'content-type': 'text/plain' },
        raw: JSON.stringify({ title: 'As text', bucketId }),
      });
      expect(json.status).toBe(201);
      expect(json.body.title).toBe('As text');
      expect((await inbox()).some((n) => n.title === 'As text')).toBe(true);
    });

    it('names bad fields from any source with a 400 and creates nothing', async () => {
      const before = (await inbox()).length;
      const res = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-message-deliveryType': 'LOUD',
          'x-message-addMarkAsReadAction': 'maybe',
        },
        raw: new URLSearchParams({ bucketId, actions: '[not json' }).toString(),
      });
      expect(res.status).toBe(400);
      expect(res.body.validations.map((v: { field: string }) => v.field).sort()).toEqual([
        'actions',
        'addMarkAsReadAction',
        'deliveryType',
        'title',
      ]);
      const notObject = await h.api('POST', '/api/v1/messages', {
        token: zat,
        headers: { 'content-type': 'application/json' },
        raw: '[1,2]',
      });
      expect(notObject.status).toBe(400);
      const form = new FormData();
      form.set('title', 'multipart');
      form.set('bucketId', bucketId);
      const multipart = await h.api('POST', '/api/v1/messages', { token: zat, raw: form });
      expect(multipart.status).toBe(400);
      expect(multipart.body.validations[0].field).toBe('(body)');
      expect((await inbox()).length).toBe(before);
    });
  });

  describe('GET /api/v1/messages', () => {
    it('creates from the query with an access token and answers 200, as Zentik does', async () => {
      const res = await h.api('GET', `/api/v1/messages?title=Ping&bucketId=${bucketId}&deliveryType=NORMAL`, {
        token: zat,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: 'Ping', bucketId });
    });

    it('refuses a login session (403) and no credential (401)', async () => {
      const jwt = await h.api('GET', `/api/v1/messages?title=Ping&bucketId=${bucketId}`, {
        token: alice.token,
      });
      expect(jwt.status).toBe(403);
      const none = await h.api('GET', `/api/v1/messages?title=Ping&bucketId=${bucketId}`);
      expect(none.status).toBe(401);
    });
  });

  describe('access tokens as Zentik has them', () => {
    it('empty scopes are the owner’s full access', async () => {
      const created = await h.api('POST', '/api/v1/access-tokens', {
        token: alice.token,
        body: { name: 'full', scopes: [], storeToken: true },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'full',
        token: expect.stringMatching(/^zat_/),
        tokenStored: false,
      });
      const token = created.body.token as string;
      expect((await h.api('GET', '/api/v1/buckets', { token })).status).toBe(200);
      expect(
        (await h.api('POST', '/api/v1/messages', { token, body: { title: 'full', bucketId } })).status,
      ).toBe(201);
    });

    it('message-bucket-creation:<bucket> may create messages in that bucket only', async () => {
      const other = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Other' } }))
        .body.id;
      const created = await h.api('POST', `/api/v1/access-tokens/bucket/${bucketId}`, {
        token: alice.token,
        body: { name: 'Scrypted' },
      });
      expect(created.status).toBe(201);
      const token = created.body.token as string;
      expect(created.body.bucketIds).toEqual([bucketId]);
      expect(
        (await h.api('POST', '/api/v1/messages', { token, body: { title: 'ok', bucketId } })).status,
      ).toBe(201);
      const elsewhere = await h.api('POST', '/api/v1/messages', {
        token,
        body: { title: 'no', bucketId: other },
      });
      expect(elsewhere.status).toBe(403);
      const viaScope = await h.api('POST', '/api/v1/access-tokens', {
        token: alice.token,
        body: { name: 'scoped', scopes: [`message-bucket-creation:${other}`] },
      });
      expect(viaScope.status).toBe(201);
      expect(viaScope.body.bucketIds).toEqual([other]);
      const bogus = await h.api('POST', '/api/v1/access-tokens', {
        token: alice.token,
        body: { name: 'bogus', scopes: [`message-bucket-creation:${other}`, 'bogus'] },
      });
      expect(bogus.status).toBe(400);
      expect(bogus.body.validations.map((v: { field: string }) => v.field)).toEqual(['scopes[1]']);
    });

    it('any token may list buckets; a bucket nobody may see is refused', async () => {
      const buckets = await h.api('GET', '/api/v1/buckets', { token: zat });
      expect(buckets.status).toBe(200);
      expect(buckets.body.map((b: { id: string }) => b.id)).toContain(bucketId);
      const bob = await h.createUser('bob');
      const bobs = (await h.api('POST', '/api/v1/buckets', { token: bob.token, body: { name: 'Bobs' } })).body
        .id;
      const res = await h.api('POST', `/api/v1/access-tokens/bucket/${bobs}`, {
        token: alice.token,
        body: { name: 'not mine' },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });
  });
});
