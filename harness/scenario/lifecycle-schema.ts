import { z } from 'zod';
import type { AsyncHandler, InitMode } from '../../targets/lifecycle-config.js';
import { count, duration } from './fields.js';
import type { AsyncWorkerSpec, TopologyLifecycle } from './types.js';

/**
 * The topology fields for a worker's life and for the async worker kind (issue 6): recycling
 * after max-requests, the app's load time and preloading, the heartbeat timeout, start-up work
 * against a shared resource, when the load starts, and how an async worker's handlers run.
 * schema.ts spreads LIFECYCLE_FIELDS into the topology object and calls lifecycleProblems from
 * its refinement; scenarios/README.md documents each field.
 */

export const INIT_MODES = [
  'every-worker',
  'one-worker',
  'background',
] as const satisfies readonly InitMode[];
export const ASYNC_HANDLERS = [
  'await',
  'def',
  'blocking',
  'cpu',
] as const satisfies readonly AsyncHandler[];
export const LOAD_STARTS = ['ready', 'listening'] as const;

/** Threads of an async worker's pool for `def` handlers: anyio's default CapacityLimiter. */
export const DEFAULT_THREAD_POOL = 40;

export const LIFECYCLE_FIELDS = {
  maxRequests: count(0, 10_000_000).default(0),
  maxRequestsJitter: count(0, 10_000_000).default(0),
  appLoadTime: duration.default(0),
  preload: z.boolean().default(false),
  timeout: duration.default(0),
  init: z
    .strictObject({
      time: duration,
      mode: z.enum(INIT_MODES).default('every-worker'),
      capacity: z.number().gt(0).max(1000).default(1),
    })
    .optional(),
  loadStarts: z.enum(LOAD_STARTS).default('ready'),
  handler: z.enum(ASYNC_HANDLERS).optional(),
  threadPool: count(1, 10_000).optional(),
  claimedConcurrency: count(1, 10_000_000).optional(),
};

interface ParsedLifecycle {
  kind: string;
  replicas: number;
  threads?: number | undefined;
  maxRequests: number;
  maxRequestsJitter: number;
  appLoadTime: number;
  preload: boolean;
  timeout: number;
  init?: { time: number; mode: InitMode; capacity: number } | undefined;
  loadStarts: (typeof LOAD_STARTS)[number];
  handler?: AsyncHandler | undefined;
  threadPool?: number | undefined;
  endpoint?: 'def' | 'async' | undefined;
  /** A user's own app (own-app-schema.ts); the bundled app's start-up fields do not reach it. */
  app?: unknown;
}

type Issue = { path: string; message: string; fix: string };

const REAL_GUNICORN_KINDS: readonly string[] = [
  'gunicorn-sync',
  'gunicorn-gthread',
  'gunicorn-uvicorn',
];
const REAL_KINDS_HERE: readonly string[] = [...REAL_GUNICORN_KINDS, 'uvicorn', 'werkzeug'];
const ASGI_KINDS_HERE: readonly string[] = ['uvicorn', 'gunicorn-uvicorn'];

