import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/**
 * Bucket magic codes (docs/buckets.md, "Magic codes"): every membership has an 8-hex code that
 * sends to its bucket as its member with no token, on POST and GET /api/v1/messages and on
 * transform. Includes the replay of Zentik's Home Assistant component configured with a magic
 * code (notify.py posts JSON `{title, body?, magicCode}` with no Authorization header).
 */

const HEX8 = /^[0-9a-f]{8}$/;

interface User {
  id: string;
  token: string;
}

async function setup(h: TestHerald) {
  const [alice, bob, carol, dave] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave'].map((n) => h.createUser(n)),
  );
  const bucket = async (owner: User, name: string) => {
    const res = await h.api('POST', '/api/v1/buckets', { token: owner.token, body: { name } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const home = await bucket(alice, 'Home');
  const garage = await bucket(alice, 'Garage');
  const admin = await h.adminToken();
  // A server admin adds members directly (no invite to accept).
  const add = async (bucketId: string, user: User, permission: string) => {
    const res = await h.api('POST', `/api/v1/buckets/${bucketId}/members`, {
      token: admin,
      body: { userId: user.id, permission },
    });
    expect(res.status).toBe(200);
  };
  await add(home, bob, 'write');
  await add(home, carol, 'read');
  return { alice, bob, carol, dave, home, garage, add };
}

const codeOf = async (h: TestHerald, user: User, bucketId: string): Promise<string> => {
  const res = await h.api('GET', `/api/v1/buckets/${bucketId}/magic-code`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body.magicCode;
};

/** A JSON send with no Authorization header, as a device given only a code sends. */
const postJson = (h: TestHerald, body: unknown, headers: Record<string, string> = {}) =>
  h.api('POST', '/api/v1/messages', {
    headers: { 'content-type': 'application/json', ...headers },
    raw: JSON.stringify(body),
  });

describe.each(STORES)('bucket magic codes on %s', (store) => {
  let h: TestHerald;
  let s: Awaited<ReturnType<typeof setup>>;
  let aliceHome: string;

  beforeAll(async () => {
    h = await startHerald(store);
    s = await setup(h);
    aliceHome = await codeOf(h, s.alice, s.home);
  });
  afterAll(() => h?.close());

  const inbox = async (user: User) =>
    (await h.api('GET', '/api/v2/notifications/inbox', { token: user.token })).body.notifications as Array<{
      title: string;
      targets: string[];
    }>;
  const bucketTitles = async (bucketId: string) =>
    (
      (await h.api('GET', `/api/v1/buckets/${bucketId}/messages?limit=100`, { token: s.alice.token })).body
        .messages as Array<{ title: string }>
    ).map((m) => m.title);

  describe('reading your code', () => {
    it('every member has their own 8-hex code per bucket; asking again gives the same code', async () => {
      const res = await h.api('GET', `/api/v1/buckets/${s.home}/magic-code`, { token: s.alice.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ bucketId: s.home, magicCode: aliceHome, createdAt: expect.any(String) });
      expect(aliceHome).toMatch(HEX8);
      expect(await codeOf(h, s.alice, s.home)).toBe(aliceHome);
      const codes = [aliceHome, await codeOf(h, s.bob, s.home), await codeOf(h, s.alice, s.garage)];
      for (const c of codes) expect(c).toMatch(HEX8);
      expect(new Set(codes).size).toBe(3);
    });

    it('by bucket name too; a non-member gets 404, an access token 403', async () => {
      expect(
        (await h.api('GET', '/api/v1/buckets/Home/magic-code', { token: s.alice.token })).body.magicCode,
      ).toBe(aliceHome);
      const outsider = await h.api('GET', `/api/v1/buckets/${s.home}/magic-code`, { token: s.dave.token });
      expect(outsider.status).toBe(404);
      expect(outsider.body.validations).toEqual([{ field: 'id', detail: 'not a member' }]);
      // A server admin sees every bucket but is a member of none here.
      const admin = await h.api('GET', `/api/v1/buckets/${s.home}/magic-code`, {
        token: await h.adminToken(),
      });
      expect(admin.status).toBe(404);
      const zat = (
        await h.api('POST', '/api/v1/access-tokens', {
          token: s.alice.token,
          body: { name: 'full', scopes: [] },
        })
      ).body.token;
      const byToken = await h.api('GET', `/api/v1/buckets/${s.home}/magic-code`, { token: zat });
      expect(byToken.status).toBe(403);
      expect(byToken.text).not.toContain(aliceHome);
      const regen = await h.api('POST', `/api/v1/buckets/${s.home}/magic-code/regenerate`, { token: zat });
      expect(regen.status).toBe(403);
      expect(await codeOf(h, s.alice, s.home)).toBe(aliceHome);
    });
  });

  describe("Zentik's Home Assistant component configured with a magic code", () => {
    it('posts {title, body, magicCode} with no Authorization header; reads a flat 201', async () => {
      const res = await postJson(h, { title: 'Front door', body: 'Motion detected', magicCode: aliceHome });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        title: 'Front door',
        body: 'Motion detected',
        bucketId: s.home,
        senderId: s.alice.id,
        deliveryType: 'NORMAL',
      });
      expect(Date.parse(res.body.createdAt)).not.toBeNaN();
      // The bucket's members receive it, in that bucket.
      for (const member of [s.alice, s.bob, s.carol]) {
        const item = (await inbox(member)).find((n) => n.title === 'Front door');
        expect(item?.targets).toContain(s.home);
      }
      expect((await inbox(s.dave)).some((n) => n.title === 'Front door')).toBe(false);
    });

    it('its default payload: the title only (notify.py leaves out an empty message)', async () => {
      const res = await postJson(h, { title: 'zentik', magicCode: aliceHome });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ title: 'zentik', body: null, bucketId: s.home });
    });

    it('its service fields pass through beside the code', async () => {
      const res = await postJson(h, {
        title: 'Garage door',
        body: 'Open for 10 minutes',
        magicCode: aliceHome,
        subtitle: 'Cover',
        deliveryType: 'CRITICAL',
        snoozes: [5, 15],
        addMarkAsReadAction: true,
        executionId: 'automation.garage',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ subtitle: 'Cover', deliveryType: 'CRITICAL', snoozes: [5, 15] });
      expect(res.body.actions.map((a: { type: string }) => a.type)).toEqual(['MARK_AS_READ']);
    });

    it('logs the 404 it gets for a wrong code: Zentik sentence, field magicCode', async () => {
      const res = await postJson(h, { title: 'x', magicCode: 'deadbeef' });
      expect(res.status).toBe(404);
      expect(res.body.detail).toBe("Magic code 'deadbeef' not found");
      expect(res.body.validations).toEqual([{ field: 'magicCode', detail: 'no such magic code' }]);
    });
  });

  describe('every place a send may carry the code', () => {
    it('the query string, with the message in JSON', async () => {
      const res = await h.api('POST', `/api/v1/messages?magicCode=${aliceHome}`, {
        body: { title: 'By query' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ title: 'By query', bucketId: s.home });
    });

    it('in place of bucketId', async () => {
      const res = await postJson(h, { title: 'As bucketId', bucketId: aliceHome });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ bucketId: s.home, senderId: s.alice.id });
    });

    it('an x-message-magicCode header, with the message in x-message-* headers and no body', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { 'x-message-magicCode': aliceHome, 'x-message-title': 'By header' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ title: 'By header', bucketId: s.home });
    });

    it('a form-encoded body; capitals in the code still match', async () => {
      const res = await h.api('POST', '/api/v1/messages', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: new URLSearchParams({ title: 'By form', magicCode: aliceHome.toUpperCase() }).toString(),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ title: 'By form', bucketId: s.home });
    });

    it('GET /api/v1/messages: magicCode or the code as bucketId in the query, 200 as for a token', async () => {
      const byCode = await h.api(
        'GET',
        `/api/v1/messages?title=${encodeURIComponent('GET by code')}&magicCode=${aliceHome}`,
      );
      expect(byCode.status).toBe(200);
      expect(byCode.body).toMatchObject({ title: 'GET by code', bucketId: s.home, senderId: s.alice.id });
      const asBucket = await h.api('GET', `/api/v1/messages?title=GET+as+bucket&bucketId=${aliceHome}`);
      expect(asBucket.status).toBe(200);
      expect(asBucket.body.bucketId).toBe(s.home);
      const byHeader = await h.api('GET', '/api/v1/messages?title=GET+by+header', {
        headers: { 'x-message-magicCode': aliceHome },
      });
      expect(byHeader.status).toBe(200);
      expect(byHeader.body.bucketId).toBe(s.home);
      expect(await bucketTitles(s.home)).toEqual(
        expect.arrayContaining(['GET by code', 'GET as bucket', 'GET by header']),
      );
    });

    it('transform: ?parser=…&magicCode=… or ?bucketId=<code>', async () => {
      const payload = {
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'DiskFull', instance: 'nas:9100', severity: 'warning' },
            annotations: { summary: 'Disk almost full on nas' },
            startsAt: '2025-03-01T10:00:00Z',
          },
        ],
        commonLabels: { alertname: 'DiskFull' },
        externalURL: 'http://alertmanager:9093',
        version: '4',
      };
      for (const query of [`magicCode=${aliceHome}`, `bucketId=${aliceHome}`]) {
        const res = await h.api('POST', `/api/v1/messages/transform?parser=alertmanager&${query}`, {
          body: payload,
        });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ bucketId: s.home, senderId: s.alice.id });
      }
      const unknown = await h.api(
        'POST',
        '/api/v1/messages/transform?parser=alertmanager&magicCode=0badc0de',
        {
          body: payload,
        },
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toBe("Magic code '0badc0de' not found");
    });

    it('the code wins over any Authorization header', async () => {
      const wrong = await postJson(
        h,
        { title: 'Bad token, good code', magicCode: aliceHome },
        {
          authorization: 'Bearer zat_wrong',
        },
      );
      expect(wrong.status).toBe(201);
      const bobs = await postJson(
        h,
        { title: "Bob's token, Alice's code", magicCode: aliceHome },
        {
          authorization: `Bearer ${s.bob.token}`,
        },
      );
      expect(bobs.status).toBe(201);
      expect(bobs.body.senderId).toBe(s.alice.id);
    });
  });

  describe('unknown and malformed codes', () => {
    it('a code-shaped bucketId with no credential is a 404 naming bucketId', async () => {
      const res = await postJson(h, { title: 'x', bucketId: 'deadbeef' });
      expect(res.status).toBe(404);
      expect(res.body.detail).toBe("Magic code 'deadbeef' not found");
      expect(res.body.validations).toEqual([{ field: 'bucketId', detail: 'no such magic code' }]);
    });

    it('any magicCode value is looked up; a number or a list is a 400 naming magicCode', async () => {
      expect((await postJson(h, { title: 'x', magicCode: 'not-a-code' })).status).toBe(404);
      for (const magicCode of [12345678, [aliceHome]]) {
        const res = await postJson(h, { title: 'x', magicCode });
        expect(res.status).toBe(400);
        expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual(['magicCode']);
      }
      const long = await postJson(h, { title: 'x', magicCode: 'a'.repeat(201) });
      expect(long.status).toBe(400);
      expect(long.body.validations[0].field).toBe('magicCode');
    });

    it('with a token, a code-shaped bucketId that is no code is read as a bucket name', async () => {
      const res = await h.api('POST', '/api/v1/buckets', {
        token: s.alice.token,
        body: { name: 'cafe1234' },
      });
      expect(res.status).toBe(201);
      const sent = await h.api('POST', '/api/v1/messages', {
        token: s.alice.token,
        body: { title: 'To the hex-named bucket', bucketId: 'cafe1234' },
      });
      expect(sent.status).toBe(201);
      expect(sent.body.bucketId).toBe(res.body.id);
    });

    it('no code and no token is still a 401, even with an unreadable body', async () => {
      expect((await postJson(h, { title: 'x', bucketId: s.home })).status).toBe(401);
      const broken = await h.api('POST', '/api/v1/messages', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: 'title=%FF%FE',
      });
      expect(broken.status).toBe(401);
      expect((await h.api('GET', `/api/v1/messages?title=x&bucketId=${s.home}`)).status).toBe(401);
      // With a code in the query the caller is known, so the unreadable body is the answer.
      const withCode = await h.api('POST', `/api/v1/messages?magicCode=${aliceHome}`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: 'title=%FF%FE',
      });
      expect(withCode.status).toBe(400);
      expect(withCode.body.validations[0].field).toBe('(body)');
    });
  });

  describe('what a code cannot do', () => {
    it('send to another bucket: the message goes to the code’s bucket, as in Zentik', async () => {
      const res = await postJson(h, {
        title: 'Aimed at the garage',
        magicCode: aliceHome,
        bucketId: s.garage,
      });
      expect(res.status).toBe(201);
      expect(res.body.bucketId).toBe(s.home);
      expect(await bucketTitles(s.garage)).not.toContain('Aimed at the garage');
    });

    it('read anything or act elsewhere: everywhere but the sends it is no credential', async () => {
      for (const [method, path] of [
        ['GET', '/api/v1/buckets'],
        ['GET', `/api/v1/buckets/${s.home}/messages`],
        ['GET', `/api/v1/buckets/${s.home}/magic-code`],
        ['GET', '/api/v2/notifications/inbox'],
        ['GET', '/api/v1/auth/me'],
      ] as const) {
        const asQuery = await h.api(method, `${path}${path.includes('?') ? '&' : '?'}magicCode=${aliceHome}`);
        expect(asQuery.status, `${method} ${path}?magicCode`).toBe(401);
        const asBearer = await h.api(method, path, { token: aliceHome });
        expect(asBearer.status, `${method} ${path} with Bearer <code>`).toBe(401);
      }
      const sent = await postJson(h, { title: 'Mine to delete?', magicCode: aliceHome });
      const del = await h.api('DELETE', `/api/v1/messages/${sent.body.id}?magicCode=${aliceHome}`);
      expect(del.status).toBe(401);
    });

    it('send with uploads: /with-attachment refuses a magicCode with a 400', async () => {
      const form = new FormData();
      form.set('title', 'With a file');
      form.set('magicCode', aliceHome);
      const res = await h.api('POST', '/api/v1/messages/with-attachment', {
        token: s.alice.token,
        raw: form,
      });
      expect(res.status).toBe(400);
      expect(res.body.validations[0].field).toBe('magicCode');
    });

    it('send more than its member may: a read-only member’s code is refused with 403', async () => {
      const carols = await codeOf(h, s.carol, s.home);
      const res = await postJson(h, { title: 'From a reader', magicCode: carols });
      expect(res.status).toBe(403);
      expect(await bucketTitles(s.home)).not.toContain('From a reader');
    });
  });

  describe('codes that stop working', () => {
    it('regenerating answers a new code; the old one is a 404 from the next send', async () => {
      const old = await codeOf(h, s.bob, s.home);
      expect((await postJson(h, { title: 'Old code', magicCode: old })).status).toBe(201);
      const res = await h.api('POST', `/api/v1/buckets/${s.home}/magic-code/regenerate`, {
        token: s.bob.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.bucketId).toBe(s.home);
      expect(res.body.magicCode).toMatch(HEX8);
      expect(res.body.magicCode).not.toBe(old);
      expect(await codeOf(h, s.bob, s.home)).toBe(res.body.magicCode);
      const stale = await postJson(h, { title: 'Stale code', magicCode: old });
      expect(stale.status).toBe(404);
      const fresh = await postJson(h, { title: 'Fresh code', magicCode: res.body.magicCode });
      expect(fresh.status).toBe(201);
      expect(fresh.body.senderId).toBe(s.bob.id);
      // Others' codes are untouched.
      expect(await codeOf(h, s.alice, s.home)).toBe(aliceHome);
      const outsider = await h.api('POST', `/api/v1/buckets/${s.home}/magic-code/regenerate`, {
        token: s.dave.token,
      });
      expect(outsider.status).toBe(404);
    });

    it('removing a member kills their code; joining again brings a new one', async () => {
      await s.add(s.garage, s.dave, 'write');
      const old = await codeOf(h, s.dave, s.garage);
      expect((await postJson(h, { title: 'Dave in the garage', magicCode: old })).status).toBe(201);
      const removed = await h.api('DELETE', `/api/v1/buckets/${s.garage}/members/${s.dave.id}`, {
        token: s.alice.token,
      });
      expect(removed.status).toBe(204);
      const after = await postJson(h, { title: 'Dave gone', magicCode: old });
      expect(after.status).toBe(404);
      expect(await bucketTitles(s.garage)).not.toContain('Dave gone');
      await s.add(s.garage, s.dave, 'write');
      const again = await codeOf(h, s.dave, s.garage);
      expect(again).not.toBe(old);
      expect((await postJson(h, { title: 'x', magicCode: old })).status).toBe(404);
    });

    it('deleting the user kills their codes', async () => {
      const gina = await h.createUser('gina');
      await s.add(s.home, gina, 'write');
      const code = await codeOf(h, gina, s.home);
      expect((await postJson(h, { title: 'Gina here', magicCode: code })).status).toBe(201);
      const admin = await h.adminToken();
      expect((await h.api('DELETE', `/api/v1/users/${gina.id}`, { token: admin })).status).toBe(204);
      expect((await postJson(h, { title: 'Gina gone', magicCode: code })).status).toBe(404);
    });

    it('deleting the bucket kills every code of it', async () => {
      const temp = (await h.api('POST', '/api/v1/buckets', { token: s.alice.token, body: { name: 'Temp' } }))
        .body.id;
      const code = await codeOf(h, s.alice, temp);
      expect((await postJson(h, { title: 'Temp message', magicCode: code })).status).toBe(201);
      expect((await h.api('DELETE', `/api/v1/buckets/${temp}`, { token: s.alice.token })).status).toBe(204);
      expect((await postJson(h, { title: 'After delete', magicCode: code })).status).toBe(404);
    });
  });
});

