import { formatSeconds } from '../scenario/duration.js';
import type { BaselineComparison, BaselineRow } from './baseline.js';
import { describeValue } from './format.js';
import { type GateOutcome, observedText } from './gate.js';

/**
 * The gate for the terminal: each threshold with its observed value, and the baseline
 * side by side. Pure: returns the text.
 *
 *   gate: FAILED, 1 of 3 checks failed
 *     pass  wait p(95)<5s     on sync-4-x3   p(95) = 4.1s
 *     FAIL  makespan max<25s  on sync-4-x3   max = 35.8s
 */

const MARK = { pass: 'pass', fail: 'FAIL', skipped: 'skip' } as const;

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export function renderGate(outcome: GateOutcome): string {
  const checks =
    outcome.thresholds.filter((r) => r.status !== 'skipped').length +
    (outcome.baseline?.rows.filter((r) => r.status !== 'skipped').length ?? 0);
  const lines = [
    outcome.passed
      ? `gate: passed, ${checks} check${checks === 1 ? '' : 's'}`
      : outcome.verdict === 'inconclusive'
        ? `gate: INCONCLUSIVE, ${outcome.failures.length} of ${checks} checks failed on a measurement too disturbed to judge`
        : `gate: FAILED, ${outcome.failures.length} of ${checks} checks failed`,
  ];
  for (const reason of outcome.inconclusive ?? []) lines.push(`  measurement poor: ${reason}`);
  if (outcome.thresholds.length > 0) {
    lines.push('  thresholds');
    const rows = outcome.thresholds.map((r) => [
      MARK[r.status],
      `${r.threshold.key} ${r.threshold.condition}`,
      `on ${r.topology}`,
      observedText(r),
    ]);
    lines.push(...table(rows).map((l) => `    ${l}`));
  }
  if (outcome.baseline !== null) lines.push(...renderBaseline(outcome.baseline));
  return lines.join('\n');
}

function cell(value: number | null, row: BaselineRow): string {
  return value === null ? 'n/a' : describeValue(value, row.unit);
}

export function renderBaseline(comparison: BaselineComparison): string[] {
  const { baselineRun, options } = comparison;
  const lines = [
    `  baseline ${baselineRun.runId} (${baselineRun.scenario}), tolerance ${Number((options.tolerance * 100).toPrecision(3))}%, slack ${formatSeconds(options.slack)}`,
  ];
  const rows = [
    ['', 'topology', 'figure', 'baseline', 'this run', 'change', 'limit'],
    ...comparison.rows.map((r) => [
      MARK[r.status],
      r.topology,
      r.label,
      cell(r.baseline, r),
      cell(r.current, r),
      r.change === null ? '' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`,
      r.limit === null ? (r.note ?? '') : `<= ${describeValue(r.limit, r.unit)}`,
    ]),
  ];
  lines.push(...table(rows).map((l) => `    ${l}`));
  for (const warning of comparison.warnings) lines.push(`    note: ${warning}`);
  return lines;
}
