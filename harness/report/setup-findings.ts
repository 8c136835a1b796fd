import type { LongRunFigures } from '../model/long-run.js';
import type { PredictedWorkerLife } from '../results/lifecycle-summary.js';
import type { WindowFigures } from '../results/over-time.js';
import { type RunSummary, type TopologySummary, timeScaleOf } from '../results/summary.js';
import type { WorkerLifeFigures } from '../results/worker-life.js';
import { formatSeconds } from '../scenario/duration.js';

/**
 * What the setups of a run did, in plain sentences built from the measurements (and the model's
 * figures beside them): for workers that restart or boot, how long the deployment ran short of
 * workers and what that did to the requests arriving meanwhile; for async workers, how many
 * handlers really ran at once against the claim. Pure; the report and the terminal print them.
 */

export interface TopologyFindings {
  topology: string;
  sentences: string[];
}

const s = (seconds: number | null | undefined): string =>
  seconds === null || seconds === undefined ? 'n/a' : formatSeconds(seconds);
const n1 = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'n/a' : String(Number(x.toFixed(1)));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const rate = (x: number): string => `${Number(x.toPrecision(3))}/s`;

function longRunSentence(long: LongRunFigures, workers: number): string {
  const hours = Number((long.horizon / 3600).toPrecision(3));
  return `Over ${hours} h at this rate the model predicts ${n1(long.restarts)} worker restarts (${n1(long.restartsPerHour)} an hour), fewer than ${workers} workers ${(100 * long.shareBelowFull).toFixed(2)}% of the time, none for ${s(long.timeAtZero)}, at most ${long.mostDownAtOnce} down at once; waits mean ${s(long.meanWait)}, p99 ${s(long.p99Wait)}, max ${s(long.maxWait)}.`;
}

function lifeSentences(
  t: TopologySummary,
  m: WorkerLifeFigures,
  p: PredictedWorkerLife | null,
): string[] {
  const out: string[] = [];
  const model = (x: string): string => (p === null ? '' : ` (model ${x})`);
  const listening = m.firstServing === null || (m.firstServing ?? 0) > 0 || m.killedBooting > 0;
  if (listening || m.neverServed > 0) {
    if (m.firstServing === null)
      out.push(
        `No worker ever served in the ${s(m.until)} the run lasted${model(p?.firstServing === null ? 'none either' : `first at ${s(p?.firstServing)}`)}.`,
      );
    else
      out.push(
        `The first worker served ${s(m.firstServing)} after the load started${model(s(p?.firstServing))}, ${m.allServing === null ? `and never all ${m.workers} at once` : `all ${m.workers} from ${s(m.allServing)}`}${p === null ? '' : ` (model ${p.allServing === null ? 'never' : s(p.allServing)})`}.`,
      );
    if (m.killedBooting > 0 || (p?.killedBooting ?? 0) > 0)
      out.push(
        `${plural(m.killedBooting, 'worker')} killed by the timeout while booting${model(n1(p?.killedBooting))}; ${plural(m.restartLoops, 'slot')} killed more than once, a restart loop${model(n1(p?.restartLoops))}.`,
      );
    if (m.lastInitialised !== null)
      out.push(
        `The last start-up work finished at ${s(m.lastInitialised)}${model(s(p?.lastInitialised))}.`,
      );
  }
  const exits = m.exitsByReason['max-requests'];
  if (exits > 0 || (p?.exitsByReason['max-requests'] ?? 0) > 0)
    out.push(
      `${plural(exits, 'worker')} recycled after max-requests${model(n1(p?.exitsByReason['max-requests']))} in ${s(m.until)}.`,
    );
  if (m.timeBelowFull > 0 || (p?.timeBelowFull ?? 0) > 0) {
    out.push(
      `Fewer than ${m.workers} workers served for ${s(m.timeBelowFull)}${model(s(p?.timeBelowFull))}, none for ${s(m.timeAtZero)}${model(s(p?.timeAtZero))}; ${n1(m.meanLive)} served on average.`,
    );
  } else
    out.push(
      `All ${m.workers} workers served throughout${model(p !== null && p.timeBelowFull === 0 ? 'the same' : s(p?.timeBelowFull))}.`,
    );
  const d = m.degraded;
  if (d.requests > 0 && d.meanWait === null) {
    out.push(
      `None of the ${plural(d.requests, 'request')} that arrived while workers were missing was served: ${d.failed} failed${p === null ? '' : ` (model ${n1(p.degraded.failed)})`}.`,
    );
  } else if (d.requests > 0) {
    const delayed =
      m.delayed === null || m.delayedThreshold === null
        ? ''
        : `; ${m.delayed} waited longer than the full-strength p99 (${s(m.delayedThreshold)})`;
    out.push(
      `The ${plural(d.requests, 'request')} that arrived while workers were missing waited ${s(d.meanWait)} on average, p95 ${s(d.p95Wait)}${p === null ? '' : ` (model ${s(p.degraded.meanWait)}, ${s(p.degraded.p95Wait)})`}, against p95 ${s(m.full.p95Wait)} at full strength${delayed}; ${d.failed} failed.`,
    );
  }
  if (p?.longRun !== undefined) out.push(longRunSentence(p.longRun, m.workers));
  const failed = t.errors;
  if (failed > 0)
    out.push(
      `${failed} of ${t.requests} requests failed in all (${((100 * failed) / Math.max(1, t.requests)).toFixed(1)}%).`,
    );
  return out;
}

