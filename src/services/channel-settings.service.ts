import { channelTypes, getChannel } from '../channels/channel-registry.ts';
import {
  hasPlainSecrets,
  maskConfig,
  openConfig,
  restoreMasked,
  sealConfig,
} from '../channels/channel-secrets.ts';
import { webpushChannel } from '../channels/webpush/webpush.channel.ts';
import type { AppContext } from '../context.ts';
import { type FieldError, invalidMany, notFound } from '../domain/errors.ts';
import {
  type ChannelConfigRow,
  getChannelConfig,
  insertChannelConfigIfMissing,
  listChannelConfigs,
  putChannelConfig,
} from '../store/channel-config.repository.ts';
import { type ClientShape, listClientShapes, putClientShape } from '../store/client-shape.repository.ts';
import { insertEvents, settingsUpdated } from '../store/event.repository.ts';

/**
 * Operator settings per channel type: read (decrypted for sending, masked for clients) and
 * saved (validated by the channel adapter, secrets sealed). Saving raises
 * `ctx.signals.channelsChanged` so this process's caches drop their copy at once.
 */

export interface ChannelSetting {
  enabled: boolean;
  /** Decrypted config; null when its secrets cannot be opened (HERALD_SECRET changed). */
  config: Record<string, unknown> | null;
}

/** The AES-256-GCM key channel secrets are sealed with. */
export const channelKey = (ctx: AppContext): Buffer => ctx.keys.channelSecrets;

/** The instance signing key for webhooks whose config names no `secret` of its own. */
export const webhookSigningSecret = (ctx: AppContext): string => ctx.keys.webhookSigning;

function secretFieldsOf(type: string): readonly string[] {
  return getChannel(type)?.secretFields ?? [];
}

function urlFieldsOf(type: string): readonly string[] {
  return getChannel(type)?.urlSecretFields ?? [];
}

function decode(ctx: AppContext, row: ChannelConfigRow): ChannelSetting {
  const stored = JSON.parse(row.config) as Record<string, unknown>;
  try {
    return {
      enabled: row.enabled === 1,
      config: openConfig(channelKey(ctx), row.type, secretFieldsOf(row.type), stored, urlFieldsOf(row.type)),
    };
  } catch (err) {
    ctx.log.warn({ err, channel: row.type }, 'channel secrets cannot be decrypted; save the channel again');
    return { enabled: row.enabled === 1, config: null };
  }
}

export async function loadChannelSettings(ctx: AppContext): Promise<Map<string, ChannelSetting>> {
  const rows = await listChannelConfigs(ctx.store.db);
  return new Map(rows.filter((r) => getChannel(r.type)).map((r) => [r.type, decode(ctx, r)]));
}

export async function loadChannelSetting(ctx: AppContext, type: string): Promise<ChannelSetting | undefined> {
  const row = await getChannelConfig(ctx.store.db, type);
  return row ? decode(ctx, row) : undefined;
}

/** Every known channel type, configured or not, with secrets masked. */
export async function listChannelsMasked(
  ctx: AppContext,
): Promise<Array<{ id: string; enabled: boolean; config: Record<string, unknown> }>> {
  const settings = await loadChannelSettings(ctx);
  return channelTypes.map((type) => {
    const s = settings.get(type);
    return {
      id: type,
      enabled: s?.enabled ?? false,
      config: s?.config ? maskConfig(secretFieldsOf(type), s.config, urlFieldsOf(type)) : {},
    };
  });
}

/** Per channel type, the client vocabulary it was last saved in, when not the core's. */
export async function channelClientShapes(ctx: AppContext): Promise<Map<string, ClientShape>> {
  return listClientShapes(ctx.store.db, 'channel');
}

const prefixed = (errors: FieldError[]): FieldError[] =>
  errors.map((e) => ({ field: e.field === 'config' ? 'config' : `config.${e.field}`, detail: e.detail }));

/**
 * Resolves what the client sent into a full, valid config: masked secrets put back and the
 * channel's own defaults filled in (web push keys), making one object that is then checked
 * against the channel's schema. Throws a 400 naming `config.<field>`.
 */
export function resolveConfig(
  ctx: AppContext,
  type: string,
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const channel = getChannel(type);
  if (!channel) throw notFound(`Channel type "${type}"`);
  const restored = restoreMasked(
    channel.secretFields,
    incoming,
    stored ?? undefined,
    channel.urlSecretFields,
  );
  if (restored.errors.length > 0) throw invalidMany(prefixed(restored.errors));
  const config = channel.withDefaults
    ? channel.withDefaults(restored.config, stored ?? undefined, {
        adminEmail: ctx.config.adminEmail,
        baseUrl: ctx.config.baseUrl,
      })
    : restored.config;
  const result = channel.validateConfig(config);
  if (!result.ok) throw invalidMany(prefixed(result.errors));
  return result.config as Record<string, unknown>;
}

/**
 * Saves a channel. `config` absent keeps the stored one; disabling a channel that was never
 * configured needs no config at all.
 */