/** Every combination the emulation or the model does not cover, with its field and a fix. */
export function lifecycleProblems(t: ParsedLifecycle): Issue[] {
  const out: Issue[] = [];
  const arbiterKind = t.kind === 'sync' || t.kind === 'gthread' || t.kind === 'async';
  const gunicornKind = t.kind === 'sync' || t.kind === 'gthread';
  // The real servers take these as their own options (targets/real/command.ts).
  const realGunicorn = REAL_GUNICORN_KINDS.includes(t.kind);
  if (t.maxRequests > 0 && !arbiterKind && !realGunicorn && t.kind !== 'uvicorn')
    out.push({
      path: 'maxRequests',
      message: `worker recycling is emulated for gunicorn's sync, gthread and uvicorn (async) workers, not "${t.kind}"`,
      fix: 'remove "maxRequests", or use kind "sync", "gthread" or "async" (real: a gunicorn kind, or "uvicorn")',
    });
  if (t.maxRequestsJitter > 0 && t.maxRequests === 0)
    out.push({
      path: 'maxRequestsJitter',
      message: 'jitter without maxRequests does nothing (gunicorn ignores it too)',
      fix: 'add "maxRequests", or remove "maxRequestsJitter"',
    });
  if (t.maxRequestsJitter > 0 && t.kind === 'uvicorn')
    out.push({
      path: 'maxRequestsJitter',
      message: 'uvicorn has --limit-max-requests but no jitter',
      fix: 'remove "maxRequestsJitter", or use kind "gunicorn-uvicorn" (gunicorn --max-requests-jitter)',
    });
  if (t.timeout > 0 && !gunicornKind && !realGunicorn)
    out.push({
      path: 'timeout',
      message: `the worker timeout is gunicorn's (--timeout), for sync and gthread workers, not "${t.kind}"`,
      fix: 'remove "timeout", or use kind "sync" or "gthread" (real: a gunicorn kind)',
    });
  const real = REAL_KINDS_HERE.includes(t.kind);
  // The bundled real apps do the import-time work and the start-up work the fields describe
  // (targets/python/harness_apps/startup.py); a user's own app loads as it loads.
  const ownApp = real && t.app !== undefined;
  if (t.appLoadTime > 0 && ownApp)
    out.push({
      path: 'appLoadTime',
      message: `your own app loads in the time it takes; "appLoadTime" is the bundled app's import-time work`,
      fix: 'remove "appLoadTime": the summary gives the real boots from the server\'s own log',
    });
  if (t.preload && !arbiterKind && !realGunicorn)
    out.push({
      path: 'preload',
      message: `"${t.kind}" has no master that could load the app before forking its workers`,
      fix: 'remove it, or use kind "sync", "gthread" or "async" (real: a gunicorn kind)',
    });
  if (t.appLoadTime > 0 && !arbiterKind && !real)
    out.push({
      path: 'appLoadTime',
      message: `"${t.kind}" has no worker processes to load the app into`,
      fix: 'remove it, or use kind "sync", "gthread" or "async"',
    });
  if (t.init !== undefined && !gunicornKind && !realGunicorn)
    out.push({
      path: 'init',
      message: `start-up work is emulated for gunicorn's sync and gthread workers, not "${t.kind}"`,
      fix: 'remove "init", or use kind "sync" or "gthread" (real: a gunicorn kind)',
    });
  if (t.init !== undefined && ownApp)
    out.push({
      path: 'init',
      message: `"init" is the bundled app's start-up work; your own app does its own`,
      fix: 'remove "init", or remove "app" to run the bundled app',
    });
  if (t.loadStarts === 'listening' && ((!arbiterKind && !realGunicorn) || t.replicas > 1))
    out.push({
      path: 'loadStarts',
      message:
        t.replicas > 1
          ? 'a balancer in front of replicas answers only once a replica serves'
          : `"${t.kind}" listens only when it serves`,
      fix: 'use one replica of kind "sync", "gthread" or "async" (real: a gunicorn kind), or remove "loadStarts"',
    });
  if (t.kind === 'async' && (t.threads ?? 1) > 1)
    out.push({
      path: 'threads',
      message:
        'an async worker runs one event loop; its thread pool for def handlers is "threadPool"',
      fix: 'remove "threads", and set "handler": "def" with "threadPool" if that is what you mean',
    });
  // The real ASGI kinds run the bundled FastAPI app's handler written the same four ways.
  const asgi = t.kind === 'async' || ASGI_KINDS_HERE.includes(t.kind);
  if (t.handler !== undefined && !asgi)
    out.push({
      path: 'handler',
      message: `"handler" describes an async worker's handlers, not "${t.kind}"`,
      fix: 'remove "handler", or use kind "async" (real: "uvicorn" or "gunicorn-uvicorn")',
    });
  const defaultHandler = t.kind === 'async' ? 'await' : 'def';
  if (t.threadPool !== undefined && (!asgi || (t.handler ?? defaultHandler) !== 'def'))
    out.push({
      path: 'threadPool',
      message: 'the thread pool runs the plain def handlers of an async worker only',
      fix: 'remove "threadPool", or use kind "async" (real: "uvicorn" or "gunicorn-uvicorn") with "handler": "def"',
    });
  if (t.threadPool !== undefined && t.threads !== undefined && t.kind !== 'async')
    out.push({
      path: 'threadPool',
      message: `for "${t.kind}", "threads" is already the thread pool of def handlers`,
      fix: 'keep one of "threads" and "threadPool"',
    });
  if (t.handler !== undefined && t.endpoint !== undefined) {
    const written = t.handler === 'def' ? 'def' : 'async';
    if (t.endpoint !== written)
      out.push({
        path: 'endpoint',
        message: `handler "${t.handler}" is written as ${written === 'def' ? 'a plain def' : 'an async def'}, not endpoint "${t.endpoint}"`,
        fix: `remove "endpoint" ("handler" decides it), or set it to "${written}"`,
      });
  }
  return out;
}

