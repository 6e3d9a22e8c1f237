import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/**
 * A bounded fuzz over every route in /openapi.json (every family): a few hundred requests, each
 * broken in a way no route may accept (NUL, broken UTF-8 or over-deep JSON in the path, query,
 * headers, JSON, form or multipart body, or a body that does not parse). Seeded, so a failure
 * repeats: HERALD_FUZZ_SEED picks another sequence. Every answer must be a 4xx, and no row of
 * any table may change.
 */
const SEED = Number(process.env.HERALD_FUZZ_SEED ?? 20261202);
const REQUESTS = 300;

/** mulberry32: small, seedable, good enough to pick cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Route {
  method: string;
  path: string;
  bodyProps: string[];
  query: string[];
  /** Routes without a body (Coder's mark-all-as-read, …) ignore whatever body comes. */
  takesBody: boolean;
}

interface Case {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  what: string;
}

const BAD_UTF8 = [
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
];
const deepJson = (depth: number, rand: () => number) =>
  rand() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

function multipartBody(
  parts: Array<{ name: Buffer | string; value: Buffer | string; filename?: Buffer | string }>,
) {
  const boundary = `----fuzz${randomUUID()}`;
  const chunks: Buffer[] = [];
  const b = (x: Buffer | string) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);
  for (const p of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="`),
      b(p.name),
      Buffer.from('"'),
    );
    if (p.filename !== undefined)
      chunks.push(Buffer.from('; filename="'), b(p.filename), Buffer.from('"\r\nContent-Type: text/plain'));
    chunks.push(Buffer.from('\r\n\r\n'), b(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

/** The cases: each takes a route and the PRNG and breaks one part of the request. */
function buildCase(route: Route, rand: () => number, fill: (param: string) => string): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const pathWith = (bad?: { param: string; value: string }) =>
    route.path.replace(/\{(\w+)\}/g, (_, p: string) =>
      bad && p === bad.param ? bad.value : encodeURIComponent(fill(p)),
    );
  const hasBody = route.takesBody;
  const prop = route.bodyProps.length > 0 ? pick(route.bodyProps) : pick(['name', 'title', 'message', 'a']);
  const fields = () => Object.fromEntries(route.bodyProps.map((p) => [p, 'ok']));
  const kinds: Array<() => Case> = [
    () => {
      const name = route.query.length > 0 ? pick(route.query) : 'q';
      return {
        method: route.method,
        url: `${pathWith()}?${name}=a%00b`,
        headers: {},
        what: `query ${name} NUL`,
      };
    },
    () => {
      const name = route.query.length > 0 ? pick(route.query) : 'q';
      const esc = pick(['%C3%28', '%FF', '%ED%A0%80', '%E2%82']);
      return {
        method: route.method,
        url: `${pathWith()}?${name}=x${esc}`,
        headers: {},
        what: `query ${name} ${esc}`,
      };
    },
    () => ({
      method: route.method,
      url: pathWith(),
      headers: {
        [pick(['idempotency-key', 'x-fuzz', 'user-agent'])]: pick([
          '\u00ff\u00fe',
          'a\u00c3(',
          '\u00ed\u00a0\u0080',
        ]),
      },
      what: 'header with broken UTF-8',
    }),
  ];
  if (params.length > 0) {
    kinds.push(() => {
      const param = pick(params);
      const value = pick(['a%00b', '%C3%28', '%FF%FE', 'x%ED%A0%80']);
      return {
        method: route.method,
        url: pathWith({ param, value }),
        headers: {},
        what: `path ${param}=${value}`,
      };
    });
  }
  if (hasBody) {
    const json = (body: Buffer | string, what: string): Case => ({
      method: route.method,
      url: pathWith(),
      headers: { 'content-type': 'application/json' },
      body,
      what,
    });
    kinds.push(
      () => json(JSON.stringify({ ...fields(), [prop]: `a\u0000b` }), `json ${prop} NUL`),
      () => json(JSON.stringify({ ...fields(), [`k\u0000${prop}`]: 'x' }), 'json key NUL'),
      () =>
        json(JSON.stringify({ ...fields(), [prop]: { nested: [`\ud800`] } }), `json ${prop} lone surrogate`),
      () => {
        const depth = 33 + Math.floor(rand() * 6000);
        return json(`{"${prop}":${deepJson(depth, rand)}}`, `json ${prop} ${depth} deep`);
      },
      () => {
        const depth = 40 + Math.floor(rand() * 100);
        const inner = `${'{"a":'.repeat(depth)}"x\\u0000"${'}'.repeat(depth)}`;
        return json(`{"${prop}":${inner}}`, `json ${prop} deep NUL`);
      },
      () =>
        json(
          Buffer.concat([Buffer.from(`{"${prop}":"a`), pick(BAD_UTF8), Buffer.from('"}')]),
          `json ${prop} broken UTF-8`,
        ),
      () => {
        const text = JSON.stringify({ ...fields(), [prop]: 'x' });
        return json(text.slice(0, Math.max(1, Math.floor(rand() * (text.length - 1)))), 'truncated json');
      },
      () => {
        const form = multipartBody([
          ...route.bodyProps.map((p) => ({ name: p, value: 'ok' })),
          { name: prop, value: Buffer.concat([Buffer.from('a'), pick(BAD_UTF8)]) },
        ]);
        return {
          method: route.method,
          url: pathWith(),
          headers: { 'content-type': form.type },
          body: form.body,
          what: `multipart ${prop} broken UTF-8`,
        };
      },
      () => {
        const form = multipartBody([
          ...route.bodyProps.map((p) => ({ name: p, value: 'ok' })),
          { name: pick([prop, 'attachment']), value: 'file', filename: pick(['a\u0000b.txt', 'x\u0000']) },
        ]);
        return {
          method: route.method,
          url: pathWith(),
          headers: { 'content-type': form.type },
          body: form.body,
          what: 'multipart filename NUL',
        };
      },
      () => {
        const form = multipartBody([
          ...route.bodyProps.map((p) => ({ name: p, value: 'ok' })),
          { name: prop, value: pick(['a\u0000b', 'x,\u0000,y']) },
        ]);
        return {
          method: route.method,
          url: pathWith(),
          headers: { 'content-type': form.type },
          body: form.body,
          what: `multipart ${prop} NUL`,
        };
      },
      () => ({
        method: route.method,
        url: pathWith(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `${prop}=${pick(['a%00b', '%C3%28', '%FF'])}`,
        what: `urlencoded ${prop}`,
      }),
    );
  }
  return pick(kinds)();
}

/** A digest per table of every row (minus last-used stamps, which reading may bump). */
async function snapshot(h: TestHerald): Promise<Record<string, string>> {
  const db = h.server.ctx.store.db as any;
  const out: Record<string, string> = {};
  for (const t of await db.introspection.getTables()) {
    if (t.name.startsWith('herald_migrations')) continue;
    const rows = (await db.selectFrom(t.name).selectAll().execute()) as Record<string, unknown>[];
    const text = rows
      .map((r) =>
        JSON.stringify(
          Object.entries(r).filter(([k]) => !/last_used|last_seen/.test(k)),
          (_k, v) => (typeof v === 'bigint' ? String(v) : v),
        ),
      )
      .sort()
      .join('\n');
    out[t.name] = `${rows.length}:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  }
  return out;
}

describe.each(STORES)('fuzz: malformed requests on every route on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let gotifyClient: string;
  let gotifyApp: string;
  const ids: Record<string, string[]> = {};

  beforeAll(async () => {
    h = await startHerald(store);
    admin = await h.adminToken();
    const bob = await h.createUser('bob');
    const bucket = await h.api('POST', '/api/v1/buckets', { token: admin, body: { name: 'fuzz' } });
    const role = await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: 'fuzzers', permissions: [] },
    });
    const template = await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: { templateKey: 'FUZZ', name: 'Fuzz', titleTemplate: 'T', messageTemplate: 'M' },
    });
    const client = await h.api('POST', '/client', { token: admin, body: { name: 'phone' } });
    gotifyClient = client.body.token;
    const app = await h.api('POST', '/application', {
      headers: { 'x-gotify-key': gotifyClient },
      body: { name: 'app' },
    });
    gotifyApp = app.body.token;
    for (const r of [bucket, role, template, client, app]) expect(r.status, r.text).toBeLessThan(300);
    ids.id = [bucket.body.id, role.body.id, template.body.id, bob.id, String(app.body.id), randomUUID()];
    ids.userId = [bob.id];
    ids.user = ['me', bob.id];
    ids.type = ['webhook', 'smtp', 'slack'];
    await h.server.drain();
  });
  afterAll(() => h?.close());

  it(`answers ${REQUESTS} broken requests with a 4xx each and changes no row`, async () => {
    const doc = (await h.api('GET', '/openapi.json')).body;
    const routes: Route[] = [];
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        routes.push({
          method: method.toUpperCase(),
          path,
          bodyProps: Object.keys(schema?.properties ?? {}),
          query: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
          takesBody:
            op.requestBody !== undefined ||
            (op.consumes ?? []).length > 0 ||
            /\/(with-attachment|transform)$/.test(path),
        });
      }
    }
    const families = new Set(routes.map((r) => r.path.split('/').slice(0, 3).join('/')));
    expect(families.size).toBeGreaterThan(10);

    const before = await snapshot(h);
    const rand = prng(SEED);
    const fill = (param: string) => {
      const pool = ids[param] ?? [randomUUID()];
      return pool[Math.floor(rand() * pool.length)] as string;
    };
    const started = Date.now();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const route = routes[Math.floor(rand() * routes.length)] as Route;
      const c = buildCase(route, rand, fill);
      const gotify = !/^\/(api|notification)\//.test(route.path);
      const auth: Record<string, string> = gotify
        ? { 'x-gotify-key': route.method === 'POST' && route.path === '/message' ? gotifyApp : gotifyClient }
        : { authorization: `Bearer ${admin}` };
      let status: number;
      try {
        const res = await fetch(h.url + c.url, {
          method: c.method,
          headers: { ...auth, ...c.headers },
          body: c.body as BodyInit | undefined,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        status = res.status;
      } catch (err) {
        status = -1;
        failures.push(`#${i} ${c.method} ${c.url} (${c.what}): ${(err as Error).message}`);
        continue;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status < 400 || status >= 500) failures.push(`#${i} ${c.method} ${c.url} (${c.what}) → ${status}`);
    }
    const elapsed = Date.now() - started;
    await h.server.drain();
    const after = await snapshot(h);
    console.log(
      `fuzz on ${store}: ${REQUESTS} requests over ${routes.length} routes in ${elapsed} ms (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(failures).toEqual([]);
    expect(after).toEqual(before);
    expect(elapsed).toBeLessThan(20_000);
  });
});
