/**
 * What the emulated app does beside serving requests, for the scenarios about deployment
 * failures that are not queueing (issue 6): a scheduled job in every worker, with or without a
 * leader election, and server-sent events with a client registry in memory or on a Redis bus.
 * The harness puts an AppConfig in each replica's ServerConfig; the arbiter hands it to every
 * worker, which starts it (start-app.ts).
 */

/**
 * How the workers decide who runs the scheduled job:
 * - `none`: every worker runs its own scheduler (APScheduler started in each gunicorn worker);
 * - `file-lock`: the worker holding an advisory lock (flock) on a file of its host runs it;
 * - `lease`: the worker holding an expiring lease in a shared database row runs it.
 */
export type Election = 'none' | 'file-lock' | 'lease';
export const ELECTIONS: readonly Election[] = ['none', 'file-lock', 'lease'];

export interface SchedulerConfig {
  election: Election;
  /** Real microseconds between runs. Runs fall on the multiples of it on the monotonic clock. */
  intervalUs: number;
  /** file-lock: the lock file of this replica's host; lease: the SQLite database all share. */
  lockPath?: string;
  /** lease: how long a lease lasts after it was taken or renewed (real microseconds). */
  leaseUs?: number;
  /** lease: how often its holder renews it (real microseconds). */
  renewUs?: number;
  /** file-lock and lease: how often a worker that is not the leader tries to become it. */
  retryUs?: number;
  /** Where each run and each change of leadership is appended, one JSON line each. */
  runsFile: string;
}

/** Where server-sent-event clients are known: each worker's memory, or every worker via Redis. */
export type Registry = 'memory' | 'redis';
export const REGISTRIES: readonly Registry[] = ['memory', 'redis'];

export interface SseConfig {
  registry: Registry;
  /** redis: the server and channel every worker subscribes to. */
  redis?: { host: string; port: number; channel: string };
}

export interface AppConfig {
  scheduler?: SchedulerConfig;
  sse?: SseConfig;
}

/**
 * One line of the runs file. `run`: the job ran for the slot at `slotUs`; `leader`: the worker
 * became the leader; `follower`: it stopped being it (a lease it could not renew). Instants are
 * CLOCK_MONOTONIC microseconds, which the harness shares.
 */
export interface JobEvent {
  type: 'run' | 'leader' | 'follower';
  atUs: number;
  /** run only: the scheduled instant this run is for. */
  slotUs?: number;
  replica: number;
  worker: number;
  pid: number;
  election: Election;
}

/** The payload of one server-sent event, as each worker writes it to its clients. */
export interface EventPayload {
  /** The event's number, as the publisher was given it. */
  id: number;
  /** When the publishing worker handled the publish (CLOCK_MONOTONIC microseconds). */
  publishedUs: number;
  publisher: { replica: number; worker: number; pid: number };
  /** When this worker wrote the event to this client's stream. */
  sentUs: number;
  via: { replica: number; worker: number; pid: number };
}

/** Monotonic microseconds, the clock every process on the machine shares (one definition). */
export { monotonicUs } from '../lifecycle-config.js';
