/** Longest pattern accepted; event names are identifiers, not free text. */
export const MAX_EVENT_PATTERN_LENGTH = 200;

// Segments stay within [A-Za-z0-9_-] so a pattern can never smuggle in regex or glob syntax
// beyond the two wildcard forms we document.
const EXACT_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** True for an exact dotted name, `*`, or `prefix.*` (prefix itself an exact dotted name). */
export function isValidEventPattern(pattern: string): boolean {
  if (pattern.length === 0 || pattern.length > MAX_EVENT_PATTERN_LENGTH) return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return EXACT_NAME.test(pattern.slice(0, -2));
  return EXACT_NAME.test(pattern);
}

/**
 * `*` matches every event; `auth.*` matches anything strictly below `auth` (`auth.login_failed`,
 * `auth.x.y`) but not `auth` itself, because a listener for sub-events should not hear the
 * parent; anything else must match exactly (case-sensitive, like the names apps send).
 */
export function matchesEventPattern(pattern: string, eventName: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return eventName.startsWith(pattern.slice(0, -1));
  return pattern === eventName;
}

export function matchesAnyEventPattern(patterns: readonly string[], eventName: string): boolean {
  return patterns.some((pattern) => matchesEventPattern(pattern, eventName));
}
