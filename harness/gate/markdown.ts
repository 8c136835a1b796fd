import { formatSeconds } from '../scenario/duration.js';
import type { BaselineRow } from './baseline.js';
import { describeValue } from './format.js';
import { type GateOutcome, observedText } from './gate.js';

/**
 * The gate as Markdown, for gate.md and GitHub's job summary ($GITHUB_STEP_SUMMARY). Every
 * string from a scenario is escaped: the summary renders HTML, and a `|` would break a table.
 * Pure: returns the text.
 */

export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

const MARK = { pass: '✅ pass', fail: '❌ fail', skipped: '➖ skipped' } as const;

function value(v: number | null, row: BaselineRow): string {
  return v === null ? 'n/a' : describeValue(v, row.unit);
}

export function renderGateMarkdown(outcome: GateOutcome): string {
  const lines = [
    `### Capacity gate: ${escapeMarkdown(outcome.scenario)} ${outcome.verdict ?? (outcome.passed ? 'passed' : 'failed')}`,
    '',
    `Run \`${escapeMarkdown(outcome.runId)}\`. Durations are scenario seconds unless marked real.`,
    '',
  ];
  if ((outcome.inconclusive ?? []).length > 0) {
    lines.push(
      '**No verdict: the checks below failed while the machine was too busy to judge:**',
      '',
    );
    for (const reason of outcome.inconclusive) lines.push(`- ${escapeMarkdown(reason)}`);
    lines.push('');
  }
  const qualities = Object.entries(outcome.quality ?? {});
  if (qualities.length > 0) {
    lines.push(
      `Measurement quality: ${qualities.map(([t, q]) => `${escapeMarkdown(t)} ${q.level}`).join(', ')}.`,
      '',
    );
  }
  if (outcome.failures.length > 0) {
    lines.push(`**${outcome.failures.length} failed:**`, '');
    for (const failure of outcome.failures) lines.push(`- ${escapeMarkdown(failure)}`);
    lines.push('');
  }
  if (outcome.thresholds.length > 0) {
    lines.push('| result | topology | threshold | observed |', '| --- | --- | --- | --- |');
    for (const r of outcome.thresholds) {
      const observed = observedText(r);
      lines.push(
        `| ${MARK[r.status]} | ${escapeMarkdown(r.topology)} | ${escapeMarkdown(`${r.threshold.key} ${r.threshold.condition}`)} | ${escapeMarkdown(observed)} |`,
      );
    }
    lines.push('');
  }
  const baseline = outcome.baseline;
  if (baseline !== null) {
    lines.push(
      `Baseline \`${escapeMarkdown(baseline.baselineRun.runId)}\` (${escapeMarkdown(baseline.baselineRun.scenario)}), tolerance ${Number((baseline.options.tolerance * 100).toPrecision(3))}%, slack ${formatSeconds(baseline.options.slack)}:`,
      '',
      '| result | topology | figure | baseline | this run | change | limit |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of baseline.rows) {
      const change =
        r.change === null ? '' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`;
      const limit = r.limit === null ? escapeMarkdown(r.note ?? '') : `≤ ${value(r.limit, r)}`;
      lines.push(
        `| ${MARK[r.status]} | ${escapeMarkdown(r.topology)} | ${r.label} | ${value(r.baseline, r)} | ${value(r.current, r)} | ${change} | ${limit} |`,
      );
    }
    for (const warning of baseline.warnings) lines.push('', `> ${escapeMarkdown(warning)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
