import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BaselineInvalidError, ThresholdInvalidError } from '../errors.js';
import type { BaselineOptions } from '../gate/baseline.js';
import { parseBaselineSummary } from '../gate/baseline-file.js';
import type { GateConfig } from '../gate/run-gate.js';
import { parseThresholdOption } from '../gate/threshold.js';
import type { Scenario } from '../scenario/types.js';

/**
 * Turns the gate's command-line options into a GateConfig before anything runs: every
 * --threshold is parsed (all problems reported at once), tags must name a topology of the
 * scenario, and the --baseline file must be a run summary. Thresholds from the command line are
 * added to the scenario's own, so scenario.json records what the run was judged by.
 */
export interface GateOptions {
  threshold?: string[];
  baseline?: string;
  baselineTolerance: number;
  baselineSlack: number;
}

export function mergeThresholds(scenario: Scenario, options: readonly string[]): Scenario {
  const problems: string[] = [];
  const names = new Set(scenario.topologies.map((t) => t.name));
  const thresholds: Record<string, string[]> = {};
  for (const [key, conditions] of Object.entries(scenario.thresholds ?? {}))
    thresholds[key] = [...conditions];
  for (const text of options) {
    const parsed = parseThresholdOption(text);
    if (!parsed.ok) {
      problems.push(`--threshold "${text}": ${parsed.message}\n    fix: ${parsed.fix}`);
      continue;
    }
    const { key, topology, condition } = parsed.value;
    if (topology !== null && !names.has(topology)) {
      problems.push(
        `--threshold "${text}": no topology is named "${topology}"\n    fix: tag one of ${[...names].map((n) => `"${n}"`).join(', ')}`,
      );
      continue;
    }
    thresholds[key] = [...(thresholds[key] ?? []), condition];
  }
  if (problems.length > 0) {
    throw new ThresholdInvalidError(
      `${problems.length === 1 ? 'a threshold is' : `${problems.length} thresholds are`} malformed:\n  ${problems.join('\n  ')}`,
      {
        fix: 'thresholds are written metric=condition, e.g. --threshold "wait=p(95)<5s"; scenarios/README.md has the grammar',
      },
    );
  }
  return { ...scenario, thresholds };
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
