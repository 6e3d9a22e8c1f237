/**
 * Guards for the `matches` operator. Rule patterns come from API clients and run against
 * attacker-influenced event fields (a failed login's username), so a pattern that backtracks
 * badly would let one event stall the process. We reject dangerous shapes up front rather than
 * run a timeout, because JavaScript cannot interrupt a running regex.
 *
 * Two checks, both deliberately conservative:
 * 1. Exponential shapes: a repeated group may not contain a quantifier, nor alternatives that
 *    could overlap (`(a+)+`, `(a|a)*`). `(\d{1,3}\.){3}` stays allowed: a small bounded repeat
 *    cannot blow up.
 * 2. Polynomial shapes: we estimate how many ways the pattern can split an input of
 *    `MAX_REGEX_INPUT` characters (each open-ended repeat, and an unanchored start, can pick
 *    any position) and refuse more than quadratic. Measured on Node 20 at 10,000 characters,
 *    quadratic patterns such as `error.*timeout` take 0.1–0.3 s in the worst case, while a
 *    cubic one such as `.*.*x` runs for minutes.
 */

export const MAX_REGEX_LENGTH = 200;

/** `matches` only looks this far into a field, which is what makes quadratic patterns bearable. */
export const MAX_REGEX_INPUT = 10_000;

/** Worst-case split count allowed: quadratic in the input cap (see the measurements above). */
const MAX_BACKTRACKING_COST = MAX_REGEX_INPUT ** 2;

/** Keeps cost arithmetic finite; anything this large is refused anyway. */
const COST_CEILING = 1e30;

/** A repeat bounded at or below this count is treated as harmless even around a quantifier. */
const SMALL_REPEAT = 10;

const REGEX_CACHE_LIMIT = 500;

/**
 * Parser state for one open group (the whole pattern is the outermost one). `cost` is the split
 * estimate of the alternative being read, `finishedCost` the largest of those already closed.
 */
interface GroupFrame {
  bodyStart: number;
  separators: number[];
  hasQuantifier: boolean;
  riskyAlternation: boolean;
  cost: number;
  finishedCost: number;
  anchored: boolean;
}

interface Quantifier {
  length: number;
  min: number;
  max: number;
}

/** Returns why the pattern is refused, or null when it is safe to compile and run. */
export function findRegexProblem(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_LENGTH) {
    return `pattern must be at most ${MAX_REGEX_LENGTH} characters`;
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  return findBacktrackingHazard(pattern);
}

const cache = new Map<string, RegExp | null>();

