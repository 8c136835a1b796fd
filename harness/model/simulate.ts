import type { BalancerPolicy, ServerKind, Work } from '../../targets/protocol.js';
import { Engine } from './engine/engine.js';
import { NONE } from './engine/request-slots.js';
import { f64 } from './engine/typed-arrays.js';
import type { Random } from './random.js';

/**
 * A discrete-event simulation of one topology: a balancer over replicas, each replica a kernel
 * accept queue shared by its workers, each worker accepting as the server it models does.
 *
 *   arrival ─► balancer ─► replica r: kernel accept queue ─► worker w ─► thread t ─► done
 *                                                      (gthread: per-worker queue ┘)
 *
 * - flask-dev, sync: a worker accepts only when idle, so the kernel queue is one FCFS queue.
 * - gthread: a worker accepts while it holds fewer than workerConnections connections and
 *   queues them for its own threads. Which worker wins each accept is up to the OS scheduler.
 *   The accept race (accept-race.ts): a connection that was already waiting in the kernel queue
 *   (it arrived before this instant, or at the instant of the previous accept there, as a
 *   burst's do) goes with probability `stickiness` to the worker that accepted the previous one,
 *   if that worker still accepts; otherwise, and always for a connection finding the queue
 *   empty, the worker is drawn uniformly among those accepting. Stickiness 0 is the uniform
 *   race and draws exactly the same random numbers as the model did before it existed.
 * - work "cpu": a handler needs its service time of CPU. Worker processes with CPU-bound work in
 *   flight share `cores` cores equally, each getting at most one (CPython's GIL lets one thread
 *   of a process run Python at a time), and the requests running in one process share its share
 *   equally (the GIL hands over every 5 ms, sys.getswitchinterval()): processor sharing at two
 *   levels. Work "sleep" uses no core.
 * - recycling (gunicorn --max-requests N, --max-requests-jitter J): a worker counts requests as
 *   their handlers start and, on reaching N + uniform{0..J} (drawn anew for each process, as
 *   gunicorn/workers/base.py does with randint), stops accepting, finishes what it holds, exits,
 *   and its replacement accepts `restartTime` seconds later.
 * - timeout (gunicorn --timeout for sync workers): a request still running `timeout` seconds
 *   after its handler started fails, its worker is killed and replaced after `restartTime`.
 *   Only for workers that hold one connection at a time (sync, flask-dev): gthread's --timeout
 *   is a liveness check of the main loop, which a busy thread does not trip.
 *
 * Network and parsing costs are taken as zero, except a real ASGI worker's event loop cost when
 * given (`loop`), and the kernel's accept queue as unbounded. Ties:
 * events due at the same instant run completions, timeouts and restarts first, then CPU
 * completions, then arrivals, each in the order it was scheduled.
 *
 * Memory is proportional to the requests in the system at once, not to the requests simulated:
 * each request occupies a slot from arrival to end, and slots are reused. The engine's parts
 * (engine/): request slots and their queues, the worker pool, the balancer, the accept race and
 * processor sharing, each a small class over typed arrays, and engine.ts's event loop. What happens to a
 * finished request is the sink's business: `simulate` records every request in arrays,
 * simulateStream (simulate-stream.ts) folds them into running figures.
 */

export interface ModelTopology {
  kind: ServerKind;
  workers: number;
  threads: number;
  replicas: number;
  balancer: BalancerPolicy;
  workerConnections: number;
}

