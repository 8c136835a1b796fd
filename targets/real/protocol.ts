import type { SchedulerConfig, SseConfig } from '../app/protocol.js';
import type { AsyncHandler, InitMode } from '../lifecycle-config.js';
import type { BalancerMode, BalancerPolicy, InstanceConfig } from '../protocol.js';

/**
 * The real servers the harness can launch (Debian's packages), each beside the emulated kind it
 * stands for:
 *
 *   werkzeug          Flask's development server, threaded=False       ~ flask-dev
 *   gunicorn-sync     gunicorn --worker-class sync                     ~ sync
 *   gunicorn-gthread  gunicorn --worker-class gthread                  ~ gthread
 *   gunicorn-uvicorn  gunicorn --worker-class uvicorn.workers.UvicornWorker
 *   uvicorn           uvicorn --workers N
 *
 *   harness ──fork──► launcher (server.ts) ──spawn──► setpriv ─exec─► python: the server
 *           ──fork──► launcher (haproxy.ts) ──spawn──► setpriv ─exec─► haproxy ──TCP──► replicas
 */
export { ENDPOINTS, type Endpoint, REAL_KINDS, type RealKind } from '../../harness/vocabulary.js';

import { type Endpoint, REAL_KINDS, type RealKind } from '../../harness/vocabulary.js';

export function isRealKind(kind: string): kind is RealKind {
  return (REAL_KINDS as readonly string[]).includes(kind);
}

/** Whether the kind serves the ASGI app (FastAPI) rather than the WSGI one (Flask). */
export function isAsgiKind(kind: RealKind): boolean {
  return kind === 'uvicorn' || kind === 'gunicorn-uvicorn';
}

/** How a user's app speaks to its server: WSGI (Flask, Django) or ASGI (FastAPI, Starlette). */
export type AppInterface = 'wsgi' | 'asgi';
export const APP_INTERFACES = ['wsgi', 'asgi'] as const;

/** The interface each real kind serves. */
export function interfaceOf(kind: RealKind): AppInterface {
  return isAsgiKind(kind) ? 'asgi' : 'wsgi';
}

/**
 * A user's own app, run by a real server in place of the bundled ones (a topology's `app`).
 * Paths are as the scenario resolved them (absolute, or relative to the harness's working
 * directory).
 */
export interface OwnApp {
  /** `package.module:attribute`, the attribute a dotted path inside the module. */
  module: string;
  /** The attribute is a factory: the harness calls it with no arguments to get the app. */
  factory: boolean;
  interface: AppInterface;
  /** The server's working directory, first on the import path. */
  dir: string;
  /** More directories on the import path, after `dir`. */
  pythonPath: string[];
  /** The interpreter (a virtual environment's); absent: the harness's (Debian's). */
  python?: string;
  /** The virtual environment `python` belongs to, when the topology named one (`app.venv`). */
  venv?: string;
  env: Record<string, string>;
  /** The user's gunicorn.conf.py, read before the harness's own hooks. */
  config?: string;
  /** More arguments for the server's command line. */
  serverArgs: string[];
  /** The path the readiness probe asks for; null: "/" and any answer below 500 will do. */
  health: string | null;
  /** Wrap the app in the Server-Timing middleware (harness_timing). */
  timing: boolean;
}

/**
 * gunicorn's and uvicorn's own options for a worker's life, in real seconds where they are
 * durations (gunicorn takes whole ones).
 */
export interface RealLifecycle {
  maxRequests: number;
  maxRequestsJitter: number;
  preload: boolean;
  /** gunicorn --timeout; 0 never. */
  timeoutS: number;
  /** gunicorn --graceful-timeout. */
  gracefulTimeoutS: number;
  /** uvicorn --limit-concurrency; null none. */
  limitConcurrency: number | null;
}

/**
 * What the bundled app does while a worker starts and beside its requests, as the topology's
 * lifecycle and jobs fields describe it (targets/python/harness_apps/startup.py and jobs.py), in
 * real time. Absent: nothing beyond serving.
 */
export interface RealAppStartup {
  /** Import-time work (`appLoadTime`), real milliseconds. */
  appLoadMs: number;
  /** Start-up work against the shared resource (targets/init-resource.ts) at `port`. */
  init: { ms: number; mode: InitMode; port: number } | null;
  /** The scheduled job, as the emulated app takes it. */
  scheduler?: SchedulerConfig;
  /**
   * `listening`: the launcher reports the replica ready as soon as the server runs (its socket
   * already listens), not once every worker has loaded the app; `ready` (default) waits.
   */
  loadStarts: 'ready' | 'listening';
}

/** Start-up configuration of one real server instance (a replica), as JSON in argv[2]. */
export interface RealServerConfig extends InstanceConfig {
  kind: RealKind;
  endpoint: Endpoint;
  /** The ASGI kinds: the bundled app's handler written one of four ways (HARNESS_HANDLER). */
  handler?: AsyncHandler;
  /** The ASGI kinds: the bundled app's event streams and their registry (harness_apps/sse.py). */
  sse?: SseConfig;
  /** The Python interpreter with the server packages (Debian's /usr/bin/python3). */
  python: string;
  /** The user's app; absent: the bundled app of the kind. */
  app?: OwnApp;
  lifecycle: RealLifecycle;
  /** The bundled app's start-up and scheduled job; absent: none. */
  startup?: RealAppStartup;
  /** Where the server's own log is written, line by line as it comes; absent: nowhere. */
  logFile?: string;
}

/** Start-up configuration of haproxy in front of the replicas. */
export interface HaproxyConfig {
  host: string;
  port: number;
  backlog: number;
  policy: BalancerPolicy;
  /** `tcp` (absent too): haproxy `mode tcp`; `http`: `mode http`, reusing server connections. */
  mode?: BalancerMode;
  backends: Array<{ host: string; port: number }>;
  /** Real milliseconds haproxy lets a connection be idle on either side before it closes it. */
  idleTimeoutMs: number;
  /**
   * Client connections haproxy holds at once (`maxconn`); beyond it haproxy stops accepting.
   * Each takes two descriptors, which the process's file limit must allow.
   */
  maxConnections: number;
  haproxy: string;
  /** The path haproxy's readiness probe asks for through it (a user's app's); absent: /health. */
  healthPath?: string;
}
