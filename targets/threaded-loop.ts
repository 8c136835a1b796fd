import {
  adoptConnection,
  createWorkerServer,
  serveRequest,
  type WorkerIdentity,
} from './handler.js';
import { createAcceptGate } from './native/accept-gate.js';
import type { ServiceDefaults } from './protocol.js';

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
 */
export function runThreadedLoop(
  listenFd: number,
  identity: WorkerIdentity,
  defaults: ServiceDefaults,
  options: ThreadedOptions,
): { close(): void } {
  const idleThreads = Array.from({ length: options.threads }, (_, i) => options.threads - 1 - i);
  const backlog: Array<(thread: number) => void> = [];
  let held = 0;

  const runOn = (thread: number, job: (thread: number) => Promise<void>): void => {
    void job(thread).then(() => {
      const next = backlog.shift();
      if (next !== undefined) next(thread);
      else idleThreads.push(thread);
    });
  };

  const server = createWorkerServer((request, response) => {
    const job = (thread: number) => serveRequest(request, response, identity, thread, defaults);
    const thread = idleThreads.pop();
    if (thread !== undefined) runOn(thread, job);
    else backlog.push((t) => runOn(t, job));
  }, options.keepAliveMs);

  const gate = createAcceptGate(listenFd, (error, fd, acceptedNs) => {
    if (error !== null) {
      console.error(
        `worker ${identity.replica}/${identity.worker}: accept failed: ${error.message}`,
      );
      return;
    }
    held += 1;
    if (held >= options.workerConnections) gate.pause();
    const socket = adoptConnection(server, fd, acceptedNs);
    socket.once('close', () => {
      held -= 1;
      if (held < options.workerConnections) gate.resume();
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
