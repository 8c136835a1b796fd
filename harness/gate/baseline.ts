import { type RunSummary, type TopologySummary, timeScaleOf } from '../results/summary.js';
import type { CheckStatus } from './evaluate.js';

/**
 * Compares a run with a baseline run (an earlier summary.json), topology by topology (matched by
 * name), figure by figure. A figure fails when it is worse than the baseline by more than the
 * tolerance and the slack together:
 *
 *   fail  <=>  current > baseline x (1 + tolerance) + slack
 *
 * Higher is worse for every figure compared. The slack (scenario seconds) keeps figures near
 * zero, where a relative tolerance means nothing, from failing on timer noise; it does not apply
 * to the error rate, where any new failure beyond the tolerance counts. Pure.
 */

export interface BaselineOptions {
  /** Relative tolerance, 0.1 = 10% worse is still a pass. */
  tolerance: number;
  /** Absolute slack on durations, scenario seconds. */
  slack: number;
}

export const BASELINE_DEFAULTS: BaselineOptions = { tolerance: 0.1, slack: 0.1 };

export const BASELINE_FIGURES = [
  { key: 'meanWait', label: 'mean wait', unit: 'seconds' },
  { key: 'p95Wait', label: 'p95 wait', unit: 'seconds' },
  { key: 'maxWait', label: 'max wait', unit: 'seconds' },
  { key: 'makespan', label: 'makespan', unit: 'seconds' },
  { key: 'errorRate', label: 'error rate', unit: 'fraction' },
] as const;
export type BaselineFigure = (typeof BASELINE_FIGURES)[number]['key'];

export interface BaselineRow {
  topology: string;
  figure: BaselineFigure;
  label: string;
  unit: 'seconds' | 'fraction';
  baseline: number | null;
  current: number | null;
  /** (current - baseline) / baseline, null when either is missing or the baseline is 0. */
  change: number | null;
  /** The largest current value that passes. */
  limit: number | null;
  status: CheckStatus;
  note: string | null;
}

export interface BaselineComparison {
  /** The baseline's scenario, run id and time scale, to print beside the rows. */
  baselineRun: { scenario: string; runId: string; timeScale: number };
  options: BaselineOptions;
  rows: BaselineRow[];
  /** Things a reader should know: a different scenario or time scale, topologies not compared. */
  warnings: string[];
}

function figureOf(t: TopologySummary, figure: BaselineFigure): number | null {
  if (figure === 'errorRate') return t.requests === 0 ? null : t.errors / t.requests;
  if (t.measured.count === 0) return null;
  const value = t.measured[figure];
  return Number.isFinite(value) ? value : null;
}

export function compareWithBaseline(
  current: RunSummary,
  baseline: RunSummary,
  options: BaselineOptions = BASELINE_DEFAULTS,
): BaselineComparison {
  const warnings: string[] = [];
  if (baseline.scenario !== current.scenario) {
    warnings.push(
      `the baseline is a run of "${baseline.scenario}", this is "${current.scenario}"; topologies are matched by name`,
    );
  }
  if (baseline.timeScale !== current.timeScale) {
    warnings.push(
      `the baseline ran at time scale ${baseline.timeScale}, this run at ${current.timeScale}; figures are in scenario seconds, but overheads weigh differently`,
    );
  }
  const rows: BaselineRow[] = [];
  for (const now of current.topologies) {
    const before = baseline.topologies.find((b) => b.name === now.name);
    if (before === undefined) {
      warnings.push(`topology "${now.name}" is not in the baseline; not compared`);
      continue;
    }
    const [was, is] = [timeScaleOf(baseline, before), timeScaleOf(current, now)];
    if ((was !== baseline.timeScale || is !== current.timeScale) && was !== is)
      warnings.push(
        `topology "${now.name}" ran at time scale ${was} in the baseline, ${is} in this run; figures are in scenario seconds, but overheads weigh differently`,
      );
    for (const { key, label, unit } of BASELINE_FIGURES) {
      const b = figureOf(before, key);
      const c = figureOf(now, key);
      const row: BaselineRow = {
        topology: now.name,
        figure: key,
        label,
        unit,
        baseline: b,
        current: c,
        change: b === null || c === null || b === 0 ? null : (c - b) / b,
        limit: null,
        status: 'skipped',
        note: null,
      };
      if (b === null) row.note = 'the baseline has no value';
      else if (c === null) {
        row.status = 'fail';
        row.note = 'this run has no value';
      } else {
        const slack = unit === 'seconds' ? options.slack : 0;
        row.limit = b * (1 + options.tolerance) + slack;
        row.status = c > row.limit ? 'fail' : 'pass';
      }
      rows.push(row);
    }
  }
  for (const before of baseline.topologies) {
    if (!current.topologies.some((t) => t.name === before.name))
      warnings.push(`baseline topology "${before.name}" was not run; not compared`);
  }
  return {
    baselineRun: {
      scenario: baseline.scenario,
      runId: baseline.runId,
      timeScale: baseline.timeScale,
    },
    options,
    rows,
    warnings,
  };
}