describe.each(STORES)('magic-code rate limits on %s', (store) => {
  const clock = manualClock(Date.parse('2026-05-04T09:00:00Z'));
  let h: TestHerald;
  let s: Awaited<ReturnType<typeof setup>>;

  beforeAll(async () => {
    h = await startHerald(store, { clock, env: { HERALD_MAGIC_CODE_RATE_LIMIT: '3' } });
    s = await setup(h);
  });
  afterAll(() => h?.close());

  const count = async (bucketId: string) =>
    (await h.api('GET', `/api/v1/buckets/${bucketId}/messages?limit=100`, { token: s.alice.token })).body
      .messages.length as number;

  it('a code sends its budget in a minute; the next send is a 429 with Retry-After, nothing stored', async () => {
    const code = await codeOf(h, s.alice, s.home);
    for (let i = 1; i <= 3; i++) {
      expect((await postJson(h, { title: `Send ${i}`, magicCode: code })).status).toBe(201);
    }
    clock.advance(20_000);
    const over = await postJson(h, { title: 'One too many', magicCode: code });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('40');
    expect(over.headers.get('x-herald-error-code')).toBe('42901');
    expect(over.body.code).toBe(42901);
    expect(over.body.detail).toContain('3 times this minute');
    expect(over.body.validations).toEqual([{ field: 'magicCode', detail: 'rate limit reached' }]);
    // Every way of giving the code counts against the same budget.
    expect((await h.api('GET', `/api/v1/messages?title=x&bucketId=${code}`)).status).toBe(429);
    expect(await count(s.home)).toBe(3);

    // Another member's code, and tokens, have budgets of their own.
    const bobs = await codeOf(h, s.bob, s.home);
    expect((await postJson(h, { title: "Bob's code", magicCode: bobs })).status).toBe(201);
    const byToken = await h.api('POST', '/api/v1/messages', {
      token: s.alice.token,
      body: { title: 'By token', bucketId: s.home },
    });
    expect(byToken.status).toBe(201);

    // A new minute, a new budget.
    clock.advance(40_000);
    expect((await postJson(h, { title: 'Next minute', magicCode: code })).status).toBe(201);
  });

  it('guessing is limited too: past the budget of unknown codes per address, 429 before any lookup', async () => {
    clock.advance(60_000);
    const code = await codeOf(h, s.alice, s.garage);
    for (const guess of ['00000001', '00000002', '00000003']) {
      expect((await postJson(h, { title: 'guess', magicCode: guess })).status).toBe(404);
    }
    const blocked = await postJson(h, { title: 'guess', magicCode: '00000004' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even a right code from this address waits, so a hit cannot be told from a miss.
    expect((await postJson(h, { title: 'right code', magicCode: code })).status).toBe(429);
    clock.advance(60_000);
    expect((await postJson(h, { title: 'right code', magicCode: code })).status).toBe(201);
  });
});
