import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that reject bad values with a message naming the fix. */
export function positiveNumber(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(
        `expected a number above 0 and at most ${max}, got "${value}"`,
      );
    }
    return n;
  };
}

export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected a whole number from ${min} to ${max}, got "${value}"`,
      );
    }
    return n;
  };
}

/** For repeatable options: `--only a --only b` collects ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
