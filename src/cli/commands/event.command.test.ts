import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-error.ts';
import { fieldsOf } from './event.command.ts';

describe('event fields from key=value', () => {
  it('sends JSON-looking values as JSON, the rest as strings, and nests dotted keys', () => {
    expect(
      fieldsOf([
        'host=web-1',
        'size=1200',
        'ok=true',
        'tags=["a","b"]',
        'db.name=main',
        'db.port=5432',
        'note=a=b',
      ]),
    ).toEqual({
      host: 'web-1',
      size: 1200,
      ok: true,
      tags: ['a', 'b'],
      db: { name: 'main', port: 5432 },
      note: 'a=b',
    });
  });

  it('refuses a pair without a key, prototype keys and the reserved names', () => {
    expect(() => fieldsOf(['=x'])).toThrow(UsageError);
    expect(() => fieldsOf(['novalue'])).toThrow(/not key=value/);
    expect(() => fieldsOf(['__proto__.x=1'])).toThrow(/unusable key/);
    expect(() => fieldsOf(['name=x'])).toThrow(/set by the command/);
  });
});
