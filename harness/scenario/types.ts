import type { Election, Registry } from '../../targets/app/protocol.js';
import type { AsyncHandler, InitMode } from '../../targets/lifecycle-config.js';
import type { OwnApp } from '../../targets/real/protocol.js';
import type { Threshold } from '../gate/threshold.js';
import type {
  ArrivalProcess,
  BalancerMode,
  BalancerPolicy,
  BurstConnections,
  Endpoint,
  RealKind,
  RecordMode,
  ServerKind,
  ServiceDistributionName,
  ThinkTime,
  TopologyKind,
  TopologyShape,
  Work,
} from '../vocabulary.js';

export type {
  AsyncHandler,
  BalancerPolicy,
  Election,
  Endpoint,
  InitMode,
  RealKind,
  Registry,
  ServerKind,
  ServiceDistributionName,
  TopologyKind,
  Work,
};

/** How a load keeps what it measured; both always keep histograms and counts. */
export interface LoadRecording {
  /** Worker threads generating the load. */
  threads: number;
  /** `requests`: every request's record in memory; `histograms`: bounded memory. */
  record: RecordMode;
  /** Write requests.ndjson (streamed to disk in histogram mode). */
  requestsFile: boolean;
}

/** All N users send one request at the same instant (a contest start, a class logging in). */
export interface BurstLoad extends LoadRecording {
  executor: 'burst';
  users: number;
  /** `new`: users connect at the burst; `warm`: their connections are opened before it. */
  connections: BurstConnections;
}

/** Requests at a fixed rate (per scenario second) for a duration, timed from their plan. */
export interface ConstantRateLoad extends LoadRecording {
  executor: 'constant-arrival-rate';
  rate: number;
  duration: number;
  arrivals: ArrivalProcess;
  maxConnections: number;
}

/** A rate that moves linearly through stages (per scenario second). */
export interface RampingRateLoad extends LoadRecording {
  executor: 'ramping-arrival-rate';
  startRate: number;
  stages: Array<{ target: number; duration: number }>;
  arrivals: ArrivalProcess;
  maxConnections: number;
}

/** N users who each wait for their response and think before the next request. */
export interface ClosedUsersLoad extends LoadRecording {
  executor: 'closed-users';
  users: number;
  thinkTime: number;
  think: ThinkTime;
  /** Requests per user, or null when `duration` bounds the load. */
  iterations: number | null;
  duration: number | null;
}

/** As many requests as the target will take over K connections for a duration. */
export interface ThroughputLoad extends LoadRecording {
  executor: 'throughput';
  connections: number;
  duration: number;
  pipelining: number;
}

export type LoadSpec =
  | BurstLoad
  | ConstantRateLoad
  | RampingRateLoad
  | ClosedUsersLoad
  | ThroughputLoad;

export interface ServiceSpec {
  /** Mean scenario seconds each request spends in its handler (for empirical, the samples' mean). */
  time: number;
  work: Work;
  /** How the time varies from request to request; each request's is drawn with model.seed. */
  distribution: ServiceDistributionName;
  /** Lognormal only: coefficient of variation, standard deviation / mean. */
  cv?: number;
  /** Empirical only: the service times (scenario seconds) each request draws one of. */
  samples?: number[];
}

/** One deployment to compare: a server kind, its workers, threads and replicas. */
export interface TopologySpec extends TopologyShape {
  name: string;
  /** The kind that runs: gunicorn runs `sync` with threads > 1 as `gthread`. */
  kind: TopologyKind;
  /** The kind the scenario file names. */
  declaredKind: TopologyKind;
  backlog: number;
  /**
   * What the balancer relays (replicas > 1): each user connection on a new server connection
   * (`tcp`, also when absent) or requests over reused server connections (`http`).
   */
  balancerMode?: BalancerMode;
  /** Scenario seconds an idle keep-alive connection is held (gthread). */
  keepAlive: number;
  /** The port users reach the topology on; 0 picks a free one. */
  port: number;
  /** uvicorn kinds: how the app's /work is written ("def": thread pool; "async"). */
  endpoint?: Endpoint;
  /** A server already running at this URL: the harness starts nothing and sends the load here. */
  url?: string;
  /** Bursts for this topology, overriding the scenario's `repeat`. */
  repeat?: number;
  /**
   * Real seconds per scenario second for this topology, overriding the scenario's `timeScale`:
   * a topology whose waits are short runs slower, so that the harness's own fixed costs stay a
   * small part of them.
   */
  timeScale?: number;
  /**
   * Set on the emulated counterpart the harness adds for a real-server topology when the
   * scenario asks to compare them (`compareEmulated`): the real topology's name.
   */
  twinOf?: string;
  /**
   * The balancer in front of an emulated topology's replicas: the emulated one (absent), or
   * haproxy, which the emulated counterpart of a real topology runs behind so that the two are
   * compared behind the same balancer.
   */
  balancerServer?: 'haproxy';
  /** Who runs the scenario's scheduled job (scenarios with `jobs`). */
  scheduler?: SchedulerSpec;
  /** Where event-stream clients are known (scenarios with `fanout`). */
  registry?: Registry;
  /** Recycling, app load, timeout and start-up work; absent when all are at their defaults. */
  lifecycle?: TopologyLifecycle;
  /** Kind `async`: how its handlers run. */
  asyncWorker?: AsyncWorkerSpec;
  /** The concurrency the sizing notes claim for this deployment, when the file gives one. */
  claimedConcurrency?: number;
  /** Real kinds: the user's own app in place of the bundled one (own-app-schema.ts). */
  app?: OwnApp;
  /** Real gunicorn kinds: --graceful-timeout, scenario seconds. */
  gracefulTimeout?: number;
  /** Kind uvicorn: --limit-concurrency. */
  limitConcurrency?: number;
}

