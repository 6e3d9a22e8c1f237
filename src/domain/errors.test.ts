import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, type ErrorCode, type ErrorEntry, notFound } from './errors.ts';
import { errorsMarkdown } from './errors-markdown.ts';

const entries = Object.entries(ERRORS as Record<string, ErrorEntry>);

describe('error catalogue', () => {
  it('gives every entry its own code, numbered after its HTTP status', () => {
    const codes = entries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, e] of entries) {
      expect(Math.floor(e.code / 100), name).toBe(e.status);
      expect(e.code % 100, name).toBeGreaterThan(0);
      expect(e.message, name).toMatch(/^[A-Z].*\.$/);
      expect(e.help.length, name).toBeGreaterThan(40);
    }
  });

  it('carries the entry on every AppError', () => {
    const err = notFound('Bucket');
    expect(err.status).toBe(404);
    expect(err.numericCode).toBe(40401);
    for (const name of Object.keys(ERRORS) as ErrorCode[]) {
      expect(new AppError(name).numericCode).toBe(ERRORS[name].code);
    }
  });

  it('is what docs/errors.md says (run `npm run docs:errors` after changing it)', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(errorsMarkdown());
    for (const [, e] of entries) expect(doc).toContain(`<a id="${e.code}"></a>`);
  });
});
