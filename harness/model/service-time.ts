import type { Random } from './random.js';

/**
 * Service-time distributions: how long each request needs in its handler, in seconds.
 *
 * - constant: every request takes `mean`.
 * - exponential: memoryless with the given mean (coefficient of variation 1); what Erlang C
 *   assumes.
 * - lognormal: a given mean and coefficient of variation cv = sd / mean; right-skewed like most
 *   measured handler times. With s² = ln(1 + cv²) and m = ln(mean) − s²/2, X = exp(m + s·Z) for
 *   standard normal Z has E[X] = mean and sd(X) = cv·mean (Johnson, Kotz & Balakrishnan,
 *   Continuous Univariate Distributions vol. 1, 2nd ed., ch. 14, eq. 14.8a-b).
 * - empirical: each request draws one of the given measured values, uniformly.
 */
export type ServiceDistribution =
  | { kind: 'constant'; mean: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'lognormal'; mean: number; cv: number }
  | { kind: 'empirical'; samples: readonly number[] };

export const SERVICE_KINDS = ['constant', 'exponential', 'lognormal', 'empirical'] as const;

/** The distribution a scenario's `service` object describes (time is the mean). */
export function distributionOf(service: {
  time: number;
  distribution: (typeof SERVICE_KINDS)[number];
  cv?: number;
  samples?: readonly number[];
}): ServiceDistribution {
  switch (service.distribution) {
    case 'constant':
      return { kind: 'constant', mean: service.time };
    case 'exponential':
      return { kind: 'exponential', mean: service.time };
    case 'lognormal':
      return { kind: 'lognormal', mean: service.time, cv: service.cv ?? 0 };
    case 'empirical':
      return { kind: 'empirical', samples: service.samples ?? [service.time] };
  }
}

/** Mean service time in seconds. */
export function serviceMean(d: ServiceDistribution): number {
  if (d.kind !== 'empirical') return d.mean;
  let sum = 0;
  for (const x of d.samples) sum += x;
  return d.samples.length === 0 ? 0 : sum / d.samples.length;
}

/**
 * Squared coefficient of variation, variance / mean², the cs² of Allen-Cunneen's approximation.
 * For an empirical sample it is the sample's own (population) variance: each draw is one of the
 * values with equal probability, so that is exactly the variance of what is drawn.
 */
export function serviceScv(d: ServiceDistribution): number {
  switch (d.kind) {
    case 'constant':
      return 0;
    case 'exponential':
      return 1;
    case 'lognormal':
      return d.cv * d.cv;
    case 'empirical': {
      const mean = serviceMean(d);
      if (mean === 0) return 0;
      let sq = 0;
      for (const x of d.samples) sq += (x - mean) * (x - mean);
      return sq / d.samples.length / (mean * mean);
    }
  }
}

/** True when every request takes the same time. */
export function isConstant(d: ServiceDistribution): boolean {
  if (d.kind === 'constant') return true;
  if (d.kind === 'empirical') return d.samples.every((x) => x === d.samples[0]);
  if (d.kind === 'lognormal') return d.cv === 0;
  return false;
}

/** A function drawing one service time from `random` per call. */
export type ServiceSampler = (random: Random) => number;

export function serviceSampler(d: ServiceDistribution): ServiceSampler {
  switch (d.kind) {
    case 'constant': {
      const mean = d.mean;
      return () => mean;
    }
    case 'exponential': {
      const mean = d.mean;
      // 1 - u is in (0, 1], so the logarithm is finite.
      return (random) => -mean * Math.log(1 - random.next());
    }
    case 'lognormal': {
      if (d.cv === 0) {
        const mean = d.mean;
        return () => mean;
      }
      const s2 = Math.log(1 + d.cv * d.cv);
      const s = Math.sqrt(s2);
      const m = Math.log(d.mean) - s2 / 2;
      const normal = normalSampler();
      return (random) => Math.exp(m + s * normal(random));
    }
    case 'empirical': {
      const values = Float64Array.from(d.samples);
      const n = values.length;
      return (random) => values[Math.floor(random.next() * n)] as number;
    }
  }
}

/**
 * Standard normal draws by the Marsaglia polar method (Marsaglia & Bray 1964, "A convenient
 * method for generating normal variables", SIAM Review 6(3)); the second value of each pair is
 * kept for the next call.
 */
function normalSampler(): (random: Random) => number {
  let spare = 0;
  let hasSpare = false;
  return (random) => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * random.next() - 1;
      v = 2 * random.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    hasSpare = true;
    return u * f;
  };
}

/** `count` service times drawn in order from `random`: what a scenario run sends, request by request. */
export function sampleServiceTimes(
  d: ServiceDistribution,
  count: number,
  random: Random,
): Float64Array {
  const sample = serviceSampler(d);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = sample(random);
  return out;
}
