import type { Command } from 'commander';
import { UsageError } from '../cli-error.ts';
import { clientCommand, createClient } from '../client.ts';
import { print, printJson } from '../output.ts';

/**
 * `herald event NAME key=value…` records an event for the rules engine. A value that reads
 * as JSON (numbers, true/false, null, quoted strings, arrays, objects) is sent as such,
 * anything else as a string; `a.b=1` nests ({"a":{"b":1}}).
 */
function parseValue(raw: string): unknown {
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(raw) || /^["[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

export function fieldsOf(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${pair}" is not key=value.`);
    const keys = pair.slice(0, eq).split('.');
    if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) {
      throw new UsageError(`"${pair}" has an unusable key.`);
    }
    let node = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = parseValue(pair.slice(eq + 1));
  }
  for (const reserved of ['name', 'occurredAt']) {
    if (reserved in out) throw new UsageError(`"${reserved}" is set by the command, not a field.`);
  }
  return out;
}

async function event(
  name: string,
  pairs: string[],
  opts: { url?: string; token?: string; at?: string; json?: boolean },
): Promise<void> {
  const fields = fieldsOf(pairs);
  const res = await createClient(opts).request<{ id: string; name: string; occurredAt: string }>(
    'POST',
    '/api/v1/events',
    { json: { ...fields, name, ...(opts.at ? { occurredAt: opts.at } : {}) } },
  );
  if (opts.json) return printJson(res);
  print(`Recorded event ${res.name} (${res.id}).`);
}

export function registerEvent(program: Command): void {
  clientCommand(
    program
      .command('event')
      .description('record an event for the rules engine')
      .argument('<name>', 'event name, e.g. backup.failed')
      .argument('[fields...]', 'key=value pairs (values that read as JSON are sent as JSON; a.b=1 nests)')
      .option('--at <time>', 'when it happened (ISO 8601; default: now)')
      .option('--json', 'print JSON'),
  ).action(event);
}
