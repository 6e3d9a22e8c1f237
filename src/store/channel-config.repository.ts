import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { ChannelConfigTable } from './delivery.table.ts';

/** One row per configured channel type; `config` is JSON with secret fields already encrypted. */
export type ChannelConfigRow = Selectable<ChannelConfigTable>;

export async function listChannelConfigs(db: Executor): Promise<ChannelConfigRow[]> {
  return db.selectFrom('channel_configs').selectAll().orderBy('type').execute();
}

export async function getChannelConfig(db: Executor, type: string): Promise<ChannelConfigRow | undefined> {
  return db.selectFrom('channel_configs').selectAll().where('type', '=', type).executeTakeFirst();
}

/** Channel types that are enabled, for routing decisions inside a write transaction. */
export async function enabledChannelTypes(db: Executor): Promise<Set<string>> {
  const rows = await db.selectFrom('channel_configs').select('type').where('enabled', '=', 1).execute();
  return new Set(rows.map((r) => r.type));
}

export async function putChannelConfig(db: Executor, row: ChannelConfigRow): Promise<void> {
  await db
    .insertInto('channel_configs')
    .values(row)
    .onConflict((oc) =>
      oc.column('type').doUpdateSet({ enabled: row.enabled, config: row.config, updated_at: row.updated_at }),
    )
    .execute();
}

/** Inserts the row only when the type has none yet; true when this call inserted it. */
export async function insertChannelConfigIfMissing(db: Executor, row: ChannelConfigRow): Promise<boolean> {
  const res = await db
    .insertInto('channel_configs')
    .values(row)
    .onConflict((oc) => oc.column('type').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}
