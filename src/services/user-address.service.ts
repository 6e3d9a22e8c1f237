import type { Recipient } from '../channels/channel.ts';
import { maskValue, openValue, sealValue } from '../channels/channel-secrets.ts';
import type { AppContext } from '../context.ts';
import { forbidden, invalid, notFound } from '../domain/errors.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import { assertOutboundUrl } from '../net/outbound-guard.ts';
import {
  deleteUserAddress,
  listUserAddresses,
  putUserAddress,
  type UserAddressRow,
} from '../store/user-address.repository.ts';
import { channelKey } from './channel-settings.service.ts';

/**
 * A user's own addresses, one per channel, used wherever a rule action or a bucket channel
 * names that user (or a role they hold): `smtp` an email address (preferred over the
 * account's), `telegram` a chat id, `slack` and `discord` an incoming webhook URL. Webhook
 * URLs are credentials: sealed at rest like channel secrets (bound to the user and channel),
 * masked on read, opened only to send; every URL passes the outbound guard when saved and
 * again on each send.
 */
export const ADDRESS_CHANNELS = ['smtp', 'telegram', 'slack', 'discord'] as const;
export type AddressChannel = (typeof ADDRESS_CHANNELS)[number];

const SEALED = 'enc:v1:';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CHAT_ID = /^-?\d+$|^@[A-Za-z][A-Za-z0-9_]{3,}$/;
const sealedField = (userId: string) => `address:${userId}`;
const isSealedChannel = (channel: string) => channel === 'slack' || channel === 'discord';

export interface UserAddressView {
  channel: string;
  /** Webhook URLs read back masked. */
  address: string;
  updatedAt: string;
}

function toView(ctx: AppContext, row: UserAddressRow): UserAddressView {
  let address = row.address;
  if (address.startsWith(SEALED)) {
    try {
      address = maskValue(String(openValue(channelKey(ctx), row.channel, sealedField(row.user_id), address)));
    } catch {
      address = '(cannot be decrypted; save it again)';
    }
  }
  return { channel: row.channel, address, updatedAt: new Date(row.updated_at).toISOString() };
}

/** `me`, or the caller's own id; server admins may name anyone. */
function subjectOf(principal: Principal, ref: string): string {
  const id = ref === 'me' ? principal.userId : ref;
  if (id !== principal.userId && !isAdmin(principal))
    throw forbidden('You may only manage your own addresses.');
  return id;
}

export async function userAddresses(ctx: AppContext, principal: Principal, ref: string) {
  const userId = subjectOf(principal, ref);
  return (await listUserAddresses(ctx.store.db, userId)).map((r) => toView(ctx, r));
}

async function checkAddress(ctx: AppContext, channel: AddressChannel, raw: string): Promise<string> {
  const address = raw.trim();
  if (channel === 'smtp') {
    if (!EMAIL.test(address) || address.length > 254) throw invalid('address', 'must be an email address');
    return address.toLowerCase();
  }
  if (channel === 'telegram') {
    if (!CHAT_ID.test(address)) throw invalid('address', 'must be a numeric chat id or @channelname');
    return address;
  }
  try {
    await assertOutboundUrl(address, ctx.config.allowPrivateNetworks);
  } catch (err) {
    throw invalid('address', `must be a reachable http(s) webhook URL: ${(err as Error).message}`);
  }
  return address;
}

export async function setUserAddress(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  channel: AddressChannel,
  input: { address: string },
): Promise<UserAddressView> {
  const userId = subjectOf(principal, ref);
  const address = await checkAddress(ctx, channel, input.address);
  const row: UserAddressRow = {
    user_id: userId,
    channel,
    address: isSealedChannel(channel)
      ? sealValue(channelKey(ctx), channel, sealedField(userId), address)
      : address,
    updated_at: ctx.clock.now(),
  };
  try {
    await ctx.store.writer.run((tx) => putUserAddress(tx, row));
  } catch (err) {
    // The only foreign key: an admin naming a user who does not exist.
    if (ref !== 'me' && userId !== principal.userId) throw notFound('User');
    throw err;
  }
  return toView(ctx, row);
}

export async function removeUserAddress(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  channel: AddressChannel,
): Promise<void> {
  const userId = subjectOf(principal, ref);
  const deleted = await ctx.store.writer.run((tx) => deleteUserAddress(tx, userId, channel));
  if (!deleted) throw notFound('Address');
}

/** The recipient as the channel needs it: a sealed webhook URL opened for this one send. */
export function openRecipient(
  ctx: AppContext,
  channel: string,
  userId: string | null,
  recipient: Recipient,
): Recipient {
  const a = recipient.address;
  if (!a?.startsWith(SEALED) || !userId) return recipient;
  return { ...recipient, address: String(openValue(channelKey(ctx), channel, sealedField(userId), a)) };
}

/** A recipient as the log shows it: sealed addresses masked. */
export function maskedRecipient(recipient: Record<string, unknown>): Record<string, unknown> {
  return typeof recipient.address === 'string' && recipient.address.startsWith(SEALED)
    ? { ...recipient, address: '••••••' }
    : recipient;
}
