import { modelOwnError } from '../results/attribution.js';
import type { RunSummary, TopologySummary } from '../results/summary.js';
import { describeLoad } from '../scenario/describe-load.js';
import { formatSeconds } from '../scenario/duration.js';
import { apparatusLines } from './attribution-text.js';
import { columns, signedPercent } from './columns.js';
import { deploymentText } from './deployment-text.js';
import { renderFidelityText } from './fidelity-text.js';
import { renderFigureFidelityText } from './figure-fidelity-text.js';
import { observedLines } from './observed-text.js';
import { findingsLines } from './setup-findings.js';

/**
 * The terminal table of a run: per topology, the back-of-envelope figure, the model's prediction,
 * the measurement and the prediction's error. Pure: returns the text.
 *
 *   sync-4-x3   sync 4 workers x 1 thread x 3 replicas = 12 concurrent   back-of-envelope 33.3s
 *               n    mean     p50      p95      max      makespan
 *   predicted   200  15.7s    16.0s    30.0s    32.0s    34.0s     closed-form
 *   measured    200  15.8s    ...
 *   error            +0.6%    ...
 */

const FIGURES = ['meanWait', 'p50Wait', 'p95Wait', 'maxWait', 'makespan'] as const;

const percent = (value: number): string => signedPercent(value, true);

function shape(t: TopologySummary): string {
  const declared = t.declaredKind !== t.kind ? ` (declared ${t.declaredKind})` : '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const balancer = t.replicas > 1 ? `, ${t.balancer}` : '';
  return `${t.kind}${declared}: ${plural(t.workers, 'worker')} x ${plural(t.threads, 'thread')} x ${plural(t.replicas, 'replica')} = ${t.concurrency} concurrent${balancer}${deploymentText(t)}`;
}

function topologyBlock(t: TopologySummary): string[] {
  const row = columns([12, 6, 9, 9, 9, 9, 10]);
  const status =
    t.status === 'complete' ? '' : `   [${t.status}${t.failure ? `: ${t.failure}` : ''}]`;
  const burst = t.load === null || t.load.executor === 'burst';
  const lines = [
    `${t.name}   ${shape(t)}${status}`,
    burst
      ? `  back-of-envelope ${formatSeconds(t.backOfEnvelope)}   dispatch spread ${t.dispatchSpreadMs === null ? 'n/a' : `${t.dispatchSpreadMs.toFixed(1)} ms real`}   errors ${t.errors}/${t.requests}${errorDetail(t)}`
      : `  errors ${t.errors}/${t.requests}${errorDetail(t)}`,
    ...observedLines(t),
    ...loadLines(t),
    ...waitRows(t, row),
    ...apparatusLines(t),
  ];
  const expected = t.predicted.expected;
  if (expected !== undefined) {
    lines.push(
      `  ${row(['typical run', String(expected.count), ...FIGURES.map((f) => formatSeconds(expected[f]))])}   model over ${expected.replications} runs with fresh arrivals and service times${expected.spread === undefined ? '' : `; p95 wait ${formatSeconds(expected.spread.p95Wait.p5)} to ${formatSeconds(expected.spread.p95Wait.p95)} in 90% of runs`}`,
    );
  }
  return lines;
}

const rate = (perSecond: number): string => `${Number(perSecond.toPrecision(3))}/s`;

/** What a non-burst load measured: throughput beside the model's, latency both ways, the laws. */
function loadLines(t: TopologySummary): string[] {
  const load = t.load;
  if (load === null || load.executor === 'burst') return [];
  const predicted = `${load.predictedThroughputMethod === 'bound' ? 'at most ' : ''}${rate(load.predictedThroughput)}`;
  const offered = load.offeredRate === null ? '' : ` of ${rate(load.offeredRate)} offered`;
  const lines = [
    `  throughput ${rate(load.throughput)}${offered} (model: ${predicted})   ${load.completed} completed over ${formatSeconds(load.span)}`,
    `  latency p50/p95/p99 ${[load.latency.p50, load.latency.p95, load.latency.p99].map(formatSeconds).join('/')} from the intended start; ${[load.latencyUncorrected.p50, load.latencyUncorrected.p95, load.latencyUncorrected.p99].map(formatSeconds).join('/')} from the write (uncorrected)`,
  ];
  if (load.offeredRate !== null) {
    lines.push(
      `  sent late ${load.late} (written over 1 ms real after the plan; lateness p99 ${load.latenessMs.p99.toFixed(2)} ms real)`,
    );
  }
  if (load.interactiveLaw !== null) {
    const law = load.interactiveLaw;
    lines.push(
      `  N = X(R + Z): ${law.users} users (${law.meanUsers.toFixed(2)} on average), R ${formatSeconds(law.meanResponse)}, Z ${formatSeconds(law.meanThink)}: ${law.measured.toFixed(2)} vs ${law.fromRates.toFixed(2)} (${law.holds ? 'holds' : 'BROKEN'}, ${percent(law.relativeError)})`,
    );
  }
  if (load.littlesLaw !== null) {
    const law = load.littlesLaw;
    lines.push(
      `  Little's law L = λW: ${law.measured.toFixed(2)} in flight vs ${law.fromRates.toFixed(2)} (${law.holds ? 'holds' : 'BROKEN'}, ${percent(law.relativeError)})`,
    );
  }
  if (load.clientTurnaroundMs !== null) {
    lines.push(
      `  client turnaround ${load.clientTurnaroundMs.toFixed(2)} ms real per request (connections = X(R + turnaround))`,
    );
  }
  if (load.predictedMinResponse !== null)
    lines.push(`  model: response time at least ${formatSeconds(load.predictedMinResponse)}`);
  return lines;
}

