import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createWorkerServer,
  isProbe,
  markAccepted,
  serveRequest,
  type WorkerIdentity,
} from './handler.js';
import type { AsyncWorkerConfig } from './lifecycle-config.js';
import type { ServiceDefaults, Work } from './protocol.js';
import { blockFor, burnCpuBlocking } from './service.js';
import { NO_HOOKS, type WorkerHooks } from './worker-hooks.js';

export interface AsyncOptions extends AsyncWorkerConfig {
  keepAliveMs: number;
  backlog: number;
}

/**
 * The loop of an ASGI worker (uvicorn): one event loop that accepts every connection it can
 * (asyncio's server accepts in a loop until the queue is empty, and uvicorn sets no limit on
 * connections or concurrency by default), reads requests and runs their handlers. Several
 * workers poll the one shared listening socket, so which worker gets a connection is a race
 * between their loops. Node's own accept loop does the same (libuv accepts until EAGAIN), so
 * this worker listens on the inherited socket itself, unlike the gunicorn emulations, which
 * must accept one connection at a time through the native gate.
 *
 * What limits a worker is its handlers (AsyncHandler): `await` none; `def` its thread pool
 * (anyio's CapacityLimiter, 40 tokens by default: requests beyond wait inside the worker, and
 * their `queue` time shows it); `blocking` and `cpu` the event loop itself, held for the whole
 * handler, during which the worker accepts nothing, reads nothing and answers nothing.
 *
 * With max-requests (gunicorn's --max-requests for its uvicorn worker class, uvicorn's
 * --limit-max-requests), the request that reaches the limit makes the worker stop listening, as
 * uvicorn's shutdown closes its servers; the requests it already holds are still answered, then
 * its idle connections are closed and it exits.
 */
export function runAsyncLoop(
  listenFd: number,
  identity: WorkerIdentity,
  defaults: ServiceDefaults,
  options: AsyncOptions,
  hooks: WorkerHooks = NO_HOOKS,
): { close(): void } {
  const pool = new ThreadPool(options.threadPool);
  const perform = performerOf(options.handler);
  let inFlight = 0;
  let stopped = false;
  const finished = (): void => {
    inFlight -= 1;
    if (stopped && inFlight === 0) {
      server.closeIdleConnections();
      hooks.drained();
    }
  };
  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    inFlight += 1;
    if (!isProbe(request) && hooks.requestStarted() && !stopped) {
      stopped = true;
      server.close();
    }
    const served =
      options.handler === 'def'
        ? pool.run((thread) => serveRequest(request, response, identity, thread, defaults, perform))
        : serveRequest(request, response, identity, 0, defaults, perform);
    void served.finally(finished);
  };
  const server = createWorkerServer(serve, options.keepAliveMs);
  server.on('connection', (socket) => markAccepted(socket, process.hrtime.bigint()));
  // listen(handle, backlog): an options object would drop the backlog for an inherited socket.
  server.listen({ fd: listenFd }, options.backlog);
  return { close: () => server.close() };
}

function performerOf(
  handler: AsyncWorkerConfig['handler'],
): (work: Work, ms: number) => Promise<void> {
  switch (handler) {
    case 'await':
    case 'def':
      return (_work, ms) => (ms > 0 ? sleep(ms).then(() => {}) : Promise.resolve());
    case 'blocking':
      return (_work, ms) => {
        blockFor(ms);
        return Promise.resolve();
      };
    case 'cpu':
      return (_work, ms) => {
        burnCpuBlocking(ms);
        return Promise.resolve();
      };
  }
}

/** A pool of `size` threads: a job waits for a free one, first come first served. */
export class ThreadPool {
  private readonly free: number[];
  private readonly queue: Array<(thread: number) => void> = [];

  constructor(size: number) {
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }

  async run<T>(job: (thread: number) => Promise<T>): Promise<T> {
    const thread =
      this.free.pop() ?? (await new Promise<number>((resolve) => this.queue.push(resolve)));
    try {
      return await job(thread);
    } finally {
      const next = this.queue.shift();
      if (next !== undefined) next(thread);
      else this.free.push(thread);
    }
  }
}
