import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const fields = (body: { validations?: Array<{ field: string }> }) =>
  (body.validations ?? []).map((v) => v.field).sort();

/** What Zentik's own DTO and enums accept beyond the document (docs/zentik-differences.md). */
describe.each(STORES)('messages family accepts what Zentik accepts on %s', (store) => {
  let h: TestHerald;
  let alice: { id: string; token: string };
  let bucketId: string;

  beforeAll(async () => {
    h = await startHerald(store);
    alice = await h.createUser('alice');
    bucketId = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'Home' } })).body
      .id;
  });
  afterAll(() => h?.close());

  const post = (body: Record<string, unknown>) =>
    h.api('POST', '/api/v1/messages', { token: alice.token, body: { bucketId, ...body } });

  it('defaults deliveryType to NORMAL when absent', async () => {
    const res = await post({ title: 'no type' });
    expect(res.status).toBe(201);
    expect(res.body.deliveryType).toBe('NORMAL');
  });

  it('accepts NO_PUSH, action type POSTPONE and attachment mediaType FILE', async () => {
    const res = await post({
      title: 'extras',
      deliveryType: 'NO_PUSH',
      actions: [{ type: 'POSTPONE', value: '60' }],
      attachments: [{ mediaType: 'FILE', url: 'https://example.com/report.pdf' }],
    });
    expect(res.status).toBe(201);
    expect(res.body.deliveryType).toBe('NO_PUSH');
    expect(res.body.actions).toEqual([{ type: 'POSTPONE', value: '60' }]);
    expect(res.body.attachments).toEqual([{ mediaType: 'FILE', url: 'https://example.com/report.pdf' }]);
  });

  it('takes actions without a value where the type needs none, and names it where it does', async () => {
    const ok = await post({
      title: 'no values',
      actions: [{ type: 'MARK_AS_READ', title: 'Done' }, { type: 'DELETE' }, { type: 'SNOOZE' }],
      tapAction: { type: 'OPEN_NOTIFICATION' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.actions).toEqual([
      { type: 'MARK_AS_READ', title: 'Done' },
      { type: 'DELETE' },
      { type: 'SNOOZE' },
    ]);
    expect(ok.body.tapAction).toEqual({ type: 'OPEN_NOTIFICATION' });
    const bad = await post({
      title: 'needs',
      actions: [{ type: 'WEBHOOK' }],
      tapAction: { type: 'NAVIGATE' },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['actions[0].value', 'tapAction.value']);
  });
});
