import { createHash, createHmac, randomBytes } from 'node:crypto';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A random bearer secret with a recognisable prefix (`zat_`, `hrt_`). */
export const randomToken = (prefix: string, bytes = 32): string =>
  `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** Derives an independent key per purpose from HERALD_SECRET, so one leak does not expose the others. */
export const deriveKey = (secret: string, purpose: string): Buffer =>
  createHmac('sha256', secret).update(`herald:${purpose}`).digest();