/** A worker's life in scenario seconds (gunicorn's --max-requests, --preload, --timeout). */
export interface TopologyLifecycle {
  maxRequests: number;
  maxRequestsJitter: number;
  /** Scenario seconds a new worker spends loading the app before it accepts. */
  appLoadTime: number;
  preload: boolean;
  /** Scenario seconds a worker may go without notifying its master; 0 never. */
  timeout: number;
  /** Start-up work against a shared resource of `capacity` initialisations at full speed. */
  init: { time: number; mode: InitMode; capacity: number } | null;
  /** Whether the load starts once every worker accepts, or as soon as the socket listens. */
  loadStarts: 'ready' | 'listening';
}

export interface AsyncWorkerSpec {
  handler: AsyncHandler;
  /** Threads per worker for plain def handlers. */
  threadPool: number;
}

/** Who runs the scheduled job in a topology; durations in scenario seconds. */
export interface SchedulerSpec {
  election: Election;
  /** lease: how long a lease lasts after it was taken or renewed. */
  lease: number;
  /** lease: how often its holder renews it. */
  renew: number;
  /** file-lock, lease: how often a worker that does not lead tries to. */
  retry: number;
}

/** A scheduled job observed in every topology (scenario seconds). */
export interface JobsSpec {
  /** The job runs on every multiple of it (cron style). */
  interval: number;
  /** How long the runs are observed, from the moment the topology is ready. */
  duration: number;
  /** When the worker that ran the job last is killed, or null for no kill. */
  killLeaderAt: number | null;
}

/** Server-sent events published to every client (scenario seconds). */
export interface FanoutSpec {
  clients: number;
  events: number;
  /** Between two events. */
  interval: number;
  /** How long clients keep listening after the last event. */
  grace: number;
}

/** A topology whose kind is one of the emulated servers. */
export type EmulatedTopologySpec = TopologySpec & { kind: ServerKind };

export interface Limits {
  /** Real seconds the whole run may take before it stops itself. */
  runTimeout: number;
  /** Scenario seconds a single request may take before it counts as timed out. */
  requestTimeout: number;
  /** Real seconds each target may take to start and answer; DEFAULT_START_TIMEOUT when absent. */
  startTimeout?: number;
}

export interface ModelOptions {
  seed: number;
  /** Simulation runs averaged where the topology has random effects. */
  replications: number;
}

/**
 * What each request to a user's app or a URL looks like (request-schema.ts); the emulated
 * servers and the bundled apps keep their own `/work?ms=...`.
 */
export interface RequestSpec {
  method: string;
  headers: Record<string, string>;
  body: string | null;
  /** Inclusive status ranges that count as success; null: every status below 400. */
  success: Array<[number, number]> | null;
  /** Where requests go, each drawn by weight; absent: the URL's path, or "/" for an app. */
  paths?: Array<{ path: string; weight: number }>;
}

/** A validated scenario: defaults applied, durations in seconds. */
export interface Scenario {
  name: string;
  description: string;
  /** The file it was read from. */
  source: string;
  /** Real seconds per scenario second: 0.1 runs a 2 s service time as 200 ms. */
  timeScale: number;
  /**
   * Bursts sent to each topology, one after another on the same running servers; the measured
   * figures are their mean. Optional so that scenarios built in code need none (1).
   */
  repeat?: number;
  /** Run each real-server topology's emulated counterpart too (the fidelity table). */
  compareEmulated?: boolean;
  /** A topology may fail every request; without it such a run fails with E_NO_SUCCESS. */
  expectErrors?: boolean;
  load: LoadSpec;
  service: ServiceSpec;
  topologies: TopologySpec[];
  limits: Limits;
  model: ModelOptions;
  /**
   * Pass/fail conditions in k6's vocabulary (harness/gate/threshold.ts), parsed once, each with
   * the text the file or a --threshold wrote (scenario.json writes that text back). Optional so
   * that scenarios built in code need none.
   */
  thresholds?: readonly Threshold[];
  /** A scheduled job observed in every topology (topologies say who runs it). */
  jobs?: JobsSpec;
  /** Server-sent events published to every client (topologies say where clients are known). */
  fanout?: FanoutSpec;
  /** Requests to users' apps and URLs: method, paths, headers, body, success statuses. */
  request?: RequestSpec;
}

/** Total concurrency of a topology by the usual arithmetic. */
export function concurrencyOf(
  topology: Pick<TopologySpec, 'workers' | 'threads' | 'replicas'>,
): number {
  return topology.workers * topology.threads * topology.replicas;
}