/**
 * The wait figures: predicted, measured and the error, each where it exists (a throughput load
 * measures no waits; a closed loop has no wait prediction).
 */
function waitRows(t: TopologySummary, row: (cells: string[]) => string): string[] {
  const predicted = t.predicted.count > 0;
  const measured = t.measured.count > 0;
  if (!predicted && !measured) return [];
  const rows = [`  ${row(['', 'n', 'mean', 'p50', 'p95', 'max', 'makespan'])}`];
  if (predicted) {
    rows.push(
      `  ${row(['predicted', String(t.predicted.count), ...FIGURES.map((f) => formatSeconds(t.predicted[f]))])}   ${methodNote(t)}`,
    );
  }
  rows.push(
    `  ${row(['measured', String(t.measured.count), ...FIGURES.map((f) => (measured ? formatSeconds(t.measured[f]) : 'n/a'))])}${measuredNote(t)}`,
  );
  if (predicted && measured) {
    rows.push(`  ${row(['error', '', ...FIGURES.map((f) => percent(t.predictionError[f]))])}`);
    // The same error once the run's measured inputs (the apparatus, this burst's draw) are the
    // model's: what is the model's own (results/attribution.ts).
    const a = t.attribution;
    if (a !== undefined && a !== null) {
      const own = modelOwnError(a);
      rows.push(
        `  ${row(["model's own", '', ...FIGURES.map((f) => (f === 'p50Wait' ? '' : percent(own[f])))])}   the model on this run's measured inputs (below)`,
      );
    }
  }
  if (t.measured.range !== undefined && (t.bursts ?? 1) > 1) {
    const range = t.measured.range;
    rows.push(
      `  ${row(['  range', '', ...FIGURES.map((f) => `${formatSeconds(range[f].min)}-${formatSeconds(range[f].max)}`)])}`,
    );
  }
  if (t.predicted.acceptRace !== undefined && t.predicted.acceptRace.source !== 'not-applicable')
    rows.push(`  model: ${t.predicted.acceptRace.note}`);
  return rows;
}

function measuredNote(t: TopologySummary): string {
  const notes: string[] = [];
  if ((t.bursts ?? 1) > 1) notes.push(`mean of ${t.bursts} bursts`);
  if (t.measured.waitSource === 'estimate')
    notes.push('waits ESTIMATED: latency minus handler time (no server clock)');
  if (t.url) notes.push(`at ${t.url}`);
  return notes.length === 0 ? '' : `   ${notes.join('; ')}`;
}

function errorDetail(t: TopologySummary): string {
  const kinds = Object.entries(t.errorsByKind).filter(([, n]) => n > 0);
  return kinds.length === 0 ? '' : ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})`;
}

function methodNote(t: TopologySummary): string {
  return t.predicted.method === 'simulation'
    ? `simulation${t.predicted.replications > 1 ? `, mean of ${t.predicted.replications} runs` : ''}`
    : t.predicted.method;
}

/** "; gthread-x10 at its own time scale 1.5" for the topologies that ran at one. */
export function ownTimeScales(summary: RunSummary): string {
  return summary.topologies
    .filter((t) => t.timeScale !== undefined && t.timeScale !== summary.timeScale)
    .map((t) => `; ${t.name} at its own time scale ${t.timeScale}`)
    .join('');
}

export function renderTable(summary: RunSummary): string {
  const scale = `${
    summary.timeScale === 1 && ownTimeScales(summary) === ''
      ? 'real time'
      : `time scale ${summary.timeScale} (1 scenario second ran as ${formatSeconds(summary.timeScale)} real)`
  }${ownTimeScales(summary)}`;
  const head = [
    `${summary.scenario}: ${describeLoad(summary.load)}, service ${formatSeconds(summary.service.time)} (${summary.service.work}); ${scale}`,
    'Waits are queue time (handler start minus intended start) in scenario seconds; error = (predicted - measured) / measured.',
    '',
  ];
  const blocks = summary.topologies.flatMap((t) => [...topologyBlock(t), '']);
  const fidelity = [
    ...renderFidelityText(summary.fidelity ?? []),
    ...renderFigureFidelityText(summary.figureFidelity ?? []),
  ];
  const tail = summary.complete
    ? []
    : ['Run incomplete: the figures above cover only the topologies listed.'];
  return [...head, ...blocks, ...fidelity, ...findingsLines(summary), ...tail].join('\n');
}
