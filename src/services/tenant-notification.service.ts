import type { AppContext } from '../context.ts';
import { AppError, forbidden, invalid, invalidMany, notFound } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import { setReadAt } from '../store/inbox.repository.ts';
import { getTemplate } from '../store/template.repository.ts';
import {
  countTenantNotifications,
  ensureRecipient,
  getTenantNotification,
  listTenantNotifications,
  type TenantFilter,
  type TenantNotificationRow,
  templateReaches,
} from '../store/tenant-notification.repository.ts';
import { getUserById } from '../store/user.repository.ts';
import { markdownToPlaintext } from '../templates/markdown-plaintext.ts';
import { relativeTime } from '../templates/relative-time.ts';
import { missingPlaceholders } from '../templates/template-render.ts';
import { notifyFromTemplate } from './inbox.service.ts';

/**
 * The tenant family: template-keyed notifications for a tenant's users. Each is a message
 * committed through the one write path, so it is also an inbox item the inbox family lists
 * and watches. Recipients the hub has not seen become recipient-only users of that tenant.
 */
export interface TenantNotificationView {
  id: string;
  tenantId: string | null;
  templateKey: string | null;
  category: string | null;
  title: string;
  message: string;
  isActionable: boolean;
  status: 'READ' | 'UNREAD';
  createdAt: string;
  readAt: string | null;
  userId: string;
  entityType: string | null;
  entityId: string | null;
  actionUrl: string | null;
  payload: Record<string, unknown> | null;
  relativeTime: string;
}

export const toTenantView = (r: TenantNotificationRow, now: number): TenantNotificationView => ({
  id: r.id,
  tenantId: r.tenant_id,
  templateKey: r.template_key,
  category: r.category,
  title: markdownToPlaintext(r.title),
  message: markdownToPlaintext(r.body ?? ''),
  isActionable: r.is_actionable === 1,
  status: r.read_at === null ? 'UNREAD' : 'READ',
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at === null ? null : new Date(r.read_at).toISOString(),
  userId: r.user_id,
  entityType: r.entity_type,
  entityId: r.entity_id,
  actionUrl: r.action_url,
  payload: r.payload ? (JSON.parse(r.payload) as Record<string, unknown>) : null,
  relativeTime: relativeTime(new Date(r.created_at), new Date(now)),
});

export interface CreateTenantNotification {
  templateKey: string;
  userId: string;
  tenantId: string;
  entityType: string;
  entityId: string;
  placeholders: Record<string, unknown>;
  actionUrl?: string;
  payload?: Record<string, unknown>;
}

/**
 * Ids are compared as text by both stores, so `ABC…` and `abc…` would be two users (or two
 * tenants). The schema's `uuid` format also lets `urn:uuid:…` through; refuse that and keep
 * one spelling.
 */
export function canonicalUuid(field: string, value: string): string {
  if (!isUuid(value)) throw invalid(field, 'must be a uuid like 550e8400-e29b-41d4-a716-446655440000');
  return value.toLowerCase();
}

/** A token bound to a tenant may act only inside it. */
export function requireTenant(principal: Principal, tenantId: string): void {
  if (principal.tenantId !== null && principal.tenantId.toLowerCase() !== tenantId) {
    throw forbidden('This access token is bound to another tenant.');
  }
}

/**
 * Acting for another user (notifying them, reading or toggling theirs) needs an administrator's
 * credential: an admin's login or a token an admin created, which a tenant binding narrows to one
 * tenant. Anyone else acts only on their own notifications — otherwise any member could mint a
 * tenant-bound token and read, or write into, everybody's inbox.
 */
const mayActFor = (principal: Principal, userId: string): boolean =>
  principal.userId === userId || isAdmin(principal);

