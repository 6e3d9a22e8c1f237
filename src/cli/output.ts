import type { Writable } from 'node:stream';

/**
 * How commands print: aligned tables for people, `--json` for scripts, and colour only when
 * the stream is a terminal and NO_COLOR (https://no-color.org) is unset. FORCE_COLOR=1 turns
 * it on anyway (CI logs that render ANSI).
 */
export function colourEnabled(stream: Writable & { isTTY?: boolean }): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const identity = (s: string) => s;

export function paintFor(stream: Writable & { isTTY?: boolean }): Paint {
  if (!colourEnabled(stream)) {
    return {
      bold: identity,
      dim: identity,
      red: identity,
      green: identity,
      yellow: identity,
      cyan: identity,
    };
  }
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

export const out = paintFor(process.stdout);
export const err = paintFor(process.stderr);

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what we strip.
const ANSI = /\x1b\[[0-9;]*m/g;
const width = (s: string) => [...s.replace(ANSI, '')].length;

export interface Column<T> {
  header: string;
  value(row: T): string | number | null | undefined;
  /** Colours a cell after its width is measured. */
  paint?(text: string, row: T): string;
}

/** Aligned columns with a bold header; an empty list prints `empty` instead. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], empty = '(none)'): string {
  if (rows.length === 0) return out.dim(empty);
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.value(r);
      return v === null || v === undefined || v === '' ? '-' : String(v).replace(/\s*\n\s*/g, ' ');
    }),
  );
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((row) => width(row[i]))));
  const pad = (s: string, i: number) => (i === columns.length - 1 ? s : s + ' '.repeat(widths[i] - width(s)));
  const lines = [columns.map((c, i) => out.bold(pad(c.header, i))).join('  ')];
  rows.forEach((r, ri) => {
    lines.push(
      cells[ri]
        .map((text, i) => {
          const padded = pad(text, i);
          const paint = columns[i].paint;
          return paint ? paint(padded, r) : padded;
        })
        .join('  '),
    );
  });
  return lines.join('\n');
}

/** `key  value` lines, keys aligned. */
export function fields(pairs: ReadonlyArray<readonly [string, string | number | null | undefined]>): string {
  const w = Math.max(...pairs.map(([k]) => width(k)));
  return pairs
    .map(([k, v]) => `${out.bold(k + ' '.repeat(w - width(k)))}  ${v === null || v === undefined ? '-' : v}`)
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Progress and notes go to stderr so stdout stays clean for pipes and --json. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** `1 message`, `3 messages`. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3m ago"-style age for tables; ISO in --json. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(s)) return iso;
  if (s < 0) return iso;
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
