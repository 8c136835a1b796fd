import { closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import {
  adoptConnection,
  createWorkerServer,
  isProbe,
  serveRequest,
  type WorkerIdentity,
} from './handler.js';
import { type Accepted, createAcceptGate } from './native/accept-gate.js';
import type { ServiceDefaults } from './protocol.js';
import { NO_HOOKS, type WorkerHooks } from './worker-hooks.js';

/**
 * The accept loop of a gunicorn sync worker and of Werkzeug's single-threaded server: accept one
 * connection only when idle, serve its one request, close it, then accept again. While the worker
 * is busy, new connections wait in the kernel's accept queue, which every worker polling the same
 * socket shares (gunicorn/workers/sync.py `run_for_one`/`accept`; socketserver.serve_forever).
 * Neither server keeps connections alive: sync answers `Connection: close`, Werkzeug speaks
 * HTTP/1.0 unless threaded.
 *
 * With max-requests, the request that reaches the limit is served to the end and answered; the
 * worker then accepts nothing more and exits (gunicorn/workers/sync.py handle_request sets
 * `alive = False` before calling the app, and run_for_one's loop ends after it). Connections
 * waiting in the kernel's queue belong to no worker, so the other workers take them.
 */
export function runSyncLoop(
  listenFd: number,
  identity: WorkerIdentity,
  defaults: ServiceDefaults,
  hooks: WorkerHooks = NO_HOOKS,
): { close(): void } {
  let current: Socket | null = null;
  let closed = false;
  let last = false;
  const server = createWorkerServer((request, response) => {
    // Node then sends `Connection: close` itself; setting the header as well made writeHead
    // merge the handler's headers into it one setHeader at a time.
    response.shouldKeepAlive = false;
    if (!isProbe(request) && hooks.requestStarted()) last = true;
    // The worker is free once its response is handed to the socket ('prefinish', inside end()),
    // as gunicorn's is once sendall() returns: waiting for Node's 'finish' (the write's callback,
    // a loop turn later) made the emulated hand-off between requests about twice gunicorn's.
    const socket = request.socket;
    response.once('prefinish', () => release(socket));
    void serveRequest(request, response, identity, 0, defaults).then(() => release(socket));
  });
  /** Frees the worker from `socket` (once: later calls for the same socket do nothing). */
  const release = (socket: Socket): void => {
    if (current !== socket) return;
    current = null;
    if (!socket.destroyed) socket.destroySoon();
    if (last) {
      gate.close();
      // Exit once the last response has left: the socket closes after its end is flushed.
      if (socket.destroyed) hooks.drained();
      else socket.once('close', () => hooks.drained());
      return;
    }
    hooks.idle(true);
    // Accept at once when a connection waits, as gunicorn's run_for_one does before it waits in
    // select(): going through the poll cost a turn of the event loop per request. The new
    // connection is served from a microtask, once the response that freed the worker has
    // returned from end().
    const next = gate.tryAccept();
    if (next === null) gate.resume();
    else
      queueMicrotask(() => {
        if (closed) closeSync(next.fd);
        else serve(next);
      });
  };
  /** Takes the accepted connection: the worker is busy until its request is answered. */
  const serve = (accepted: Accepted): void => {
    gate.pause();
    hooks.idle(false);
    const socket = adoptConnection(server, accepted);
    current = socket;
    // A client that goes away before its request completes frees the worker too.
    socket.once('close', () => release(socket));
  };
  const gate = createAcceptGate(listenFd, (error, fd, acceptedAtNs, head) => {
    if (error !== null) {
      // EMFILE and the like: retry on the next readable event, as gunicorn's loop does.
      console.error(
        `worker ${identity.replica}/${identity.worker}: accept failed: ${error.message}`,
      );
      return;
    }
    serve({ fd, acceptedAtNs, head });
  });
  gate.resume();
  hooks.idle(true);
  return {
    close() {
      closed = true;
      gate.close();
      server.close();
    },
  };
}
