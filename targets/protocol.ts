import type { AppConfig } from './app/protocol.js';

/**
 * What the harness and the target processes say to each other: the configuration each target
 * process is started with (as JSON in argv[2]) and the messages on their IPC channel.
 *
 *   harness ──fork──► arbiter (sync, gthread) ──fork──► worker × W   (share one listening fd)
 *           ──fork──► flask-dev                                      (listens and serves alone)
 *           ──fork──► balancer ──TCP──► replicas
 */

/** The server models the emulation offers, each standing for a real Python server. */
export type ServerKind = 'flask-dev' | 'sync' | 'gthread';

/** How the balancer in front of several replicas picks one for each new connection. */
export type BalancerPolicy = 'round-robin' | 'random' | 'least-connections';

/** A handler either sleeps (I/O wait, releases the GIL) or burns CPU time. */
export type Work = 'sleep' | 'cpu';

export interface ServiceDefaults {
  work: Work;
  /** Real milliseconds; a request's `ms` query parameter overrides it. */
  ms: number;
}

/** Start-up configuration of a flask-dev process or of a gunicorn-like arbiter. */
export interface ServerConfig {
  kind: ServerKind;
  replica: number;
  host: string;
  port: number;
  backlog: number;
  workers: number;
  threads: number;
  workerConnections: number;
  /** Real milliseconds an idle keep-alive connection is held (gthread). */
  keepAliveMs: number;
  service: ServiceDefaults;
  /** What the app does beside serving requests (a scheduled job, server-sent events). */
  app?: AppConfig;
}

/** Start-up configuration of one worker process under an arbiter. */
export interface WorkerConfig {
  kind: 'sync' | 'gthread';
  replica: number;
  worker: number;
  threads: number;
  workerConnections: number;
  keepAliveMs: number;
  service: ServiceDefaults;
  /** The inherited listening socket's descriptor in the worker. */
  fd: number;
  app?: AppConfig;
}

export interface BalancerConfig {
  host: string;
  port: number;
  backlog: number;
  policy: BalancerPolicy;
  backends: Array<{ host: string; port: number }>;
}

/** The descriptor at which an arbiter hands the shared listening socket to its workers. */
export const INHERITED_LISTEN_FD = 3;

/** Messages a target process sends to whoever started it. */
export type TargetMessage =
  | { type: 'ready'; port: number; pid: number; workerPids: number[] }
  | { type: 'failed'; code: string; message: string }
  | { type: 'worker-ready'; worker: number; pid: number }
  | {
      type: 'worker-exit';
      worker: number;
      pid: number;
      code: number | null;
      signal: string | null;
    };

/** Messages a target process accepts. */
export type ControlMessage = { type: 'stop' };

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
