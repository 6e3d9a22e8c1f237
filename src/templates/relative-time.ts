// Human "time ago" text, computed at read time (tenant API `relativeTime`, inbox UIs).
//
// Units are fixed-length on purpose (a month is 30 days, a year 365): the text is a rough hint,
// and fixed lengths make every boundary testable without a calendar or a time zone. Counts are
// floored, so "1 hour ago" lasts until the second hour is complete.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** Below this the difference is noise (clock skew, request latency), not worth a number. */
const JUST_NOW_MS = 45 * SECOND;

const UNITS: readonly { name: string; ms: number; below: number }[] = [
  { name: 'minute', ms: MINUTE, below: HOUR },
  { name: 'hour', ms: HOUR, below: DAY },
  { name: 'day', ms: DAY, below: MONTH },
  // Twelve 30-day months are 360 days; days 360–364 stay "11 months" rather than "12 months".
  { name: 'month', ms: MONTH, below: YEAR },
  { name: 'year', ms: YEAR, below: Number.POSITIVE_INFINITY },
];

export function relativeTime(then: Date, now: Date): string {
  const diff = now.getTime() - then.getTime();
  if (Number.isNaN(diff)) throw new RangeError('relativeTime: invalid date');
  const abs = Math.abs(diff);
  if (abs < JUST_NOW_MS) return 'just now';

  const unit = UNITS.find((u) => abs < u.below)!;
  const count = unit.name === 'month' ? Math.min(11, Math.floor(abs / unit.ms)) : Math.floor(abs / unit.ms);
  // 45–59 s floors to 0 minutes but is past "just now".
  const n = Math.max(1, count);
  const phrase = `${n} ${unit.name}${n === 1 ? '' : 's'}`;
  return diff >= 0 ? `${phrase} ago` : `in ${phrase}`;
}
