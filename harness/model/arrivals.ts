import type { Random } from './random.js';

/**
 * How requests arrive, in seconds from the start; the same plan drives the load generator and the
 * model, so both see the very same arrivals:
 *
 * - burst: `users` requests at instant 0 (a contest start).
 * - poisson: an open Poisson process of `rate` requests per second during `duration` seconds;
 *   gaps are exponential with mean 1/rate (what Erlang C assumes).
 * - constant: one request every 1/rate seconds during `duration`, the first at 0.
 * - stages: a rate that moves linearly from `startRate` to each stage's `target` over the stage's
 *   `duration` (k6's ramping-arrival-rate), either `regular` or `poisson`.
 *
 * For stages, the expected number of arrivals by time t is Λ(t) = ∫₀ᵗ rate. Regular arrivals
 * fall where Λ reaches 0, 1, 2, … (so a constant rate puts the k-th at k/rate, as `constant`
 * does); Poisson arrivals where Λ reaches the running sums of unit exponentials (the
 * time-change theorem maps a Poisson process of rate 1 onto one of the given rate).
 */
export type ArrivalPlan =
  | { kind: 'burst'; users: number }
  | { kind: 'poisson'; rate: number; duration: number }
  | { kind: 'constant'; rate: number; duration: number }
  | {
      kind: 'stages';
      startRate: number;
      stages: readonly RateStage[];
      process: 'regular' | 'poisson';
    };

export interface RateStage {
  /** Requests per second at the stage's end. */
  target: number;
  /** Seconds. */
  duration: number;
}

/** Λ at each stage boundary, with the boundaries' times and rates. */
interface RateCurve {
  starts: number[];
  rates: number[];
  areas: number[];
}

function rateCurve(startRate: number, stages: readonly RateStage[]): RateCurve {
  const curve: RateCurve = { starts: [0], rates: [startRate], areas: [0] };
  let t = 0;
  let rate = startRate;
  let area = 0;
  for (const stage of stages) {
    area += ((rate + stage.target) / 2) * stage.duration;
    t += stage.duration;
    rate = stage.target;
    curve.starts.push(t);
    curve.rates.push(rate);
    curve.areas.push(area);
  }
  return curve;
}

/**
 * The instant at which Λ reaches `level`, searching from stage `from` on (levels only grow, so
 * callers pass the stage of the previous answer); Infinity past the plan's end.
 */
function inverseRate(curve: RateCurve, level: number, from: number): { t: number; stage: number } {
  const { starts, rates, areas } = curve;
  let k = from;
  while (k + 1 < areas.length && (areas[k + 1] as number) < level) k++;
  if (k + 1 >= areas.length) return { t: Number.POSITIVE_INFINITY, stage: k };
  const t0 = starts[k] as number;
  const r0 = rates[k] as number;
  const slope = ((rates[k + 1] as number) - r0) / ((starts[k + 1] as number) - t0);
  const need = level - (areas[k] as number);
  // Solve r0·x + slope·x²/2 = need for the smallest x >= 0.
  if (Math.abs(slope) < 1e-12)
    return { t: r0 > 0 ? t0 + need / r0 : Number.POSITIVE_INFINITY, stage: k };
  const root = Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * need));
  return { t: t0 + (-r0 + root) / slope, stage: k };
}

function stagesSource(
  plan: Extract<ArrivalPlan, { kind: 'stages' }>,
  random: Random,
): ArrivalSource {
  const curve = rateCurve(plan.startRate, plan.stages);
  const total = curve.areas[curve.areas.length - 1] as number;
  let level = 0;
  let stage = 0;
  let first = true;
  return () => {
    if (plan.process === 'regular') {
      if (!first) level += 1;
    } else level += -Math.log(1 - random.next());
    first = false;
    if (level > total + 1e-9) return Number.POSITIVE_INFINITY;
    const found = inverseRate(curve, Math.min(level, total), stage);
    stage = found.stage;
    return found.t;
  };
}

/** Seconds a plan lasts (0 for a burst). */
export function planDuration(plan: ArrivalPlan): number {
  if (plan.kind === 'burst') return 0;
  if (plan.kind === 'stages') return plan.stages.reduce((sum, s) => sum + s.duration, 0);
  return plan.duration;
}

/** Successive arrival instants; Infinity once the plan has no more. Non-decreasing. */
export type ArrivalSource = () => number;

export function arrivalSource(plan: ArrivalPlan, random: Random): ArrivalSource {
  switch (plan.kind) {
    case 'burst': {
      let left = plan.users;
      return () => (left-- > 0 ? 0 : Number.POSITIVE_INFINITY);
    }
    case 'poisson': {
      const { rate, duration } = plan;
      let t = 0;
      return () => {
        if (t > duration) return Number.POSITIVE_INFINITY;
        t += -Math.log(1 - random.next()) / rate;
        return t > duration ? Number.POSITIVE_INFINITY : t;
      };
    }
    case 'constant': {
      const { rate, duration } = plan;
      // Counting by index keeps the instants exact: i / rate, not a sum of rounded gaps.
      const count = Math.floor(duration * rate + 1e-9) + 1;
      let i = 0;
      return () => (i < count ? i++ / rate : Number.POSITIVE_INFINITY);
    }
    case 'stages':
      return stagesSource(plan, random);
  }
}

/** Expected number of requests of a plan (exact for burst and constant). */
export function expectedRequests(plan: ArrivalPlan): number {
  switch (plan.kind) {
    case 'burst':
      return plan.users;
    case 'poisson':
      return plan.rate * plan.duration;
    case 'constant':
      return Math.floor(plan.duration * plan.rate + 1e-9) + 1;
    case 'stages': {
      const { areas } = rateCurve(plan.startRate, plan.stages);
      const total = areas[areas.length - 1] as number;
      return plan.process === 'regular' ? Math.floor(total + 1e-9) + 1 : total;
    }
  }
}

/** Mean arrival rate in requests per second over the plan; Infinity for a burst. */
export function arrivalRate(plan: ArrivalPlan): number {
  if (plan.kind === 'burst') return Number.POSITIVE_INFINITY;
  if (plan.kind === 'stages') {
    const { areas } = rateCurve(plan.startRate, plan.stages);
    return (areas[areas.length - 1] as number) / Math.max(planDuration(plan), 1e-12);
  }
  return plan.rate;
}

/**
 * Squared coefficient of variation of the gaps between arrivals, the ca² of Allen-Cunneen:
 * 1 for Poisson, 0 for constant.
 */
export function arrivalScv(plan: ArrivalPlan): number {
  return plan.kind === 'poisson' || (plan.kind === 'stages' && plan.process === 'poisson') ? 1 : 0;
}

/** The whole plan as an array, for a simulation that records each request. */
export function arrivalInstants(plan: ArrivalPlan, random: Random): Float64Array {
  if (plan.kind === 'burst') return new Float64Array(plan.users);
  const next = arrivalSource(plan, random);
  let out = new Float64Array(Math.max(16, Math.ceil(expectedRequests(plan) * 1.1) + 16));
  let n = 0;
  for (let t = next(); t !== Number.POSITIVE_INFINITY; t = next()) {
    if (n === out.length) {
      const grown = new Float64Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = t;
  }
  return out.slice(0, n);
}
