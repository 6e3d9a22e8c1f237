import { describe, expect, it } from 'vitest';
import { MASK, maskUrl, restoreMasked } from './channel-secrets.ts';

describe('maskUrl', () => {
  it('masks userinfo and every query value, keeping scheme, host, path and keys', () => {
    expect(maskUrl('https://u:p@hooks.example.com:8443/in/abc?apikey=s3cret&team=ops#x')).toBe(
      `https://${MASK}:${MASK}@hooks.example.com:8443/in/abc?apikey=${MASK}&team=${MASK}#x`,
    );
    expect(maskUrl('https://token@example.com/')).toBe(`https://${MASK}@example.com/`);
  });

  it('leaves a URL without userinfo or query as it is', () => {
    expect(maskUrl('https://example.com/hook')).toBe('https://example.com/hook');
  });

  it('restores the stored URL only from its own masked form', () => {
    const stored = { url: 'https://example.com/h?k=abc' };
    expect(restoreMasked(['url'], { url: maskUrl(stored.url) }, stored, ['url']).config.url).toBe(stored.url);
    expect(restoreMasked(['url'], { url: 'https://example.com/new' }, stored, ['url']).config.url).toBe(
      'https://example.com/new',
    );
    const other = restoreMasked(['url'], { url: `https://evil.example/h?k=${MASK}` }, stored, ['url']);
    expect(other.errors.map((e) => e.field)).toEqual(['url']);
  });
});
