import { type Kysely, sql } from 'kysely';

/**
 * Two changes for Coder's clients.
 *
 * `notifications.held_since`: set on inbox items written while the notifier is paused. coderd
 * delivers its inbox through the same paused queue as every other method, so a paused server
 * shows nothing new in the inbox until it resumes; Herald holds the items the same way and
 * releases them (as new, at the resume time) when it resumes. The partial index finds them.
 *
 * The custom and test templates take Coder's own ids (coderd's TemplateCustomNotification and
 * TemplateTestNotification), so Coder clients that filter the inbox by template find them.
 * Installations that already hold the old rows keep their text and edits: each row is copied
 * under the new id, every reference (messages, notifications, preferences) is moved to it, and
 * the old row goes. A fresh store has neither row yet; start-up seeds them under the new ids.
 */
const MOVES: Array<{ from: string; to: string }> = [
  { from: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a02', to: '39b1e189-c857-4b0c-877a-511144c18516' },
  { from: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a03', to: 'c425f63e-716a-4bf4-ae24-78348f706c3f' },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('held_since', 'bigint').execute();
  await db.schema
    .createIndex('notifications_held_idx')
    .on('notifications')
    .column('held_since')
    .where(sql.ref('held_since'), 'is not', null)
    .execute();

  for (const { from, to } of MOVES) {
    const old = await sql<{ key: string }>`select key from templates where id = ${from}`.execute(db);
    if (old.rows.length === 0) continue;
    const key = old.rows[0].key;
    // The key is unique: park the old row's key until the copy holds it.
    await sql`update templates set key = ${`${key}:moving`} where id = ${from}`.execute(db);
    await sql`insert into templates (id, key, kind, name, group_name, title_template, body_template,
        actions, enabled_by_default, method, is_actionable, created_at, updated_at)
      select ${to}, ${key}, kind, name, group_name, title_template, body_template, actions,
        enabled_by_default, method, is_actionable, created_at, updated_at
      from templates where id = ${from}`.execute(db);
    await sql`update messages set template_id = ${to} where template_id = ${from}`.execute(db);
    await sql`update notifications set template_id = ${to} where template_id = ${from}`.execute(db);
    await sql`update preferences set template_id = ${to} where template_id = ${from}`.execute(db);
    await sql`delete from templates where id = ${from}`.execute(db);
  }
}
