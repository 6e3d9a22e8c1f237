import { type Kysely, sql } from 'kysely';

/**
 * Fallback deliveries (docs/delivery.md, "Fallback") use the columns 0015 added; this adds the
 * index that finds a delivery's fallbacks by `fallback_of` (the log shows them beside the
 * original; a final failure brings the waiting ones forward). Partial: most rows are no one's
 * fallback.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('deliveries_fallback_of_idx')
    .on('deliveries')
    .column('fallback_of')
    .where(sql.ref('fallback_of'), 'is not', null)
    .execute();
}
