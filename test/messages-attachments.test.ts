import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const fields = (body: { validations?: Array<{ field: string }> }) =>
  (body.validations ?? []).map((v) => v.field).sort();

/** A tiny but real PNG (1×1, transparent). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Every file under the data dir's attachment store, so tests can see that nothing leaked to disk. */
function storedFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'attachments');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

interface Setup {
  h: TestHerald;
  owner: { id: string; token: string };
  member: { id: string; token: string };
  outsider: { id: string; token: string };
  bucketId: string;
  /** A zat_ token of the owner with messages:create. */
  zat: string;
}

async function setUp(h: TestHerald): Promise<Setup> {
  const [owner, member, outsider] = await Promise.all(
    ['owner', 'member', 'outsider'].map((n) => h.createUser(n)),
  );
  const bucket = await h.api('POST', '/api/v1/buckets', { token: owner.token, body: { name: 'Files' } });
  await h.api('POST', `/api/v1/buckets/${bucket.body.id}/members`, {
    token: await h.adminToken(), // a server admin adds directly
    body: { userId: member.id, permission: 'read' },
  });
  const zat = await h.api('POST', '/api/v1/access-tokens', {
    token: owner.token,
    body: { name: 'get-send', scopes: ['messages:create'] },
  });
  return { h, owner, member, outsider, bucketId: bucket.body.id, zat: zat.body.token };
}

