/**
 * Closed forms for a burst: n requests arriving at one instant, constant service time s.
 *
 * With c servers taking work from one shared first-come-first-served queue, the k-th request
 * served (k = 0, 1, ...) starts after floor(k/c) full rounds, so it waits floor(k/c)·s
 * (DESIGN.md, "The model"). Writing n = q·c + r (0 <= r < c):
 *
 *   sum of waits  = s·(c·q(q-1)/2 + r·q)
 *   max wait      = floor((n-1)/c)·s
 *   makespan      = ceil(n/c)·s              (the last request finishes)
 *
 * A round-robin balancer in front of R replicas with c servers each deals request i to replica
 * i mod R, where it is the floor(i/R)-th in line. These are the test oracles of the simulator.
 */

export function sharedQueueWait(k: number, servers: number, service: number): number {
  return Math.floor(k / servers) * service;
}

export interface BurstClosedForm {
  meanWait: number;
  maxWait: number;
  makespan: number;
}

export function sharedQueueBurst(n: number, servers: number, service: number): BurstClosedForm {
  if (n <= 0) return { meanWait: 0, maxWait: 0, makespan: 0 };
  const q = Math.floor(n / servers);
  const r = n % servers;
  const sum = service * ((servers * q * (q - 1)) / 2 + r * q);
  return {
    meanWait: sum / n,
    maxWait: Math.floor((n - 1) / servers) * service,
    makespan: Math.ceil(n / servers) * service,
  };
}

/** Each request's wait, by arrival index, behind a round-robin balancer over R replicas. */
export function roundRobinBurstWaits(
  n: number,
  replicas: number,
  serversPerReplica: number,
  service: number,
): Float64Array {
  const waits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    waits[i] = sharedQueueWait(Math.floor(i / replicas), serversPerReplica, service);
  }
  return waits;
}

/** The arithmetic the deployment notes use: users / (workers x threads x replicas) x service. */
export function backOfEnvelope(users: number, concurrency: number, service: number): number {
  return (users / concurrency) * service;
}
