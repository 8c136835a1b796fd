import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../scenario/duration.js';

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

/** A fraction written as "10%" or "0.1", from 0 to `max`. */
export function fractionOrPercent(max: number) {
  return (value: string): number => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
    const n = match === null ? Number.NaN : Number(match[1]) / (match[2] === '%' ? 100 : 1);
    if (!Number.isFinite(n) || n < 0 || n > max) {
      throw new InvalidArgumentError(
        `expected a fraction such as 0.1 or a percentage such as 10%, at most ${max * 100}%, got "${value}"`,
      );
    }
    return n;
  };
}

/** A duration such as "100ms" or "0.5s" (see harness/scenario/duration.ts), in seconds. */
export function durationOption(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    throw new InvalidArgumentError(`expected a duration such as 100ms or 0.5s, got "${value}"`);
  }
  return seconds;
}
