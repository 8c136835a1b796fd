import { qualityLine } from '../observe/measurement-quality.js';
import { CAUSE_LABEL, modelOwnError } from '../results/attribution.js';
import type { TopologySummary } from '../results/summary.js';
import { formatSeconds } from '../scenario/duration.js';
import { signedPercent } from './columns.js';

/**
 * The terminal's lines on the apparatus for one topology (issue 13): how busy the machine was,
 * and the walk from the model's mean wait to the measured one, one named part at a time. Pure.
 *
 *   measurement quality good (other processes 0.03 cores, ...; real)
 *   why: predicted 15.7s  +0.05s load generator lateness  +0.2s handlers longer than asked
 *        +0s balancer and accept draw  +0.3s relay and hand-off  -0.1s model = measured 16.1s
 *        (mean wait; model's own error: mean -0.6%, p95 +0.2%, max +0.1%, makespan +0.3%)
 *
 * The model's own error reads as the table's error row does: (model - measured) / measured,
 * the model re-run on every measured input (modelOwnError).
 */
export function apparatusLines(t: TopologySummary): string[] {
  const lines: string[] = [];
  if (t.measurementQuality !== undefined) {
    const q = t.measurementQuality;
    lines.push(`  ${q.level === 'poor' ? 'WARNING: ' : ''}${qualityLine(q)}`);
  }
  const a = t.attribution;
  if (a !== undefined && a !== null) {
    const signed = (x: number): string => `${x < 0 ? '-' : '+'}${formatSeconds(Math.abs(x))}`;
    const pct = (x: number): string => signedPercent(x);
    const parts = a.steps.map((s) => `${signed(s.share.meanWait)} ${CAUSE_LABEL[s.cause]}`);
    const own = modelOwnError(a);
    lines.push(
      `  why (mean wait): predicted ${formatSeconds(a.predicted.meanWait)}  ${parts.join('  ')}  ${signed(a.residual.meanWait)} model's own = measured ${formatSeconds(a.measured.meanWait)}; model's own error mean ${pct(own.meanWait)}, p95 ${pct(own.p95Wait)}, max ${pct(own.maxWait)}, makespan ${pct(own.makespan)}; the apparatus ${pct(a.apparatus.apparatusShare).replace('+', '')} of the mean wait (hand-off ${a.apparatus.handOff.meanMs.toFixed(2)} ms, relay and accept ${a.apparatus.delivery.meanMs.toFixed(2)} ms, load generator lateness ${a.apparatus.lateness.meanMs.toFixed(1)} ms real)`,
    );
  }
  return lines;
}
