import type { MeasurementQuality } from '../observe/measurement-quality.js';
import type { BaselineComparison } from './baseline.js';
import type { ThresholdResult } from './evaluate.js';
import { describeValue } from './format.js';
import { aggregateLabel, holds } from './threshold.js';

/**
 * The gate's verdict: every threshold result and baseline row, whether the run passes, and one
 * line per failure naming the metric, the topology and the value. Written as gate.json, rendered
 * for the terminal, as Markdown and as JUnit XML.
 *
 * A failure measured while the machine was too busy to trust (a topology's measurement quality
 * poor, harness/observe/measurement-quality.ts) that would pass once the apparatus's measured
 * part is taken out (the attribution's load generator, handler and server-cost shares) is no
 * verdict on the deployment: the gate is then `inconclusive` and says why, rather than fail
 * (exit 106, not 99). A failure the apparatus cannot explain is a verdict however busy the
 * machine; a run that passes passes whatever the machine did.
 */
export type GateVerdict = 'passed' | 'failed' | 'inconclusive';

export interface GateOutcome {
  scenario: string;
  runId: string;
  /** True only for verdict `passed`. */
  passed: boolean;
  verdict: GateVerdict;
  /** Each topology's measurement quality the verdict took into account. */
  quality: Record<string, MeasurementQuality>;
  /** Why the verdict is inconclusive: the poor measurements, one line per topology; else empty. */
  inconclusive: string[];
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
  /** Measurement quality by topology; none known: every failure is a verdict. */
  quality?: Readonly<Record<string, MeasurementQuality>>;
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
  const quality = { ...(input.quality ?? {}) };
  // No verdict only where the machine can explain every failure: each failed check was measured
  // on a topology whose measurement was poor, and would pass once the apparatus's measured part
  // is taken out. A failure beyond that, or a baseline failure, is a verdict.
  const failed = input.thresholds.filter((r) => r.status === 'fail');
  const baselineFailed = (input.baseline?.rows ?? []).some((r) => r.status === 'fail');
  const excused = failed.filter(
    (r) =>
      quality[r.topology]?.level === 'poor' &&
      r.withoutApparatus !== undefined &&
      r.withoutApparatus !== null &&
      holds(r.withoutApparatus, r.threshold.operator, r.threshold.value),
  );
  const disturbed = failed.length > 0 && !baselineFailed && excused.length === failed.length;
  const inconclusive = disturbed
    ? [...new Set(excused.map((r) => r.topology))].map(
        (t) => `${t}: ${(quality[t] as MeasurementQuality).reasons.join('; ')}`,
      )
    : [];
  const verdict: GateVerdict =
    failures.length === 0 ? 'passed' : disturbed ? 'inconclusive' : 'failed';
  return {
    scenario: input.scenario,
    runId: input.runId,
    passed: verdict === 'passed',
    verdict,
    quality,
    inconclusive,
    thresholds: input.thresholds,
    baseline: input.baseline,
    failures,
  };
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
