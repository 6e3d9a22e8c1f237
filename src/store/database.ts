import type { Kysely, Transaction } from 'kysely';
import type { AccessTokenTable } from './access-token.table.ts';
import type { ClientShapeTable } from './client-shape.table.ts';
import type {
  BucketChannelTable,
  ChannelConfigTable,
  DeliveryTable,
  PushSubscriptionTable,
  RuleTable,
  UserAddressTable,
} from './delivery.table.ts';
import type { EventTable, SettingTable } from './event.table.ts';
import type {
  GotifyApplicationTable,
  GotifyClientTable,
  GotifyMessageTable,
  GotifyUserTable,
} from './gotify.table.ts';
import type {
  AttachmentTable,
  BucketInviteTable,
  BucketMagicCodeTable,
  BucketMemberTable,
  BucketTable,
  IdempotencyKeyTable,
  MessageAttachmentTable,
  MessageTable,
  NotificationTable,
  PreferenceTable,
  TemplateTable,
} from './message.table.ts';
import type { NtfyMessageTable, NtfyScheduledTable, NtfyTopicTable } from './ntfy.table.ts';
import type {
  AuthSessionTable,
  RefreshTokenTable,
  RoleTable,
  UserRoleTable,
  UserTable,
} from './user.table.ts';

/** Every table Herald keeps, by name. Row types live in the `*.table.ts` files. */
export interface Database {
  users: UserTable;
  roles: RoleTable;
  user_roles: UserRoleTable;
  auth_sessions: AuthSessionTable;
  refresh_tokens: RefreshTokenTable;
  access_tokens: AccessTokenTable;
  events: EventTable;
  settings: SettingTable;
  buckets: BucketTable;
  bucket_members: BucketMemberTable;
  bucket_invites: BucketInviteTable;
  bucket_magic_codes: BucketMagicCodeTable;
  templates: TemplateTable;
  messages: MessageTable;
  notifications: NotificationTable;
  attachments: AttachmentTable;
  message_attachments: MessageAttachmentTable;
  idempotency_keys: IdempotencyKeyTable;
  preferences: PreferenceTable;
  channel_configs: ChannelConfigTable;
  push_subscriptions: PushSubscriptionTable;
  rules: RuleTable;
  deliveries: DeliveryTable;
  gotify_messages: GotifyMessageTable;
  gotify_applications: GotifyApplicationTable;
  gotify_clients: GotifyClientTable;
  gotify_users: GotifyUserTable;
  client_shapes: ClientShapeTable;
  ntfy_topics: NtfyTopicTable;
  ntfy_messages: NtfyMessageTable;
  ntfy_scheduled: NtfyScheduledTable;
  bucket_channels: BucketChannelTable;
  user_addresses: UserAddressTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the root handle or an open transaction; repositories accept both. */
export type Executor = Kysely<Database>;
export type StoreKind = 'sqlite' | 'postgres';
