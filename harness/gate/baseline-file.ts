import { z } from 'zod';
import type { RunSummary } from '../results/summary.js';
import type { ParseResult } from './threshold.js';

/**
 * Checks that a baseline file is a summary.json with the fields a comparison reads. Figures that
 * were NaN in the run are null in the file; they compare as "no value". Pure.
 */
const figure = z.number().nullable();
const baselineSchema = z.object({
  schemaVersion: z.literal(1),
  scenario: z.string(),
  runId: z.string(),
  timeScale: z.number(),
  topologies: z.array(
    z.object({
      name: z.string(),
      timeScale: z.number().optional(),
      requests: z.number(),
      errors: z.number(),
      measured: z.object({
        count: z.number(),
        meanWait: figure,
        p95Wait: figure,
        maxWait: figure,
        makespan: figure,
      }),
    }),
  ),
});

export function parseBaselineSummary(text: string): ParseResult<RunSummary> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      message: `not valid JSON (${(error as Error).message})`,
      fix: 'give the summary.json of an earlier run',
    };
  }
  const result = baselineSchema.safeParse(raw);
  if (!result.success) {
    const where = result.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    return {
      ok: false,
      message: `not a run summary (${where})`,
      fix: 'give the summary.json of an earlier run, e.g. reports/<scenario>/latest/summary.json',
    };
  }
  return { ok: true, value: raw as RunSummary };
}
