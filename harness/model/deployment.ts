import type { Work } from '../../targets/protocol.js';
import type { AsyncWorkerSpec, TopologyLifecycle } from '../scenario/types.js';
import { type BootSchedule, simulateBoots } from './boot.js';
import type { ConnectionReuse, ModelTopology, WorkerBehaviour } from './simulate.js';

/**
 * From a deployment as a scenario describes it to what the simulator runs: the async worker
 * kind mapped onto the engine's per-worker queues, gunicorn's recycling and timeout as engine
 * behaviour, and a cold start as the instants at which each worker first accepts.
 *
 * Async (uvicorn) workers accept every connection their event loop can (no per-worker cap), so
 * each is a worker with its own queue, like gthread with an unbounded worker_connections, whose
 * "threads" are what limits its handlers (harness/model/README.md, "Async workers"):
 *
 *   handler    handlers at once per worker        work
 *   await      unlimited (AWAIT_SLOTS)            waits, no core
 *   def        threadPool (anyio's 40)            waits, no core
 *   blocking   1: the event loop itself waits     waits, no core
 *   cpu        1: the event loop itself computes  CPU: worker processes share the cores
 */

/** What the topology adds to the model beyond its shape; every field optional. */
export interface DeploymentParts {
  lifecycle?: TopologyLifecycle;
  asyncWorker?: AsyncWorkerSpec;
  /** An HTTP-mode balancer's connection reuse (engine/connection-pool.ts); absent: TCP mode. */
  reuse?: ConnectionReuse;
  /**
   * The most requests the load can have in flight (its planned requests), when known: an
   * `await` worker's slots need be no more. The engine keeps arrays per slot and fills them for
   * every simulated run, so AWAIT_SLOTS for 200 requests cost seconds of CPU per topology.
   */
  inFlightBound?: number;
}

/**
 * Handlers an `await` worker runs at once in the model. The engine keeps a slot per handler, so
 * "unlimited" needs a number; no scenario the harness can send has more in flight per worker.
 */
export const AWAIT_SLOTS = 100_000;

/**
 * The worker_connections of a worker that accepts without limit, in the model (uvicorn sets
 * none; --limit-concurrency answers 503 rather than stopping accept).
 */
export const UNLIMITED_CONNECTIONS = 1_000_000_000;

/** Seconds between gunicorn's master checks of its workers (arbiter.py sleep()). */
export const CHECK_INTERVAL = 1;

export interface EngineDeployment {
  topology: ModelTopology;
  behaviour: Partial<WorkerBehaviour>;
  work: Work;
  /** The cold start, when the load starts before the workers accept. */
  boot: BootSchedule | null;
  /** Per engine worker, when it first accepts (from `boot`). */
  firstUp: Float64Array | undefined;
  /** Whether recycling or timeouts make runs differ with the model's own draws. */
  random: boolean;
  notes: string[];
}

/**
 * Whether an async worker's handlers hold its event loop (`blocking`, `cpu`), so that it accepts
 * nothing while one runs. Measured on the emulated worker (`npm run scenario async-capacity`, 2
 * workers, 200 users, 1 s handlers at time scale 0.2, 18 bursts): each loop took a first batch
 * of connections as the burst arrived (29 to 114), then one waiting connection each time a
 * handler ended. Where neither first batch held more than half the burst, it ended split
 * 100/100, as a shared queue of two would (13 bursts); where the whole burst, or most of it, was
 * accepted before either loop started a handler, the race split it (86/114 twice, 90/110,
 * 139/61, 155/45). The model gives such a worker worker_connections 1, so that it takes
 * the next waiting connection when idle, and for a burst draws once per run, with probability
 * WHOLE_BURST_SHARE, whether the burst is accepted whole as the race draws it.
 */
export function loopHeldByHandler(spec: AsyncWorkerSpec): boolean {
  return spec.handler === 'blocking' || spec.handler === 'cpu';
}

/** An async worker's handlers when the topology does not say: they await their I/O. */
const AWAIT: AsyncWorkerSpec = { handler: 'await', threadPool: 40 };

/** Of bursts reaching loop-held async workers, the share the race splits: 5 of 18 measured. */
export const WHOLE_BURST_SHARE = 5 / 18;

/** Handlers an async worker runs at once, by handler style. */
export function asyncHandlerSlots(spec: AsyncWorkerSpec): number {
  switch (spec.handler) {
    case 'await':
      return AWAIT_SLOTS;
    case 'def':
      return spec.threadPool;
    case 'blocking':
    case 'cpu':
      return 1;
  }
}

/**
 * The engine's view of a topology. `work` is the scenario's; an async worker with CPU-bound
 * handlers computes whatever the scenario says. `horizon` bounds a cold start's simulation
 * (scenario seconds). `burst`: the load is one burst of simultaneous arrivals.
 */
