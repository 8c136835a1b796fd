import type { BaselineComparison } from './baseline.js';
import type { ThresholdResult } from './evaluate.js';
import { describeValue } from './format.js';
import { aggregateLabel } from './threshold.js';

/**
 * The gate's verdict: every threshold result and baseline row, whether the run passes, and one
 * line per failure naming the metric, the topology and the value. Written as gate.json, rendered
 * for the terminal, as Markdown and as JUnit XML.
 */
export interface GateOutcome {
  scenario: string;
  runId: string;
  passed: boolean;
  thresholds: ThresholdResult[];
  baseline: BaselineComparison | null;
  /** One line per failed check, e.g. `wait p(95)<5s on sync-4-x3: p(95) = 30.6s`. */
  failures: string[];
}

export function decideGate(input: {
  scenario: string;
  runId: string;
  thresholds: ThresholdResult[];
  baseline: BaselineComparison | null;
}): GateOutcome {
  const failures: string[] = [];
  for (const r of input.thresholds) {
    if (r.status === 'fail') failures.push(thresholdLine(r));
  }
  for (const row of input.baseline?.rows ?? []) {
    if (row.status !== 'fail') continue;
    failures.push(
      row.current === null || row.baseline === null
        ? `baseline ${row.label} on ${row.topology}: ${row.note ?? 'no value'}`
        : `baseline ${row.label} on ${row.topology}: ${describeValue(row.current, row.unit)}, baseline ${describeValue(row.baseline, row.unit)}, limit ${describeValue(row.limit ?? 0, row.unit)}`,
    );
  }
  return { ...input, passed: failures.length === 0, failures };
}

/** `wait p(95)<5s on sync-4-x3: p(95) = 30.6s`. */
export function thresholdLine(r: ThresholdResult): string {
  return `${r.threshold.key} ${r.threshold.condition} on ${r.topology}: ${observedText(r)}`;
}

/** `p(95) = 30.6s`, or why there is no value. */
export function observedText(r: ThresholdResult): string {
  return r.observed === null
    ? (r.note ?? 'no value')
    : `${aggregateLabel(r.threshold.aggregate)} = ${describeValue(r.observed, r.threshold.valueKind)}`;
}
