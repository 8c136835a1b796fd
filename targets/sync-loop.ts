import type { Socket } from 'node:net';
import {
  adoptConnection,
  createWorkerServer,
  serveRequest,
  type WorkerIdentity,
} from './handler.js';
import { createAcceptGate } from './native/accept-gate.js';
import type { ServiceDefaults } from './protocol.js';

/**
 * The accept loop of a gunicorn sync worker and of Werkzeug's single-threaded server: accept one
 * connection only when idle, serve its one request, close it, then accept again. While the worker
 * is busy, new connections wait in the kernel's accept queue, which every worker polling the same
 * socket shares (gunicorn/workers/sync.py `run_for_one`/`accept`; socketserver.serve_forever).
 * Neither server keeps connections alive: sync answers `Connection: close`, Werkzeug speaks
 * HTTP/1.0 unless threaded.
 */
export function runSyncLoop(
  listenFd: number,
  identity: WorkerIdentity,
  defaults: ServiceDefaults,
): { close(): void } {
  let current: Socket | null = null;
  const server = createWorkerServer((request, response) => {
    response.shouldKeepAlive = false;
    response.setHeader('connection', 'close');
    void serveRequest(request, response, identity, 0, defaults).then(release);
  });
  const release = (): void => {
    if (current === null) return;
    const socket = current;
    current = null;
    if (!socket.destroyed) socket.destroySoon();
    gate.resume();
  };
  const gate = createAcceptGate(listenFd, (error, fd, acceptedNs) => {
    if (error !== null) {
      // EMFILE and the like: retry on the next readable event, as gunicorn's loop does.
      console.error(
        `worker ${identity.replica}/${identity.worker}: accept failed: ${error.message}`,
      );
      return;
    }
    gate.pause();
    const socket = adoptConnection(server, fd, acceptedNs);
    current = socket;
    // A client that goes away before its request completes frees the worker too.
    socket.once('close', () => {
      if (current === socket) release();
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