export function engineDeployment(
  topology: ModelTopology & DeploymentParts,
  work: Work,
  horizon: number,
  burst: boolean,
): EngineDeployment {
  const notes: string[] = [];
  let shape: ModelTopology = {
    kind: topology.kind,
    workers: topology.workers,
    threads: topology.threads,
    replicas: topology.replicas,
    balancer: topology.balancer,
    workerConnections: topology.workerConnections,
  };
  let engineWork = work;
  let loopHeld = false;
  if (topology.kind === 'async') {
    const spec = topology.asyncWorker ?? AWAIT;
    loopHeld = loopHeldByHandler(spec);
    shape = {
      ...shape,
      kind: 'gthread',
      threads:
        spec.handler === 'await'
          ? Math.max(1, Math.min(AWAIT_SLOTS, topology.inFlightBound ?? AWAIT_SLOTS))
          : asyncHandlerSlots(spec),
      workerConnections: loopHeld ? 1 : UNLIMITED_CONNECTIONS,
    };
    if (spec.handler === 'cpu') engineWork = 'cpu';
    else if (work === 'cpu') engineWork = 'sleep';
    notes.push(asyncNote(spec));
  }
  const behaviour: Partial<WorkerBehaviour> = { work: engineWork };
  if (loopHeld && burst && shape.workers > 1) {
    behaviour.wholeBurst = WHOLE_BURST_SHARE;
    notes.push(
      `in ${Math.round(WHOLE_BURST_SHARE * 100)}% of simulated bursts the whole burst is accepted before either loop starts a handler and the accept race splits it (5 of 18 measured bursts); in the others each worker takes the next waiting connection when idle`,
    );
  }
  if (topology.reuse !== undefined) {
    behaviour.reuse = topology.reuse;
    notes.push(
      shape.kind === 'gthread'
        ? `an HTTP-mode balancer reuses idle connections (kept alive ${topology.reuse.keepAlive} s): a request goes to the worker holding the connection it is sent on, and only requests that find none open connections that race to be accepted (a burst that finds none idle races as in TCP mode)`
        : 'an HTTP-mode balancer: these workers close every connection after its response, so each request opens a new one as in TCP mode',
    );
  }
  const l = topology.lifecycle;
  let boot: BootSchedule | null = null;
  let firstUp: Float64Array | undefined;
  let random = behaviour.wholeBurst !== undefined;
  if (l !== undefined) {
    const restartTime = l.preload ? 0 : l.appLoadTime;
    if (l.maxRequests > 0) {
      behaviour.maxRequests = l.maxRequests;
      behaviour.maxRequestsJitter = l.maxRequestsJitter;
      behaviour.restartTime = restartTime;
      random = true;
      notes.push(
        `workers recycle after ${l.maxRequests}${l.maxRequestsJitter > 0 ? ` + up to ${l.maxRequestsJitter}` : ''} requests and accept again ${restartTime} s after they exit${l.preload ? ' (preloaded: no app load)' : ' (the app load)'}`,
      );
    }
    // gunicorn's timeout ends a sync worker's request; for gthread it only watches the boot.
    if (l.timeout > 0 && topology.kind === 'sync') {
      behaviour.timeout = l.timeout;
      behaviour.restartTime = restartTime;
    }
    if (l.loadStarts === 'listening') {
      boot = simulateBoots({
        slots: topology.replicas * topology.workers,
        appLoadTime: l.preload ? 0 : l.appLoadTime,
        init: l.init,
        timeout: l.timeout,
        checkInterval: CHECK_INTERVAL,
        horizon,
      });
      firstUp = Float64Array.from(boot.slots, (s) => s.readyAt);
      notes.push(bootNote(boot));
    }
  }
  return { topology: shape, behaviour, work: engineWork, boot, firstUp, random, notes };
}

function asyncNote(spec: AsyncWorkerSpec): string {
  switch (spec.handler) {
    case 'await':
      return 'async handlers that await their I/O: no limit inside a worker; connections go to the workers as the accept race draws them';
    case 'def':
      return `plain def handlers in a pool of ${spec.threadPool} threads per worker; connections go to the workers as the accept race draws them and wait inside them for a thread`;
    case 'blocking':
      return 'blocking calls in async handlers: one request at a time per worker, the event loop waiting and accepting nothing meanwhile; each worker takes the next waiting connection when its handler ends';
    case 'cpu':
      return 'CPU-bound async handlers: one request at a time per worker, worker processes sharing the cores, the event loop accepting nothing meanwhile; each worker takes the next waiting connection when its handler ends';
  }
}

const when = (t: number): string =>
  Number.isFinite(t) ? `${Number(t.toPrecision(4))} s` : 'never';

function bootNote(boot: BootSchedule): string {
  const loops = boot.restartLoops > 0 ? `, ${boot.restartLoops} in a restart loop` : '';
  return `the load starts as the socket listens; workers first accept at ${when(boot.firstReady)} (first) and ${when(boot.lastReady)} (last), ${boot.kills} killed while booting${loops}`;
}
