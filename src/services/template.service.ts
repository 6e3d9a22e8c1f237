import type { AppContext } from '../context.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { isUuid, newId } from '../domain/ids.ts';
import {
  deleteTemplate,
  getTemplate,
  insertTemplate,
  listTemplates,
  type TemplateRow,
  updateTemplate,
} from '../store/template.repository.ts';
import { isUniqueViolation } from './user.service.ts';

/**
 * Admin management of the one template store the inbox and tenant families read. System
 * templates (seeded at start) keep their identity; custom ones are the operator's.
 */
export type TemplateKind = 'system' | 'custom';

export interface TemplateAction {
  label: string;
  url: string;
}

export interface TemplateView {
  id: string;
  templateKey: string;
  kind: string;
  name: string;
  category: string;
  titleTemplate: string;
  messageTemplate: string;
  actions: TemplateAction[];
  isActionable: boolean;
  enabledByDefault: boolean;
  method: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the inbox family (`/api/v2/notifications/templates/*`) shows of a template. */
export interface InboxTemplateView {
  id: string;
  name: string;
  title_template: string;
  body_template: string;
  actions: string;
  group: string;
  method: string;
  kind: string;
  enabled_by_default: boolean;
}

export const toTemplateView = (t: TemplateRow): TemplateView => ({
  id: t.id,
  templateKey: t.key,
  kind: t.kind,
  name: t.name,
  category: t.group_name,
  titleTemplate: t.title_template,
  messageTemplate: t.body_template,
  actions: JSON.parse(t.actions) as TemplateAction[],
  isActionable: t.is_actionable === 1,
  enabledByDefault: t.enabled_by_default === 1,
  method: t.method,
  createdAt: new Date(t.created_at).toISOString(),
  updatedAt: new Date(t.updated_at).toISOString(),
});

const toInboxTemplateView = (t: TemplateRow): InboxTemplateView => ({
  id: t.id,
  name: t.name,
  title_template: t.title_template,
  body_template: t.body_template,
  actions: t.actions,
  group: t.group_name,
  method: t.method ?? '',
  kind: t.kind,
  enabled_by_default: t.enabled_by_default === 1,
});

export async function listTemplateViews(ctx: AppContext, kind?: TemplateKind): Promise<TemplateView[]> {
  return (await listTemplates(ctx.store.db, kind)).map(toTemplateView);
}

export async function listInboxTemplates(ctx: AppContext, kind: TemplateKind): Promise<InboxTemplateView[]> {
  return (await listTemplates(ctx.store.db, kind)).map(toInboxTemplateView);
}

async function findTemplate(ctx: AppContext, ref: string): Promise<TemplateRow> {
  const t = await getTemplate(ctx.store.db, ref);
  if (!t) throw notFound('Template');
  return t;
}

/** `ref` is a template id or key. */
export async function getTemplateView(ctx: AppContext, ref: string): Promise<TemplateView> {
  return toTemplateView(await findTemplate(ctx, ref));
}

export interface TemplateFields {
  name: string;
  category: string;
  titleTemplate: string;
  messageTemplate: string;
  actions: TemplateAction[];
  isActionable: boolean;
  enabledByDefault: boolean;
  method: string | null;
}

export type NewTemplateInput = { templateKey: string } & Pick<
  TemplateFields,
  'name' | 'titleTemplate' | 'messageTemplate'
> &
  Partial<Omit<TemplateFields, 'name' | 'titleTemplate' | 'messageTemplate'>>;

export async function createTemplate(ctx: AppContext, input: NewTemplateInput): Promise<TemplateView> {
  // Templates are addressed by id or key on one path; a uuid-shaped key could name another
  // template's id and make every lookup ambiguous.
  if (isUuid(input.templateKey)) {
    throw invalid('templateKey', 'must not be a uuid (ids and keys share one lookup)');
  }
  const now = ctx.clock.now();
  const row: TemplateRow = {
    id: newId(now),
    key: input.templateKey,
    kind: 'custom',
    name: input.name,
    group_name: input.category ?? '',
    title_template: input.titleTemplate,
    body_template: input.messageTemplate,
    actions: JSON.stringify(input.actions ?? []),
    enabled_by_default: input.enabledByDefault === false ? 0 : 1,
    method: input.method ?? null,
    is_actionable: input.isActionable ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  try {
    await ctx.store.writer.run((tx) => insertTemplate(tx, row));
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(`A template with key "${input.templateKey}" exists.`, 'templateKey');
    }
    throw err;
  }
  return toTemplateView(row);
}

export async function patchTemplate(
  ctx: AppContext,
  ref: string,
  patch: Partial<TemplateFields>,
): Promise<TemplateView> {
  const t = await findTemplate(ctx, ref);
  // Clients find system templates by name and group them by category; text, actions and
  // delivery settings are the operator's to change. Resending the current value is fine.
  if (t.kind === 'system') {
    const fixed = [
      ...(patch.name !== undefined && patch.name !== t.name ? ['name'] : []),
      ...(patch.category !== undefined && patch.category !== t.group_name ? ['category'] : []),
    ];
    if (fixed.length > 0) {
      throw forbidden(`A system template's ${fixed.join(' and ')} cannot be changed.`);
    }
  }
  await ctx.store.writer.run((tx) =>
    updateTemplate(tx, t.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.category !== undefined ? { group_name: patch.category } : {}),
      ...(patch.titleTemplate !== undefined ? { title_template: patch.titleTemplate } : {}),
      ...(patch.messageTemplate !== undefined ? { body_template: patch.messageTemplate } : {}),
      ...(patch.actions !== undefined ? { actions: JSON.stringify(patch.actions) } : {}),
      ...(patch.isActionable !== undefined ? { is_actionable: patch.isActionable ? 1 : 0 } : {}),
      ...(patch.enabledByDefault !== undefined ? { enabled_by_default: patch.enabledByDefault ? 1 : 0 } : {}),
      ...(patch.method !== undefined ? { method: patch.method } : {}),
      updated_at: ctx.clock.now(),
    }),
  );
  return toTemplateView((await getTemplate(ctx.store.db, t.id))!);
}

export async function removeTemplate(ctx: AppContext, ref: string): Promise<void> {
  const t = await findTemplate(ctx, ref);
  if (t.kind === 'system') throw forbidden('System templates cannot be deleted.');
  await ctx.store.writer.run((tx) => deleteTemplate(tx, t.id));
}
