import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.ts';
import type { TemplateTable } from './message.table.ts';

export type TemplateRow = Selectable<TemplateTable>;

export async function listTemplates(db: Executor, kind?: string): Promise<TemplateRow[]> {
  let q = db.selectFrom('templates').selectAll();
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('group_name').orderBy('name').execute();
}

export async function getTemplate(db: Executor, idOrKey: string): Promise<TemplateRow | undefined> {
  return db
    .selectFrom('templates')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrKey), eb('key', '=', idOrKey)]))
    .executeTakeFirst();
}

export async function getTemplatesByIds(db: Executor, ids: readonly string[]): Promise<TemplateRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('templates').selectAll().where('id', 'in', ids).execute();
}

export async function insertTemplate(db: Executor, row: Insertable<TemplateTable>): Promise<void> {
  await db.insertInto('templates').values(row).execute();
}

/** Inserts templates that are not there yet (by key); existing ones are left as the operator edited them. */
export async function insertMissingTemplates(db: Executor, rows: Insertable<TemplateTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('templates')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function updateTemplate(
  db: Executor,
  id: string,
  patch: Updateable<TemplateTable>,
): Promise<void> {
  await db.updateTable('templates').set(patch).where('id', '=', id).execute();
}

export async function deleteTemplate(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom('templates').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
