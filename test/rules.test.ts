import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { CONDITION_OPERATORS } from '../src/rules/rule.types.ts';
import { createSmtpReceiver, type SmtpReceiver } from './receivers/smtp-receiver.ts';
import { ADMIN, STORES, startHerald, type TestHerald } from './support/herald.ts';
import { until } from './support/wait.ts';

describe.each(STORES)('events and rules on %s', (store) => {
  let h: TestHerald;
  let smtp: SmtpReceiver;
  let admin: string;
  const clock = manualClock(Date.parse('2026-03-10T10:05:00Z'));
  const env = {
    HERALD_ACCESS_TOKEN_TTL_SECONDS: '86400',
    HERALD_TRUST_PROXY: 'true',
    HERALD_POLL_INTERVAL_MS: '50',
    HERALD_RETRY_BASE_MS: '50',
    HERALD_LOGIN_MAX_ATTEMPTS: '100',
  };

  beforeAll(async () => {
    smtp = await createSmtpReceiver();
    h = await startHerald(store, { env, clock });
    admin = await h.adminToken();
    const put = await h.api('PUT', '/api/v1/notifications/channels/smtp', {
      token: admin,
      body: {
        enabled: true,
        config: { host: smtp.host, port: smtp.port, from: 'herald@example.com', tls: false },
      },
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });
  afterEach(async () => {
    for (const r of (await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules) {
      await h.api('DELETE', `/api/v1/notifications/rules/${r.id}`, { token: admin });
    }
    smtp.received.length = 0;
  });

  const createRule = async (body: Record<string, unknown>) => {
    const res = await h.api('POST', '/api/v1/notifications/rules', { token: admin, body });
    expect(res.status, res.text).toBe(201);
    return res.body.rule;
  };
  const failLogin = (ip: string) =>
    h.api('POST', '/api/v1/auth/login', {
      body: { email: ADMIN.email, password: 'wrong-password' },
      headers: { 'x-forwarded-for': ip, 'user-agent': 'curl/8' },
    });
  const drain = () =>
    h.server.ctx.store.db.selectFrom('events').select('id').where('processed_at', 'is', null).execute();
  const settled = () => until(async () => (await drain()).length === 0);
  const delivered = () =>
    until(async () => {
      const open = await h.server.ctx.store.db
        .selectFrom('deliveries')
        .select('id')
        .where((eb) =>
          eb.or([
            eb('status', '=', 'sending'),
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', clock.now())]),
          ]),
        )
        .execute();
      return open.length === 0;
    });

  it("emails the admin about a failed login from outside 192.168.1.0/24 but not from inside (the spec's example)", async () => {
    const rule = await createRule({
      name: 'Alert on failed logins',
      enabled: true,
      events: ['auth.login_failed'],
      conditionLogic: 'and',
      conditions: [{ field: 'ipAddress', operator: 'not_in', value: ['192.168.1.0/24'] }],
      cadence: 'instant',
      actions: [{ channel: 'smtp', recipients: ['admin@example.com'] }],
    });
    expect(rule).toMatchObject({ cadence: 'instant', lastTriggeredAt: null, conditionLogic: 'and' });

    expect((await failLogin('192.168.1.20')).status).toBe(401);
    await settled();
    expect((await failLogin('203.0.113.9')).status).toBe(401);
    const mail = await until(async () => smtp.received[0]);
    expect(mail.to).toEqual(['admin@example.com']);
    expect(mail.subject).toBe('Alert on failed logins: auth.login_failed');
    expect(mail.text).toContain('ipAddress: 203.0.113.9');
    await h.server.drain();
    expect(smtp.received).toHaveLength(1);

    const log = await h.api('GET', `/api/v1/notifications/log?rule_id=${rule.id}`, { token: admin });
    expect(log.body.entries).toEqual([
      expect.objectContaining({
        ruleId: rule.id,
        ruleName: 'Alert on failed logins',
        channel: 'smtp',
        status: 'sent',
      }),
    ]);
    const listed = (await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules[0];
    expect(listed.lastTriggeredAt).toBe(new Date(clock.now()).toISOString());
  });

  it('matches wildcards and or-logic, and expands role recipients to their members in the inbox', async () => {
    const ops = await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: 'ops', permissions: [] },
    });
    const carol = await h.createUser('carol', { roles: ['member', 'ops'] });
    const dan = await h.createUser('dan', { roles: ['member', 'ops'] });
    const erin = await h.createUser('erin');
    await createRule({
      name: 'Backups',
      events: ['backup.*'],
      conditionLogic: 'or',
      conditions: [
        { field: 'size', operator: 'gt', value: 1000 },
        { field: 'host', operator: 'matches', value: '^db-[0-9]+$' },
      ],
      actions: [{ channel: 'inbox', recipients: [ops.body.id] }],
    });
    const token = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'ev', scopes: ['events:create'] },
      })
    ).body.token;
    const post = (body: Record<string, unknown>) => h.api('POST', '/api/v1/events', { token, body });
    const a = await post({ name: 'backup.failed', host: 'web-1', size: 10 }); // neither condition
    expect(a.status).toBe(202);
    expect(a.body.id).toEqual(expect.any(String));
    await post({ name: 'backup.failed', host: 'db-7', size: 10 }); // host matches
    await post({ name: 'restore.failed', host: 'db-7' }); // wrong event
    await post({ name: 'backup.done', host: 'web-1', size: 5000 }); // size matches
    await settled();
    for (const u of [carol, dan]) {
      const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: u.token });
      expect(inbox.body.notifications.map((n: { title: string }) => n.title).sort()).toEqual([
        'Backups: backup.done',
        'Backups: backup.failed',
      ]);
    }
    expect(
      (await h.api('GET', '/api/v2/notifications/inbox', { token: erin.token })).body.notifications,
    ).toHaveLength(0);
  });

  it('publishes the condition operators with what each takes, for editors; members may not read them', async () => {
    const res = await h.api('GET', '/api/v1/notifications/rules/operators', { token: admin });
    expect(res.status, res.text).toBe(200);
    const ops = res.body.operators as Array<{ operator: string; value: string; description: string }>;
    expect(ops.map((o) => o.operator)).toEqual([...CONDITION_OPERATORS]);
    const kind = Object.fromEntries(ops.map((o) => [o.operator, o.value]));
    expect(kind).toMatchObject({
      equals: 'value',
      in: 'list',
      not_in: 'list',
      between: 'pair',
      exists: 'boolean',
      gt: 'value',
    });
    expect(ops.every((o) => o.description.length > 0)).toBe(true);
    // Each operator saves with a value of its kind.
    const sample = { value: 'x', list: ['10.0.0.0/8'], pair: [1, 2], boolean: true } as Record<
      string,
      unknown
    >;
    const rule = await h.api('POST', '/api/v1/notifications/rules', {
      token: admin,
      body: {
        name: 'every operator',
        events: ['op.check'],
        conditionLogic: 'or',
        conditions: ops.map((o) => ({
          field: 'f',
          operator: o.operator,
          value: ['gt', 'gte', 'lt', 'lte', 'before', 'after'].includes(o.operator) ? 5 : sample[o.value],
        })),
        actions: [{ channel: 'webhook', recipients: [] }],
      },
    });
    expect(rule.status, rule.text).toBe(201);
    await h.api('DELETE', `/api/v1/notifications/rules/${rule.body.id}`, { token: admin });

    const member = await h.createUser(`ops-reader-${store}`);
    expect(
      (await h.api('GET', '/api/v1/notifications/rules/operators', { token: member.token })).status,
    ).toBe(403);
    expect((await h.api('GET', '/api/v1/notifications/rules/operators', {})).status).toBe(401);
  });

  it('evaluates every operator through the engine, including IPv6 CIDR ranges', async () => {
    const token = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'ev', scopes: ['events:create'] },
      })
    ).body.token;
    // Each rule has one condition; the event below satisfies exactly the ones named `yes-…`.
    const cases: Array<[string, string, string, unknown]> = [
      ['yes-equals', 'status', 'equals', 'failed'],
      ['no-equals', 'status', 'equals', 'ok'],
      ['yes-not_equals', 'status', 'not_equals', 'ok'],
      ['yes-in', 'ip', 'in', ['2001:db8::/32']],
      ['no-in', 'ip', 'in', ['2001:db9::/32', '10.0.0.0/8']],
      ['yes-not_in', 'ip', 'not_in', ['fd00::/8']],
      ['yes-contains', 'message', 'contains', 'disk'],
      ['yes-not_contains', 'message', 'not_contains', 'network'],
      ['yes-starts_with', 'host.name', 'starts_with', 'db-'],
      ['no-ends_with', 'host.name', 'ends_with', '.internal'],
      ['yes-matches', 'host.name', 'matches', '^db-[0-9]+$'],
      ['yes-gt', 'size', 'gt', 100],
      ['no-gte', 'size', 'gte', 1000],
      ['yes-lt', 'size', 'lt', 1000],
      ['yes-lte', 'size', 'lte', 512],
      ['yes-between', 'size', 'between', [500, 600]],
      ['yes-exists', 'host.name', 'exists', true],
      ['no-exists', 'missing', 'exists', true],
    ];
    for (const [name, field, operator, value] of cases) {
      await createRule({
        name,
        events: ['probe.*'],
        conditions: [{ field, operator, value }],
        actions: [{ channel: 'inbox', recipients: ['admin'] }],
      });
    }
    const res = await h.api('POST', '/api/v1/events', {
      token,
      body: {
        name: 'probe.check',
        status: 'failed',
        ip: '2001:db8:1::7',
        message: 'disk almost full',
        host: { name: 'db-12' },
        size: 512,
      },
    });
    expect(res.status).toBe(202);
    await settled();
    const rules = (await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules as Array<{
      name: string;
      lastTriggeredAt: string | null;
    }>;
    const fired = rules
      .filter((r) => r.lastTriggeredAt !== null)
      .map((r) => r.name)
      .sort();
    expect(fired).toEqual(
      cases
        .map(([n]) => n)
        .filter((n) => n.startsWith('yes-'))
        .sort(),
    );
  });

  it('throttles to one firing per window', async () => {
    await createRule({
      name: 'Throttled',
      events: ['disk.full'],
      cadence: { type: 'throttle', minutes: 10 },
      actions: [{ channel: 'smtp', recipients: ['ops@example.com'] }],
    });
    const token = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'ev', scopes: ['events:create'] },
      })
    ).body.token;
    for (let i = 0; i < 3; i++)
      await h.api('POST', '/api/v1/events', { token, body: { name: 'disk.full', host: `h${i}` } });
    await settled();
    // Let the first mail be recorded as sent before moving the clock, so no lease spans the jump.
    await delivered();
    clock.advance(11 * 60_000);
    await h.api('POST', '/api/v1/events', { token, body: { name: 'disk.full', host: 'late' } });
    await settled();
    await until(async () => smtp.received.length >= 2);
    await h.server.drain();
    expect(smtp.received.map((m) => m.text?.match(/host: (\w+)/)?.[1])).toEqual(['h0', 'late']);
  });

  it('collects an hourly digest and sends it once when the hour ends', async () => {
    clock.set(Date.parse('2026-03-10T14:05:00Z'));
    await createRule({
      name: 'Hourly',
      events: ['job.done'],
      cadence: { type: 'digest', every: 'hour' },
      actions: [{ channel: 'smtp', recipients: ['digest@example.com'] }],
    });
    const token = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'ev', scopes: ['events:create'] },
      })
    ).body.token;
    await h.api('POST', '/api/v1/events', { token, body: { name: 'job.done', job: 'alpha' } });
    clock.advance(20 * 60_000);
    await h.api('POST', '/api/v1/events', { token, body: { name: 'job.done', job: 'beta' } });
    await settled();
    await h.server.drain();
    expect(smtp.received).toHaveLength(0);
    clock.set(Date.parse('2026-03-10T15:00:01Z'));
    const mail = await until(async () => smtp.received[0]);
    expect(mail.to).toEqual(['digest@example.com']);
    expect(mail.subject).toMatch(/Hourly/);
    expect(mail.text).toMatch(/2/);
    await h.server.drain();
    expect(smtp.received).toHaveLength(1);
  });

  it('toggles, updates and deletes rules', async () => {
    const rule = await createRule({
      name: 'T',
      events: ['x.y'],
      actions: [{ channel: 'inbox', recipients: ['admin'] }],
    });
    const off = await h.api('PATCH', `/api/v1/notifications/rules/${rule.id}/toggle`, { token: admin });
    expect(off.body).toEqual({ ok: true, enabled: false });
    const token = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'ev', scopes: ['events:create'] },
      })
    ).body.token;
    const before = (await h.api('GET', '/api/v2/notifications/inbox', { token: admin })).body.notifications
      .length;
    await h.api('POST', '/api/v1/events', { token, body: { name: 'x.y' } });
    await settled();
    expect(
      (await h.api('GET', '/api/v2/notifications/inbox', { token: admin })).body.notifications.length,
    ).toBe(before);
    const upd = await h.api('PUT', `/api/v1/notifications/rules/${rule.id}`, {
      token: admin,
      body: { name: 'Renamed', enabled: true, events: ['x.*'] },
    });
    expect(upd.status).toBe(200);
    expect(upd.body.rule).toMatchObject({ name: 'Renamed', enabled: true, events: ['x.*'] });
    await h.api('POST', '/api/v1/events', { token, body: { name: 'x.z' } });
    await settled();
    expect(
      (await h.api('GET', '/api/v2/notifications/inbox', { token: admin })).body.notifications[0].title,
    ).toBe('Renamed: x.z');
    expect((await h.api('DELETE', `/api/v1/notifications/rules/${rule.id}`, { token: admin })).body).toEqual({
      ok: true,
    });
    expect((await h.api('DELETE', `/api/v1/notifications/rules/${rule.id}`, { token: admin })).status).toBe(
      404,
    );
  });

  it('names each invalid field and creates nothing', async () => {
    const res = await h.api('POST', '/api/v1/notifications/rules', {
      token: admin,
      body: {
        name: 'Bad',
        events: ['not a pattern!'],
        conditions: [
          { field: 'a', operator: 'resembles', value: 1 },
          { field: 'b', operator: 'matches', value: '(a+)+$' },
        ],
        actions: [{ channel: 'carrier-pigeon', recipients: ['x'] }],
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.validations.map((v: { field: string }) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'events[0]',
        'conditions[0].operator',
        'conditions[1].value',
        'actions[0].channel',
      ]),
    );
    expect((await h.api('GET', '/api/v1/notifications/rules', { token: admin })).body.rules).toHaveLength(0);
  });

  it('lists recipients, and refuses rules and recipients to a member without the permission', async () => {
    const rec = await h.api('GET', '/api/v1/notifications/recipients', { token: admin });
    expect(rec.body.users).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: expect.any(String), username: 'admin', email: ADMIN.email }),
      ]),
    );
    expect(rec.body.roles.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['admin', 'member']),
    );
    const mallory = await h.createUser('mallory');
    for (const [m, p] of [
      ['GET', '/api/v1/notifications/rules'],
      ['POST', '/api/v1/notifications/rules'],
      ['GET', '/api/v1/notifications/recipients'],
    ] as const) {
      expect((await h.api(m, p, { token: mallory.token, body: m === 'POST' ? {} : undefined })).status).toBe(
        403,
      );
    }
  });

  it('accepts events only with the events:create scope and a valid name', async () => {
    const narrow = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: admin,
        body: { name: 'n', scopes: ['messages:create'] },
      })
    ).body.token;
    expect((await h.api('POST', '/api/v1/events', { token: narrow, body: { name: 'a.b' } })).status).toBe(
      403,
    );
    const bad = await h.api('POST', '/api/v1/events', { token: admin, body: { name: 'has spaces' } });
    expect(bad.status).toBe(400);
    expect(bad.body.validations[0].field).toBe('name');
  });
});
