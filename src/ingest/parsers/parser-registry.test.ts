import { describe, expect, it } from 'vitest';
import { alertmanagerParser } from './alertmanager.parser.ts';
import { authentikParser } from './authentik.parser.ts';
import { githubParser } from './github.parser.ts';
import { grafanaParser } from './grafana.parser.ts';
import { findParser, parsers } from './parser-registry.ts';
import { servarrParser } from './servarr.parser.ts';
import { uptimeKumaParser } from './uptime-kuma.parser.ts';

describe('parser registry', () => {
  it.each([
    ['authentik', authentikParser],
    ['servarr', servarrParser],
    ['github', githubParser],
    ['alertmanager', alertmanagerParser],
    ['grafana', grafanaParser],
    ['uptime-kuma', uptimeKumaParser],
  ])('resolves %s', (name, parser) => {
    expect(findParser(name)).toBe(parser);
    expect(parsers[name]).toBe(parser);
  });

  it('lists exactly the built-in parsers', () => {
    expect(Object.keys(parsers).sort()).toEqual(
      ['alertmanager', 'authentik', 'github', 'grafana', 'servarr', 'uptime-kuma'].sort(),
    );
  });

  it('gives undefined for unknown names, including Object.prototype members', () => {
    for (const name of ['nope', '', 'Authentik', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(findParser(name)).toBeUndefined();
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(parsers)).toBe(true);
  });

  it('gives every parser a clear rejection for a non-object payload', () => {
    for (const parser of Object.values(parsers)) {
      expect(() => parser('not json', { 'x-github-event': 'push' })).toThrow(/JSON object/);
    }
  });
});
