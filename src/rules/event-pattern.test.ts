import { describe, expect, it } from 'vitest';
import { isValidEventPattern, matchesAnyEventPattern, matchesEventPattern } from './event-pattern.ts';

describe('matchesEventPattern', () => {
  it('matches everything with *', () => {
    expect(matchesEventPattern('*', 'auth.login_failed')).toBe(true);
    expect(matchesEventPattern('*', 'deploy')).toBe(true);
  });

  it('matches anything strictly below a prefix wildcard', () => {
    expect(matchesEventPattern('auth.*', 'auth.login_failed')).toBe(true);
    expect(matchesEventPattern('auth.*', 'auth.x.y')).toBe(true);
    expect(matchesEventPattern('auth.*', 'auth')).toBe(false);
    expect(matchesEventPattern('auth.*', 'authz.login')).toBe(false);
    expect(matchesEventPattern('auth.*', 'user.auth.login')).toBe(false);
    expect(matchesEventPattern('a.b.*', 'a.b.c')).toBe(true);
    expect(matchesEventPattern('a.b.*', 'a.c')).toBe(false);
  });

  it('matches other patterns exactly and case-sensitively', () => {
    expect(matchesEventPattern('auth.login_failed', 'auth.login_failed')).toBe(true);
    expect(matchesEventPattern('auth.login_failed', 'auth.login_failed.extra')).toBe(false);
    expect(matchesEventPattern('auth.login_failed', 'Auth.Login_Failed')).toBe(false);
    expect(matchesEventPattern('auth', 'auth.login')).toBe(false);
  });

  it('matches when any of a rule’s patterns matches', () => {
    expect(matchesAnyEventPattern(['user.created', 'auth.*'], 'auth.account_locked')).toBe(true);
    expect(matchesAnyEventPattern(['user.created', 'auth.*'], 'backup.failed')).toBe(false);
    expect(matchesAnyEventPattern([], 'backup.failed')).toBe(false);
  });
});

describe('isValidEventPattern', () => {
  it.each(['*', 'auth.*', 'auth.login_failed', 'backup-job.failed', 'a.b.c.*', 'deploy', 'X_1'])(
    'accepts %s',
    (pattern) => {
      expect(isValidEventPattern(pattern)).toBe(true);
    },
  );

  it.each(['', 'auth.', '.auth', 'auth..x', '*.failed', 'auth*', 'auth.*.x', '**', 'a b', 'auth.(x)', 'é.x'])(
    'rejects %j',
    (pattern) => {
      expect(isValidEventPattern(pattern)).toBe(false);
    },
  );

  it('rejects overly long patterns', () => {
    expect(isValidEventPattern('a'.repeat(200))).toBe(true);
    expect(isValidEventPattern('a'.repeat(201))).toBe(false);
  });
});
