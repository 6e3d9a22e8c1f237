import { InvalidArgumentError } from 'commander';

/** Option parsers: a bad value is a usage error (exit 2) naming the option. */
export function positiveInt(value: string): string {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('must be a positive whole number.');
  return value;
}

/** Collects a repeatable option (`--scope a --scope b`, or `--scope a,b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function oneOf(allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}.`);
    return value;
  };
}

/** Collects a repeatable option whose values may contain commas (file names). */
export function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
