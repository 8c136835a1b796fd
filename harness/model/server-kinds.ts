import type { BalancerPolicy, ServerKind, Work } from '../../targets/protocol.js';
import type { Endpoint, RealKind } from '../../targets/real/protocol.js';
import type { AsyncWorkerSpec } from '../scenario/types.js';
import type { BalancerMode } from '../vocabulary.js';
import { asyncHandlerSlots, type DeploymentParts, UNLIMITED_CONNECTIONS } from './deployment.js';
import type { EventLoopCost, ModelTopology } from './simulate.js';

/**
 * How each server, emulated or real, maps onto the model's three kinds. Pure.
 *
 *   flask-dev, werkzeug           one process, one request at a time         flask-dev
 *   sync, gunicorn-sync           W workers accepting only when idle         sync
 *   gthread, gunicorn-gthread     W workers x T threads, per-worker queues   gthread
 *   uvicorn, gunicorn-uvicorn     W workers, each accepting without limit    gthread with:
 *       endpoint "def"            a thread pool of T (anyio's 40 by default)   T threads
 *       endpoint "async", sleep   every request awaits at once                 a thread per request
 *       endpoint "async", cpu     the work blocks the event loop               1 thread
 *       handler "blocking"/"cpu"  (the topology's handler, when set)           1 thread
 *
 * uvicorn has no per-worker connection cap by default (--limit-concurrency answers 503 rather
 * than stopping accept), so its workers accept whatever the kernel queue holds.
 */

export type DeployedKind = ServerKind | RealKind;

export interface DeployedTopology {
  kind: DeployedKind;
  workers: number;
  threads: number;
  replicas: number;
  balancer: BalancerPolicy;
  workerConnections: number;
  endpoint?: Endpoint;
  /** `http`: the balancer reuses kept-alive connections to the replicas; absent: `tcp`. */
  balancerMode?: BalancerMode;
  /** Seconds the servers keep an idle connection open (gunicorn --keep-alive); default 2. */
  keepAlive?: number;
  /** The real ASGI kinds with a `handler`: it decides the slots, whatever the load's work. */
  asyncWorker?: AsyncWorkerSpec;
}

export function modelTopologyOf(
  t: DeployedTopology,
  load: { users: number; work: Work },
): ModelTopology {
  const base = { replicas: t.replicas, balancer: t.balancer };
  switch (t.kind) {
    case 'flask-dev':
    case 'werkzeug':
      return { ...base, kind: 'flask-dev', workers: 1, threads: 1, workerConnections: 1 };
    case 'sync':
    case 'gunicorn-sync':
      return { ...base, kind: 'sync', workers: t.workers, threads: 1, workerConnections: 1 };
    case 'async':
      // The emulated uvicorn worker: deployment.ts maps its handler styles onto the engine.
      return {
        ...base,
        kind: 'async',
        workers: t.workers,
        threads: t.threads,
        workerConnections: t.workerConnections,
      };
    case 'gthread':
    case 'gunicorn-gthread':
      return {
        ...base,
        kind: 'gthread',
        workers: t.workers,
        threads: t.threads,
        workerConnections: t.workerConnections,
      };
    case 'uvicorn':
    case 'gunicorn-uvicorn': {
      const endpoint = t.endpoint ?? 'def';
      const threads =
        t.asyncWorker !== undefined
          ? t.asyncWorker.handler === 'await'
            ? Math.max(1, load.users)
            : asyncHandlerSlots(t.asyncWorker)
          : endpoint === 'def'
            ? t.threads
            : load.work === 'cpu'
              ? 1
              : Math.max(1, load.users);
      return {
        ...base,
        kind: 'gthread',
        workers: t.workers,
        threads,
        workerConnections: UNLIMITED_CONNECTIONS,
      };
    }
  }
}

