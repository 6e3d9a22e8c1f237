/**
 * The built-in transform parsers, keyed by the name callers pass as `?parser=` on
 * `POST /api/v1/messages/transform`. Adding a parser means adding one file and one entry here.
 *
 * Names are matched case-insensitively, and every name Zentik answers to is accepted: its query
 * names (`statusio`, `Status.io`, `statuspage`, …), its `Zentik<Name>` forms and its
 * `ZENTIK_<TYPE>` enum names, so a URL written for Zentik works unchanged.
 */
import { alertmanagerParser } from './alertmanager.parser.ts';
import { atlasStatuspageParser } from './atlas-statuspage.parser.ts';
import { authentikParser } from './authentik.parser.ts';
import { emqxParser } from './emqx.parser.ts';
import { expoParser } from './expo.parser.ts';
import { githubParser } from './github.parser.ts';
import { grafanaParser } from './grafana.parser.ts';
import { instatusParser } from './instatus.parser.ts';
import type { Parser } from './parser.ts';
import { railwayParser } from './railway.parser.ts';
import { servarrParser } from './servarr.parser.ts';
import { statusIoParser } from './status-io.parser.ts';
import { uptimeKumaParser } from './uptime-kuma.parser.ts';

export const parsers: Readonly<Record<string, Parser>> = Object.freeze({
  authentik: authentikParser,
  servarr: servarrParser,
  github: githubParser,
  railway: railwayParser,
  expo: expoParser,
  'status-io': statusIoParser,
  instatus: instatusParser,
  'atlas-statuspage': atlasStatuspageParser,
  emqx: emqxParser,
  alertmanager: alertmanagerParser,
  grafana: grafanaParser,
  'uptime-kuma': uptimeKumaParser,
});

/** Zentik's names beyond `<name>`, `zentik<name>` and `zentik_<name>` (its enum), lower-cased. */
const ZENTIK_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'status-io': ['statusio', 'status.io', 'zentikstatusio', 'zentik_status_io'],
  'atlas-statuspage': ['atlasstatuspage', 'statuspage', 'zentikatlasstatuspage', 'zentik_atlas_statuspage'],
};

/** The parsers that reproduce Zentik's built-ins; Herald's own (alertmanager, …) answer to their name only. */
const ZENTIK_PARSERS = [
  'authentik',
  'servarr',
  'github',
  'railway',
  'expo',
  'status-io',
  'instatus',
  'atlas-statuspage',
  'emqx',
];

const byName: ReadonlyMap<string, string> = new Map([
  ...Object.keys(parsers).map((name) => [name, name] as const),
  ...ZENTIK_PARSERS.flatMap((name) =>
    [`zentik${name}`, `zentik_${name}`, ...(ZENTIK_ALIASES[name] ?? [])].map(
      (alias) => [alias, name] as const,
    ),
  ),
]);

/** The canonical name for a query name in any casing or Zentik form, or undefined. */
export function parserName(name: string): string | undefined {
  return byName.get(name.toLowerCase());
}

/** The parser for a query name, or undefined (the HTTP edge answers 404 for that). */
export function findParser(name: string): Parser | undefined {
  const canonical = parserName(name);
  return canonical === undefined ? undefined : parsers[canonical];
}
