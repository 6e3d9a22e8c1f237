import { type Kysely, sql } from 'kysely';
import { newMagicCode } from '../../domain/magic-code.ts';

/** Rows per insert while backfilling (well under both stores' bound-parameter limits). */
const BACKFILL_CHUNK = 500;

/**
 * Magic codes: one per bucket membership (docs/buckets.md, "Magic codes"). The code is the key
 * (its unique index is the lookup a send makes); `(bucket_id, user_id)` names the membership,
 * at most one code each, and the row goes when the membership goes (the foreign key cascades;
 * the repository also deletes it explicitly). Every existing membership gets a code here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bucket_magic_codes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('bucket_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('bucket_magic_codes_member', ['bucket_id', 'user_id'])
    .addForeignKeyConstraint(
      'bucket_magic_codes_membership',
      ['bucket_id', 'user_id'],
      'bucket_members',
      ['bucket_id', 'user_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  const members = await sql<{ bucket_id: string; user_id: string }>`
    select bucket_id, user_id from bucket_members order by bucket_id, user_id`.execute(db);
  const now = Date.now();
  // The table is new, so codes need only be unique among themselves.
  const taken = new Set<string>();
  const rows = members.rows.map((m) => {
    let code = newMagicCode();
    while (taken.has(code)) code = newMagicCode();
    taken.add(code);
    return { code, bucket_id: m.bucket_id, user_id: m.user_id, created_at: now };
  });
  for (let i = 0; i < rows.length; i += BACKFILL_CHUNK) {
    await (db as Kysely<{ bucket_magic_codes: (typeof rows)[number] }>)
      .insertInto('bucket_magic_codes')
      .values(rows.slice(i, i + BACKFILL_CHUNK))
      .execute();
  }
}