function worstWindow(windows: readonly WindowFigures[]): {
  latency: WindowFigures | null;
  slowest: WindowFigures | null;
} {
  let latency: WindowFigures | null = null;
  let slowest: WindowFigures | null = null;
  const full = windows.filter((w) => w.arrived > 0);
  for (const w of full) {
    if (w.latencyP95 !== null && (latency === null || w.latencyP95 > (latency.latencyP95 ?? 0)))
      latency = w;
    if (slowest === null || w.throughput < slowest.throughput) slowest = w;
  }
  return { latency, slowest };
}

function asyncSentences(t: TopologySummary, handlerRealMs: number): string[] {
  const h = t.handlersAtOnce;
  if (h === undefined || h.measured === null) return [];
  const claim = h.claimed;
  const verdict =
    claim === null
      ? ''
      : h.measured >= claim
        ? `: the claim of ${claim} holds`
        : `: the claim of ${claim} is ${Number((claim / Math.max(1, h.measured)).toPrecision(3))}x what ran`;
  const out = [
    `At most ${h.measured} requests were in their handlers at once${h.predicted === null ? '' : ` (model ${h.predicted}, limit ${h.modelLimit})`}${verdict}.`,
  ];
  // A burst that takes longer to send than one handler lasts cannot have every request in a
  // handler at once, whatever the server: the count then measures the load generator. Said only
  // where the server's own limit would allow the claim (not for blocking or CPU-bound handlers).
  const spread = t.dispatchSpreadMs;
  if (
    claim !== null &&
    spread !== null &&
    spread > handlerRealMs &&
    h.measured < claim &&
    h.modelLimit >= claim
  )
    out.push(
      `The burst took ${spread.toFixed(0)} ms real to send, longer than one handler's ${handlerRealMs.toFixed(0)} ms real: not every request could be in a handler at once, whatever the server; a larger time scale measures the server's own limit.`,
    );
  const counted = h.appCounted;
  if (counted !== undefined)
    out.push(
      `The app's own counter: at most ${counted.total} in handlers, the sum over its ${counted.perProcess.length} worker processes of each one's most (${counted.perProcess.map((p) => p.most).join(', ')}).`,
    );
  if (t.measured.count > 0)
    out.push(
      `The last request started ${s(t.measured.maxWait)} after it was sent, p95 ${s(t.measured.p95Wait)}; all ${t.measured.count} were done after ${s(t.measured.makespan)}${Number.isFinite(t.predicted.makespan) ? ` (model ${s(t.predicted.maxWait)}, ${s(t.predicted.p95Wait)}, ${s(t.predicted.makespan)})` : ''}.`,
    );
  return out;
}

/** Findings per topology, for the topologies that have any. */
export function setupFindings(summary: RunSummary): TopologyFindings[] {
  const out: TopologyFindings[] = [];
  for (const t of summary.topologies) {
    const sentences: string[] = [];
    if (t.workerLife !== undefined)
      sentences.push(...lifeSentences(t, t.workerLife.measured, t.workerLife.predicted));
    if (t.kind === 'async' || t.handlersAtOnce?.claimed != null)
      sentences.push(...asyncSentences(t, summary.service.time * timeScaleOf(summary, t) * 1000));
    if (
      t.workerLife !== undefined &&
      t.overTime !== undefined &&
      summary.load.executor !== 'burst'
    ) {
      const { latency, slowest } = worstWindow(t.overTime.measured);
      const offered = t.load?.offeredRate ?? null;
      if (latency !== null && slowest !== null)
        sentences.push(
          `Worst ${s(t.overTime.width)} window: p95 latency ${s(latency.latencyP95)} (from ${s(latency.start)}); lowest throughput ${rate(slowest.throughput)} while ${rate(slowest.arrived / t.overTime.width)} arrived (from ${s(slowest.start)}${offered === null ? '' : `; ${rate(offered)} offered on average`}).`,
        );
    }
    if (sentences.length > 0) out.push({ topology: t.name, sentences });
  }
  return out;
}

/** One sentence comparing the setups by their p95 latency, the figure users feel. */
export function comparisonSentence(summary: RunSummary): string | null {
  const ranked = summary.topologies
    .filter((t) => t.load !== null && t.load.latency.count > 0)
    .map((t) => ({
      name: t.name,
      p95: t.load?.latency.p95 as number,
      failed: t.errors,
      n: t.requests,
    }))
    .sort((a, b) => a.p95 - b.p95 || a.failed - b.failed);
  if (ranked.length < 2) return null;
  const best = ranked[0] as (typeof ranked)[number];
  const worst = ranked[ranked.length - 1] as (typeof ranked)[number];
  return `By p95 latency of the successful requests, ${best.name} did best (${s(best.p95)}, ${best.failed} of ${best.n} failed) and ${worst.name} worst (${s(worst.p95)}, ${worst.failed} of ${worst.n} failed).`;
}

/** The findings as terminal lines, after the table; none for a run without any. */
export function findingsLines(summary: RunSummary): string[] {
  const findings = setupFindings(summary);
  if (findings.length === 0) return [];
  const comparison = comparisonSentence(summary);
  return [
    "The setups compared (measured; the model's mean over its runs in brackets):",
    ...findings.flatMap((f) => [`  ${f.topology}:`, ...f.sentences.map((line) => `    ${line}`)]),
    ...(comparison === null ? [] : [`  ${comparison}`]),
    '',
  ];
}
