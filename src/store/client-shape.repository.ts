import type { Executor } from './database.ts';

export type ClientShapeKind = 'channel' | 'rule';

export interface ClientShape {
  dialect: string;
  shape: Record<string, unknown>;
}

/** Records the vocabulary a setting was saved in; `null` means the core's own (nothing kept). */
export async function putClientShape(
  db: Executor,
  kind: ClientShapeKind,
  subjectId: string,
  value: ClientShape | null,
  now: number,
): Promise<void> {
  if (value === null) {
    await deleteClientShape(db, kind, subjectId);
    return;
  }
  const row = { dialect: value.dialect, shape: JSON.stringify(value.shape), updated_at: now };
  await db
    .insertInto('client_shapes')
    .values({ kind, subject_id: subjectId, ...row })
    .onConflict((oc) => oc.columns(['kind', 'subject_id']).doUpdateSet(row))
    .execute();
}

export async function deleteClientShape(
  db: Executor,
  kind: ClientShapeKind,
  subjectId: string,
): Promise<void> {
  await db.deleteFrom('client_shapes').where('kind', '=', kind).where('subject_id', '=', subjectId).execute();
}

export async function listClientShapes(
  db: Executor,
  kind: ClientShapeKind,
): Promise<Map<string, ClientShape>> {
  const rows = await db
    .selectFrom('client_shapes')
    .select(['subject_id', 'dialect', 'shape'])
    .where('kind', '=', kind)
    .execute();
  return new Map(
    rows.map((r) => [
      r.subject_id,
      { dialect: r.dialect, shape: JSON.parse(r.shape) as Record<string, unknown> },
    ]),
  );
}
