import { parseDuration } from '../scenario/duration.js';
import { COMPARE_FIGURE_KEYS, COMPARE_FIGURES, type CompareRow } from './compare-runs.js';

/**
 * Thresholds on the change between two runs, for `compare --threshold`. Grammar:
 *
 *   threshold := figure op change
 *   figure    := one of COMPARE_FIGURE_KEYS (meanWait, p95Wait, throughput, errorRate, ...)
 *   op        := "<" | "<=" | ">" | ">="
 *   change    := ["+" | "-"] number "%"        relative to the first run's value
 *              | ["+" | "-"] duration          absolute, for figures in seconds ("500ms", "2s")
 *              | ["+" | "-"] number            absolute, in the figure's own unit
 *
 * e.g. `p95Wait<+10%` (p95 wait may grow by less than 10%), `throughput>=-5%`, `makespan<+2s`,
 * `errorRate<=0`. A threshold holds on every topology both runs share. Pure.
 */

export interface ChangeThreshold {
  source: string;
  figure: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  relative: boolean;
}

export type ThresholdParse =
  | { ok: true; value: ChangeThreshold }
  | { ok: false; message: string; fix: string };

const SHAPE = /^\s*([A-Za-z0-9]+)\s*(<=|>=|<|>)\s*([+-]?)\s*(.+?)\s*$/;

export function parseChangeThreshold(source: string): ThresholdParse {
  const match = SHAPE.exec(source);
  const fix = `write <figure><op><change>, e.g. "p95Wait<+10%" or "makespan<+2s"; figures: ${COMPARE_FIGURE_KEYS.join(', ')}`;
  if (match === null) return { ok: false, message: `"${source}" does not parse`, fix };
  const [, figure = '', op = '<', sign = '', amount = ''] = match;
  const spec = COMPARE_FIGURES.find((f) => f.key === figure);
  if (spec === undefined) return { ok: false, message: `"${source}": no figure "${figure}"`, fix };
  const negative = sign === '-' ? -1 : 1;
  let value: number;
  let relative = false;
  if (amount.endsWith('%')) {
    value = Number(amount.slice(0, -1)) / 100;
    relative = true;
  } else if (spec.unit === 'seconds' && /[a-z]$/i.test(amount)) {
    value = parseDuration(amount) ?? Number.NaN;
  } else value = Number(amount);
  if (!Number.isFinite(value))
    return { ok: false, message: `"${source}": "${amount}" is not a change`, fix };
  return {
    ok: true,
    value: { source, figure, op: op as ChangeThreshold['op'], value: negative * value, relative },
  };
}

export interface ThresholdCheck {
  threshold: string;
  topology: string;
  /** The change measured: relative (a fraction) or absolute, as the threshold is. */
  change: number | null;
  relative: boolean;
  status: 'pass' | 'fail' | 'skipped';
}

const holds = (op: ChangeThreshold['op'], x: number, limit: number): boolean =>
  op === '<' ? x < limit : op === '<=' ? x <= limit : op === '>' ? x > limit : x >= limit;

/** Each threshold on each topology's row of its figure; a missing change is skipped, not failed. */
export function checkChanges(
  rows: readonly CompareRow[],
  thresholds: readonly ChangeThreshold[],
): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  for (const threshold of thresholds) {
    for (const row of rows.filter((r) => r.figure === threshold.figure)) {
      const change = threshold.relative ? row.relative : row.change;
      checks.push({
        threshold: threshold.source,
        topology: row.topology,
        change,
        relative: threshold.relative,
        status:
          change === null
            ? 'skipped'
            : holds(threshold.op, change, threshold.value)
              ? 'pass'
              : 'fail',
      });
    }
  }
  return checks;
}
