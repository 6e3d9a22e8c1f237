import { describe, expect, it } from 'vitest';
import { createHub } from './hub.ts';

describe('hub.revoke', () => {
  const sink = (log: string[], name: string) => ({
    deliver: () => {},
    overflow: () => log.push(`${name}:overflow`),
    revoked: () => log.push(`${name}:revoked`),
    leftBucket: (b: string) => log.push(`${name}:left:${b}`),
  });

  it('closes the watchers of a token, a session or a user, and narrows on a membership', () => {
    const hub = createHub();
    const log: string[] = [];
    hub.subscribe('u1', sink(log, 'token'), { credential: { tokenId: 't1', sessionId: null } });
    hub.subscribe('u1', sink(log, 'session'), { credential: { tokenId: null, sessionId: 's1' } });
    hub.subscribe('u2', sink(log, 'other'), { credential: { tokenId: null, sessionId: 's2' } });
    hub.revoke([{ kind: 'membership', userId: 'u1', bucketId: 'b1' }]);
    expect(log).toEqual(['token:left:b1', 'session:left:b1']);
    hub.revoke([{ kind: 'token', tokenId: 't1' }]);
    expect(hub.subscriberCount('u1')).toBe(1);
    hub.revoke([
      { kind: 'session', sessionId: 's1' },
      { kind: 'user', userId: 'u2' },
    ]);
    expect(log.slice(2)).toEqual(['token:revoked', 'session:revoked', 'other:revoked']);
    expect(hub.subscriberCount()).toBe(0);
    // A second revocation of the same credential finds nothing.
    hub.revoke([{ kind: 'token', tokenId: 't1' }]);
    expect(log).toHaveLength(5);
  });
});