const countRows = async (h: TestHerald, table: 'messages' | 'attachments') =>
  Number(
    (
      await h.server.ctx.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

function form(
  entries: Record<string, string>,
  files: Array<{ field?: string; name: string; type: string; data: Buffer }> = [],
) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(entries)) fd.append(k, v);
  for (const f of files)
    fd.append(f.field ?? 'attachment', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  return fd;
}

describe.each(STORES)('GET-send, uploads and attachments on %s', (store) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp(await startHerald(store));
  });
  afterAll(() => s?.h.close());

  describe('GET /api/v1/messages', () => {
    it('creates a message from query parameters with an access token, arrays JSON-encoded', async () => {
      const q = new URLSearchParams({
        title: 'Ping',
        bucketId: s.bucketId,
        deliveryType: 'NORMAL',
        actions: JSON.stringify([{ type: 'NAVIGATE', value: '/x' }]),
        tapAction: JSON.stringify({ type: 'WEBHOOK', value: 'https://example.com/hook' }),
        snoozes: '[5,10]',
        userIds: JSON.stringify([s.member.id]),
        addDeleteAction: 'true',
        addMarkAsReadAction: 'false',
      });
      const res = await s.h.api('GET', `/api/v1/messages?${q}`, { token: s.zat });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        title: 'Ping',
        bucketId: s.bucketId,
        senderId: s.owner.id,
        tapAction: { type: 'WEBHOOK', value: 'https://example.com/hook' },
        snoozes: [5, 10],
        recipientCount: 1,
      });
      expect(res.body.actions.map((a: { type: string }) => a.type)).toEqual(['NAVIGATE', 'DELETE']);
      const inbox = await s.h.server.ctx.store.db
        .selectFrom('notifications')
        .select('user_id')
        .where('message_id', '=', res.body.id)
        .execute();
      expect(inbox.map((n) => n.user_id)).toEqual([s.member.id]);
    });

    it('replays a GET-send retried with the same Idempotency-Key', async () => {
      const path = `/api/v1/messages?title=Once&bucketId=${s.bucketId}&deliveryType=NORMAL`;
      const headers = { 'idempotency-key': 'get-once' };
      const first = await s.h.api('GET', path, { token: s.zat, headers });
      const retry = await s.h.api('GET', path, { token: s.zat, headers });
      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      const rows = await s.h.server.ctx.store.db
        .selectFrom('messages')
        .select('id')
        .where('title', '=', 'Once')
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('accepts the bucket name and CSV userIds in the query', async () => {
      const res = await s.h.api(
        'GET',
        `/api/v1/messages?title=Ping&bucketId=Files&deliveryType=SILENT&userIds=owner,member`,
        { token: s.zat },
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ bucketId: s.bucketId, deliveryType: 'SILENT', recipientCount: 2 });
    });

    it('names a query field holding invalid JSON', async () => {
      const before = await countRows(s.h, 'messages');
      const q = new URLSearchParams({
        title: 'x',
        bucketId: s.bucketId,
        deliveryType: 'NORMAL',
        actions: '[{',
      });
      const res = await s.h.api('GET', `/api/v1/messages?${q}`, { token: s.zat });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['actions']);
      expect(await countRows(s.h, 'messages')).toBe(before);
    });

    it('refuses a login JWT with 403 and sends nothing', async () => {
      const before = await countRows(s.h, 'messages');
      const res = await s.h.api(
        'GET',
        `/api/v1/messages?title=x&bucketId=${s.bucketId}&deliveryType=NORMAL`,
        {
          token: s.owner.token,
        },
      );
      expect(res.status).toBe(403);
      expect(await countRows(s.h, 'messages')).toBe(before);
    });

    it('refuses an access token without messages:create', async () => {
      const t = await s.h.api('POST', '/api/v1/access-tokens', {
        token: s.owner.token,
        body: { name: 'reader', scopes: ['messages:read'] },
      });
      const res = await s.h.api(
        'GET',
        `/api/v1/messages?title=x&bucketId=${s.bucketId}&deliveryType=NORMAL`,
        {
          token: t.body.token,
        },
      );
      expect(res.status).toBe(403);
    });
  });

  describe('POST /api/v1/messages/with-attachment', () => {
    it('stores an uploaded file, gives it a uuid and a media type, and lets recipients and the sender download it', async () => {
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.zat,
        raw: form({ title: 'Invoice', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
          { name: 'pixel.png', type: 'image/png', data: PNG },
        ]),
      });
      expect(res.status).toBe(201);
      expect(res.body.attachments).toEqual([
        { mediaType: 'IMAGE', name: 'pixel.png', attachmentUuid: expect.any(String) },
      ]);
      const uuid = res.body.attachments[0].attachmentUuid;

      const row = await s.h.server.ctx.store.db
        .selectFrom('attachments')
        .selectAll()
        .where('id', '=', uuid)
        .executeTakeFirstOrThrow();
      expect(row.message_id).toBe(res.body.id);
      expect(existsSync(path.join(s.h.dataDir, row.path))).toBe(true);

      for (const who of [s.owner, s.member]) {
        const dl = await fetch(`${s.h.url}/api/v1/attachments/${uuid}`, {
          headers: { authorization: `Bearer ${who.token}` },
        });
        expect(dl.status).toBe(200);
        expect(dl.headers.get('content-type')).toBe('image/png');
        expect(Buffer.from(await dl.arrayBuffer())).toEqual(PNG);
      }
      const outsider = await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.outsider.token });
      expect(outsider.status).toBe(404);
      expect(outsider.text).not.toContain('PNG');
    });

    it('keeps an attachment from bucket members the message was not sent to', async () => {
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form({ title: 'Private', bucketId: s.bucketId, deliveryType: 'NORMAL', userIds: 'owner' }, [
          { name: 'secret.txt', type: 'text/plain', data: Buffer.from('for the owner only') },
        ]),
      });
      expect(res.status).toBe(201);
      const uuid = res.body.attachments[0].attachmentUuid;
      expect((await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.member.token })).status).toBe(
        404,
      );
      const own = await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.owner.token });
      expect(own.status).toBe(200);
      expect(own.text).toBe('for the owner only');
    });

    it('mixes a JSON attachments field with the uploaded file, and parses string booleans', async () => {
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form(
          {
            title: 'Mixed',
            bucketId: s.bucketId,
            deliveryType: 'CRITICAL',
            attachments: JSON.stringify([{ mediaType: 'VIDEO', url: 'https://example.com/clip.mp4' }]),
            tapAction: JSON.stringify({ type: 'NAVIGATE', value: '/x' }),
            addDeleteAction: 'true',
            addOpenNotificationAction: 'false',
            addMarkAsReadAction: 'TRUE',
          },
          [{ name: 'song.mp3', type: 'audio/mpeg', data: Buffer.from('ID3fake-mp3') }],
        ),
      });
      expect(res.status).toBe(201);
      expect(res.body.deliveryType).toBe('CRITICAL');
      expect(res.body.tapAction).toEqual({ type: 'NAVIGATE', value: '/x' });
      expect(res.body.attachments).toEqual([
        { mediaType: 'VIDEO', url: 'https://example.com/clip.mp4' },
        { mediaType: 'AUDIO', name: 'song.mp3', attachmentUuid: expect.any(String) },
      ]);
      expect(res.body.actions.map((a: { type: string }) => a.type)).toEqual(['MARK_AS_READ', 'DELETE']);
    });

    it('accepts a file larger than the JSON body limit under the default 25 MB upload limit', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form({ title: 'Big', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
          { name: 'big.mp4', type: 'video/mp4', data: big },
        ]),
      });
      expect(res.status).toBe(201);
      expect(res.body.attachments[0].mediaType).toBe('VIDEO');
      const dl = await fetch(`${s.h.url}/api/v1/attachments/${res.body.attachments[0].attachmentUuid}`, {
        headers: { authorization: `Bearer ${s.member.token}` },
      });
      expect(Buffer.from(await dl.arrayBuffer()).equals(big)).toBe(true);
    });

    it('replays a retried upload with the same Idempotency-Key without keeping a second copy', async () => {
      const send = () =>
        s.h.api('POST', '/api/v1/messages/with-attachment', {
          token: s.owner.token,
          headers: { 'idempotency-key': 'upload-1' },
          raw: form({ title: 'Once', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
            { name: 'pixel.png', type: 'image/png', data: PNG },
          ]),
        });
      const first = await send();
      expect(first.status).toBe(201);
      const after = {
        attachments: await countRows(s.h, 'attachments'),
        files: storedFiles(s.h.dataDir).length,
      };
      const retry = await send();
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await countRows(s.h, 'attachments')).toBe(after.attachments);
      expect(storedFiles(s.h.dataDir)).toHaveLength(after.files);
    });

    it('deletes a message with an attachment, then its bucket; the file is no longer served to recipients', async () => {
      const bucket = await s.h.api('POST', '/api/v1/buckets', {
        token: s.owner.token,
        body: { name: 'Temp' },
      });
      await s.h.api('POST', `/api/v1/buckets/${bucket.body.id}/members`, {
        token: await s.h.adminToken(),
        body: { userId: s.member.id, permission: 'read' },
      });
      const upload = (title: string) =>
        s.h.api('POST', '/api/v1/messages/with-attachment', {
          token: s.owner.token,
          raw: form({ title, bucketId: bucket.body.id, deliveryType: 'NORMAL' }, [
            { name: 'pixel.png', type: 'image/png', data: PNG },
          ]),
        });
      const first = await upload('first');
      const second = await upload('second');
      const uuid = first.body.attachments[0].attachmentUuid;
      expect((await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.member.token })).status).toBe(
        200,
      );

      expect(
        (await s.h.api('DELETE', `/api/v1/messages/${first.body.id}`, { token: s.owner.token })).status,
      ).toBe(204);
      expect((await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.member.token })).status).toBe(
        404,
      );

      expect(
        (await s.h.api('DELETE', `/api/v1/buckets/${bucket.body.id}`, { token: s.owner.token })).status,
      ).toBe(204);
      const secondUuid = second.body.attachments[0].attachmentUuid;
      expect(
        (await s.h.api('GET', `/api/v1/attachments/${secondUuid}`, { token: s.member.token })).status,
      ).toBe(404);
    });

    it('creates a message without any file', async () => {
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form({ title: 'No file', bucketId: s.bucketId, deliveryType: 'NORMAL' }),
      });
      expect(res.status).toBe(201);
      expect(res.body.attachments).toEqual([]);
    });

    it('names a multipart field with invalid JSON and keeps neither message nor file', async () => {
      const before = { messages: await countRows(s.h, 'messages'), files: storedFiles(s.h.dataDir).length };
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form(
          {
            title: 'Bad',
            bucketId: s.bucketId,
            deliveryType: 'NORMAL',
            attachments: '[{"mediaType": "IMAGE",',
          },
          [{ name: 'pixel.png', type: 'image/png', data: PNG }],
        ),
      });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['attachments']);
      expect(await countRows(s.h, 'messages')).toBe(before.messages);
      expect(storedFiles(s.h.dataDir)).toHaveLength(before.files);
    });

    it('names a string boolean that is neither true nor false', async () => {
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form({ title: 'x', bucketId: s.bucketId, deliveryType: 'NORMAL', addDeleteAction: 'yes' }),
      });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['addDeleteAction']);
    });

    it('keeps no file when the sender may not send to the bucket', async () => {
      const before = {
        attachments: await countRows(s.h, 'attachments'),
        files: storedFiles(s.h.dataDir).length,
      };
      const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.member.token,
        raw: form({ title: 'Denied', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
          { name: 'pixel.png', type: 'image/png', data: PNG },
        ]),
      });
      expect(res.status).toBe(403);
      expect(await countRows(s.h, 'attachments')).toBe(before.attachments);
      expect(storedFiles(s.h.dataDir)).toHaveLength(before.files);
    });

    it('refuses to reference another user’s stored attachment by uuid', async () => {
      const up = await s.h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.owner.token,
        raw: form({ title: 'Mine', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
          { name: 'pixel.png', type: 'image/png', data: PNG },
        ]),
      });
      const uuid = up.body.attachments[0].attachmentUuid;
      const other = await s.h.api('POST', '/api/v1/buckets', {
        token: s.outsider.token,
        body: { name: 'Steal' },
      });
      const res = await s.h.api('POST', '/api/v1/messages', {
        token: s.outsider.token,
        body: {
          title: 'reuse',
          bucketId: other.body.id,
          deliveryType: 'NORMAL',
          attachments: [{ mediaType: 'IMAGE', attachmentUuid: uuid }],
        },
      });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['attachments[0].attachmentUuid']);
      expect((await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.outsider.token })).status).toBe(
        404,
      );

      // The uploader may reuse it, and the new message's recipients can then read it.
      const reuse = await s.h.api('POST', '/api/v1/messages', {
        token: s.owner.token,
        body: {
          title: 'reuse',
          bucketId: s.bucketId,
          deliveryType: 'NORMAL',
          attachments: [{ mediaType: 'IMAGE', attachmentUuid: uuid }],
        },
      });
      expect(reuse.status).toBe(201);
      expect((await s.h.api('GET', `/api/v1/attachments/${uuid}`, { token: s.member.token })).status).toBe(
        200,
      );
    });
  });

  describe('saveOnServer', () => {
    let receiver: HttpReceiver;
    beforeAll(async () => {
      receiver = await createHttpReceiver({
        respond: (req) =>
          req.path === '/cat.png'
            ? { status: 200, body: PNG, headers: { 'content-type': 'image/png' } }
            : { status: 404 },
      });
    });
    afterAll(() => receiver?.close());

    it('downloads a copy that recipients can fetch from Herald', async () => {
      const res = await s.h.api('POST', '/api/v1/messages', {
        token: s.owner.token,
        body: {
          title: 'Cat',
          bucketId: s.bucketId,
          deliveryType: 'NORMAL',
          attachments: [{ mediaType: 'IMAGE', url: `${receiver.url}/cat.png`, saveOnServer: true }],
        },
      });
      expect(res.status).toBe(201);
      expect(receiver.received.map((r) => r.path)).toContain('/cat.png');
      const [att] = res.body.attachments;
      expect(att).toMatchObject({
        mediaType: 'IMAGE',
        url: `${receiver.url}/cat.png`,
        attachmentUuid: expect.any(String),
      });
      const dl = await fetch(`${s.h.url}/api/v1/attachments/${att.attachmentUuid}`, {
        headers: { authorization: `Bearer ${s.member.token}` },
      });
      expect(dl.status).toBe(200);
      expect(Buffer.from(await dl.arrayBuffer())).toEqual(PNG);
      expect(
        (await s.h.api('GET', `/api/v1/attachments/${att.attachmentUuid}`, { token: s.outsider.token }))
          .status,
      ).toBe(404);
    });

    it('names the attachment url when the download fails, and sends nothing', async () => {
      const before = await countRows(s.h, 'messages');
      const res = await s.h.api('POST', '/api/v1/messages', {
        token: s.owner.token,
        body: {
          title: 'Missing',
          bucketId: s.bucketId,
          deliveryType: 'NORMAL',
          attachments: [{ mediaType: 'IMAGE', url: `${receiver.url}/gone.png`, saveOnServer: true }],
        },
      });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['attachments[0].url']);
      expect(await countRows(s.h, 'messages')).toBe(before);
    });
  });
});

