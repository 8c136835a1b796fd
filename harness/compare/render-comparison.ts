import { formatSeconds } from '../scenario/duration.js';
import type { ThresholdCheck } from './change-threshold.js';
import type { CompareRow, Comparison, RunHeading } from './compare-runs.js';

/**
 * A comparison as text for the terminal and as Markdown for a pull-request comment: per
 * topology, each figure before and after, the change, and whether it is for the better. Pure.
 */

function value(row: CompareRow, x: number | null): string {
  if (x === null) return 'n/a';
  switch (row.unit) {
    case 'seconds':
      return formatSeconds(x);
    case 'fraction':
      return row.figure === 'errorRate' ? `${(x * 100).toFixed(2)}%` : `${(x * 100).toFixed(1)}%`;
    case 'per-second':
      return `${x.toFixed(2)}/s`;
    case 'ms':
      return `${x.toFixed(1)} ms`;
    case 'count':
      return String(x);
  }
}

function change(row: CompareRow): string {
  if (row.change === null) return 'n/a';
  if (row.change === 0) return '0';
  const sign = row.change > 0 ? '+' : '-';
  const magnitude = value(row, Math.abs(row.change));
  const relative =
    row.relative === null ? '' : ` (${sign}${(Math.abs(row.relative) * 100).toFixed(1)}%)`;
  return `${sign}${magnitude}${relative}`;
}

/** A threshold's change as it was judged: a percentage when relative. */
function checkedChange(c: ThresholdCheck): string {
  if (c.change === null) return 'n/a';
  const sign = c.change > 0 ? '+' : '';
  return c.relative
    ? `${sign}${(c.change * 100).toFixed(1)}%`
    : `${sign}${c.change.toPrecision(3)}`;
}

const MARK: Record<CompareRow['verdict'], string> = {
  better: 'better',
  worse: 'worse',
  same: '',
  'n/a': '',
};

function describeRun(label: string, run: RunHeading): string {
  const load =
    run.loadAverage === null ? 'load n/a' : `load ${run.loadAverage[0]?.toFixed(2) ?? 'n/a'}`;
  return `${label} ${run.scenario} ${run.runId}${run.complete ? '' : ' (incomplete)'}, time scale ${run.timeScale}, ${load}${run.commit === null ? '' : `, commit ${run.commit.slice(0, 10)}`}`;
}

function topologies(rows: readonly CompareRow[]): string[] {
  return [...new Set(rows.map((r) => r.topology))];
}

export function renderComparisonText(
  comparison: Comparison,
  checks: readonly ThresholdCheck[],
): string {
  const lines = [
    describeRun('before', comparison.before),
    describeRun('after ', comparison.after),
    'Times are scenario seconds (dispatch spread: real ms); change = after - before (relative to before).',
  ];
  for (const name of topologies(comparison.rows)) {
    lines.push('', name);
    lines.push(`  ${'figure'.padEnd(18)}${'before'.padEnd(12)}${'after'.padEnd(12)}change`);
    for (const row of comparison.rows.filter((r) => r.topology === name)) {
      const mark = MARK[row.verdict];
      lines.push(
        `  ${row.label.padEnd(18)}${value(row, row.before).padEnd(12)}${value(row, row.after).padEnd(12)}${change(row)}${mark === '' ? '' : `  ${mark}`}`,
      );
    }
  }
  for (const warning of comparison.warnings) lines.push(`note: ${warning}`);
  if (checks.length > 0) {
    lines.push('', 'thresholds on the change:');
    for (const c of checks)
      lines.push(`  ${c.status.padEnd(8)} ${c.threshold}  ${c.topology}  ${checkedChange(c)}`);
  }
  return lines.join('\n');
}

/** Table cells hold no pipe or newline of their own. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

export function renderComparisonMarkdown(
  comparison: Comparison,
  checks: readonly ThresholdCheck[],
): string {
  const failed = checks.filter((c) => c.status === 'fail');
  const lines = [
    `### Capacity: ${cell(comparison.after.scenario)}, ${cell(comparison.before.runId)} → ${cell(comparison.after.runId)}`,
    '',
    checks.length === 0
      ? 'No thresholds on the change.'
      : failed.length === 0
        ? `**Passed**: ${checks.length} threshold checks on the change.`
        : `**Failed**: ${failed.length} of ${checks.length} threshold checks on the change.`,
    '',
    `Machine load at the start: ${comparison.before.loadAverage?.[0]?.toFixed(2) ?? 'n/a'} before, ${comparison.after.loadAverage?.[0]?.toFixed(2) ?? 'n/a'} after. Times are scenario seconds.`,
  ];
  for (const name of topologies(comparison.rows)) {
    lines.push(
      '',
      `#### ${cell(name)}`,
      '',
      '| figure | before | after | change | |',
      '| --- | ---: | ---: | ---: | --- |',
    );
    for (const row of comparison.rows.filter((r) => r.topology === name)) {
      const mark =
        row.verdict === 'better' ? '🟢 better' : row.verdict === 'worse' ? '🔴 worse' : '';
      lines.push(
        `| ${row.label} | ${value(row, row.before)} | ${value(row, row.after)} | ${change(row)} | ${mark} |`,
      );
    }
  }
  if (checks.length > 0) {
    lines.push('', '| threshold | topology | change | result |', '| --- | --- | ---: | --- |');
    for (const c of checks)
      lines.push(
        `| \`${cell(c.threshold)}\` | ${cell(c.topology)} | ${checkedChange(c)} | ${c.status} |`,
      );
  }
  if (comparison.warnings.length > 0) {
    lines.push('');
    for (const warning of comparison.warnings) lines.push(`> ${cell(warning)}`);
  }
  return `${lines.join('\n')}\n`;
}