/** What the workers do besides serving: the settings that change waits beyond the topology. */
export interface WorkerBehaviour {
  /** "sleep": handlers wait on I/O; "cpu": handlers need their service time of CPU. */
  work: Work;
  /** Cores shared by CPU-bound handlers (work "cpu"). */
  cores: number;
  /** Requests after which a worker exits (gunicorn --max-requests); 0 never. */
  maxRequests: number;
  /** Up to this many more, drawn per process (gunicorn --max-requests-jitter). */
  maxRequestsJitter: number;
  /** Seconds from a worker's exit (or kill) until its replacement accepts. */
  restartTime: number;
  /** Seconds a handler may run before the worker is killed (sync --timeout); 0 never. */
  timeout: number;
  /**
   * The accept race (accept-race.ts): probability that a waiting connection goes to the worker
   * that accepted the previous one, 0 (uniform) to 1. Only workers that accept while busy
   * (gthread) make it matter.
   */
  stickiness: number;
  /**
   * The accept race as a mechanism (race-mechanism.ts) instead of one stickiness: when given,
   * it decides whether the worker that accepted last wins again, and `stickiness` is unused.
   */
  race?: RaceMechanism;
  /**
   * Connections arriving at or before this instant are one burst's: for the stickiness they
   * count as waiting, as if they had arrived together. The stickiness was calibrated on real
   * bursts, whose connections arrive over their real spread, and the a-priori model puts them
   * at one instant; a model given the measured arrival instants (the attribution's re-run,
   * results/attribution.ts) keeps the race as calibrated by saying where the burst ends.
   * Absent: only connections arriving at one instant, or already queued, count as waiting.
   */
  burstUntil?: number;
  /**
   * An HTTP-mode balancer that reuses its connections to the replicas (engine/connection-pool.ts):
   * a request goes on an idle kept-alive connection when there is one, to the worker holding it,
   * and only the requests that find none open connections that race to be accepted. Absent: a
   * TCP-mode balancer (or none), one new connection per request. Only workers that keep
   * connections alive (gthread, and the uvicorn kinds mapped onto it) are affected.
   */
  reuse?: ConnectionReuse;
  /**
   * Workers whose requests pass through one event loop (uvicorn's asyncio loop, a thread pool
   * for `def` handlers behind it): each accepted connection, each handler start and each
   * response takes the loop `cost` real seconds, one at a time per worker. Connections accepted
   * at one instant are all accepted before the first of them starts (asyncio accepts every
   * pending connection, then reads them, then runs their tasks). Absent: no cost of the
   * server's own, handlers start the instant a thread is free.
   */
  loop?: EventLoopCost;
  /**
   * Workers that accept only when idle (worker_connections 1) because a handler holds their event
   * loop (async workers with blocking or CPU-bound handlers): the probability that a run's burst
   * reaches them whole before either loop starts a handler, so that in that run they accept
   * every connection waiting, without limit, as the accept race draws them (deployment.ts,
   * WHOLE_BURST_SHARE). Drawn once per run. Absent: never.
   */
  wholeBurst?: number;
}

export interface EventLoopCost {
  /** Real seconds of the worker's event loop per accept, per handler start, per response. */
  cost: number;
  /** Real seconds per model second: the scenario's timeScale; 1 for real-time questions. */
  timeScale: number;
}

export interface ConnectionReuse {
  /** Seconds an idle connection stays open before the server closes it (its keep-alive). */
  keepAlive: number;
}

/**
 * What makes the worker that accepted last win the next accept (race-mechanism.ts). Times are
 * real seconds: they belong to the machine and the server, not to the scenario's time scale.
 */
export interface RaceMechanism {
  /** Mean time an awake worker takes from one accept back to the next accept (exponential). */
  returnTime: number;
  /** Mean time a sleeping worker takes to wake and reach accept once a connection arrives. */
  wakeTime: number;
  /** Time between two connections of a burst as the client opens them. */
  spacing: number;
  /** Real seconds per model second: the scenario's timeScale; 1 for real-time questions. */
  timeScale: number;
}

export const DEFAULT_BEHAVIOUR: WorkerBehaviour = {
  work: 'sleep',
  cores: Number.POSITIVE_INFINITY,
  maxRequests: 0,
  maxRequestsJitter: 0,
  restartTime: 1,
  timeout: 0,
  stickiness: 0,
};

export { STATUS } from './engine/engine.js';

/** Receives each request as it ends. `start` is when its handler started. */
export interface RequestSink {
  done(
    index: number,
    arrival: number,
    start: number,
    end: number,
    replica: number,
    worker: number,
    thread: number,
    status: number,
  ): void;
}

