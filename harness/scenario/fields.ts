import { z } from 'zod';
import { parseDuration } from './duration.js';

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
