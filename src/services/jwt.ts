import { deriveKey } from '../domain/secrets.ts';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

const ISSUER = 'herald';

/** The JOSE library is loaded with the first token signed or checked, not at start-up. */
const jose = () => import('jose');

/**
 * `access`: the short-lived bearer JWT. `session`: the browser session cookie's value, as long
 * lived as the login's refresh token and accepted only from the cookie, so it never works as a
 * bearer header. Both are checked against the session row on every use, so logout ends both.
 */
export type JwtKind = 'access' | 'session';

/** Tokens whose signature was checked, remembered so a client's next request skips the HMAC. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createJwtCodec(secret: string, ttlSeconds: number) {
  const key = deriveKey(secret, 'jwt');
  const verified = new Map<string, { claims: AccessClaims; kind: JwtKind; exp: number }>();
  return {
    async sign(
      claims: AccessClaims,
      nowMs: number,
      kind: JwtKind = 'access',
      lifetimeSeconds = ttlSeconds,
    ): Promise<string> {
      const iat = Math.floor(nowMs / 1000);
      const { SignJWT } = await jose();
      return new SignJWT({ sid: claims.sessionId, typ: kind })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetimeSeconds)
        .sign(key);
    },
    /**
     * Returns the claims, or null for anything invalid or expired. A token string that verified
     * once is the same token every time, so its claims are remembered until it expires (the
     * session behind it is still checked on every use by the caller).
     */
    async verify(token: string, nowMs: number, kind: JwtKind = 'access'): Promise<AccessClaims | null> {
      const known = verified.get(token);
      if (known) {
        // As jose decides expiry: valid while the current second is before `exp`.
        if (Math.floor(nowMs / 1000) >= known.exp) {
          verified.delete(token);
          return null;
        }
        return known.kind === kind ? known.claims : null;
      }
      try {
        const { jwtVerify } = await jose();
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          currentDate: new Date(nowMs),
        });
        if (payload.typ !== kind || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
          return null;
        }
        const claims = { userId: payload.sub, sessionId: payload.sid };
        if (typeof payload.exp === 'number') {
          if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
          verified.set(token, { claims, kind, exp: payload.exp });
        }
        return claims;
      } catch {
        return null;
      }
    },
  };
}

export type JwtCodec = ReturnType<typeof createJwtCodec>;
