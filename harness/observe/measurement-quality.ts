/**
 * How much a topology's figures can be trusted given how busy the machine was (issue 13). Pure:
 * takes what machine-load.ts measured and what the records say about the targets' timers, and
 * returns one level and the reasons for it, for the terminal, summary.json, the report's head
 * and the gate.
 *
 * Three measurements, each judged against what it does to the figures:
 *   other processes   cores kept busy by processes outside the harness and its targets, as a
 *                     share of the machine's cores: they take cores the targets and the load
 *                     generator need at the instants that matter
 *   load generator    its event loop's mean lateness: requests written, and responses read,
 *                     late by that much (the mean, not a high percentile: a burst's own
 *                     dispatch holds the loop once by design, and is counted as lateness in
 *                     the attribution)
 *   target timers     how much longer than asked the targets' handlers ran (mean), against the
 *                     service time asked: timers firing late in the emulated servers
 *
 *   level   other processes   loop delay (mean)      handler overrun
 *   good    < 10% of cores    < 1% of service        < 1% of service
 *   fair    < 25% of cores    < 5% of service        < 3% of service
 *   poor    otherwise (one busy core on a two-core machine is 50%: poor)
 *
 * The level is the worst of the three. A gate that fails on a poor measurement gives no verdict
 * (gate.ts: inconclusive) rather than blame the deployment for the machine.
 */

/** What machine-load.ts measured over one topology's load. */
export interface MachineLoadSample {
  /** Wall seconds measured. */
  seconds: number;
  cpus: number;
  /** Core-seconds every process kept busy, steal included; null without /proc. */
  busyCoreSeconds: number | null;
  /** Core-seconds the harness and its targets took; null without /proc. */
  ownCoreSeconds: number | null;
  /** The load generator's event-loop lateness, real ms; null when nothing was sampled. */
  loopDelayMs: { mean: number; p99: number; max: number } | null;
}

export const QUALITY_LEVELS = ['good', 'fair', 'poor'] as const;
export type QualityLevel = (typeof QUALITY_LEVELS)[number];

/** summary.json's `measurementQuality` of a topology (reports/README.md). */
export interface MeasurementQuality {
  level: QualityLevel;
  /** Mean cores busy with other processes over the load; null where /proc is missing. */
  otherCores: number | null;
  /** otherCores over the machine's cores. */
  otherShare: number | null;
  /** The load generator's event-loop lateness, mean, p99 and max, real ms. */
  loopDelayMs: { mean: number; p99: number; max: number } | null;
  /** Mean handler time beyond what was asked, real ms; null without handler times. */
  timerLatenessMs: number | null;
  /** The service time asked, real ms: what the two lateness figures are judged against. */
  serviceMs: number;
  /** One line per measurement that is not good, with its figure and its limit. */
  reasons: string[];
}

const LIMITS = {
  otherShare: { fair: 0.1, poor: 0.25 },
  loopDelay: { fair: 0.01, poor: 0.05 },
  overrun: { fair: 0.01, poor: 0.03 },
} as const;

function levelOf(value: number, limits: { fair: number; poor: number }): QualityLevel {
  return value >= limits.poor ? 'poor' : value >= limits.fair ? 'fair' : 'good';
}

function worst(levels: readonly QualityLevel[]): QualityLevel {
  return levels.includes('poor') ? 'poor' : levels.includes('fair') ? 'fair' : 'good';
}

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

/**
 * Judges one topology's measurement. `timerLatenessMs` is the mean handler overrun (real ms)
 * where the handlers sleep (a CPU-bound handler's overrun is its contention, not a timer's);
 * `serviceMs` the service time asked, real ms.
 */
export function measurementQuality(
  sample: MachineLoadSample | null,
  timerLatenessMs: number | null,
  serviceMs: number,
): MeasurementQuality {
  const levels: QualityLevel[] = [];
  const reasons: string[] = [];
  let otherCores: number | null = null;
  let otherShare: number | null = null;
  if (
    sample !== null &&
    sample.busyCoreSeconds !== null &&
    sample.ownCoreSeconds !== null &&
    sample.seconds > 0
  ) {
    otherCores = Math.max(0, sample.busyCoreSeconds - sample.ownCoreSeconds) / sample.seconds;
    otherShare = otherCores / Math.max(1, sample.cpus);
    const level = levelOf(otherShare, LIMITS.otherShare);
    levels.push(level);
    if (level !== 'good')
      reasons.push(
        `other processes kept ${otherCores.toFixed(2)} of ${sample.cpus} cores busy (${pct(otherShare)}; good below ${pct(LIMITS.otherShare.fair)}, poor from ${pct(LIMITS.otherShare.poor)})`,
      );
  }
  const loop = sample?.loopDelayMs ?? null;
  if (loop !== null && serviceMs > 0) {
    const level = levelOf(loop.mean / serviceMs, LIMITS.loopDelay);
    levels.push(level);
    if (level !== 'good')
      reasons.push(
        `the load generator's event loop ran ${loop.mean.toFixed(1)} ms late on average (p99 ${loop.p99.toFixed(1)} ms; ${pct(loop.mean / serviceMs)} of the ${serviceMs.toFixed(0)} ms service; poor from ${pct(LIMITS.loopDelay.poor)})`,
      );
  }
  if (timerLatenessMs !== null && serviceMs > 0) {
    const level = levelOf(Math.max(0, timerLatenessMs) / serviceMs, LIMITS.overrun);
    levels.push(level);
    if (level !== 'good')
      reasons.push(
        `the targets' handlers ran ${timerLatenessMs.toFixed(2)} ms longer than asked (mean; ${pct(timerLatenessMs / serviceMs)} of the ${serviceMs.toFixed(0)} ms service; poor from ${pct(LIMITS.overrun.poor)})`,
      );
  }
  return {
    level: worst(levels),
    otherCores,
    otherShare,
    loopDelayMs: loop === null ? null : { mean: loop.mean, p99: loop.p99, max: loop.max },
    timerLatenessMs,
    serviceMs,
    reasons,
  };
}

/** The worst level over topologies; null when none was judged. */
export function worstQuality(
  qualities: ReadonlyArray<MeasurementQuality | undefined>,
): QualityLevel | null {
  const levels = qualities
    .filter((q): q is MeasurementQuality => q !== undefined)
    .map((q) => q.level);
  return levels.length === 0 ? null : worst(levels);
}

/** One terminal line: `measurement quality poor: other processes kept 1.02 of 2 cores busy ...`. */
export function qualityLine(q: MeasurementQuality): string {
  const figures = [
    q.otherCores === null ? null : `other processes ${q.otherCores.toFixed(2)} cores`,
    q.loopDelayMs === null
      ? null
      : `load generator loop delay ${q.loopDelayMs.mean.toFixed(1)} ms (p99 ${q.loopDelayMs.p99.toFixed(1)})`,
    q.timerLatenessMs === null ? null : `handler overrun ${q.timerLatenessMs.toFixed(2)} ms`,
  ].filter((x) => x !== null);
  const head = `measurement quality ${q.level}${figures.length > 0 ? ` (${figures.join(', ')}; real)` : ''}`;
  return q.reasons.length === 0 ? head : `${head}: ${q.reasons.join('; ')}`;
}
