import { createRandom } from '../model/random.js';

/**
 * Arrival plans: the instants (scenario seconds after the start) at which an open executor sends
 * its requests, decided before the run so that every request is timed from its intended start
 * and the model can be given the very same arrivals.
 *
 *   regular  requests evenly spaced at the current rate (k6's arrival-rate executors)
 *   poisson  exponential gaps at the current rate (a Poisson process; for a ramp, a
 *            non-homogeneous one)
 *
 * A ramp is piecewise linear in rate: from `startRate`, each stage moves linearly to its `target`
 * over its `duration`. The expected number of arrivals by time t is Λ(t) = ∫₀ᵗ rate; regular
 * arrivals fall where Λ crosses 0.5, 1.5, 2.5, … (so a constant rate r puts the k-th at
 * (k + 0.5)/r), Poisson arrivals where Λ crosses the cumulative sums of unit exponentials
 * (time-change theorem: Λ maps a Poisson process of the given rate onto one of rate 1).
 */

export type ArrivalProcess = 'regular' | 'poisson';

export interface RateStage {
  /** Requests per scenario second at the stage's end. */
  target: number;
  /** Scenario seconds. */
  duration: number;
}

export interface RatePlan {
  startRate: number;
  stages: readonly RateStage[];
  arrivals: ArrivalProcess;
  seed: number;
}

/** Expected arrivals (∫ rate) at the end of each stage, with the stages' start times. */
function cumulative(plan: RatePlan): { starts: number[]; rates: number[]; areas: number[] } {
  const starts = [0];
  const rates = [plan.startRate];
  const areas = [0];
  let t = 0;
  let rate = plan.startRate;
  let area = 0;
  for (const stage of plan.stages) {
    area += ((rate + stage.target) / 2) * stage.duration;
    t += stage.duration;
    rate = stage.target;
    starts.push(t);
    rates.push(rate);
    areas.push(area);
  }
  return { starts, rates, areas };
}

/** The instant at which the expected number of arrivals reaches `target` (inverse of Λ). */
function inverse(curve: ReturnType<typeof cumulative>, target: number): number {
  const { starts, rates, areas } = curve;
  let k = 0;
  while (k + 1 < areas.length && (areas[k + 1] as number) < target) k++;
  if (k + 1 >= areas.length) return Number.POSITIVE_INFINITY;
  const t0 = starts[k] as number;
  const r0 = rates[k] as number;
  const slope = ((rates[k + 1] as number) - r0) / ((starts[k + 1] as number) - t0);
  const need = target - (areas[k] as number);
  // Solve r0·x + slope·x²/2 = need for x >= 0.
  if (Math.abs(slope) < 1e-12) return r0 > 0 ? t0 + need / r0 : Number.POSITIVE_INFINITY;
  const disc = r0 * r0 + 2 * slope * need;
  return t0 + (-r0 + Math.sqrt(Math.max(0, disc))) / slope;
}

/** Total duration of a plan in scenario seconds. */
export function planDuration(plan: RatePlan): number {
  return plan.stages.reduce((sum, s) => sum + s.duration, 0);
}

/** Expected number of arrivals of a plan: ∫ rate over its duration. */
export function expectedArrivals(plan: RatePlan): number {
  const { areas } = cumulative(plan);
  return areas[areas.length - 1] as number;
}

/**
 * The arrival instants of a plan, in order, at most `limit` of them (the run's bound on
 * requests), generated one at a time so that a long run holds none of them in memory.
 * Deterministic for a seed.
 */
export function* arrivalInstants(
  plan: RatePlan,
  limit: number,
): Generator<number, void, undefined> {
  const curve = cumulative(plan);
  const end = planDuration(plan);
  const total = curve.areas[curve.areas.length - 1] as number;
  let produced = 0;
  if (plan.arrivals === 'regular') {
    for (let k = 0; k + 0.5 <= total && produced < limit; k++) {
      const t = inverse(curve, k + 0.5);
      if (t > end) return;
      produced += 1;
      yield t;
    }
    return;
  }
  const random = createRandom(plan.seed);
  let level = 0;
  while (produced < limit) {
    level += -Math.log(1 - random.next());
    if (level > total) return;
    produced += 1;
    yield inverse(curve, level);
  }
}

/** All the arrival instants of a plan as an array (for the model, and for short runs). */
export function planArrivals(plan: RatePlan, limit: number): Float64Array {
  return Float64Array.from(arrivalInstants(plan, limit));
}

/** A constant rate for a duration, as a plan. */
export function constantRate(
  rate: number,
  duration: number,
  arrivals: ArrivalProcess,
  seed: number,
): RatePlan {
  return { startRate: rate, stages: [{ target: rate, duration }], arrivals, seed };
}