export async function createTenantNotification(
  ctx: AppContext,
  principal: Principal,
  raw: CreateTenantNotification,
): Promise<TenantNotificationView> {
  const input = {
    ...raw,
    userId: canonicalUuid('userId', raw.userId),
    tenantId: canonicalUuid('tenantId', raw.tenantId),
  };
  requireTenant(principal, input.tenantId);
  if (!mayActFor(principal, input.userId)) {
    throw forbidden("You can only notify yourself; notifying other users needs an administrator's token.");
  }
  const template = await getTemplate(ctx.store.db, input.templateKey);
  if (!template || template.key !== input.templateKey) {
    throw new AppError('notFound', `No template with key "${input.templateKey}".`, [
      { field: 'templateKey', detail: 'unknown template' },
    ]);
  }
  const missing = [
    ...new Set([
      ...missingPlaceholders(template.title_template, input.placeholders),
      ...missingPlaceholders(template.body_template, input.placeholders),
    ]),
  ];
  if (missing.length > 0) {
    throw invalidMany(
      missing.map((name) => ({ field: `placeholders.${name}`, detail: 'is required by the template' })),
    );
  }
  // Refuse before writing anything: an error must leave no message or recipient behind.
  if (!(await templateReaches(ctx.store.db, template.id, template.enabled_by_default === 1, input.userId))) {
    throw forbidden('The recipient has turned this notification off.');
  }
  const owner =
    (await getUserById(ctx.store.db, input.userId)) ??
    (await ctx.store.writer.run((tx) => ensureRecipient(tx, input.userId, input.tenantId, ctx.clock.now())));
  if (owner.kind === 'recipient' && owner.tenant_id !== input.tenantId) {
    throw forbidden('That user belongs to another tenant.');
  }
  const committed = await notifyFromTemplate(ctx, template, [input.userId], input.placeholders, {
    senderId: principal.userId,
    tenantId: input.tenantId,
    entityType: input.entityType,
    entityId: input.entityId,
    actionUrl: input.actionUrl ?? null,
    payload: input.payload ?? null,
  });
  const n = committed.notifications[0];
  if (!n) throw forbidden('The recipient has turned this notification off.');
  const row = await getTenantNotification(ctx.store.db, n.id);
  return toTenantView(row!, ctx.clock.now());
}

export const TIME_PERIODS = { '1m': 1, '3m': 3, '6m': 6, all: null } as const;
export type TimePeriod = keyof typeof TIME_PERIODS;

/**
 * Start of a period: the same UTC day and time `months` calendar months back, clamped to the
 * last day of a shorter month (31 March − 1m is 28/29 February, not 3 March, which would
 * silently drop the first days of the window).
 */
export function sinceOf(period: TimePeriod, now: number): number | undefined {
  const months = TIME_PERIODS[period];
  if (months === null) return undefined;
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}

/** Whose notifications a request reads: the caller's, or (admins and their tenant-bound tokens) a named user's. */
export function readerOf(
  principal: Principal,
  tenantId: string,
  userId?: string,
): { tenantId: string; userId: string } {
  const tenant = canonicalUuid('tenantId', tenantId);
  requireTenant(principal, tenant);
  if (!userId) return { tenantId: tenant, userId: principal.userId };
  const user = canonicalUuid('userId', userId);
  if (!mayActFor(principal, user)) {
    throw forbidden(
      "You can only read your own notifications; reading a user's needs an administrator's token.",
    );
  }
  return { tenantId: tenant, userId: user };
}

export async function listForTenant(
  ctx: AppContext,
  filter: TenantFilter,
  page: number,
  limit: number,
): Promise<{ page: number; limit: number; total: number; data: TenantNotificationView[] }> {
  const { rows, total } = await listTenantNotifications(ctx.store.db, filter, {
    limit,
    offset: (page - 1) * limit,
  });
  const now = ctx.clock.now();
  return { page, limit, total, data: rows.map((r) => toTenantView(r, now)) };
}

export async function countForTenant(ctx: AppContext, filter: TenantFilter, timePeriod: TimePeriod) {
  const { read, unread } = await countTenantNotifications(ctx.store.db, filter);
  return { unread, read, total: read + unread, timePeriod };
}

export async function toggleStatus(
  ctx: AppContext,
  principal: Principal,
  id: string,
  status: 'READ' | 'UNREAD',
): Promise<TenantNotificationView> {
  const row = await getTenantNotification(ctx.store.db, canonicalUuid('id', id));
  // Someone else's notification is "not found" rather than "forbidden": its existence is not
  // the caller's business.
  if (!row || row.tenant_id === null || !mayActFor(principal, row.user_id)) throw notFound('Notification');
  requireTenant(principal, row.tenant_id!);
  const now = ctx.clock.now();
  await ctx.store.writer.run((tx) => setReadAt(tx, row.user_id, row.id, status === 'READ' ? now : null));
  return toTenantView((await getTenantNotification(ctx.store.db, row.id))!, now);
}
