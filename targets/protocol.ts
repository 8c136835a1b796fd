import type { AppConfig } from './app/protocol.js';

/**
 * What the harness and the target processes say to each other: the configuration each target
 * process is started with (as JSON in argv[2]) and the messages on their IPC channel.
 *
 *   harness ──fork──► arbiter (sync, gthread, async) ──fork──► worker × W   (share one listening fd)
 *           ──fork──► flask-dev                                      (listens and serves alone)
 *           ──fork──► balancer ──TCP──► replicas
 *           ──fork──► init-resource (cold starts: the shared resource workers initialise from)
 */

import type {
  AsyncWorkerConfig,
  LifecycleConfig,
  WorkerControlMessage,
  WorkerExitReason,
  WorkerLifecycleMessage,
} from './lifecycle-config.js';

export type { AsyncWorkerConfig, LifecycleConfig, WorkerExitReason };

import type { BalancerMode, BalancerPolicy, ServerKind, Work } from '../harness/vocabulary.js';

/** The shared words (server kinds, balancer policies, work) are listed in harness/vocabulary.ts. */
export type { BalancerMode, BalancerPolicy, ServerKind, Work };

export interface ServiceDefaults {
  work: Work;
  /** Real milliseconds; a request's `ms` query parameter overrides it. */
  ms: number;
}

/** What every server instance (a replica, emulated or real) is started with. */
export interface InstanceConfig {
  replica: number;
  host: string;
  /** 0: any free port (behind a balancer). */
  port: number;
  backlog: number;
  workers: number;
  /** gthread: threads per worker; uvicorn kinds: the thread pool of `def` endpoints. */
  threads: number;
  workerConnections: number;
  /** Real milliseconds an idle keep-alive connection is held. */
  keepAliveMs: number;
  service: ServiceDefaults;
}

/** Start-up configuration of a flask-dev process or of a gunicorn-like arbiter. */
export interface ServerConfig extends InstanceConfig {
  kind: ServerKind;
  /** What the app does beside serving requests (a scheduled job, server-sent events). */
  app?: AppConfig;
  /** Recycling, app loading, heartbeat timeout and start-up work (targets/lifecycle-config.ts). */
  lifecycle?: LifecycleConfig;
  /** Kind `async`: how its handlers run. */
  asyncWorker?: AsyncWorkerConfig;
}

/** Start-up configuration of one worker process under an arbiter. */
export interface WorkerConfig {
  kind: 'sync' | 'gthread' | 'async';
  replica: number;
  worker: number;
  threads: number;
  workerConnections: number;
  keepAliveMs: number;
  service: ServiceDefaults;
  /** The inherited listening socket's descriptor in the worker. */
  fd: number;
  app?: AppConfig;
  /** The socket's listen() backlog, which an async worker's own listen() call must keep. */
  backlog?: number;
  lifecycle?: LifecycleConfig;
  asyncWorker?: AsyncWorkerConfig;
}

export interface BalancerConfig {
  host: string;
  port: number;
  backlog: number;
  policy: BalancerPolicy;
  backends: Array<{ host: string; port: number }>;
  /**
   * `http`: relay requests over a pool of kept-alive connections per replica (targets/balancer.ts);
   * absent or `tcp`: one replica connection per client connection (the native relay).
   */
  mode?: BalancerMode;
  /** `http` mode: real milliseconds an idle pooled connection is kept before it is closed. */
  idleTimeoutMs?: number;
}

/** The descriptor at which an arbiter hands the shared listening socket to its workers. */
export const INHERITED_LISTEN_FD = 3;

/** A real server's name and version, as it reported them ("gunicorn", "20.1.0"). */
export interface ServerVersion {
  name: string;
  version: string;
}

/** Messages a target process sends to whoever started it. */
export type TargetMessage =
  | {
      type: 'ready';
      port: number;
      pid: number;
      workerPids: number[];
      /** Real servers: the servers' names and versions, from their own output. */
      servers?: ServerVersion[];
    }
  | {
      type: 'failed';
      code: string;
      message: string;
      /** What to change, when the target knows (a real server's app, interpreter or log). */
      fix?: string;
      /** The last lines the server printed before it failed. */
      log?: string[];
    }
  | { type: 'worker-ready'; worker: number; pid: number; atUs?: number }
  | {
      type: 'worker-exit';
      worker: number;
      pid: number;
      code: number | null;
      signal: string | null;
      atUs?: number;
      reason?: WorkerExitReason;
    }
  | WorkerLifecycleMessage;

/** Messages a target process accepts. */
export type ControlMessage = { type: 'stop' } | WorkerControlMessage;

export function isTargetMessage(value: unknown): value is TargetMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/** Reads a target's configuration from argv[2]; the harness always passes it there. */
export function readConfig<T>(argv: readonly string[]): T {
  const raw = argv[2];
  if (raw === undefined) throw new Error('target started without its configuration (argv[2])');
  return JSON.parse(raw) as T;
}
