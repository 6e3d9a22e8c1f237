import { describe, expect, it } from 'vitest';
import { createJwtCodec } from './jwt.ts';

const claims = { userId: 'u1', sessionId: 's1' };
const t0 = Date.UTC(2026, 11, 3, 8, 0, 0);

describe('JWT codec', () => {
  it('verifies its own token again and again, and not after it expires', async () => {
    const jwt = createJwtCodec('a-secret-of-enough-length-for-tests', 60);
    const token = await jwt.sign(claims, t0);
    expect(await jwt.verify(token, t0 + 1_000)).toEqual(claims);
    expect(await jwt.verify(token, t0 + 59_000)).toEqual(claims);
    expect(await jwt.verify(token, t0 + 60_000)).toBeNull();
    expect(await jwt.verify(token, t0 + 1_000)).toEqual(claims);
  });

  it('keeps the kinds apart: an access token is no session cookie, even once verified', async () => {
    const jwt = createJwtCodec('a-secret-of-enough-length-for-tests', 60);
    const access = await jwt.sign(claims, t0);
    expect(await jwt.verify(access, t0)).toEqual(claims);
    expect(await jwt.verify(access, t0, 'session')).toBeNull();
    const session = await jwt.sign(claims, t0, 'session', 3600);
    expect(await jwt.verify(session, t0, 'session')).toEqual(claims);
    expect(await jwt.verify(session, t0)).toBeNull();
  });

  it('refuses a token signed with another secret or altered, verified or not', async () => {
    const mine = createJwtCodec('a-secret-of-enough-length-for-tests', 60);
    const theirs = createJwtCodec('another-secret-of-enough-length', 60);
    const token = await theirs.sign(claims, t0);
    expect(await theirs.verify(token, t0)).toEqual(claims);
    expect(await mine.verify(token, t0)).toBeNull();
    const own = await mine.sign(claims, t0);
    expect(await mine.verify(own, t0)).toEqual(claims);
    const [h, p, sig] = own.split('.');
    const flipped = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await mine.verify(flipped, t0)).toBeNull();
  });
});
