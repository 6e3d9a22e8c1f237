import { type FieldError, invalidMany } from '../../../../domain/errors.ts';

/**
 * Gatwy's settings pages name channel settings their own way: flat keys with the channel as a
 * prefix (`smtp_host`, `telegram_bot_token`, `webhook_headers` as a JSON text), every value a
 * form string ("587", "true"). This edge turns such a config into the core's keys before the
 * channel checks it, and turns a stored config back into Gatwy's keys for a channel last saved
 * that way, so a card that is saved and saved again unchanged round-trips.
 *
 * Keys the core has no field for (Gatwy's per-channel message templates) are kept beside the
 * config as the channel's client shape and read back; Herald composes message text itself.
 */
export const GATWY = 'gatwy';

interface KeyMap {
  /** Gatwy key → core key, for values that carry over as they are. */
  readonly plain: Readonly<Record<string, string>>;
  /** Gatwy keys kept verbatim beside the config (templates). */
  readonly extras: readonly string[];
}

const VOCABULARY: Readonly<Record<string, KeyMap>> = {
  smtp: {
    plain: {
      smtp_host: 'host',
      smtp_port: 'port',
      smtp_user: 'username',
      smtp_password: 'password',
      smtp_from: 'from',
    },
    extras: ['smtp_default_subject', 'smtp_default_body'],
  },
  telegram: {
    plain: { telegram_bot_token: 'botToken', telegram_chat_id: 'chatId' },
    extras: ['telegram_default_template'],
  },
  slack: { plain: { slack_webhook_url: 'webhookUrl' }, extras: ['slack_default_template'] },
  webhook: {
    plain: { webhook_url: 'url', webhook_method: 'method' },
    extras: ['webhook_default_template'],
  },
};

/** Keys handled by code below rather than by the maps: they change shape on the way. */
const SHAPED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  smtp: { smtp_secure: 'tls' },
  webhook: { webhook_headers: 'headers' },
};

/** Longest template text kept; a template is a message, not a document. */
const MAX_EXTRA_LENGTH = 20_000;

const gatwyKeysOf = (type: string): string[] => {
  const map = VOCABULARY[type];
  if (!map) return [];
  return [...Object.keys(map.plain), ...map.extras, ...Object.keys(SHAPED[type] ?? {})];
};

/** Whether a config uses Gatwy's keys (any one of them decides). */
export function isGatwyConfig(type: string, config: Record<string, unknown>): boolean {
  const keys = gatwyKeysOf(type);
  return Object.keys(config).some((k) => keys.includes(k));
}

export interface TranslatedConfig {
  config: Record<string, unknown>;
  /** The Gatwy-only keys, kept as the channel's client shape. */
  extras: Record<string, string>;
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(true|1|on|yes)$/i.test(v.trim()));

/**
 * Gatwy keys → core keys. Core keys sent beside them pass through; a field named both ways is
 * refused, as is a `webhook_headers` text that is not a JSON object.
 */
export function fromGatwyConfig(type: string, input: Record<string, unknown>): TranslatedConfig {
  const map = VOCABULARY[type];
  if (!map) return { config: input, extras: {} };
  const config: Record<string, unknown> = {};
  const extras: Record<string, string> = {};
  const errors: FieldError[] = [];
  const set = (gatwyKey: string, coreKey: string, value: unknown) => {
    if (Object.hasOwn(input, coreKey)) {
      errors.push({ field: `config.${gatwyKey}`, detail: `names the same setting as ${coreKey}; send one` });
    } else config[coreKey] = value;
  };
  for (const [key, value] of Object.entries(input)) {
    if (Object.hasOwn(map.plain, key)) set(key, map.plain[key], value);
    else if (map.extras.includes(key)) {
      if (value === null || value === undefined || value === '') continue;
      if (typeof value !== 'string' || value.length > MAX_EXTRA_LENGTH) {
        errors.push({
          field: `config.${key}`,
          detail: `must be text of at most ${MAX_EXTRA_LENGTH} characters`,
        });
      } else extras[key] = value;
    } else if (type === 'smtp' && key === 'smtp_secure') {
      // Gatwy's "Use TLS (port 465)": checked means encryption is required; unchecked leaves
      // Herald's default (implicit TLS on 465, STARTTLS when the server offers it), which is
      // what Gatwy's unchecked box gave too.
      if (truthy(value)) set(key, 'tls', true);
    } else if (type === 'webhook' && key === 'webhook_headers') {
      if (value === null || value === undefined || (typeof value === 'string' && value.trim() === ''))
        continue;
      const headers = typeof value === 'string' ? parseJsonObject(value) : value;
      if (headers === undefined) {
        errors.push({
          field: 'config.webhook_headers',
          detail: 'must be a JSON object of header names to values, like {"X-Token":"secret"}',
        });
      } else set(key, 'headers', headers);
    } else config[key] = value;
  }
  if (errors.length > 0) throw invalidMany(errors);
  // The SMTP card shows 587 in an untouched port field and sends nothing for it; Gatwy's
  // sender then uses 587, so the card means 587.
  if (type === 'smtp' && config.port === undefined) config.port = GATWY_SMTP_PORT;
  return { config, extras };
}

/** The port Gatwy's SMTP card shows and its sender uses when none was typed. */
const GATWY_SMTP_PORT = 587;

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A stored (masked) core config in Gatwy's keys, every value a string as Gatwy's pages hold
 * them, with the kept template keys. Core fields Gatwy has no key for keep their core name.
 */
export function toGatwyConfig(
  type: string,
  config: Record<string, unknown>,
  extras: Record<string, unknown>,
): Record<string, unknown> {
  const map = VOCABULARY[type];
  if (!map) return config;
  const reverse = Object.fromEntries(Object.entries(map.plain).map(([g, c]) => [c, g]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (Object.hasOwn(reverse, key)) out[reverse[key]] = typeof value === 'string' ? value : String(value);
    else if (type === 'smtp' && key === 'tls') continue;
    else if (type === 'webhook' && key === 'headers') out.webhook_headers = JSON.stringify(value);
    else out[key] = value;
  }
  if (type === 'smtp') out.smtp_secure = String(config.tls === true);
  for (const key of map.extras) if (typeof extras[key] === 'string') out[key] = extras[key];
  return out;
}

/** `config.host` → `config.smtp_host`, so a refusal names the field the page sent. */
export function gatwyFieldName(type: string, field: string): string {
  const map = VOCABULARY[type];
  if (!map || !field.startsWith('config.')) return field;
  const [, core, ...rest] = field.split('.');
  const shaped = Object.entries(SHAPED[type] ?? {}).find(([, c]) => c === core)?.[0];
  const gatwy = Object.entries(map.plain).find(([, c]) => c === core)?.[0] ?? shaped;
  return gatwy ? ['config', gatwy, ...rest].join('.') : field;
}
