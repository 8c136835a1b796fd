/**
 * The words the scenario format, the targets and the model share, each listed once as an
 * `as const` list with its type derived from it. The schema validates against these lists, the
 * targets and the model take the types, so adding a word is one line here and the compiler finds
 * every place that must handle it. This module imports nothing: it is the bottom floor.
 */

/** The server models the emulation offers, each standing for a real Python server. */
export const SERVER_KINDS = ['flask-dev', 'sync', 'gthread', 'async'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** The real servers the harness can launch from Debian's packages (targets/real). */
export const REAL_KINDS = [
  'werkzeug',
  'gunicorn-sync',
  'gunicorn-gthread',
  'gunicorn-uvicorn',
  'uvicorn',
] as const;
export type RealKind = (typeof REAL_KINDS)[number];

/** Every kind a topology may name: the emulated servers, then the real ones. */
export const TOPOLOGY_KINDS = [...SERVER_KINDS, ...REAL_KINDS] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];

/** How the balancer in front of several replicas picks one for each new connection. */
export const BALANCER_POLICIES = ['round-robin', 'random', 'least-connections'] as const;
export type BalancerPolicy = (typeof BALANCER_POLICIES)[number];

/**
 * What the balancer relays: `tcp` gives each user connection its own server connection (haproxy
 * `mode tcp`); `http` relays requests over a pool of kept-alive server connections that grows on
 * demand (haproxy `mode http` with `http-reuse`, as Envoy, nginx and ingresses do).
 */
export const BALANCER_MODES = ['tcp', 'http'] as const;
export type BalancerMode = (typeof BALANCER_MODES)[number];

/** A handler either sleeps (I/O wait, releases the GIL) or burns CPU time. */
export const WORK_KINDS = ['sleep', 'cpu'] as const;
export type Work = (typeof WORK_KINDS)[number];

/** How the ASGI app's /work is written: a plain function (thread pool) or `async def`. */
export const ENDPOINTS = ['def', 'async'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** How a request's service time varies from request to request. */
export const SERVICE_DISTRIBUTIONS = ['constant', 'exponential', 'lognormal', 'empirical'] as const;
export type ServiceDistributionName = (typeof SERVICE_DISTRIBUTIONS)[number];

/** Which executor sends a scenario's requests (harness/load/executors, one file each). */
export const EXECUTORS = [
  'burst',
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'closed-users',
  'throughput',
] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

/** How arrival-rate loads space their requests. */
export const ARRIVAL_PROCESSES = ['regular', 'poisson'] as const;
export type ArrivalProcess = (typeof ARRIVAL_PROCESSES)[number];

/** How closed users' think times vary around their mean. */
export const THINK_TIMES = ['constant', 'exponential'] as const;
export type ThinkTime = (typeof THINK_TIMES)[number];

/** When a burst's users connect: at the burst, or before it. */
export const BURST_CONNECTIONS = ['new', 'warm'] as const;
export type BurstConnections = (typeof BURST_CONNECTIONS)[number];

/** How a load keeps what it measured: every request, or bounded-memory histograms. */
export const RECORD_MODES = ['requests', 'histograms'] as const;
export type RecordMode = (typeof RECORD_MODES)[number];

/** Most users a burst may have; every run is bounded whatever a file asks for. */
export const MAX_USERS = 100_000;

/** The most requests one topology's load may plan; the run is bounded by it whatever the file says. */
export const MAX_REQUESTS = 10_000_000;

/** Membership in one of the lists above, as a type guard. */
export function isOneOf<const T extends readonly string[]>(
  list: T,
  value: string,
): value is T[number] {
  return (list as readonly string[]).includes(value);
}

/**
 * The shape every topology has, whatever it is for: the scenario's (TopologySpec), the summary's
 * (TopologySummary) and the model's extend it, so that its fields are declared once.
 */
export interface TopologyShape {
  workers: number;
  /** Threads per worker (gthread); the thread pool of `def` endpoints for the uvicorn kinds. */
  threads: number;
  replicas: number;
  balancer: BalancerPolicy;
  /** gunicorn's --worker-connections: connections a gthread worker holds at once. */
  workerConnections: number;
}
