/**
 * What a worker's loop tells the worker around it: each handler start (for max-requests), when
 * it has drained after its last request, and for a sync worker, when it is idle (the only time
 * a gunicorn sync worker notifies its arbiter).
 */
export interface WorkerHooks {
  /** A handler is starting; true when it is the worker's last (it must stop accepting now). */
  requestStarted(): boolean;
  /** The worker stopped accepting and finished everything it held: it may exit. */
  drained(): void;
  /** The worker waits to accept (true) or serves (false). */
  idle(idle: boolean): void;
}

/** A worker that never recycles and has no heartbeat. */
export const NO_HOOKS: WorkerHooks = {
  requestStarted: () => false,
  drained: () => {},
  idle: () => {},
};
