import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { FieldError } from '../domain/errors.ts';
import { isPlainObject } from './config-schema.ts';

/**
 * Secret channel fields (passwords, tokens, webhook URLs with a token in the path) are
 * encrypted at rest and masked on every read.
 *
 * At rest: each secret field's JSON value is sealed with AES-256-GCM under a key derived from
 * HERALD_SECRET; the channel type and field name are bound in as associated data, so a sealed
 * value cannot be moved to another field or channel. Stored form: `enc:v1:<iv>.<tag>.<data>`.
 *
 * On read: strings become `••••••` plus their last four characters (only when that leaves
 * most of the secret hidden); object fields (webhook headers) keep their keys and mask each
 * value; URL fields (a webhook's `url`) keep scheme, host and path and mask the userinfo and
 * each query value (`https://••••••@host/hook?apikey=••••••`). A client that sends the masked
 * value back keeps the stored secret.
 *
 * A secret field stored unsealed (written before the field became secret) is read as plain text
 * and sealed on the next start ({@link hasPlainSecrets}).
 */
export const MASK = '••••••';
const SEALED_PREFIX = 'enc:v1:';
/** Shorter secrets are masked whole: four characters would give away too much of them. */
const MIN_LENGTH_TO_SHOW_TAIL = 12;

export function maskValue(value: string): string {
  return value.length >= MIN_LENGTH_TO_SHOW_TAIL ? `${MASK}${value.slice(-4)}` : MASK;
}

/** A URL with its userinfo and query values masked; unchanged when it has neither. */
export function maskUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return maskValue(value);
  }
  if (!url.username && !url.password && !url.search) return value;
  const userinfo = url.username || url.password ? `${MASK}${url.password ? `:${MASK}` : ''}@` : '';
  const keys = [...url.searchParams.keys()];
  const query = url.search ? `?${keys.map((k) => `${encodeURIComponent(k)}=${MASK}`).join('&')}` : '';
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${query}${url.hash}`;
}

const aad = (type: string, field: string) => Buffer.from(`herald:channel:${type}:${field}`);

export function sealValue(key: Buffer, type: string, field: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(type, field));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return `${SEALED_PREFIX}${parts.join('.')}`;
}

/** Throws when the value was sealed under another key (HERALD_SECRET changed) or tampered with. */
export function openValue(key: Buffer, type: string, field: string, sealed: string): unknown {
  if (!sealed.startsWith(SEALED_PREFIX)) throw new Error(`channel ${type}: ${field} is not sealed`);
  const [iv, tag, data] = sealed
    .slice(SEALED_PREFIX.length)
    .split('.')
    .map((p) => Buffer.from(p, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad(type, field));
  decipher.setAuthTag(tag);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  return JSON.parse(plain);
}

/** The config as stored: every present secret field sealed. */
export function sealConfig(
  key: Buffer,
  type: string,
  secretFields: readonly string[],
  config: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...config };
  for (const field of secretFields) {
    if (out[field] !== undefined) out[field] = sealValue(key, type, field, out[field]);
  }
  return out;
}

export function openConfig(
  key: Buffer,
  type: string,
  secretFields: readonly string[],
  stored: Record<string, unknown>,
  urlFields: readonly string[] = [],
): Record<string, unknown> {
  const out = { ...stored };
  for (const field of secretFields) {
    const value = out[field];
    if (typeof value === 'string' && value.startsWith(SEALED_PREFIX)) {
      out[field] = openValue(key, type, field, value);
    } else if (typeof value === 'string' && !urlFields.includes(field)) {
      // Only URL fields were ever stored plain; anything else unsealed is tampering.
      throw new Error(`channel ${type}: ${field} is not sealed`);
    }
  }
  return out;
}

/** Whether a stored config holds a secret field that is not sealed yet. */
export function hasPlainSecrets(secretFields: readonly string[], stored: Record<string, unknown>): boolean {
  return secretFields.some((f) => stored[f] !== undefined && !String(stored[f]).startsWith(SEALED_PREFIX));
}

/** The config as clients see it. */
export function maskConfig(
  secretFields: readonly string[],
  config: Record<string, unknown>,
  urlFields: readonly string[] = [],
): Record<string, unknown> {
  const out = { ...config };
  for (const field of secretFields) {
    const value = out[field];
    if (typeof value === 'string') out[field] = urlFields.includes(field) ? maskUrl(value) : maskValue(value);
    else if (isPlainObject(value)) {
      out[field] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? maskValue(v) : MASK]),
      );
    }
  }
  return out;
}

const looksMasked = (v: unknown): v is string => typeof v === 'string' && v.startsWith(MASK);

/**
 * Puts stored secrets back where the client returned their masked form. A masked value that
 * does not match the stored one (edited, or from another channel) is an error: silently
 * storing `••••••abcd` as a password would break sending much later and far from the cause.
 */
export function restoreMasked(
  secretFields: readonly string[],
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
  urlFields: readonly string[] = [],
): { config: Record<string, unknown>; errors: FieldError[] } {
  const out = { ...incoming };
  const errors: FieldError[] = [];
  const unknownMask = (field: string) =>
    errors.push({ field, detail: 'is a masked value that matches no stored secret; send the secret itself' });
  for (const field of secretFields) {
    const value = out[field];
    const previous = stored?.[field];
    if (urlFields.includes(field)) {
      if (typeof value !== 'string' || !value.includes(MASK)) continue;
      if (typeof previous === 'string' && maskUrl(previous) === value) out[field] = previous;
      else unknownMask(field);
    } else if (looksMasked(value)) {
      if (typeof previous === 'string' && maskValue(previous) === value) out[field] = previous;
      else unknownMask(field);
    } else if (isPlainObject(value)) {
      const merged: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const before = isPlainObject(previous) ? previous[k] : undefined;
        if (!looksMasked(v)) merged[k] = v;
        else if (typeof before === 'string' && maskValue(before) === v) merged[k] = before;
        else unknownMask(`${field}.${k}`);
      }
      out[field] = merged;
    }
  }
  return { config: out, errors };
}