describe.each(STORES)('upload and download limits on %s', (store) => {
  let s: Setup;
  let receiver: HttpReceiver;
  beforeAll(async () => {
    s = await setUp(
      await startHerald(store, {
        env: { HERALD_MAX_UPLOAD_BYTES: '2048', HERALD_DOWNLOAD_TIMEOUT_MS: '300' },
      }),
    );
    receiver = await createHttpReceiver({
      respond: (req) =>
        req.path === '/big.bin'
          ? {
              status: 200,
              body: Buffer.alloc(4096, 1),
              headers: { 'content-type': 'application/octet-stream' },
            }
          : { status: 200, body: PNG, headers: { 'content-type': 'image/png' } },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await s?.h.close();
  });

  it('accepts a file at the size limit', async () => {
    const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
      token: s.owner.token,
      raw: form({ title: 'Fits', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
        { name: 'fits.bin', type: 'application/octet-stream', data: Buffer.alloc(2048, 1) },
      ]),
    });
    expect(res.status).toBe(201);
  });

  it('answers 413 past the size limit and commits nothing', async () => {
    const before = {
      messages: await countRows(s.h, 'messages'),
      attachments: await countRows(s.h, 'attachments'),
      files: storedFiles(s.h.dataDir).length,
    };
    const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
      token: s.owner.token,
      raw: form({ title: 'Too big', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
        { name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(2049, 1) },
      ]),
    });
    expect(res.status).toBe(413);
    expect(await countRows(s.h, 'messages')).toBe(before.messages);
    expect(await countRows(s.h, 'attachments')).toBe(before.attachments);
    expect(storedFiles(s.h.dataDir)).toHaveLength(before.files);
  });

  it('commits nothing when a second file is too large, not even the first file', async () => {
    const before = {
      messages: await countRows(s.h, 'messages'),
      attachments: await countRows(s.h, 'attachments'),
      files: storedFiles(s.h.dataDir).length,
    };
    const res = await s.h.api('POST', '/api/v1/messages/with-attachment', {
      token: s.owner.token,
      raw: form({ title: 'Two', bucketId: s.bucketId, deliveryType: 'NORMAL' }, [
        { name: 'small.png', type: 'image/png', data: PNG },
        { name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(4096, 1) },
      ]),
    });
    expect(res.status).toBe(413);
    expect(await countRows(s.h, 'messages')).toBe(before.messages);
    expect(await countRows(s.h, 'attachments')).toBe(before.attachments);
    expect(storedFiles(s.h.dataDir)).toHaveLength(before.files);
  });

  it('refuses a saveOnServer download past the size limit, naming the url, and keeps no file', async () => {
    const before = { messages: await countRows(s.h, 'messages'), files: storedFiles(s.h.dataDir).length };
    const res = await s.h.api('POST', '/api/v1/messages', {
      token: s.owner.token,
      body: {
        title: 'Huge',
        bucketId: s.bucketId,
        deliveryType: 'NORMAL',
        attachments: [{ mediaType: 'IMAGE', url: `${receiver.url}/big.bin`, saveOnServer: true }],
      },
    });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['attachments[0].url']);
    expect(await countRows(s.h, 'messages')).toBe(before.messages);
    expect(storedFiles(s.h.dataDir)).toHaveLength(before.files);
  });

  it('gives up on a saveOnServer download that takes too long', async () => {
    receiver.delay(2_000);
    try {
      const started = Date.now();
      const res = await s.h.api('POST', '/api/v1/messages', {
        token: s.owner.token,
        body: {
          title: 'Slow',
          bucketId: s.bucketId,
          deliveryType: 'NORMAL',
          attachments: [{ mediaType: 'IMAGE', url: `${receiver.url}/slow.png`, saveOnServer: true }],
        },
      });
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['attachments[0].url']);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      receiver.delay(0);
    }
  });
});

