import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/domain/ids.ts';
import { enqueue } from '../src/queue/enqueue.ts';
import { runRetention } from '../src/workers/retention.worker.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { until } from './support/wait.ts';

const DAY = 24 * 60 * 60 * 1000;
const content = { title: 'Backup failed', text: 'nightly backup exited with 2' };

describe.each(STORES)('delivery log and retention on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let ok: HttpReceiver;
  let refusing: HttpReceiver;
  let refuse = true;
  const ids = {
    sentA: [] as string[],
    failedB: [] as string[],
    pendingA: [] as string[],
    sentNone: [] as string[],
  };

  beforeAll(async () => {
    h = await startHerald(store, { env: { HERALD_POLL_INTERVAL_MS: '100' } });
    admin = await h.adminToken();
    ok = await createHttpReceiver();
    refusing = await createHttpReceiver({
      respond: () => (refuse ? { status: 404, body: 'no_service' } : { status: 200, body: 'ok' }),
    });
    for (const [type, config] of [
      ['webhook', { url: `${ok.url}/hook` }],
      ['slack', { webhookUrl: `${refusing.url}/services/T/B/X` }],
    ] as const) {
      const res = await h.api('PUT', `/api/v1/notifications/channels/${type}`, {
        token: admin,
        body: { enabled: true, config },
      });
      expect(res.status).toBe(200);
    }
    const ctx = h.server.ctx;
    ids.sentA = await enqueue(ctx, [
      { channel: 'webhook', recipients: [{}, {}, {}], content, ruleId: 'rule_a', ruleName: 'Rule A' },
    ]);
    ids.failedB = await enqueue(ctx, [
      { channel: 'slack', recipients: [{}, {}], content, ruleId: 'rule_b', ruleName: 'Rule B' },
    ]);
    ids.pendingA = await enqueue(ctx, [
      {
        channel: 'webhook',
        recipients: [{}, {}],
        content,
        ruleId: 'rule_a',
        ruleName: 'Rule A',
        notBefore: Date.now() + 60 * 60 * 1000,
      },
    ]);
    ids.sentNone = await enqueue(ctx, [{ channel: 'webhook', recipients: [{}], content }]);
    await until(async () => {
      const res = await h.api('GET', '/api/v1/notifications/log?status=pending', { token: admin });
      return res.body.total === 2;
    });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([ok?.close(), refusing?.close()]);
  });

  const log = (query = '') => h.api('GET', `/api/v1/notifications/log${query}`, { token: admin });
  const idsOf = (res: { body: { entries: Array<{ id: string }> } }) => res.body.entries.map((e) => e.id);

  it('lists entries newest first in the spec shape, 50 per page by default', async () => {
    const res = await log();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 8, page: 1, limit: 50 });
    expect(res.body.entries).toHaveLength(8);
    const created = res.body.entries.map((e: { createdAt: string }) => e.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const sent = res.body.entries.find((e: { id: string }) => e.id === ids.sentA[0]);
    expect(sent).toEqual({
      id: ids.sentA[0],
      ruleId: 'rule_a',
      ruleName: 'Rule A',
      channel: 'webhook',
      status: 'sent',
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      error: null,
      attempts: 1,
      createdAt: expect.any(String),
      payload: { to: {}, ...content },
      retryOf: null,
      fallbackOf: null,
      fallbackIds: [],
      reason: null,
      test: false,
    });
    const failed = res.body.entries.find((e: { id: string }) => e.id === ids.failedB[0]);
    // Never sent: sentAt is its last attempt, so every entry has a place in time.
    expect(failed).toMatchObject({
      status: 'failed',
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      error: expect.stringContaining('answered 404'),
    });
    const pending = res.body.entries.find((e: { id: string }) => e.id === ids.pendingA[0]);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, sentAt: pending.createdAt });
  });

  it('filters by status and rule, and pages without gaps or repeats', async () => {
    expect((await log('?status=sent')).body.total).toBe(4);
    expect(idsOf(await log('?status=failed')).sort()).toEqual([...ids.failedB].sort());
    expect(idsOf(await log('?status=pending')).sort()).toEqual([...ids.pendingA].sort());
    expect((await log('?rule_id=rule_a')).body.total).toBe(5);
    expect(idsOf(await log('?rule_id=rule_a&status=pending')).sort()).toEqual([...ids.pendingA].sort());
    expect((await log('?rule_id=nope')).body).toEqual({ entries: [], total: 0, page: 1, limit: 50 });

    const pages = [await log('?limit=3&page=1'), await log('?limit=3&page=2'), await log('?limit=3&page=3')];
    expect(pages.map((p) => p.body.entries.length)).toEqual([3, 3, 2]);
    expect(pages[1].body).toMatchObject({ page: 2, limit: 3, total: 8 });
    const all = pages.flatMap(idsOf);
    expect(new Set(all).size).toBe(8);
    expect((await log('?limit=3&page=4')).body.entries).toEqual([]);

    const bad = await log('?status=lost&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.validations.map((v: { field: string }) => v.field).sort()).toEqual(['limit', 'status']);
    expect((await log('?limit=1000')).status).toBe(400);
  });

  it('filters by channel and by time on the server, combined with the others, and pages them', async () => {
    const all = (await log()).body.entries as Array<{ id: string; channel: string; createdAt: string }>;
    expect((await log('?channel=webhook')).body.total).toBe(6);
    expect(idsOf(await log('?channel=slack')).sort()).toEqual([...ids.failedB].sort());
    expect((await log('?channel=slack&status=sent')).body.total).toBe(0);
    expect((await log('?channel=email')).body).toEqual({ entries: [], total: 0, page: 1, limit: 50 });

    // A window from one entry's creation: the server counts exactly those at or after it.
    const times = all.map((e) => Date.parse(e.createdAt)).sort((a, b) => a - b);
    const from = new Date(times[3]).toISOString();
    const inWindow = all.filter((e) => Date.parse(e.createdAt) >= times[3]).map((e) => e.id);
    const since = await log(`?since=${encodeURIComponent(from)}`);
    expect(idsOf(since).sort()).toEqual([...inWindow].sort());
    const olderThan = all.filter((e) => Date.parse(e.createdAt) < times[3]).map((e) => e.id);
    expect(idsOf(await log(`?before=${encodeURIComponent(from)}`)).sort()).toEqual([...olderThan].sort());
    const webhookInWindow = all.filter((e) => e.channel === 'webhook' && Date.parse(e.createdAt) >= times[3]);
    const paged = [
      await log(`?channel=webhook&since=${encodeURIComponent(from)}&limit=2&page=1`),
      await log(`?channel=webhook&since=${encodeURIComponent(from)}&limit=2&page=2`),
      await log(`?channel=webhook&since=${encodeURIComponent(from)}&limit=2&page=3`),
      await log(`?channel=webhook&since=${encodeURIComponent(from)}&limit=2&page=4`),
    ];
    expect(paged[0].body.total).toBe(webhookInWindow.length);
    expect(paged.flatMap(idsOf).sort()).toEqual(webhookInWindow.map((e) => e.id).sort());

    const past = new Date(Date.now() - DAY).toISOString();
    const empty = await log(`?since=${encodeURIComponent(new Date(Date.now() + DAY).toISOString())}`);
    expect(empty.body.total).toBe(0);
    const reversed = await log(`?since=${encodeURIComponent(from)}&before=${encodeURIComponent(past)}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.validations[0].field).toBe('since');
    const bad = await log('?since=today&channel=Web%20hook');
    expect(bad.status).toBe(400);
    expect(bad.body.validations.map((v: { field: string }) => v.field).sort()).toEqual(['channel', 'since']);
    expect((await log()).body.total).toBe(8);
  });

  it('retries a failed entry at once as a new linked entry; other states and unknown ids are refused', async () => {
    const id = ids.failedB[0];
    const failing = await h.api('POST', `/api/v1/notifications/log/${id}/retry`, { token: admin });
    expect(failing.status).toBe(502);
    expect(failing.body.error).toContain('answered 404');
    const failedRetry = (await log('?rule_id=rule_b')).body.entries.find(
      (x: { retryOf: string | null }) => x.retryOf === id,
    );
    expect(failedRetry).toMatchObject({ status: 'failed', attempts: 1 });
    // The failed retry is an entry of its own; it is not kept for the rest of this suite.
    expect(
      (await h.api('DELETE', `/api/v1/notifications/log/${failedRetry.id}`, { token: admin })).status,
    ).toBe(200);

    refuse = false;
    const res = await h.api('POST', `/api/v1/notifications/log/${id}/retry`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      entry: expect.objectContaining({
        status: 'sent',
        retryOf: id,
        attempts: 1,
        error: null,
        ruleId: 'rule_b',
      }),
    });
    const original = (await log('?rule_id=rule_b')).body.entries.find((x: { id: string }) => x.id === id);
    expect(original).toMatchObject({ status: 'failed', error: expect.stringContaining('answered 404') });

    const again = await h.api('POST', `/api/v1/notifications/log/${res.body.entry.id}/retry`, {
      token: admin,
    });
    expect(again.status).toBe(409);
    expect((await h.api('POST', '/api/v1/notifications/log/nope/retry', { token: admin })).status).toBe(404);
  });

  it('deletes one entry, and in bulk by status, rule, channel and time', async () => {
    const one = ids.sentNone[0];
    expect((await h.api('DELETE', `/api/v1/notifications/log/${one}`, { token: admin })).body).toEqual({
      ok: true,
    });
    expect((await h.api('DELETE', `/api/v1/notifications/log/${one}`, { token: admin })).status).toBe(404);

    const bulk = (q: string) => h.api('DELETE', `/api/v1/notifications/log${q}`, { token: admin });
    // Both failures of rule B keep their record after one was retried (the retry is its own entry).
    expect((await bulk('?status=failed&rule_id=rule_b')).body).toEqual({ ok: true, deleted: 2 });
    expect((await bulk(`?status=pending&before=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).body).toEqual(
      {
        ok: true,
        deleted: 0,
      },
    );
    const future = new Date(Date.now() + DAY).toISOString();
    expect((await bulk(`?status=pending&rule_id=rule_a&before=${future}`)).body).toEqual({
      ok: true,
      deleted: 2,
    });
    const since = encodeURIComponent(new Date(Date.now() + DAY).toISOString());
    expect((await bulk(`?channel=webhook&since=${since}`)).body).toEqual({ ok: true, deleted: 0 });
    const badDate = await bulk('?before=yesterday');
    expect(badDate.status).toBe(400);
    expect(badDate.body.validations[0].field).toBe('before');
    expect((await log()).body.total).toBe(4);
    expect((await bulk('')).body).toEqual({ ok: true, deleted: 4 });
    expect((await log()).body.total).toBe(0);
  });

  it('reads and validates the retention setting', async () => {
    expect((await h.api('GET', '/api/v1/notifications/settings', { token: admin })).body).toEqual({
      retentionDays: 90,
    });
    const put = await h.api('PUT', '/api/v1/notifications/settings', {
      token: admin,
      body: { retentionDays: 30 },
    });
    expect(put.body).toEqual({ ok: true, retentionDays: 30 });
    expect((await h.api('GET', '/api/v1/notifications/settings', { token: admin })).body).toEqual({
      retentionDays: 30,
    });
    for (const retentionDays of [0, 3651, 1.5]) {
      const bad = await h.api('PUT', '/api/v1/notifications/settings', {
        token: admin,
        body: { retentionDays },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.validations[0].field).toBe('retentionDays');
    }
  });

  it('retention removes old log entries, notifications, messages and attachment rows and files', async () => {
    const ctx = h.server.ctx;
    const db = ctx.store.db;
    const now = Date.now();
    const old = now - 40 * DAY;
    const adminId = (
      await db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'admin@example.com')
        .executeTakeFirstOrThrow()
    ).id;
    const message = (id: string, at: number) => ({
      id,
      title: 'm',
      delivery_type: 'NORMAL',
      created_at: at,
      bucket_id: null,
      sender_id: null,
      template_id: null,
      subtitle: null,
      body: null,
      tap_action: null,
      sound: null,
      locale: null,
      group_id: null,
      collapse_id: null,
      tenant_id: null,
      entity_type: null,
      entity_id: null,
      action_url: null,
      payload: null,
    });
    const [oldMsg, newMsg] = [newId(old), newId(now)];
    await db
      .insertInto('messages')
      .values([message(oldMsg, old), message(newMsg, now)])
      .execute();
    await db
      .insertInto('notifications')
      .values([
        { id: newId(old), message_id: oldMsg, user_id: adminId, created_at: old },
        { id: newId(now), message_id: newMsg, user_id: adminId, created_at: now },
      ] as never)
      .execute();
    const attachment = (id: string, messageId: string | null, at: number) => {
      const rel = path.join('attachments', id.slice(0, 2), id);
      mkdirSync(path.join(h.dataDir, 'attachments', id.slice(0, 2)), { recursive: true });
      writeFileSync(path.join(h.dataDir, rel), 'bytes');
      return {
        id,
        owner_id: adminId,
        message_id: messageId,
        filename: 'f.txt',
        content_type: 'text/plain',
        media_type: 'FILE',
        size: 5,
        path: rel,
        source_url: null,
        created_at: at,
      };
    };
    const oldAtt = attachment(newId(old), oldMsg, old);
    const oldButInUse = attachment(newId(old), newMsg, old);
    const newAtt = attachment(newId(now), newMsg, now);
    await db.insertInto('attachments').values([oldAtt, oldButInUse, newAtt]).execute();
    const delivery = (status: string, at: number) => ({
      id: newId(at),
      channel: 'webhook',
      status,
      message_id: null,
      notification_id: null,
      user_id: null,
      rule_id: null,
      rule_name: null,
      recipient: '{}',
      content: JSON.stringify(content),
      window_key: null,
      next_attempt_at: at + 10 * 365 * DAY,
      lease_until: null,
      last_error: null,
      created_at: at,
      updated_at: at,
      sent_at: status === 'sent' ? at : null,
    });
    const oldSent = delivery('sent', old);
    const oldFailed = delivery('failed', old);
    const oldPending = delivery('pending', old);
    const newSent = delivery('sent', now);
    await db.insertInto('deliveries').values([oldSent, oldFailed, oldPending, newSent]).execute();

    const result = await runRetention(ctx);
    expect(result).toEqual({ deliveries: 2, attachments: 1, notifications: 1, messages: 1 });
    const left = async (table: 'messages' | 'notifications' | 'attachments' | 'deliveries') =>
      (await db.selectFrom(table).select('id').execute()).map((r) => r.id).sort();
    expect(await left('messages')).toEqual([newMsg]);
    expect((await left('notifications')).length).toBe(1);
    expect(await left('attachments')).toEqual([oldButInUse.id, newAtt.id].sort());
    expect(await left('deliveries')).toEqual([oldPending.id, newSent.id].sort());
    expect(existsSync(path.join(h.dataDir, oldAtt.path))).toBe(false);
    expect(existsSync(path.join(h.dataDir, oldButInUse.path))).toBe(true);
    expect(existsSync(path.join(h.dataDir, newAtt.path))).toBe(true);
  });
});
