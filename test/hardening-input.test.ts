import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels, as raw JSON text. */
const nestedArray = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const nestedObject = (depth: number, inner = '1') => `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;

/** One multipart/form-data body, built by hand so names and values hold exactly the bytes given. */
function multipart(parts: Array<{ name: string; value: Buffer | string; filename?: string }>) {
  const boundary = `----herald${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const type = p.filename !== undefined ? 'Content-Type: text/plain\r\n' : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`, 'utf8'));
    chunks.push(typeof p.value === 'string' ? Buffer.from(p.value, 'utf8') : p.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(STORES)('hardening: malformed input on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let bucketId: string;
  let roleId: string;

  beforeAll(async () => {
    h = await startHerald(store);
    admin = await h.adminToken();
    const b = await h.api('POST', '/api/v1/buckets', { token: admin, body: { name: 'fuzz' } });
    expect(b.status, b.text).toBe(201);
    bucketId = b.body.id;
    const r = await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: 'ops', permissions: [] },
    });
    expect(r.status, r.text).toBe(201);
    roleId = r.body.id;
    const t = await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: { templateKey: 'DEEP', name: 'Deep', titleTemplate: 'T {{a}}', messageTemplate: 'M' },
    });
    expect(t.status, t.text).toBe(201);
  });
  afterAll(() => h?.close());

  const raw = (method: string, path: string, body: BodyInit, contentType: string) =>
    fetch(h.url + path, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': contentType },
      body,
    }).then(async (res) => ({ status: res.status, text: await res.text() }));

  it('PATCH /api/v1/roles/{id} with {} is a 400 naming the body', async () => {
    const res = await h.api('PATCH', `/api/v1/roles/${roleId}`, { token: admin, body: {} });
    expect(res.status, res.text).toBe(400);
    expect(res.body.validations[0].field).toBe('(body)');
  });

  it('an array nested 5,000 deep in an event is a 400', async () => {
    const res = await raw(
      'POST',
      '/api/v1/events',
      `{"name":"x","deep":${nestedArray(5000)}}`,
      'application/json',
    );
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text).validations[0].field).toBe('deep');
  });

  it('JSON nested up to the limit is still accepted', async () => {
    const res = await raw(
      'POST',
      '/api/v1/events',
      `{"name":"x","deep":${nestedArray(31)}}`,
      'application/json',
    );
    expect(res.status, res.text).toBe(202);
    const over = await raw(
      'POST',
      '/api/v1/events',
      `{"name":"x","deep":${nestedArray(32)}}`,
      'application/json',
    );
    expect(over.status, over.text).toBe(400);
  });

  it('a tenant payload nested 5,000 deep is a 400 in the tenant envelope', async () => {
    const body = `{"templateKey":"DEEP","userId":"${randomUUID()}","tenantId":"${randomUUID()}","entityType":"e","entityId":"1","placeholders":{"a":"x"},"payload":${nestedObject(5000)}}`;
    const res = await raw('POST', '/notification/v1/notifications', body, 'application/json');
    expect(res.status, res.text).toBe(400);
    const json = JSON.parse(res.text);
    expect(json.statusCode).toBe(400);
    expect(json.errors[0].field).toBe('payload');
  });

  it('a placeholder nested 34 deep holding NUL is a 400', async () => {
    const body = `{"templateKey":"DEEP","userId":"${randomUUID()}","tenantId":"${randomUUID()}","entityType":"e","entityId":"1","placeholders":{"a":${nestedObject(34, '"x\\u0000y"')}}}`;
    const res = await raw('POST', '/notification/v1/notifications', body, 'application/json');
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text).errors[0].field).toBe('placeholders');
  });

  it('a multipart filename holding NUL is a 400 naming the file part', async () => {
    const form = multipart([
      { name: 'bucketId', value: bucketId },
      { name: 'title', value: 't' },
      { name: 'deliveryType', value: 'NORMAL' },
      { name: 'attachment', value: 'hello', filename: 'a\u0000b.txt' },
    ]);
    const res = await raw('POST', '/api/v1/messages/with-attachment', form.body, form.contentType);
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text).validations[0].field).toBe('attachment');
  });

  it('a multipart userIds holding NUL is a 400 naming userIds', async () => {
    const form = multipart([
      { name: 'bucketId', value: bucketId },
      { name: 'title', value: 't' },
      { name: 'deliveryType', value: 'NORMAL' },
      { name: 'userIds', value: 'a\u0000b' },
    ]);
    const res = await raw('POST', '/api/v1/messages/with-attachment', form.body, form.contentType);
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text).validations[0].field).toMatch(/^userIds/);
  });

  it('invalid UTF-8 is refused, not replaced with U+FFFD, in every text path', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]); // {"name":"\xc3("}
    const json = await raw('POST', '/api/v1/events', bad, 'application/json');
    expect(json.status, json.text).toBe(400);
    const form = multipart([
      { name: 'bucketId', value: bucketId },
      { name: 'title', value: Buffer.from([0x61, 0xff, 0x62]) },
      { name: 'deliveryType', value: 'NORMAL' },
    ]);
    const mp = await raw('POST', '/api/v1/messages/with-attachment', form.body, form.contentType);
    expect(mp.status, mp.text).toBe(400);
    expect(JSON.parse(mp.text).validations[0].field).toBe('title');
    const query = await fetch(
      `${h.url}/api/v1/messages?bucketId=${bucketId}&title=%C3%28&deliveryType=NORMAL`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    expect(query.status).toBe(400);
    const path = await fetch(`${h.url}/api/v1/roles/%C3%28`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(path.status).toBe(400);
    const nul = await fetch(`${h.url}/api/v1/roles/a%00b`, { headers: { authorization: `Bearer ${admin}` } });
    expect(nul.status).toBe(400);
    const header = await raw('POST', '/api/v1/events', '{"name":"x"}', 'application/json; charset=\u00ff');
    expect(header.status, header.text).toBe(400);
    const client = await h.api('POST', '/client', { token: admin, body: { name: 'phone' } });
    expect(client.status, client.text).toBe(200);
    const app = await h.api('POST', '/application', {
      headers: { 'x-gotify-key': client.body.token },
      body: { name: 'app' },
    });
    expect(app.status, app.text).toBe(200);
    const urlencoded = await fetch(`${h.url}/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-gotify-key': app.body.token },
      body: 'message=%C3%28',
    });
    expect(urlencoded.status).toBe(400);
    const gotifyForm = multipart([{ name: 'message', value: Buffer.from([0x61, 0xc3, 0x28]) }]);
    const gotifyMp = await fetch(`${h.url}/message`, {
      method: 'POST',
      headers: { 'content-type': gotifyForm.contentType, 'x-gotify-key': app.body.token },
      body: gotifyForm.body,
    });
    expect(gotifyMp.status).toBe(400);
    expect((await gotifyMp.json()).validations?.[0]?.field ?? 'message').toBe('message');
    const good = multipart([{ name: 'message', value: 'grüße ✓' }]);
    const goodRes = await fetch(`${h.url}/message`, {
      method: 'POST',
      headers: { 'content-type': good.contentType, 'x-gotify-key': app.body.token },
      body: good.body,
    });
    expect(goodRes.status).toBe(200);
    expect((await goodRes.json()).message).toBe('grüße ✓');
  });
});
