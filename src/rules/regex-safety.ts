/**
 * Guards for the `matches` operator. Rule patterns come from API clients and run against
 * attacker-influenced event fields (a failed login's username), so a pattern that can backtrack
 * exponentially would let one event stall the process. We reject the known catastrophic shapes
 * up front rather than run a timeout, because JavaScript cannot interrupt a running regex.
 *
 * The check is deliberately conservative: a repeated group may not contain a quantifier or
 * alternatives that could overlap. `(\d{1,3}\.){3}` stays allowed because a small bounded
 * repeat cannot blow up.
 */

export const MAX_REGEX_LENGTH = 200;

/** A repeat bounded at or below this count is treated as harmless even around a quantifier. */
const SMALL_REPEAT = 10;

const REGEX_CACHE_LIMIT = 500;

interface GroupFrame {
  bodyStart: number;
  separators: number[];
  hasQuantifier: boolean;
  riskyAlternation: boolean;
}

interface Quantifier {
  length: number;
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
  const stack: GroupFrame[] = [newFrame(0)];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    const frame = stack[stack.length - 1];
    if (char === '\\') {
      const next = pattern[i + 1];
      if ((next >= '1' && next <= '9') || (next === 'k' && pattern[i + 2] === '<')) {
        return 'backreferences are not allowed';
      }
      i += 2;
    } else if (char === '[') {
      i = skipClass(pattern, i);
    } else if (char === '(') {
      i = skipGroupPrefix(pattern, i + 1);
      stack.push(newFrame(i));
      continue;
    } else if (char === ')') {
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
      i += 1 + (quantifier ? quantifier.length : 0);
      continue;
    } else if (char === '|') {
      frame.separators.push(i);
      i += 1;
      continue;
    } else {
      const quantifier = readQuantifier(pattern, i);
      if (quantifier) {
        frame.hasQuantifier = true;
        i += quantifier.length;
        continue;
      }
      i += 1;
    }
    // An atom was consumed; a quantifier right after it counts for the enclosing group.
    const quantifier = readQuantifier(pattern, i);
    if (quantifier) {
      frame.hasQuantifier = true;
      i += quantifier.length;
    }
  }
  return null;
}

function newFrame(bodyStart: number): GroupFrame {
  return { bodyStart, separators: [], hasQuantifier: false, riskyAlternation: false };
}

/** `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`, plus a lazy `?`; null when none starts at `at`. */
function readQuantifier(pattern: string, at: number): Quantifier | null {
  const char = pattern[at];
  let length = 0;
  let max = 0;
  if (char === '*' || char === '+') [length, max] = [1, Number.POSITIVE_INFINITY];
  else if (char === '?') [length, max] = [1, 1];
  else if (char === '{') {
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (!braces) return null;
    length = braces[0].length;
    if (braces[2] === undefined) max = Number(braces[1]);
    else max = braces[3] === '' ? Number.POSITIVE_INFINITY : Number(braces[3]);
  } else return null;
  if (pattern[at + length] === '?') length += 1;
  return { length, max };
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
