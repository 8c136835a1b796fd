import {
  adoptConnection,
  createWorkerServer,
  isProbe,
  serveRequest,
  type WorkerIdentity,
} from './handler.js';
import { createAcceptGate } from './native/accept-gate.js';
import type { ServiceDefaults } from './protocol.js';
import { NO_HOOKS, type WorkerHooks } from './worker-hooks.js';

export interface ThreadedOptions {
  threads: number;
  workerConnections: number;
  keepAliveMs: number;
}

/**
 * The loop of a gunicorn gthread worker (gunicorn/workers/gthread.py): the main loop accepts one
 * connection per wake-up of its selector for as long as the worker holds fewer than
 * `worker_connections` connections, and queues each request for its own pool of `threads`. A
 * request can therefore wait inside a busy worker while a sibling worker sits idle. Idle
 * keep-alive connections still count against worker_connections until `keepalive` expires.
 *
 * With max-requests, the request that reaches the limit stops the worker's accepting at once
 * (gthread.py handle_request sets `alive = False`, and the main loop ends); the requests already
 * queued for its threads are still served (the pool is shut down without cancelling them), then
 * the idle keep-alive connections are closed and the worker exits.
 */
export function runThreadedLoop(
  listenFd: number,
  identity: WorkerIdentity,
  defaults: ServiceDefaults,
  options: ThreadedOptions,
  hooks: WorkerHooks = NO_HOOKS,
): { close(): void } {
  const idleThreads = Array.from({ length: options.threads }, (_, i) => options.threads - 1 - i);
  const backlog: Array<(thread: number) => void> = [];
  let held = 0;
  let jobs = 0;
  let stopped = false;

  const runOn = (thread: number, job: (thread: number) => Promise<void>, probe: boolean): void => {
    if (!probe && hooks.requestStarted() && !stopped) {
      stopped = true;
      gate.close();
    }
    void job(thread).then(() => {
      jobs -= 1;
      const next = backlog.shift();
      if (next !== undefined) next(thread);
      else idleThreads.push(thread);
      if (stopped && jobs === 0) {
        server.closeIdleConnections();
        hooks.drained();
      }
    });
  };

  const server = createWorkerServer((request, response) => {
    // A thread is free once its response is handed to the socket ('prefinish', inside end()),
    // as a gunicorn thread is once sendall() returns, not a loop turn later at Node's 'finish'.
    const job = (thread: number) =>
      new Promise<void>((resolve) => {
        response.once('prefinish', resolve);
        void serveRequest(request, response, identity, thread, defaults).then(resolve);
      });
    jobs += 1;
    const probe = isProbe(request);
    const thread = idleThreads.pop();
    if (thread !== undefined) runOn(thread, job, probe);
    else backlog.push((t) => runOn(t, job, probe));
  }, options.keepAliveMs);

  const gate = createAcceptGate(listenFd, (error, fd, acceptedAtNs, head) => {
    if (error !== null) {
      console.error(
        `worker ${identity.replica}/${identity.worker}: accept failed: ${error.message}`,
      );
      return;
    }
    held += 1;
    if (held >= options.workerConnections) gate.pause();
    const socket = adoptConnection(server, { fd, acceptedAtNs, head });
    socket.once('close', () => {
      held -= 1;
      if (held < options.workerConnections && !stopped) gate.resume();
    });
  });
  gate.resume();
  return {
    close() {
      gate.close();
      server.close();
    },
  };
}
