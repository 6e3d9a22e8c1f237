import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

describe.each(STORES)('templates that are off by default on %s', (store) => {
  let h: TestHerald;
  beforeAll(async () => {
    h = await startHerald(store);
  });
  afterAll(() => h?.close());

  it('reach only users who turned them on', async () => {
    const admin = await h.adminToken();
    const tpl = await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: {
        templateKey: 'WEEKLY_DIGEST',
        name: 'Weekly digest',
        titleTemplate: 'Your week',
        messageTemplate: 'Hi',
        enabledByDefault: false,
      },
    });
    expect(tpl.status).toBe(201);
    const tenantId = '7d4f2a3e-1111-4c2b-9a55-0c1d2e3f4a5b';
    const alice = await h.createUser('alice');
    const send = () =>
      h.api('POST', '/notification/v1/notifications', {
        token: admin,
        body: {
          templateKey: 'WEEKLY_DIGEST',
          userId: alice.id,
          tenantId,
          entityType: 'digest',
          entityId: 'w1',
          placeholders: {},
        },
      });
    expect((await send()).status).toBe(403);
    expect(
      (await h.api('GET', '/api/v2/notifications/inbox', { token: alice.token })).body.notifications,
    ).toHaveLength(0);

    const pref = await h.api('PUT', '/api/v2/users/me/notifications/preferences', {
      token: alice.token,
      body: { template_disabled_map: { [tpl.body.id]: false } },
    });
    expect(pref.status).toBe(200);
    expect((await send()).status).toBe(201);
    const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: alice.token });
    expect(inbox.body.notifications.map((n: { title: string }) => n.title)).toEqual(['Your week']);
  });
});