/** Whole-run tallies the engine keeps whatever the sink. Times in seconds. */
export interface EngineTotals {
  requests: number;
  ok: number;
  timeouts: number;
  firstArrival: number;
  lastEnd: number;
  /** Sum over requests of (end - handler start): thread-seconds busy. */
  busyTime: number;
  /** Sum over requests of (end - arrival): time in system. */
  sojournTime: number;
  /** Integral of the number of requests in the system over time, from the first arrival. */
  inSystemArea: number;
  maxInSystem: number;
  /** Worker processes that exited after max-requests or were killed, and were replaced. */
  restarts: number;
}

export interface EngineInput {
  topology: ModelTopology;
  behaviour?: Partial<WorkerBehaviour>;
  /** Successive arrival instants, non-decreasing; Infinity when done. */
  nextArrival: () => number;
  /** Service time (s) of request `index`; called once per request, in arrival order. */
  serviceOf: (index: number) => number;
  /** Balancer and accept races, recycling jitter. */
  random: Random;
  sink: RequestSink;
  /**
   * When each worker (g = replica x workers + worker) first accepts, for a load that starts
   * while workers still boot (harness/model/boot.ts); Infinity never. All at 0 when absent.
   */
  firstUp?: Float64Array;
  /** Told whenever a worker stops (exit, kill) or starts accepting (a boot or a replacement). */
  onWorker?: (worker: number, up: boolean, now: number) => void;
}

/** A setting that does not fit the question, named by its field. */
export interface ModelIssue {
  /** The field of WorkerBehaviour, ModelTopology or the question it concerns, e.g. "timeout". */
  field: string;
  message: string;
  fix: string;
}

/** Checks a behaviour against a topology; returns every problem, or an empty list. */
export function behaviourProblems(topology: ModelTopology, b: WorkerBehaviour): ModelIssue[] {
  const problems: ModelIssue[] = [];
  const holdsOne =
    topology.kind !== 'gthread' || Math.min(topology.threads, topology.workerConnections) === 1;
  if (b.timeout > 0 && (topology.kind !== 'sync' || !holdsOne))
    problems.push({
      field: 'timeout',
      message: `a per-request timeout applies to sync workers only (gunicorn --timeout); ${topology.kind === 'gthread' ? "gthread's timeout is a liveness check of the worker's main loop, which a busy thread does not trip" : 'the Flask development server has no timeout'}`,
      fix: 'drop the timeout, or use kind sync with one thread',
    });
  if (b.maxRequests > 0 && topology.kind === 'flask-dev')
    problems.push({
      field: 'maxRequests',
      message: 'the Flask development server has no --max-requests',
      fix: 'drop max-requests, or use kind sync or gthread',
    });
  if (b.maxRequestsJitter > 0 && b.maxRequests === 0)
    problems.push({
      field: 'maxRequestsJitter',
      message: 'jitter without max-requests does nothing (gunicorn ignores it too)',
      fix: 'add max-requests, or drop the jitter',
    });
  if (!(b.stickiness >= 0 && b.stickiness <= 1))
    problems.push({
      field: 'stickiness',
      message: 'the accept stickiness is a probability, from 0 to 1',
      fix: 'e.g. 0 for a uniform accept race, or the calibrated value',
    });
  const loop = b.loop;
  if (loop !== undefined && !(loop.cost >= 0 && loop.timeScale > 0))
    problems.push({
      field: 'loop',
      message: 'the event loop cost is a time of 0 or more, at a time scale above 0',
      fix: 'e.g. { cost: 0.00015, timeScale: 1 }, or leave it out',
    });
  if (loop !== undefined && b.work === 'cpu')
    problems.push({
      field: 'loop',
      message:
        "an event loop cost applies to handlers that sleep; CPU-bound handlers hold the worker's core",
      fix: 'leave the loop cost out for work "cpu"',
    });
  if (b.wholeBurst !== undefined && !(b.wholeBurst >= 0 && b.wholeBurst <= 1))
    problems.push({
      field: 'wholeBurst',
      message: 'the share of runs whose burst is accepted whole is a probability, from 0 to 1',
      fix: 'e.g. 1/3, as measured for the emulated async worker, or leave it out',
    });
  const race = b.race;
  if (
    race !== undefined &&
    !(race.returnTime > 0 && race.wakeTime > 0 && race.spacing >= 0 && race.timeScale > 0)
  )
    problems.push({
      field: 'race',
      message:
        'the race mechanism needs a return time and a wake time above 0, a spacing of 0 or more and a time scale above 0',
      fix: 'use the values npm run calibrate fitted',
    });
  if (b.reuse !== undefined && !(b.reuse.keepAlive >= 0))
    problems.push({
      field: 'reuse',
      message: 'the keep-alive of reused connections must be 0 seconds or more',
      fix: "e.g. the topology's keepAlive (gunicorn --keep-alive, default 2 s)",
    });
  if (!(b.cores > 0))
    problems.push({ field: 'cores', message: 'cores must be above 0', fix: 'e.g. 2' });
  if (!(b.restartTime >= 0) || !Number.isFinite(b.restartTime))
    problems.push({
      field: 'restartTime',
      message: 'the restart time must be a finite number of seconds, 0 or more',
      fix: 'e.g. 1s: how long your app takes to boot a worker',
    });
  return problems;
}

