import { z } from 'zod';
import { formatSeconds, parseDuration } from './duration.js';

/** Field types shared by the parts of the scenario format. */

/** A duration: seconds as a number, or a string with a unit ("2s", "150ms"); parsed to seconds. */
export const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a duration`,
      params: { duration: true },
    });
    return z.NEVER;
  }
  return seconds;
});

/** A whole number within [min, max]. */
export const count = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * A limit: a duration above 0 and at most `max` seconds. A limit of 0 would stop everything at
 * once, and one beyond `max` would bound nothing.
 */
export const limitDuration = (max: number, written: string) =>
  duration.superRefine((seconds, ctx) => {
    if (seconds > 0 && seconds <= max) return;
    ctx.addIssue({
      code: 'custom',
      message: `${formatSeconds(seconds)} is out of range (a limit is above 0 and at most ${written})`,
      params: { fix: `give a duration above 0 and at most "${written}"` },
    });
  });