export async function saveChannel(
  ctx: AppContext,
  type: string,
  body: { enabled: boolean; config?: Record<string, unknown> },
  /** The client vocabulary it was saved in (null: the core's own); absent keeps what was recorded. */
  opts: { clientShape?: ClientShape | null } = {},
): Promise<void> {
  const channel = getChannel(type);
  if (!channel) throw notFound(`Channel type "${type}"`);
  const stored = (await loadChannelSetting(ctx, type))?.config;
  const incoming = body.config ?? stored ?? {};
  const skipCheck = !body.enabled && Object.keys(incoming).length === 0 && !channel.withDefaults;
  const config = skipCheck ? {} : resolveConfig(ctx, type, incoming, stored);
  const now = ctx.clock.now();
  await ctx.store.writer.run(async (tx) => {
    await putChannelConfig(tx, {
      type,
      enabled: body.enabled ? 1 : 0,
      config: JSON.stringify(sealConfig(channelKey(ctx), type, channel.secretFields, config)),
      updated_at: now,
    });
    if (opts.clientShape !== undefined) await putClientShape(tx, 'channel', type, opts.clientShape, now);
    await insertEvents(tx, [settingsUpdated(now, { key: `channels.${type}`, enabled: body.enabled })], now);
  });
  ctx.signals.channelsChanged.emit({ type });
  ctx.signals.eventsCommitted.emit({ count: 1 });
}

/**
 * The VAPID public key browsers subscribe with. The first call on a fresh server generates the
 * key pair and stores it as a (still disabled) webpush channel, so subscriptions made before
 * the operator enables web push stay valid afterwards.
 */
export async function vapidPublicKey(ctx: AppContext): Promise<string> {
  const { type, secretFields } = webpushChannel;
  const current = await loadChannelSetting(ctx, type);
  if (typeof current?.config?.vapidPublicKey === 'string') return current.config.vapidPublicKey;
  if (!current) {
    const config = resolveConfig(ctx, type, {}, undefined);
    await ctx.store.writer.run((tx) =>
      insertChannelConfigIfMissing(tx, {
        type,
        enabled: 0,
        config: JSON.stringify(sealConfig(channelKey(ctx), type, secretFields, config)),
        updated_at: ctx.clock.now(),
      }),
    );
    ctx.signals.channelsChanged.emit({ type });
    // Re-read: a concurrent first call may have inserted its keys before ours.
    const stored = await loadChannelSetting(ctx, type);
    if (typeof stored?.config?.vapidPublicKey === 'string') return stored.config.vapidPublicKey;
  }
  throw notFound('A usable web push key pair (save the webpush channel again)');
}

/**
 * The dispatcher's view of channel settings: re-read when a save in this process says so, and
 * at most `ttlMs` stale otherwise (saves made by other processes on a shared PostgreSQL).
 */
export function createChannelCache(ctx: AppContext, ttlMs: number) {
  let loaded: { at: number; settings: Map<string, ChannelSetting> } | undefined;
  let loading: Promise<Map<string, ChannelSetting>> | undefined;
  // A save during a load must not let that (older) load be cached.
  let generation = 0;
  const invalidate = () => {
    generation++;
    loaded = undefined;
    loading = undefined;
  };
  const unsubscribe = ctx.signals.channelsChanged.subscribe(invalidate);
  return {
    get(): Promise<Map<string, ChannelSetting>> {
      if (loaded && Date.now() - loaded.at < ttlMs) return Promise.resolve(loaded.settings);
      if (!loading) {
        const started = generation;
        const current = loadChannelSettings(ctx).then((settings) => {
          if (generation === started) loaded = { at: Date.now(), settings };
          return settings;
        });
        const clear = () => {
          if (loading === current) loading = undefined;
        };
        current.then(clear, clear);
        loading = current;
      }
      return loading;
    },
    close(): void {
      unsubscribe();
    },
  };
}

/**
 * Seals secret fields stored before they were secret (webhook URLs, which carry keys in their
 * query or userinfo): run at every start, after migrations, because only the running server holds
 * the key (a migration could not seal). Rewrites only the rows that need it.
 */
export async function sealPlainChannelSecrets(ctx: AppContext): Promise<number> {
  let sealed = 0;
  for (const row of await listChannelConfigs(ctx.store.db)) {
    const channel = getChannel(row.type);
    if (!channel) continue;
    const stored = JSON.parse(row.config) as Record<string, unknown>;
    if (!hasPlainSecrets(channel.secretFields, stored)) continue;
    const setting = decode(ctx, row);
    if (!setting.config) continue;
    await ctx.store.writer.run((tx) =>
      putChannelConfig(tx, {
        type: row.type,
        enabled: row.enabled,
        config: JSON.stringify(sealConfig(channelKey(ctx), row.type, channel.secretFields, setting.config!)),
        updated_at: row.updated_at,
      }),
    );
    sealed++;
  }
  return sealed;
}