/** The normalised lifecycle of a topology, or undefined when every field has its default. */
export function lifecycleOf(t: ParsedLifecycle): TopologyLifecycle | undefined {
  const plain =
    t.maxRequests === 0 &&
    t.appLoadTime === 0 &&
    !t.preload &&
    t.timeout === 0 &&
    t.init === undefined &&
    t.loadStarts === 'ready';
  if (plain) return undefined;
  return {
    maxRequests: t.maxRequests,
    maxRequestsJitter: t.maxRequestsJitter,
    appLoadTime: t.appLoadTime,
    preload: t.preload,
    timeout: t.timeout,
    init: t.init ?? null,
    loadStarts: t.loadStarts,
  };
}

/**
 * How an async topology's handlers run; undefined for the other kinds. The real ASGI kinds have
 * one only when the file set `handler`: their `endpoint` alone keeps its old meaning (the
 * request's `work` decides sleep or CPU), and their pool is `threadPool`, else `threads`.
 */
export function asyncWorkerOf(t: ParsedLifecycle): AsyncWorkerSpec | undefined {
  if (t.kind === 'async')
    return { handler: t.handler ?? 'await', threadPool: t.threadPool ?? DEFAULT_THREAD_POOL };
  if (ASGI_KINDS_HERE.includes(t.kind) && t.handler !== undefined)
    return { handler: t.handler, threadPool: t.threadPool ?? t.threads ?? DEFAULT_THREAD_POOL };
  return undefined;
}

export const LIFECYCLE_FIELD_HELP: Record<string, string> = {
  'topologies[].maxRequests':
    'a whole number of requests after which a worker exits and is replaced (gunicorn --max-requests), 0 (the default) never',
  'topologies[].maxRequestsJitter':
    'a whole number: each worker exits after maxRequests plus up to this many more (gunicorn --max-requests-jitter)',
  'topologies[].appLoadTime':
    'a duration in scenario time a new worker spends loading the app before it accepts, such as "2s" (default 0)',
  'topologies[].preload':
    'true to load the app once in the master before forking (gunicorn --preload): workers accept right after the fork',
  'topologies[].timeout':
    'a duration in scenario time after which the master kills a worker that has not notified it (gunicorn --timeout); 0 (the default) never',
  'topologies[].init':
    'start-up work against a shared resource, such as { "time": "4s", "mode": "every-worker", "capacity": 2 }',
  'topologies[].init.time':
    'a duration in scenario time: the work one worker needs from the shared resource when it has the resource alone',
  'topologies[].init.mode': `one of ${INIT_MODES.map((m) => `"${m}"`).join(', ')} (default "every-worker")`,
  'topologies[].init.capacity':
    'a number above 0: initialisations the shared resource runs at full speed at once; more share it (default 1)',
  'topologies[].loadStarts':
    '"ready" (the default: the load starts once every worker accepts) or "listening" (as soon as the socket listens, while workers boot)',
  'topologies[].handler': `kind "async" (default "await"), or the bundled FastAPI app of kinds "uvicorn" and "gunicorn-uvicorn": one of ${ASYNC_HANDLERS.map((m) => `"${m}"`).join(', ')}`,
  'topologies[].threadPool': `kind "async" with handler "def" (or "uvicorn" and "gunicorn-uvicorn", the same as their "threads"): threads per worker for plain def handlers, 1 to 10000 (default ${DEFAULT_THREAD_POOL})`,
  'topologies[].claimedConcurrency':
    'a whole number: the concurrent requests the sizing notes claim for this deployment, checked against the measurement',
};