/** Compiles a pattern that passed validation; refuses (null) anything unsafe, even from storage. */
export function compileRuleRegex(pattern: string): RegExp | null {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = findRegexProblem(pattern) === null ? new RegExp(pattern) : null;
  if (cache.size >= REGEX_CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function findBacktrackingHazard(pattern: string): string | null {
  const stack: GroupFrame[] = [newFrame(0, pattern[0] === '^')];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    const frame = stack[stack.length - 1];
    if (char === '(') {
      i = skipGroupPrefix(pattern, i + 1);
      stack.push(newFrame(i, false));
      continue;
    }
    if (char === ')') {
      const group = stack.pop()!;
      const parent = stack[stack.length - 1];
      group.riskyAlternation ||= hasOverlappingAlternatives(pattern, group, i);
      const quantifier = readQuantifier(pattern, i + 1);
      if (quantifier && quantifier.max > SMALL_REPEAT) {
        if (group.hasQuantifier) {
          return 'nested quantifiers such as (a+)+ can take exponential time; repeat the group only once';
        }
        if (group.riskyAlternation) {
          return 'repeated alternatives that can overlap, such as (a|a)*, can take exponential time';
        }
      }
      parent.hasQuantifier ||= group.hasQuantifier || quantifier !== null;
      parent.riskyAlternation ||= group.riskyAlternation;
      const body = Math.max(group.finishedCost, group.cost);
      parent.cost = capped(parent.cost * (quantifier ? repeatCost(quantifier, body) : body));
      i += 1 + (quantifier ? quantifier.length : 0);
      continue;
    }
    if (char === '|') {
      frame.separators.push(i);
      frame.finishedCost = Math.max(frame.finishedCost, alternativeCost(frame, stack.length === 1));
      frame.cost = 1;
      frame.anchored = pattern[i + 1] === '^';
      i += 1;
      continue;
    }
    if (char === '\\') {
      const next = pattern[i + 1];
      if ((next >= '1' && next <= '9') || (next === 'k' && pattern[i + 2] === '<')) {
        return 'backreferences are not allowed';
      }
      i += 2;
    } else if (char === '[') {
      i = skipClass(pattern, i);
    } else {
      i += 1;
    }
    // An atom was consumed; a quantifier right after it counts for the enclosing group.
    const quantifier = readQuantifier(pattern, i);
    if (quantifier) {
      frame.hasQuantifier = true;
      frame.cost = capped(frame.cost * repeatCost(quantifier, 1));
      i += quantifier.length;
    }
  }
  const root = stack[0];
  if (Math.max(root.finishedCost, alternativeCost(root, true)) > MAX_BACKTRACKING_COST) {
    return 'too many open-ended repeats (*, +, {n,}) to run safely on a long field; anchor the pattern with ^, use bounded repeats such as {1,64}, or drop a .*';
  }
  return null;
}

function newFrame(bodyStart: number, anchored: boolean): GroupFrame {
  return {
    bodyStart,
    separators: [],
    hasQuantifier: false,
    riskyAlternation: false,
    cost: 1,
    finishedCost: 0,
    anchored,
  };
}

/** An unanchored top-level alternative may be retried from every position of the input. */
function alternativeCost(frame: GroupFrame, isRoot: boolean): number {
  return isRoot && !frame.anchored ? capped(frame.cost * MAX_REGEX_INPUT) : frame.cost;
}

/**
 * Ways a repeat of a body with `body` ways can split the input: an open-ended repeat can stop
 * at any of the input's positions, a bounded one tries each count with every body choice.
 */
function repeatCost(quantifier: Quantifier, body: number): number {
  if (quantifier.max === Number.POSITIVE_INFINITY) return capped(MAX_REGEX_INPUT * body);
  return capped(body ** quantifier.max * (quantifier.max - quantifier.min + 1));
}

function capped(cost: number): number {
  return Math.min(cost, COST_CEILING);
}

/** `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`, plus a lazy `?`; null when none starts at `at`. */
function readQuantifier(pattern: string, at: number): Quantifier | null {
  const char = pattern[at];
  let quantifier: Quantifier;
  if (char === '*') quantifier = { length: 1, min: 0, max: Number.POSITIVE_INFINITY };
  else if (char === '+') quantifier = { length: 1, min: 1, max: Number.POSITIVE_INFINITY };
  else if (char === '?') quantifier = { length: 1, min: 0, max: 1 };
  else if (char === '{') {
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (!braces) return null;
    const min = Number(braces[1]);
    let max = min;
    if (braces[2] !== undefined) max = braces[3] === '' ? Number.POSITIVE_INFINITY : Number(braces[3]);
    quantifier = { length: braces[0].length, min, max };
  } else return null;
  // A lazy marker changes the order of attempts, not their number.
  if (pattern[at + quantifier.length] === '?') quantifier.length += 1;
  return quantifier;
}

function skipClass(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i += 1;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Steps over `?:`, `?=`, `?!`, `?<=`, `?<!` and `?<name>` so their `?` is not a quantifier. */
function skipGroupPrefix(pattern: string, at: number): number {
  if (pattern[at] !== '?') return at;
  const next = pattern[at + 1];
  if (next === ':' || next === '=' || next === '!') return at + 2;
  if (next === '<') {
    if (pattern[at + 2] === '=' || pattern[at + 2] === '!') return at + 3;
    return pattern.indexOf('>', at) + 1;
  }
  return at + 1;
}

// Alternatives are trusted only when all are plain, distinct literals none of which is a
// prefix of another (`(GET|POST)+`); anything fancier might let two branches match the same
// text, which is what makes `(a|a)*` explode.
function hasOverlappingAlternatives(pattern: string, group: GroupFrame, close: number): boolean {
  if (group.separators.length === 0) return false;
  const bounds = [group.bodyStart - 1, ...group.separators, close];
  const alternatives = bounds.slice(1).map((end, k) => pattern.slice(bounds[k] + 1, end));
  if (alternatives.some((alt) => alt === '' || /[\\.[\](){}*+?^$|]/.test(alt))) return true;
  return alternatives.some((a, x) => alternatives.some((b, y) => x !== y && b.startsWith(a)));
}
