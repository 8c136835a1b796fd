/**
 * M/M/c: Poisson arrivals at rate λ, exponential service with mean S, c servers sharing one
 * first-come-first-served queue of unlimited length. With offered load a = λS (erlangs) and
 * utilisation ρ = a / c < 1, in steady state (Gross, Shortle, Thompson & Harris, Fundamentals of
 * Queueing Theory, 4th ed., 2008, §2.3; Kleinrock, Queueing Systems vol. 1, 1975, §3.5):
 *
 *   Erlang B   B(c, a) by the recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)),
 *              numerically stable for any c (no factorials).
 *   Erlang C   C(c, a) = P(wait > 0) = B / (1 − ρ·(1 − B))
 *   mean wait  Wq = C·S / (c − a)                = C / (cμ − λ), μ = 1/S
 *   wait tail  P(Wq > t) = C·exp(−(c − a)·t / S)  (t ≥ 0)
 *   quantile   Wq(p) = 0 for p ≤ 1 − C, else S·ln(C / (1 − p)) / (c − a)
 *   queue      Lq = λ·Wq;  in system L = Lq + a (Little's law)
 *
 * Where it applies: one shared queue (a replica of sync workers or Flask's dev server; gthread
 * only when each worker accepts no more than it has threads), a random balancer or one replica
 * (a Poisson stream split at random stays Poisson), exponential service, ρ < 1, and long enough
 * for the steady state. It is exact under those assumptions; the simulator is checked against it.
 */

export interface MmcInput {
  /** λ, requests per second. */
  arrivalRate: number;
  /** S, mean service time in seconds. */
  serviceTime: number;
  /** c, servers sharing the queue. */
  servers: number;
}

export interface MmcFigures {
  /** a = λS, in erlangs. */
  offeredLoad: number;
  /** ρ = a / c. */
  utilisation: number;
  /** C(c, a): the probability that a request waits at all. */
  probabilityOfWaiting: number;
  /** Wq, seconds. */
  meanWait: number;
  /** Lq, requests waiting on average. */
  meanQueueLength: number;
  /** L, requests in the system on average. */
  meanInSystem: number;
}

/** Erlang B: the probability that all c servers are busy in a loss system offered a erlangs. */
export function erlangB(servers: number, offeredLoad: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return b;
}

/** Erlang C: the probability of waiting in M/M/c; requires offeredLoad < servers. */
export function erlangC(servers: number, offeredLoad: number): number {
  assertStable(servers, offeredLoad);
  const b = erlangB(servers, offeredLoad);
  return b / (1 - (offeredLoad / servers) * (1 - b));
}

export function isStable(input: MmcInput): boolean {
  return input.arrivalRate * input.serviceTime < input.servers;
}

export function mmc(input: MmcInput): MmcFigures {
  const { arrivalRate: lambda, serviceTime: s, servers: c } = input;
  const a = lambda * s;
  const pw = erlangC(c, a);
  const meanWait = (pw * s) / (c - a);
  return {
    offeredLoad: a,
    utilisation: a / c,
    probabilityOfWaiting: pw,
    meanWait,
    meanQueueLength: lambda * meanWait,
    meanInSystem: lambda * meanWait + a,
  };
}

/** P(Wq > t): the probability that a request waits longer than t seconds. */
export function mmcWaitExceeds(input: MmcInput, t: number): number {
  const a = input.arrivalRate * input.serviceTime;
  const pw = erlangC(input.servers, a);
  return t < 0 ? 1 : pw * Math.exp((-(input.servers - a) * t) / input.serviceTime);
}

/** The p-quantile of the wait, seconds: the t with P(Wq <= t) = p. */
export function mmcWaitQuantile(input: MmcInput, p: number): number {
  const a = input.arrivalRate * input.serviceTime;
  const pw = erlangC(input.servers, a);
  if (p <= 1 - pw) return 0;
  return (input.serviceTime * Math.log(pw / (1 - p))) / (input.servers - a);
}

function assertStable(servers: number, offeredLoad: number): void {
  if (!(offeredLoad < servers))
    throw new RangeError(
      `offered load ${offeredLoad} erlangs on ${servers} servers: utilisation must be below 1`,
    );
}
