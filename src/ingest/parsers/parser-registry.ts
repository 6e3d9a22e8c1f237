/**
 * The built-in transform parsers, keyed by the name callers pass as `?parser=` on
 * `POST /api/v1/messages/transform`. Adding a parser means adding one file and one line here.
 */
import { alertmanagerParser } from './alertmanager.parser.ts';
import { authentikParser } from './authentik.parser.ts';
import { githubParser } from './github.parser.ts';
import { grafanaParser } from './grafana.parser.ts';
import type { Parser } from './parser.ts';
import { servarrParser } from './servarr.parser.ts';
import { uptimeKumaParser } from './uptime-kuma.parser.ts';

export const parsers: Readonly<Record<string, Parser>> = Object.freeze({
  authentik: authentikParser,
  servarr: servarrParser,
  github: githubParser,
  alertmanager: alertmanagerParser,
  grafana: grafanaParser,
  'uptime-kuma': uptimeKumaParser,
});

/** The parser for a query name, or undefined (the HTTP edge answers 404 for that). */
export function findParser(name: string): Parser | undefined {
  // hasOwn keeps names such as "constructor" or "__proto__" from resolving to Object.prototype.
  return Object.hasOwn(parsers, name) ? parsers[name] : undefined;
}