/** Runs the simulation to the end and returns the whole-run tallies. */
export function runEngine(input: EngineInput): EngineTotals {
  const { topology } = input;
  const b: WorkerBehaviour = { ...DEFAULT_BEHAVIOUR, ...input.behaviour };
  const problems = behaviourProblems(topology, b);
  if (problems.length > 0) throw new RangeError(problems.map((p) => p.message).join('; '));
  return new Engine(input, b).run();
}

export interface SimulationInput {
  topology: ModelTopology;
  behaviour?: Partial<WorkerBehaviour>;
  /** Arrival instants in seconds, non-decreasing. */
  arrivals: Float64Array;
  /** Service time of each request in seconds. */
  service: Float64Array;
  random: Random;
  /** When each worker first accepts (EngineInput.firstUp). */
  firstUp?: Float64Array;
}

/** A worker stopping or starting to accept, in a simulated run. */
export interface WorkerTransition {
  at: number;
  /** Global worker index: replica x workers + worker. */
  worker: number;
  up: boolean;
}

/** Per request, by arrival index: where it was served, when it started and ended (s), how. */
export interface SimulationResult {
  replica: Int32Array;
  worker: Int32Array;
  thread: Int32Array;
  start: Float64Array;
  end: Float64Array;
  /** STATUS.ok or STATUS.timeout. */
  status: Uint8Array;
  totals: EngineTotals;
  /** Every worker stop and start during the run, in order. */
  transitions: WorkerTransition[];
}

/** Simulates given arrivals and service times, recording every request. */
export function simulate(input: SimulationInput): SimulationResult {
  const { arrivals, service } = input;
  const n = arrivals.length;
  const replica = new Int32Array(n).fill(NONE);
  const worker = new Int32Array(n).fill(NONE);
  const thread = new Int32Array(n).fill(NONE);
  const start = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);
  const status = new Uint8Array(n);
  let next = 0;
  const engineInput: EngineInput = {
    topology: input.topology,
    nextArrival: () => (next < n ? f64(arrivals, next++) : Number.POSITIVE_INFINITY),
    serviceOf: (index) => f64(service, index),
    random: input.random,
    sink: {
      done(index, _arrival, s, e, r, w, t, st) {
        replica[index] = r;
        worker[index] = w;
        thread[index] = t;
        start[index] = s;
        end[index] = e;
        status[index] = st;
      },
    },
  };
  if (input.behaviour !== undefined) engineInput.behaviour = input.behaviour;
  if (input.firstUp !== undefined) engineInput.firstUp = input.firstUp;
  const transitions: WorkerTransition[] = [];
  engineInput.onWorker = (g, up, at) => transitions.push({ at, worker: g, up });
  const totals = runEngine(engineInput);
  return { replica, worker, thread, start, end, status, totals, transitions };
}
