import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { UserAddressTable } from './delivery.table.ts';

/** A user's own address on one channel (see services/user-address.service.ts). */
export type UserAddressRow = Selectable<UserAddressTable>;

export async function listUserAddresses(db: Executor, userId: string): Promise<UserAddressRow[]> {
  return db
    .selectFrom('user_addresses')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('channel')
    .execute();
}

/** Every address of these users, for expanding rule recipients. */
export async function addressesOfUsers(db: Executor, userIds: readonly string[]): Promise<UserAddressRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('user_addresses').selectAll().where('user_id', 'in', userIds).execute();
}

export async function putUserAddress(db: Executor, row: UserAddressRow): Promise<void> {
  await db
    .insertInto('user_addresses')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['user_id', 'channel']).doUpdateSet({ address: row.address, updated_at: row.updated_at }),
    )
    .execute();
}

export async function deleteUserAddress(db: Executor, userId: string, channel: string): Promise<boolean> {
  const res = await db
    .deleteFrom('user_addresses')
    .where('user_id', '=', userId)
    .where('channel', '=', channel)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
