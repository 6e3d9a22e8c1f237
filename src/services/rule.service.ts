import type { AppContext } from '../context.ts';
import { notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Rule, RuleDefinition } from '../rules/rule.types.ts';
import {
  type ClientShape,
  deleteClientShape,
  listClientShapes,
  putClientShape,
} from '../store/client-shape.repository.ts';
import { listRecipientDirectory } from '../store/recipient.repository.ts';
import { listRoles } from '../store/role.repository.ts';
import {
  deleteRule,
  getRule,
  insertRule,
  listRules,
  type RuleRow,
  ruleColumns,
  ruleFromRow,
  updateRule,
} from '../store/rule.repository.ts';

/** Rules administration for the routing family; definitions arrive already checked. */

export async function listAllRules(ctx: AppContext): Promise<Rule[]> {
  return (await listRules(ctx.store.db)).map(ruleFromRow);
}

export type { ClientShape };

/**
 * How a client wrote a rule, when not in the core's vocabulary: `undefined` keeps what is
 * recorded, `null` forgets it (the rule was written in the core's own terms), a shape of the
 * recorded dialect is merged over the recorded one (a partial update writes part of it).
 */
export interface RuleShapeOption {
  clientShape?: ClientShape | null;
}

/** Per rule id, the client vocabulary it was last written in. */
export async function ruleClientShapes(ctx: AppContext): Promise<Map<string, ClientShape>> {
  return listClientShapes(ctx.store.db, 'rule');
}

export async function createRule(
  ctx: AppContext,
  definition: RuleDefinition,
  opts: RuleShapeOption = {},
): Promise<Rule> {
  const now = ctx.clock.now();
  const row = {
    id: newId(now),
    created_at: now,
    updated_at: now,
    last_triggered_at: null,
    ...ruleColumns(definition),
  } as RuleRow;
  await ctx.store.writer.run(async (tx) => {
    await insertRule(tx, row);
    if (opts.clientShape) await putClientShape(tx, 'rule', row.id, opts.clientShape, now);
  });
  return ruleFromRow(row);
}

/** Applies the fields present in `patch`; the rest stay as they are. */
export async function updateRuleById(
  ctx: AppContext,
  id: string,
  patch: Partial<RuleDefinition>,
  opts: RuleShapeOption = {},
): Promise<Rule> {
  const existing = await getRule(ctx.store.db, id);
  if (!existing) throw notFound('Rule');
  const now = ctx.clock.now();
  let shape = opts.clientShape;
  if (shape) {
    const recorded = (await listClientShapes(ctx.store.db, 'rule')).get(existing.id);
    if (recorded?.dialect === shape.dialect)
      shape = { ...shape, shape: { ...recorded.shape, ...shape.shape } };
  }
  await ctx.store.writer.run(async (tx) => {
    await updateRule(tx, existing.id, { ...ruleColumns(patch), updated_at: now });
    if (shape !== undefined) await putClientShape(tx, 'rule', existing.id, shape, now);
  });
  return ruleFromRow((await getRule(ctx.store.db, existing.id))!);
}

/** Turns a rule on or off; returns whether it is now enabled. */
export async function toggleRuleById(ctx: AppContext, id: string): Promise<boolean> {
  const existing = await getRule(ctx.store.db, id);
  if (!existing) throw notFound('Rule');
  const enabled = existing.enabled !== 1;
  await ctx.store.writer.run((tx) =>
    updateRule(tx, existing.id, { enabled: enabled ? 1 : 0, updated_at: ctx.clock.now() }),
  );
  return enabled;
}

export async function deleteRuleById(ctx: AppContext, id: string): Promise<void> {
  const ok = await ctx.store.writer.run(async (tx) => {
    const deleted = await deleteRule(tx, id);
    if (deleted) await deleteClientShape(tx, 'rule', id);
    return deleted;
  });
  if (!ok) throw notFound('Rule');
}

/** The users and roles a rule action may name. */
export async function ruleRecipients(ctx: AppContext) {
  const [users, roles] = await Promise.all([listRecipientDirectory(ctx.store.db), listRoles(ctx.store.db)]);
  return { users, roles: roles.map((r) => ({ id: r.id, name: r.name })) };
}
