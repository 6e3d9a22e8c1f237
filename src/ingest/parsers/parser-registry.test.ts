import { describe, expect, it } from 'vitest';
import { alertmanagerParser } from './alertmanager.parser.ts';
import { atlasStatuspageParser } from './atlas-statuspage.parser.ts';
import { authentikParser } from './authentik.parser.ts';
import { emqxParser } from './emqx.parser.ts';
import { expoParser } from './expo.parser.ts';
import { githubParser } from './github.parser.ts';
import { grafanaParser } from './grafana.parser.ts';
import { instatusParser } from './instatus.parser.ts';
import { findParser, parserName, parsers } from './parser-registry.ts';
import { railwayParser } from './railway.parser.ts';
import { servarrParser } from './servarr.parser.ts';
import { statusIoParser } from './status-io.parser.ts';
import { uptimeKumaParser } from './uptime-kuma.parser.ts';

const NOW = new Date('2025-07-01T12:00:00.000Z');

describe('parser registry', () => {
  it.each([
    ['authentik', authentikParser],
    ['servarr', servarrParser],
    ['github', githubParser],
    ['railway', railwayParser],
    ['expo', expoParser],
    ['status-io', statusIoParser],
    ['instatus', instatusParser],
    ['atlas-statuspage', atlasStatuspageParser],
    ['emqx', emqxParser],
    ['alertmanager', alertmanagerParser],
    ['grafana', grafanaParser],
    ['uptime-kuma', uptimeKumaParser],
  ])('resolves %s', (name, parser) => {
    expect(findParser(name)).toBe(parser);
    expect(parsers[name]).toBe(parser);
  });

  it('lists exactly the built-in parsers', () => {
    expect(Object.keys(parsers).sort()).toEqual(
      [
        'alertmanager',
        'atlas-statuspage',
        'authentik',
        'emqx',
        'expo',
        'github',
        'grafana',
        'instatus',
        'railway',
        'servarr',
        'status-io',
        'uptime-kuma',
      ].sort(),
    );
  });

  it.each([
    // Zentik's query names
    ['Authentik', 'authentik'],
    ['Servarr', 'servarr'],
    ['GitHub', 'github'],
    ['ZentikGitHub', 'github'],
    ['ZentikRailway', 'railway'],
    ['Expo', 'expo'],
    ['statusio', 'status-io'],
    ['Status.io', 'status-io'],
    ['StatusIo', 'status-io'],
    ['ZentikStatusIo', 'status-io'],
    ['Statuspage', 'atlas-statuspage'],
    ['AtlasStatuspage', 'atlas-statuspage'],
    ['ZentikAtlasStatuspage', 'atlas-statuspage'],
    ['EMQX', 'emqx'],
    ['ZentikEMQX', 'emqx'],
    ['ZentikInstatus', 'instatus'],
    // Zentik's enum names, in any casing
    ['ZENTIK_AUTHENTIK', 'authentik'],
    ['zentik_servarr', 'servarr'],
    ['ZENTIK_STATUS_IO', 'status-io'],
    ['ZENTIK_ATLAS_STATUSPAGE', 'atlas-statuspage'],
    // Zentik<Name> forms Zentik itself lacks, and any casing
    ['ZentikAuthentik', 'authentik'],
    ['ZentikServarr', 'servarr'],
    ['AUTHENTIK', 'authentik'],
    ['Uptime-Kuma', 'uptime-kuma'],
    ['AlertManager', 'alertmanager'],
  ])('accepts %s as %s', (name, canonical) => {
    expect(parserName(name)).toBe(canonical);
  });

  it('gives undefined for unknown names, including Object.prototype members and Herald parsers in Zentik form', () => {
    for (const name of [
      'nope',
      '',
      ' authentik',
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
      'ZentikGrafana',
    ]) {
      expect(findParser(name)).toBeUndefined();
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(parsers)).toBe(true);
  });

  it("skips a non-object payload in Zentik's parsers and refuses it clearly in Herald's own", () => {
    const own = new Set(['alertmanager', 'grafana', 'uptime-kuma']);
    for (const [name, parser] of Object.entries(parsers)) {
      if (own.has(name)) expect(() => parser('not json', {}, NOW)).toThrow(/JSON object/);
      else expect(parser('not json', {}, NOW)).toBeNull();
    }
  });
});
