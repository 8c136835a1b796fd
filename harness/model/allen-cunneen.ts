import { type MmcInput, mmc } from './erlang-c.js';

/**
 * G/G/c, general arrivals and service on c servers sharing one queue: the Allen-Cunneen
 * approximation scales the M/M/c mean wait by the variability of arrivals and service (A. O.
 * Allen, Probability, Statistics, and Queueing Theory, 2nd ed., Academic Press, 1990; after
 * Cunneen & Allen's 1977 IBM report):
 *
 *   Wq(G/G/c) ≈ Wq(M/M/c) · (ca² + cs²) / 2
 *
 * where ca² and cs² are the squared coefficients of variation (variance / mean²) of the gaps
 * between arrivals and of the service times: 1 for Poisson arrivals and exponential service, 0
 * for constant ones, cv² for a lognormal. With ca² = cs² = 1 it is Erlang C; at c = 1 with
 * Poisson arrivals it is the exact Pollaczek-Khintchine mean wait of M/G/1. Elsewhere it is an
 * approximation, best in heavy traffic; with constant arrivals and service (D/D/c), where nobody
 * waits while ρ < 1, it gives 0 too.
 *
 * The harness also uses it for a round-robin balancer over R replicas fed by Poisson arrivals:
 * each replica then sees every R-th arrival, whose gaps are Erlang-R distributed, ca² = 1/R.
 */
export interface GgcInput extends MmcInput {
  /** ca², squared coefficient of variation of the gaps between arrivals. */
  arrivalScv: number;
  /** cs², squared coefficient of variation of the service time. */
  serviceScv: number;
}

export function allenCunneenMeanWait(input: GgcInput): number {
  return (mmc(input).meanWait * (input.arrivalScv + input.serviceScv)) / 2;
}
