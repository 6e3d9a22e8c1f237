import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

describe.each(STORES)('ntfy publish and auth on %s', (store) => {
  let h: TestHerald;
  let alice: { id: string; token: string; email: string };
  let aliceBasic: string;

  const send = (
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: BodyInit } = {},
  ) =>
    h.api(method, path, {
      headers: opts.headers ?? {},
      ...(opts.body !== undefined ? { raw: opts.body } : {}),
    });
  const asAlice = (method: string, path: string, headers: Record<string, string> = {}, body?: BodyInit) =>
    send(method, path, {
      headers: { authorization: aliceBasic, ...headers },
      ...(body !== undefined ? { body } : {}),
    });
  const bucketMessages = async (name: string, limit = 1) =>
    (await h.api('GET', `/api/v1/buckets/${name}/messages?limit=${limit}`, { token: alice.token })).body
      .messages;

  beforeAll(async () => {
    h = await startHerald(store);
    alice = await h.createUser('alice');
    await h.createUser('bob');
    aliceBasic = basic('alice', 'alice-password-1');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates the topic on first publish and answers ntfy message JSON', async () => {
    const res = await asAlice('PUT', '/alerts', {}, 'disk is full');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-Za-z]{12}$/),
      time: expect.any(Number),
      event: 'message',
      topic: 'alerts',
      message: 'disk is full',
    });
    expect(Math.abs(res.body.time - Date.now() / 1000)).toBeLessThan(5);
    const [m] = await bucketMessages('alerts');
    expect(m).toMatchObject({
      title: 'alerts',
      body: 'disk is full',
      deliveryType: 'NORMAL',
      senderId: alice.id,
    });
    // POST does the same, and an empty body is ntfy's "triggered".
    const empty = await asAlice('POST', '/alerts');
    expect(empty.status).toBe(200);
    expect(empty.body.message).toBe('triggered');
    expect(Number.parseInt(empty.body.id.slice(1), 36)).not.toBe(Number.NaN);
    expect(empty.body.id).not.toBe(res.body.id);
  });

  it('reads every parameter from its header aliases and from the query string', async () => {
    const header = await asAlice(
      'POST',
      '/params',
      {
        'X-Title': 'Backup',
        'X-Priority': 'high',
        'X-Tags': 'warning,skull, =?UTF-8?B?8J+agA==?=',
        'X-Click': 'https://example.com/click',
        'X-Icon': 'https://example.com/icon.png',
        'X-Attach': 'https://example.com/report.pdf',
        'X-Markdown': 'yes',
      },
      '**failed**',
    );
    expect(header.status, header.text).toBe(200);
    expect(header.body).toMatchObject({
      topic: 'params',
      title: 'Backup',
      message: '**failed**',
      priority: 4,
      tags: ['warning', 'skull', '🚀'],
      click: 'https://example.com/click',
      icon: 'https://example.com/icon.png',
      attachment: { name: 'report.pdf', url: 'https://example.com/report.pdf' },
      content_type: 'text/markdown',
    });
    const [core] = await bucketMessages('params');
    expect(core).toMatchObject({
      title: 'Backup',
      body: '**failed**',
      deliveryType: 'CRITICAL',
      tapAction: { type: 'NAVIGATE', value: 'https://example.com/click' },
    });
    expect(core.attachments).toContainEqual({ mediaType: 'ICON', url: 'https://example.com/icon.png' });

    // Short aliases as headers.
    const short = await asAlice('PUT', '/params', { t: 'Short', p: '1', ta: 'a,b', md: '1' }, 'x');
    expect(short.body).toMatchObject({
      title: 'Short',
      priority: 1,
      tags: ['a', 'b'],
      content_type: 'text/markdown',
    });
    const plain = await asAlice('PUT', '/params', { Title: 'Plain', Priority: 'max', Tags: 'tada' }, 'y');
    expect(plain.body).toMatchObject({ title: 'Plain', priority: 5, tags: ['tada'] });
    expect(plain.body.content_type).toBeUndefined();
    // Non-ASCII titles: raw UTF-8 bytes and RFC 2047 encoded words.
    const utf8 = await asAlice('PUT', '/params', { 'X-Title': '=?UTF-8?B?4pyFIGRvbmU=?=' }, 'z');
    expect(utf8.body.title).toBe('✅ done');

    // The same as query parameters (with their aliases).
    const q = new URLSearchParams({
      title: 'Query',
      priority: 'min',
      tags: 'x,y',
      click: 'https://example.com/q',
      md: 'true',
    });
    const query = await asAlice('POST', `/params?${q}`, {}, 'from query');
    expect(query.body).toMatchObject({
      title: 'Query',
      priority: 1,
      tags: ['x', 'y'],
      click: 'https://example.com/q',
      content_type: 'text/markdown',
    });
    const aliases = await asAlice('POST', '/params?t=T&p=2&ta=z&a=https://example.com/a.png', {}, 'aliases');
    expect(aliases.body).toMatchObject({
      title: 'T',
      priority: 2,
      tags: ['z'],
      attachment: { name: 'a.png' },
    });
    expect((await bucketMessages('params'))[0].deliveryType).toBe('SILENT');
    // Cloudflare's RFC 9218 priority header is not an ntfy priority.
    const rfc = await asAlice('PUT', '/params', { priority: 'u=3, i' }, 'rfc');
    expect(rfc.status).toBe(200);
    expect(rfc.body.priority).toBeUndefined();
  });

  it('maps priorities 1-5 to delivery types one way', async () => {
    const types: string[] = [];
    for (const p of ['1', '2', '3', '4', '5', 'min', 'low', 'default', 'high', 'max', 'urgent']) {
      const res = await asAlice('PUT', '/prio', { 'X-Priority': p }, `p${p}`);
      expect(res.status, res.text).toBe(200);
      types.push((await bucketMessages('prio'))[0].deliveryType);
    }
    expect(types).toEqual([
      'SILENT',
      'SILENT',
      'NORMAL',
      'CRITICAL',
      'CRITICAL',
      'SILENT',
      'SILENT',
      'NORMAL',
      'CRITICAL',
      'CRITICAL',
      'CRITICAL',
    ]);
    const bad = await asAlice('PUT', '/prio', { 'X-Priority': '9' }, 'bad');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 40001, http: 400, error: expect.stringContaining('priority') });
  });

  it('parses actions in the short and the JSON form', async () => {
    const short = await asAlice(
      'PUT',
      '/actions',
      {
        'X-Actions':
          'view, Open portal, https://example.com/portal, clear=true; http, "Close door", https://example.com/door, method=PUT, headers.Authorization=Bearer x, body={"a":1}',
      },
      'act',
    );
    expect(short.status, short.text).toBe(200);
    expect(short.body.actions).toEqual([
      {
        id: expect.any(String),
        action: 'view',
        label: 'Open portal',
        clear: true,
        url: 'https://example.com/portal',
      },
      {
        id: expect.any(String),
        action: 'http',
        label: 'Close door',
        clear: false,
        url: 'https://example.com/door',
        method: 'PUT',
        headers: { Authorization: 'Bearer x' },
        body: '{"a":1}',
      },
    ]);
    const json = await asAlice(
      'PUT',
      '/actions',
      {
        'X-Actions': JSON.stringify([
          { action: 'broadcast', label: 'Take picture', extras: { cmd: 'pic' } },
          { action: 'view', label: 'Site', url: 'https://example.com/' },
        ]),
      },
      'json',
    );
    expect(json.status, json.text).toBe(200);
    expect(json.body.actions).toMatchObject([
      {
        action: 'broadcast',
        label: 'Take picture',
        extras: { cmd: 'pic' },
        intent: 'io.heckel.ntfy.USER_ACTION',
      },
      { action: 'view', label: 'Site', url: 'https://example.com/' },
    ]);
    expect((await bucketMessages('actions'))[0].actions).toEqual([
      { type: 'NAVIGATE', value: 'https://example.com/', title: 'Site' },
    ]);
    const bad = await asAlice('PUT', '/actions', { 'X-Actions': 'jump, Go' }, 'bad');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('actions');
    const four = await asAlice(
      'PUT',
      '/actions',
      { 'X-Actions': 'view,a,https://a;view,b,https://b;view,c,https://c;view,d,https://d' },
      'x',
    );
    expect(four.status).toBe(400);
  });

  it('publishes with GET /<topic>/publish|send|trigger and POST / JSON', async () => {
    for (const verb of ['publish', 'send', 'trigger']) {
      const res = await asAlice('GET', `/getpub/${verb}?message=via+${verb}&title=G&priority=4&tags=a`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        topic: 'getpub',
        message: `via ${verb}`,
        title: 'G',
        priority: 4,
        tags: ['a'],
      });
    }
    const lines = await asAlice('GET', '/getpub/publish?m=one\\ntwo');
    expect(lines.body.message).toBe('one\ntwo');

    const json = await asAlice(
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded' },
      JSON.stringify({
        topic: 'jsonpub',
        message: 'from json',
        title: 'J',
        priority: 5,
        tags: ['fire'],
        click: 'https://example.com/j',
        actions: [{ action: 'view', label: 'Open', url: 'https://example.com/o' }],
        markdown: true,
        attach: 'https://example.com/x.jpg',
        filename: 'pic.jpg',
      }),
    );
    expect(json.status, json.text).toBe(200);
    expect(json.body).toMatchObject({
      topic: 'jsonpub',
      message: 'from json',
      title: 'J',
      priority: 5,
      tags: ['fire'],
      click: 'https://example.com/j',
      actions: [{ action: 'view', label: 'Open', url: 'https://example.com/o' }],
      attachment: { name: 'pic.jpg', url: 'https://example.com/x.jpg' },
      content_type: 'text/markdown',
    });
    const noTopic = await asAlice(
      'POST',
      '/',
      { 'content-type': 'application/json' },
      JSON.stringify({ message: 'x' }),
    );
    expect(noTopic.status).toBe(400);
    expect(noTopic.body.error).toContain('topic');
    const broken = await asAlice('POST', '/', { 'content-type': 'application/json' }, '{nope');
    expect(broken.status).toBe(400);
  });

  it('stores a file body sent with X-Filename (and a binary body) as an attachment', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]);
    const res = await asAlice(
      'PUT',
      '/files',
      { 'X-Filename': 'chart.png', 'content-type': 'image/png' },
      bytes,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      message: 'You received a file: chart.png',
      attachment: {
        name: 'chart.png',
        type: 'image/png',
        size: bytes.length,
        url: expect.stringContaining('/api/v1/attachments/'),
      },
    });
    const file = await fetch(res.body.attachment.url, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
    const [core] = await bucketMessages('files');
    expect(core.attachments).toEqual([
      expect.objectContaining({ mediaType: 'IMAGE', name: 'chart.png', attachmentUuid: expect.any(String) }),
    ]);
    // Without a name, a body that is not UTF-8 text is a file too.
    const binary = await asAlice('PUT', '/files', {}, Buffer.from([0xff, 0xfe, 0x00]));
    expect(binary.body.attachment).toMatchObject({ name: 'attachment', size: 3 });
    // A text body with a name is a file; with an attach URL it is the message.
    const text = await asAlice('PUT', '/files?filename=notes.txt', {}, 'plain text');
    expect(text.body.attachment).toMatchObject({ name: 'notes.txt', size: 10 });
    const linked = await asAlice('PUT', '/files', { attach: 'https://example.com/f.zip' }, 'see link');
    expect(linked.body).toMatchObject({ message: 'see link', attachment: { name: 'f.zip' } });
  });

  it('refuses what it does not do, naming the parameter', async () => {
    const email = await asAlice('PUT', '/refuse?email=a@example.com', {}, 'mail');
    expect(email.status).toBe(400);
    expect(email.body.error).toContain('email');
    const attach = await asAlice('PUT', '/refuse', { 'X-Attach': 'ftp://example.com/x' }, 'x');
    expect(attach.status).toBe(400);
    expect(attach.body.error).toContain('attach');
  });

  it('keeps topic names to ntfy rules and off Herald paths collected from its routes', async () => {
    for (const name of [
      'api',
      'healthz',
      'message',
      'application',
      'stream',
      'notification',
      'v1',
      'web',
      'docs',
    ]) {
      const res = await asAlice('PUT', `/${name}`, {}, 'x');
      expect([400, 404], `${name}: ${res.status} ${res.text}`).toContain(res.status);
      if (res.status === 400) expect(res.body.error).toContain('topic');
    }
    const viaJson = await asAlice(
      'POST',
      '/',
      { 'content-type': 'application/json' },
      JSON.stringify({ topic: 'api', message: 'x' }),
    );
    expect(viaJson.status).toBe(400);
    expect(viaJson.body.error).toContain("Herald's own paths");
    const long = await asAlice('PUT', `/${'a'.repeat(65)}`, {}, 'x');
    expect(long.status).toBe(400);
    const dotted = await asAlice('PUT', '/a.b', {}, 'x');
    expect(dotted.status).toBe(400);
    const subReserved = await asAlice('GET', '/api/json?poll=1');
    expect(subReserved.status).toBeGreaterThanOrEqual(400);
  });

  it('takes Basic, Bearer (JWT or zat_ token), a token over Basic, and the auth query parameter', async () => {
    const none = await send('PUT', '/authn', { body: 'x' });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({
      code: 40101,
      http: 401,
      error: expect.any(String),
      link: expect.any(String),
    });
    const wrong = await send('PUT', '/authn', {
      headers: { authorization: basic('alice', 'nope') },
      body: 'x',
    });
    expect(wrong.status).toBe(401);

    expect(
      (await send('PUT', '/authn', { headers: { authorization: `Bearer ${alice.token}` }, body: 'jwt' }))
        .status,
    ).toBe(200);
    const made = await h.api('POST', '/api/v1/access-tokens', {
      token: alice.token,
      body: { name: 'ntfy', scopes: ['messages:create', 'messages:read'] },
    });
    expect(made.status, made.text).toBe(201);
    const zat = made.body.token as string;
    expect(
      (await send('PUT', '/authn', { headers: { authorization: `Bearer ${zat}` }, body: 'zat' })).status,
    ).toBe(200);
    expect(
      (await send('PUT', '/authn', { headers: { authorization: basic('', zat) }, body: 'basic-token' }))
        .status,
    ).toBe(200);
    const auth = Buffer.from(aliceBasic).toString('base64url');
    const viaQuery = await send('PUT', `/authn?auth=${auth}`, { body: 'query' });
    expect(viaQuery.status, viaQuery.text).toBe(200);
    const bad = Buffer.from('Basic bm9wZTpub3Bl').toString('base64');
    expect((await send('PUT', `/authn?auth=${bad}`, { body: 'x' })).status).toBe(401);
    const messages = (await bucketMessages('authn', 4)).map((m: { body: string }) => m.body);
    expect(messages).toEqual(['query', 'basic-token', 'zat', 'jwt']);

    // A read-only token may not publish.
    const ro = await h.api('POST', '/api/v1/access-tokens', {
      token: alice.token,
      body: { name: 'ro', scopes: ['messages:read'] },
    });
    expect(
      (await send('PUT', '/authn', { headers: { authorization: `Bearer ${ro.body.token}` }, body: 'x' }))
        .status,
    ).toBe(403);
  });

  it('keeps other users off a topic until it allows anonymous access', async () => {
    await asAlice('PUT', '/private', {}, 'first');
    const bobBasic = basic('bob', 'bob-password-1');
    expect((await send('PUT', '/private', { headers: { authorization: bobBasic }, body: 'x' })).status).toBe(
      403,
    );
    expect((await send('GET', '/private/json?poll=1', { headers: { authorization: bobBasic } })).status).toBe(
      403,
    );
    expect((await send('GET', '/private/json?poll=1')).status).toBe(401);
    // Only a bucket admin may open it.
    const bobOpens = await send('PUT', '/v1/topics/private/access', {
      headers: { authorization: bobBasic, 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousWrite: true }),
    });
    expect(bobOpens.status).toBe(403);
    const opened = await h.api('PUT', '/v1/topics/private/access', {
      token: alice.token,
      body: { anonymousWrite: true },
    });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body).toMatchObject({ topic: 'private', anonymousRead: false, anonymousWrite: true });
    const anon = await send('PUT', '/private', { body: 'anonymous hello' });
    expect(anon.status, anon.text).toBe(200);
    expect((await bucketMessages('private'))[0]).toMatchObject({ body: 'anonymous hello', senderId: null });
    expect((await send('GET', '/private/json?poll=1')).status).toBe(401);
    await h.api('PUT', '/v1/topics/private/access', { token: alice.token, body: { anonymousRead: true } });
    const read = await send('GET', '/private/json?poll=1');
    expect(read.status).toBe(200);
    expect(
      read.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).message),
    ).toEqual(['first', 'anonymous hello']);
    expect((await h.api('GET', '/v1/topics/private/access', { token: alice.token })).body).toMatchObject({
      anonymousRead: true,
      anonymousWrite: true,
    });
    // A topic nobody made yet cannot be created anonymously.
    expect((await send('PUT', '/nobody-made-this', { body: 'x' })).status).toBe(401);
    // Bob, allowed to create buckets, gets his own topic; a user without that permission does not.
    expect((await send('PUT', '/bobs', { headers: { authorization: bobBasic }, body: 'mine' })).status).toBe(
      200,
    );
    const role = await h.api('POST', '/api/v1/roles', {
      token: await h.adminToken(),
      body: { name: 'sender', permissions: ['messages.send'] },
    });
    expect(role.status, role.text).toBe(201);
    await h.createUser('carl', { roles: ['sender'] });
    expect(
      (
        await send('PUT', '/carls', {
          headers: { authorization: basic('carl', 'carl-password-1') },
          body: 'x',
        })
      ).status,
    ).toBe(403);
  });

  it('binds a topic to an existing bucket of the same name', async () => {
    const made = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'existing' } });
    expect(made.status, made.text).toBe(201);
    const res = await asAlice('PUT', '/existing', {}, 'into the old bucket');
    expect(res.status).toBe(200);
    const msgs = await h.api('GET', `/api/v1/buckets/${made.body.id}/messages?limit=1`, {
      token: alice.token,
    });
    expect(msgs.body.messages[0].body).toBe('into the old bucket');
  });

  it('answers what the apps ask on connect', async () => {
    expect((await send('GET', '/v1/health')).body).toEqual({ healthy: true });
    const account = await send('GET', '/v1/account', { headers: { authorization: aliceBasic } });
    expect(account.body).toMatchObject({ username: 'alice', role: 'user' });
    expect((await send('GET', '/v1/account')).body).toMatchObject({ username: '*', role: 'anonymous' });
    expect((await send('GET', '/alerts/auth', { headers: { authorization: aliceBasic } })).body).toEqual({
      success: true,
    });
    expect(
      (await send('GET', '/alerts/auth', { headers: { authorization: basic('bob', 'bob-password-1') } }))
        .status,
    ).toBe(403);
    // ntfy's web app logs in by asking for a token with Basic credentials.
    const issued = await send('POST', '/v1/account/token', { headers: { authorization: aliceBasic } });
    expect(issued.status, issued.text).toBe(200);
    expect(issued.body).toMatchObject({ token: expect.stringMatching(/^zat_/), expires: expect.any(Number) });
    expect(issued.body.expires - Date.now() / 1000).toBeGreaterThan(71 * 3600);
    const bearer = { authorization: `Bearer ${issued.body.token}` };
    expect((await send('PUT', '/alerts', { headers: bearer, body: 'with an issued token' })).status).toBe(
      200,
    );
    expect((await send('GET', '/v1/account', { headers: bearer })).body.username).toBe('alice');
    // A token may not mint another; nobody may without credentials.
    expect((await send('POST', '/v1/account/token', { headers: bearer })).status).toBe(403);
    expect((await send('POST', '/v1/account/token')).status).toBe(401);
    const labelled = await h.api('POST', '/v1/account/token', {
      headers: { authorization: aliceBasic },
      body: { label: 'laptop' },
    });
    expect(labelled.body.label).toBe('laptop');
    const config = await send('GET', '/config.js');
    expect(config.headers.get('content-type')).toContain('javascript');
    expect(config.text).toContain('"disallowed_topics"');
    expect(config.text).toContain('"api"');
  });
});
