import { quantileSorted } from 'simple-statistics';

/**
 * Figures over time: the load cut into windows of equal width, and per window what arrived,
 * what completed, what failed, how long requests took, and how many workers were serving. Pure:
 * takes plain per-request instants and a step function of live workers, in scenario seconds
 * after the load's start, measured and predicted alike.
 */

/** One request as the windows see it. */
export interface TimedRequest {
  /** Its intended start (arrival). */
  arrival: number;
  /** Its handler's start, null if it never started. */
  start: number | null;
  /** When it completed (measured: the last byte; predicted: the handler's end), null if never. */
  end: number | null;
  /** Whether it succeeded. */
  ok: boolean;
}

/** Live workers from `at` on, until the next step. */
export interface LiveStep {
  at: number;
  live: number;
}

export interface WindowFigures {
  /** The window's start, scenario seconds; it lasts `width`. */
  start: number;
  /** Requests whose intended start falls in the window. */
  arrived: number;
  /** Requests that completed successfully within the window. */
  completed: number;
  /** Of those that arrived in the window, how many failed. */
  failed: number;
  /** Completed per scenario second. */
  throughput: number;
  /** Of the successful requests that arrived in the window: latency (end minus intended start). */
  latencyP50: number | null;
  latencyP95: number | null;
  latencyMax: number | null;
  /** Of the same: queue time (handler start minus intended start). */
  waitMean: number | null;
  waitMax: number | null;
  /** Time-average of the workers serving during the window; null when unknown. */
  liveWorkers: number | null;
}

export interface OverTime {
  /** Window width, scenario seconds. */
  width: number;
  measured: WindowFigures[];
  /** The model's first simulated run, cut the same way; null without a per-request prediction. */
  predicted: WindowFigures[] | null;
}

/** About 60 windows over `span`, at a round width (1, 2 or 5 times a power of ten). */
export function windowWidth(span: number, windows = 60): number {
  if (!(span > 0)) return 1;
  const raw = span / windows;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (raw <= step * power) return step * power;
  return 10 * power;
}

/**
 * Time-average of a step function over [from, to); steps sorted by `at`, the first holding from
 * the load's start or before (0 before it otherwise).
 */
export function averageLive(steps: readonly LiveStep[], from: number, to: number): number | null {
  if (steps.length === 0 || !(to > from)) return null;
  let area = 0;
  let current = 0;
  for (const step of steps) {
    if (step.at > from) break;
    current = step.live;
  }
  let at = from;
  for (const step of steps) {
    if (step.at <= from) continue;
    if (step.at >= to) break;
    area += current * (step.at - at);
    at = step.at;
    current = step.live;
  }
  area += current * (to - at);
  return area / (to - from);
}

/** Cuts requests into windows of `width` from 0 to `until` (the last window may be partial). */
export function windowsOf(
  requests: readonly TimedRequest[],
  width: number,
  until: number,
  live: readonly LiveStep[] | null,
): WindowFigures[] {
  const count = Math.max(1, Math.ceil(until / width));
  const arrived = new Array<number>(count).fill(0);
  const completed = new Array<number>(count).fill(0);
  const failed = new Array<number>(count).fill(0);
  const latencies: number[][] = Array.from({ length: count }, () => []);
  const waits: number[][] = Array.from({ length: count }, () => []);
  const slot = (t: number): number => Math.min(count - 1, Math.max(0, Math.floor(t / width)));
  for (const r of requests) {
    const k = slot(r.arrival);
    arrived[k] = (arrived[k] as number) + 1;
    if (!r.ok) {
      failed[k] = (failed[k] as number) + 1;
      continue;
    }
    if (r.end !== null) {
      const done = slot(r.end);
      completed[done] = (completed[done] as number) + 1;
      (latencies[k] as number[]).push(r.end - r.arrival);
    }
    if (r.start !== null) (waits[k] as number[]).push(r.start - r.arrival);
  }
  const out: WindowFigures[] = [];
  for (let k = 0; k < count; k++) {
    const start = k * width;
    const lat = (latencies[k] as number[]).sort((a, b) => a - b);
    const w = waits[k] as number[];
    out.push({
      start,
      arrived: arrived[k] as number,
      completed: completed[k] as number,
      failed: failed[k] as number,
      throughput: (completed[k] as number) / width,
      latencyP50: lat.length === 0 ? null : quantileSorted(lat, 0.5),
      latencyP95: lat.length === 0 ? null : quantileSorted(lat, 0.95),
      latencyMax: lat.length === 0 ? null : (lat[lat.length - 1] as number),
      waitMean: w.length === 0 ? null : w.reduce((a, b) => a + b, 0) / w.length,
      waitMax: w.length === 0 ? null : Math.max(...w),
      liveWorkers: live === null ? null : averageLive(live, start, start + width),
    });
  }
  return out;
}
