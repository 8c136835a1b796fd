import type { Random } from './random.js';

/**
 * How requests arrive at the simulated topology, in seconds from the start:
 *
 * - burst: `users` requests at instant 0 (a contest start).
 * - poisson: an open Poisson process of `rate` requests per second during `duration` seconds;
 *   gaps are exponential with mean 1/rate (what Erlang C assumes).
 * - constant: one request every 1/rate seconds during `duration`, the first at 0.
 */
export type ArrivalPlan =
  | { kind: 'burst'; users: number }
  | { kind: 'poisson'; rate: number; duration: number }
  | { kind: 'constant'; rate: number; duration: number };

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
  }
}

/** Mean arrival rate in requests per second; Infinity for a burst. */
export function arrivalRate(plan: ArrivalPlan): number {
  return plan.kind === 'burst' ? Number.POSITIVE_INFINITY : plan.rate;
}

/**
 * Squared coefficient of variation of the gaps between arrivals, the ca² of Allen-Cunneen:
 * 1 for Poisson, 0 for constant.
 */
export function arrivalScv(plan: ArrivalPlan): number {
  return plan.kind === 'poisson' ? 1 : 0;
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
