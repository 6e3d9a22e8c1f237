import type { Executor } from './database.ts';

export interface PreferenceRow {
  template_id: string;
  disabled: number;
  updated_at: number;
}

export async function listPreferences(db: Executor, userId: string): Promise<PreferenceRow[]> {
  return db
    .selectFrom('preferences')
    .select(['template_id', 'disabled', 'updated_at'])
    .where('user_id', '=', userId)
    .orderBy('template_id')
    .execute();
}

export async function upsertPreferences(
  db: Executor,
  userId: string,
  entries: ReadonlyArray<{ templateId: string; disabled: boolean }>,
  now: number,
): Promise<void> {
  for (const e of entries) {
    const disabled = e.disabled ? 1 : 0;
    await db
      .insertInto('preferences')
      .values({ user_id: userId, template_id: e.templateId, disabled, updated_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'template_id']).doUpdateSet({ disabled, updated_at: now }))
      .execute();
  }
}
