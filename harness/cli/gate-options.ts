import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BaselineInvalidError } from '../errors.js';
import type { BaselineOptions } from '../gate/baseline.js';
import { parseBaselineSummary } from '../gate/baseline-file.js';
import type { GateConfig } from '../gate/run-gate.js';

/**
 * The gate's command-line options. Each --threshold joins the scenario's thresholds before it is
 * validated (harness/scenario/overrides.ts), so scenario.json records what the run was judged by
 * and a threshold is judged alike in the file and on the command line; the --baseline file must
 * be a run summary.
 */
export interface GateOptions {
  threshold?: string[];
  baseline?: string;
  baselineTolerance: number;
  baselineSlack: number;
}

export async function loadBaseline(
  file: string,
  cwd: string,
  options: BaselineOptions,
): Promise<NonNullable<GateConfig['baseline']>> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BaselineInvalidError(`--baseline ${file}: ${(error as Error).message}`, {
      fix: 'give the summary.json of an earlier run, e.g. reports/<scenario>/latest/summary.json',
      cause: error,
    });
  }
  const parsed = parseBaselineSummary(text);
  if (!parsed.ok) {
    throw new BaselineInvalidError(`--baseline ${file}: ${parsed.message}`, { fix: parsed.fix });
  }
  return { summary: parsed.value, options };
}
