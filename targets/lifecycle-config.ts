/**
 * What an emulated arbiter and its workers need to reproduce a worker's life: recycling after a
 * number of requests (gunicorn --max-requests, --max-requests-jitter), the time a new worker
 * spends loading the app before it accepts (none with --preload), the heartbeat timeout that
 * kills a silent worker (gunicorn --timeout), and start-up work that contends for a shared
 * resource. All durations are real milliseconds: the harness has applied the time scale.
 *
 *   arbiter ──fork──► worker: "forked" ◄── activate (worker slot, its request limit) ──► boot:
 *     load the app (unless preloaded) ─► start-up work (init) ─► accept ─► "worker-ready"
 *     ... "notify" heartbeats while the worker's loop runs ... ─► exit ─► "worker-exit"
 */

/**
 * How the workers do their start-up work (`init`):
 * - `every-worker`: each worker does it while it boots, before it accepts (and, like any boot,
 *   without notifying the arbiter, so a boot longer than the timeout gets the worker killed);
 * - `one-worker`: the first worker to claim it does it while it boots; the others skip it, as
 *   when the work fills a shared cache or runs migrations once per deployment;
 * - `background`: each worker accepts first and does the work afterwards, in the background,
 *   while its loop keeps serving and notifying.
 */
export type InitMode = 'every-worker' | 'one-worker' | 'background';

export interface InitConfig {
  /** Real ms of work each initialisation needs from the shared resource when it has it alone. */
  ms: number;
  mode: InitMode;
  /** The loopback port of the shared resource (targets/init-resource.ts). */
  resourcePort: number;
}

export interface LifecycleConfig {
  /** Requests after which a worker exits and is replaced (gunicorn --max-requests); 0 never. */
  maxRequests: number;
  /** Up to this many more, drawn per worker by the arbiter (gunicorn --max-requests-jitter). */
  maxRequestsJitter: number;
  /** Real ms a new worker spends loading the app before it accepts. */
  appLoadMs: number;
  /**
   * The app is loaded once, in the arbiter, before it listens and forks (gunicorn --preload):
   * a worker, a replacement included, accepts right after the fork.
   */
  preload: boolean;
  /** Real ms a worker may go without notifying before the arbiter kills it; 0 never. */
  timeoutMs: number;
  /** Real ms between the arbiter's checks of its workers' heartbeats. */
  checkMs: number;
  /**
   * When the arbiter reports itself ready: `ready` once every worker accepts; `listening` as soon
   * as its socket listens, while the workers still boot (connections then wait in the kernel's
   * queue, as they do when a gunicorn master has bound its socket before its workers boot).
   */
  announce: 'ready' | 'listening';
  init: InitConfig | null;
}

export const NO_LIFECYCLE: LifecycleConfig = {
  maxRequests: 0,
  maxRequestsJitter: 0,
  appLoadMs: 0,
  preload: false,
  timeoutMs: 0,
  checkMs: 1000,
  announce: 'ready',
  init: null,
};

/**
 * How an emulated ASGI worker (uvicorn) runs a request's handler:
 * - `await`: `async def` that awaits its I/O: no limit inside the worker;
 * - `def`: a plain function, run in the worker's thread pool (`threadPool` threads, anyio's
 *   default limiter of 40 in FastAPI/Starlette);
 * - `blocking`: `async def` that calls blocking I/O: the whole event loop waits, one at a time;
 * - `cpu`: `async def` doing CPU-bound work: one at a time per worker, and it needs a core.
 */
export type AsyncHandler = 'await' | 'def' | 'blocking' | 'cpu';

export interface AsyncWorkerConfig {
  handler: AsyncHandler;
  threadPool: number;
}

/** Why a worker exited, as its arbiter saw it. */
export type WorkerExitReason = 'max-requests' | 'timeout' | 'crash';

/** What workers and arbiters report about a worker's life, besides ready and exit. */
export type WorkerLifecycleMessage =
  /** A worker process is up and waits to be activated (the emulation's stand-in for fork). */
  | { type: 'forked'; pid: number }
  /** A worker's heartbeat (gunicorn's WorkerTmp.notify). */
  | { type: 'notify' }
  /** The arbiter gave a worker slot a new process. */
  | { type: 'worker-spawn'; worker: number; pid: number; atUs: number }
  /** A worker finished its start-up work (`init`). */
  | { type: 'worker-initialised'; worker: number; pid: number; atUs: number; skipped: boolean };

/** What an arbiter tells a worker process. */
export type WorkerControlMessage = {
  type: 'activate';
  worker: number;
  /** The request after which this worker exits (max-requests plus its jitter); 0 never. */
  maxRequests: number;
};

/** CLOCK_MONOTONIC microseconds, the clock X-Server-Clock uses. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
