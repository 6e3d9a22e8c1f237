import { randomBytes } from 'node:crypto';

/**
 * Magic codes (Zentik's): every bucket membership has one, a short secret that stands for
 * "this member, sending to this bucket". A send may carry it instead of an access token, so
 * a device that can only be given one string (a Home Assistant automation, a shell one-liner)
 * can still send. Eight lowercase hex characters, as Zentik makes them.
 */
export const MAGIC_CODE_LENGTH = 8;

const SHAPE = /^[0-9a-f]{8}$/i;

/** A fresh random code: 4 random bytes as hex. */
export const newMagicCode = (): string => randomBytes(MAGIC_CODE_LENGTH / 2).toString('hex');

/**
 * Whether a value has a code's shape. A `bucketId` with this shape is tried as a code first;
 * bucket ids are UUIDs, so only a bucket *name* of eight hex characters could look the same.
 */
export const looksLikeMagicCode = (value: string): boolean => SHAPE.test(value);

/** Codes are stored in lowercase; a code typed in capitals still matches. */
export const normaliseMagicCode = (value: string): string => value.trim().toLowerCase();