describe.each(STORES)('saveOnServer with private networks refused on %s', (store) => {
  let s: Setup;
  let receiver: HttpReceiver;
  beforeAll(async () => {
    s = await setUp(await startHerald(store, { env: { HERALD_ALLOW_PRIVATE_NETWORKS: 'false' } }));
    receiver = await createHttpReceiver({
      respond: () => ({ status: 200, body: PNG, headers: { 'content-type': 'image/png' } }),
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await s?.h.close();
  });

  it('refuses to download from a loopback address, naming the url, and sends nothing', async () => {
    const before = await countRows(s.h, 'messages');
    const res = await s.h.api('POST', '/api/v1/messages', {
      token: s.owner.token,
      body: {
        title: 'Loopback',
        bucketId: s.bucketId,
        deliveryType: 'NORMAL',
        attachments: [{ mediaType: 'IMAGE', url: `${receiver.url}/cat.png`, saveOnServer: true }],
      },
    });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['attachments[0].url']);
    expect(receiver.received).toHaveLength(0);
    expect(await countRows(s.h, 'messages')).toBe(before);
  });

  it('still stores a private url as a plain link when saveOnServer is not asked for', async () => {
    const res = await s.h.api('POST', '/api/v1/messages', {
      token: s.owner.token,
      body: {
        title: 'Link',
        bucketId: s.bucketId,
        deliveryType: 'NORMAL',
        attachments: [{ mediaType: 'IMAGE', url: `${receiver.url}/cat.png` }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.attachments).toEqual([{ mediaType: 'IMAGE', url: `${receiver.url}/cat.png` }]);
    expect(receiver.received).toHaveLength(0);
  });
});