/**
 * Real seconds a real uvicorn worker's event loop spends on each accepted connection, each
 * handler start and each response, one at a time (simulate.ts `loop`). Fitted on three runs of
 * `npm run scenario transfer-kinds-real` (uvicorn and gunicorn's uvicorn workers, 2 workers, a
 * `def` endpoint in a pool of 40, 100 users, 200 ms handlers, 5 bursts each, 30 bursts in all, on
 * 2 x Intel Xeon): 0.3 ms puts the pooled mean, p95, max wait and makespan of both kinds within
 * 6% (0.2 ms, fitted on the first run alone, read them up to 10% short); a fourth run, not fitted
 * on, was within the bounds or inside the band on every figure. Not calibrated per machine
 * (harness/model/README.md, "The event loop's own time").
 */
export const ASGI_LOOP_COST = 0.0003;

/**
 * The event loop cost of a topology's workers at `timeScale` (real seconds per scenario second):
 * the real ASGI kinds', except for CPU-bound handlers, whose loop the model already holds for
 * the whole handler; none for the other kinds and the emulated async worker, whose costs the
 * model leaves out.
 */
export function eventLoopCostOf(
  t: { kind: DeployedKind; asyncWorker?: AsyncWorkerSpec; endpoint?: Endpoint },
  work: Work,
  timeScale: number,
): EventLoopCost | undefined {
  if (t.kind !== 'uvicorn' && t.kind !== 'gunicorn-uvicorn') return undefined;
  if (work === 'cpu' || t.asyncWorker?.handler === 'cpu') return undefined;
  return { cost: ASGI_LOOP_COST, timeScale };
}

/**
 * The accept race a kind's workers run, by the server that implements it: the calibration
 * (harness/calibrate/) measures each on this machine. null where the race cannot change a wait:
 * workers that accept only when idle (flask-dev, sync) take the next connection in order
 * whoever wins. The emulated uvicorn worker (`async`) races as uvicorn's do, through Node's own
 * accept loop, and is calibrated as a server of its own (with handlers that hold its loop it
 * accepts only when idle, but a burst that reaches it whole is split by the race:
 * deployment.ts, WHOLE_BURST_SHARE).
 */
export type AcceptRaceServer =
  | 'gthread'
  | 'gunicorn-gthread'
  | 'async'
  | 'uvicorn'
  | 'gunicorn-uvicorn';
export const ACCEPT_RACE_SERVERS: readonly AcceptRaceServer[] = [
  'gthread',
  'gunicorn-gthread',
  'async',
  'uvicorn',
  'gunicorn-uvicorn',
];

export function acceptRaceServerOf(kind: DeployedKind): AcceptRaceServer | null {
  switch (kind) {
    case 'async':
    case 'gthread':
    case 'gunicorn-gthread':
    case 'uvicorn':
    case 'gunicorn-uvicorn':
      return kind;
    default:
      return null;
  }
}

/** The emulated kind that stands for a real one, if the emulation has one. */
export function emulatedCounterpart(kind: RealKind): ServerKind | null {
  switch (kind) {
    case 'werkzeug':
      return 'flask-dev';
    case 'gunicorn-sync':
      return 'sync';
    case 'gunicorn-gthread':
      return 'gthread';
    default:
      return null;
  }
}

/** The model's topology with the parts deployment.ts maps (a worker's life, async handlers). */
export function deploymentOf(
  t: DeployedTopology & DeploymentParts,
  load: { users: number; work: Work },
): ModelTopology & DeploymentParts {
  return {
    ...modelTopologyOf(t, load),
    ...(t.lifecycle === undefined ? {} : { lifecycle: t.lifecycle }),
    ...(t.asyncWorker === undefined ? {} : { asyncWorker: t.asyncWorker }),
    ...(t.balancerMode === 'http' && t.replicas > 1
      ? { reuse: { keepAlive: t.keepAlive ?? DEFAULT_KEEP_ALIVE } }
      : {}),
    ...(Number.isFinite(load.users) && load.users >= 1 ? { inFlightBound: load.users } : {}),
  };
}

/** gunicorn's --keep-alive default (seconds). */
const DEFAULT_KEEP_ALIVE = 2;
