import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { SYSTEM_TEMPLATES } from '../src/templates/system-templates.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const TEMPLATES = '/api/v1/templates';
const VIEW_FIELDS = [
  'actions',
  'category',
  'createdAt',
  'enabledByDefault',
  'id',
  'isActionable',
  'kind',
  'messageTemplate',
  'method',
  'name',
  'templateKey',
  'titleTemplate',
  'updatedAt',
].sort();

interface TemplateView {
  id: string;
  templateKey: string;
  kind: string;
  name: string;
  category: string;
  titleTemplate: string;
  messageTemplate: string;
  isActionable: boolean;
  updatedAt: string;
}

describe.each(STORES)('template admin API on %s', (store) => {
  const clock = manualClock(Date.parse('2026-02-02T10:00:00Z'));
  let h: TestHerald;
  let admin: string;
  let n = 0;

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    admin = await h.adminToken();
  });
  afterAll(() => h?.close());

  const fresh = (over: Record<string, unknown> = {}) => ({
    templateKey: `KEY_${++n}`,
    name: `Template ${n}`,
    category: 'Delegations',
    titleTemplate: 'Delegation {{delegation_id}}',
    messageTemplate: 'Delegation {{delegation_id}} was issued to you.',
    ...over,
  });

  async function create(body: Record<string, unknown>): Promise<TemplateView> {
    const res = await h.api('POST', TEMPLATES, { token: admin, body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  const fieldsOf = (body: { validations: Array<{ field: string }> }) =>
    body.validations.map((v) => v.field).sort();

  it('creates a custom template: 201 with the stored view', async () => {
    const body = fresh({
      isActionable: true,
      actions: [{ label: 'Review', url: 'https://example.com/review' }],
      method: 'smtp',
    });
    const res = await h.api('POST', TEMPLATES, { token: admin, body });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(VIEW_FIELDS);
    const now = new Date(clock.now()).toISOString();
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      templateKey: body.templateKey,
      kind: 'custom',
      name: body.name,
      category: 'Delegations',
      titleTemplate: 'Delegation {{delegation_id}}',
      messageTemplate: 'Delegation {{delegation_id}} was issued to you.',
      actions: [{ label: 'Review', url: 'https://example.com/review' }],
      isActionable: true,
      enabledByDefault: true,
      method: 'smtp',
      createdAt: now,
      updatedAt: now,
    });
    // Defaults for the optional fields.
    const minimal = await create({
      templateKey: `MIN_${n}`,
      name: 'Minimal',
      titleTemplate: 'Hi',
      messageTemplate: '',
    });
    expect(minimal).toMatchObject({
      category: '',
      actions: [],
      isActionable: false,
      enabledByDefault: true,
      method: null,
    });
  });

  it('refuses a duplicate templateKey with 409 naming templateKey, keeping the first', async () => {
    const first = await create(fresh());
    const dup = await h.api('POST', TEMPLATES, {
      token: admin,
      body: fresh({ templateKey: first.templateKey, name: 'Second' }),
    });
    expect(dup.status, dup.text).toBe(409);
    expect(dup.body.validations).toEqual([
      { field: 'templateKey', detail: expect.stringContaining(first.templateKey) },
    ]);
    const got = await h.api('GET', `${TEMPLATES}/${first.templateKey}`, { token: admin });
    expect(got.body.name).toBe(first.name);
    // A system template's key is taken too.
    const sys = await h.api('POST', TEMPLATES, {
      token: admin,
      body: fresh({ templateKey: SYSTEM_TEMPLATES.test.key }),
    });
    expect(sys.status, sys.text).toBe(409);
  });

  it.each([
    ['templateKey', (b: Record<string, unknown>) => delete b.templateKey],
    ['templateKey', (b: Record<string, unknown>) => (b.templateKey = 'has space')],
    ['templateKey', (b: Record<string, unknown>) => (b.templateKey = '')],
    ['name', (b: Record<string, unknown>) => delete b.name],
    ['name', (b: Record<string, unknown>) => (b.name = '')],
    ['titleTemplate', (b: Record<string, unknown>) => delete b.titleTemplate],
    ['titleTemplate', (b: Record<string, unknown>) => (b.titleTemplate = '')],
    ['messageTemplate', (b: Record<string, unknown>) => delete b.messageTemplate],
    ['isActionable', (b: Record<string, unknown>) => (b.isActionable = 'yes')],
    ['category', (b: Record<string, unknown>) => (b.category = 7)],
    ['actions[0].url', (b: Record<string, unknown>) => (b.actions = [{ label: 'x' }])],
  ])('refuses a create with a bad %s: 400 naming it, nothing stored', async (field, mutate) => {
    const body = fresh();
    mutate(body);
    const res = await h.api('POST', TEMPLATES, { token: admin, body });
    expect(res.status, res.text).toBe(400);
    expect(fieldsOf(res.body)).toEqual([field]);
    if (typeof body.templateKey === 'string' && body.templateKey) {
      const got = await h.api('GET', `${TEMPLATES}/${encodeURIComponent(body.templateKey)}`, {
        token: admin,
      });
      expect(got.status).toBe(404);
    }
  });

  it('lists system and custom templates, filters by kind, and gets one by id or key', async () => {
    const t = await create(fresh());
    const all = await h.api('GET', TEMPLATES, { token: admin });
    expect(all.status).toBe(200);
    const keys = all.body.map((x: TemplateView) => x.templateKey);
    expect(keys).toContain(t.templateKey);
    expect(keys).toContain(SYSTEM_TEMPLATES.test.key);

    const custom = await h.api('GET', `${TEMPLATES}?kind=custom`, { token: admin });
    expect(custom.body.every((x: TemplateView) => x.kind === 'custom')).toBe(true);
    expect(custom.body.map((x: TemplateView) => x.id)).toContain(t.id);
    const system = await h.api('GET', `${TEMPLATES}?kind=system`, { token: admin });
    expect(system.body.map((x: TemplateView) => x.id)).toContain(SYSTEM_TEMPLATES.test.id);
    expect(system.body.map((x: TemplateView) => x.id)).not.toContain(t.id);
    expect((await h.api('GET', `${TEMPLATES}?kind=other`, { token: admin })).status).toBe(400);

    const byId = await h.api('GET', `${TEMPLATES}/${t.id}`, { token: admin });
    const byKey = await h.api('GET', `${TEMPLATES}/${t.templateKey}`, { token: admin });
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(t);
    expect(byKey.body).toEqual(t);
    const missing = await h.api('GET', `${TEMPLATES}/NO_SUCH_KEY`, { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      message: expect.any(String),
      detail: expect.stringContaining('Template'),
    });
  });

  it('updates a template with PATCH; new notifications use the new text', async () => {
    const t = await create(fresh());
    clock.advance(60_000);
    const res = await h.api('PATCH', `${TEMPLATES}/${t.templateKey}`, {
      token: admin,
      body: {
        name: 'Renamed',
        category: 'Approvals',
        messageTemplate: 'Now: {{delegation_id}}',
        isActionable: true,
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      ...t,
      name: 'Renamed',
      category: 'Approvals',
      messageTemplate: 'Now: {{delegation_id}}',
      isActionable: true,
      updatedAt: new Date(clock.now()).toISOString(),
    });
    expect((await h.api('GET', `${TEMPLATES}/${t.id}`, { token: admin })).body).toEqual(res.body);

    const sent = await h.api('POST', '/notification/v1/notifications', {
      token: admin,
      body: {
        templateKey: t.templateKey,
        userId: randomUUID(),
        tenantId: randomUUID(),
        entityType: 'delegation',
        entityId: 'x',
        placeholders: { delegation_id: 'D9' },
      },
    });
    expect(sent.status, sent.text).toBe(201);
    expect(sent.body.data).toMatchObject({ message: 'Now: D9', category: 'Approvals', isActionable: true });

    const bad = await h.api('PATCH', `${TEMPLATES}/${t.id}`, { token: admin, body: { titleTemplate: '' } });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['titleTemplate']);
    expect((await h.api('GET', `${TEMPLATES}/${t.id}`, { token: admin })).body.titleTemplate).toBe(
      t.titleTemplate,
    );
    expect(
      (await h.api('PATCH', `${TEMPLATES}/NO_SUCH_KEY`, { token: admin, body: { name: 'x' } })).status,
    ).toBe(404);
  });

  it("edits a system template's text but not its name or category", async () => {
    const key = SYSTEM_TEMPLATES.test.key;
    const before = (await h.api('GET', `${TEMPLATES}/${key}`, { token: admin })).body as TemplateView;
    const res = await h.api('PATCH', `${TEMPLATES}/${key}`, {
      token: admin,
      // Resending the current name and category (as a form would) is accepted.
      body: { messageTemplate: 'Hello {{name}}, testing.', name: before.name, category: before.category },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'system',
      templateKey: key,
      messageTemplate: 'Hello {{name}}, testing.',
    });

    for (const body of [{ name: 'Renamed' }, { category: 'Elsewhere', titleTemplate: 'changed too?' }]) {
      const denied = await h.api('PATCH', `${TEMPLATES}/${key}`, { token: admin, body });
      expect(denied.status, denied.text).toBe(403);
      expect(denied.body.detail).toContain(Object.keys(body)[0]);
    }
    const after = (await h.api('GET', `${TEMPLATES}/${key}`, { token: admin })).body as TemplateView;
    expect(after).toMatchObject({
      name: before.name,
      category: before.category,
      titleTemplate: before.titleTemplate,
    });
  });

  it('refuses a templateKey shaped like a uuid, which would shadow template ids', async () => {
    for (const templateKey of [SYSTEM_TEMPLATES.test.id, randomUUID()]) {
      const res = await h.api('POST', TEMPLATES, { token: admin, body: fresh({ templateKey }) });
      expect(res.status, res.text).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['templateKey']);
    }
    const sys = await h.api('GET', `${TEMPLATES}/${SYSTEM_TEMPLATES.test.id}`, { token: admin });
    expect(sys.body.templateKey).toBe(SYSTEM_TEMPLATES.test.key);
  });

  it('deletes a custom template (204, then 404) but refuses a system template with 403', async () => {
    const t = await create(fresh());
    const del = await h.api('DELETE', `${TEMPLATES}/${t.id}`, { token: admin });
    expect(del.status, del.text).toBe(204);
    expect((await h.api('GET', `${TEMPLATES}/${t.id}`, { token: admin })).status).toBe(404);
    expect((await h.api('DELETE', `${TEMPLATES}/${t.id}`, { token: admin })).status).toBe(404);
    // The key is free again.
    await create(fresh({ templateKey: t.templateKey }));

    const sys = await h.api('DELETE', `${TEMPLATES}/${SYSTEM_TEMPLATES.bucketMessage.id}`, { token: admin });
    expect(sys.status, sys.text).toBe(403);
    expect(sys.body.detail).toMatch(/system/i);
    const still = await h.api('GET', `${TEMPLATES}/${SYSTEM_TEMPLATES.bucketMessage.key}`, { token: admin });
    expect(still.status).toBe(200);
  });

  it('refuses members and tokens without the admin scope with 403, and no token with 401', async () => {
    const t = await create(fresh());
    const member = await h.createUser('templatemember');
    const adminNarrow = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'narrow', scopes: ['notifications:create', 'notifications:read'] },
    });
    for (const token of [member.token, adminNarrow.body.token as string]) {
      const calls: Array<[string, string, unknown]> = [
        ['GET', TEMPLATES, undefined],
        ['GET', `${TEMPLATES}/${t.id}`, undefined],
        ['POST', TEMPLATES, fresh()],
        ['PATCH', `${TEMPLATES}/${t.id}`, { name: 'hijacked' }],
        ['DELETE', `${TEMPLATES}/${t.id}`, undefined],
      ];
      for (const [method, path, body] of calls) {
        const res = await h.api(method, path, { token, body });
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
      }
    }
    expect((await h.api('GET', TEMPLATES)).status).toBe(401);
    const after = await h.api('GET', `${TEMPLATES}/${t.id}`, { token: admin });
    expect(after.body).toEqual(t);
  });
});
