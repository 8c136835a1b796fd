import type { Socket } from 'node:net';
import { buildConnector, Client } from 'undici';
import { type ExecutorOptions, type ExecutorOutcome, ownIndices, waitUntil } from './executor.js';
import { type RawRequest, since, timedHandler } from './raw-request.js';

/**
 * The burst executor: N users each send one request at the same instant. Every user has its own
 * undici Client, so no pool limits how many are in flight.
 *
 *   new   each user opens its connection at the burst (a contest's first click)
 *   warm  each user's connection is opened before the burst by a GET /health, and the burst's
 *         requests go out on it (users who already had the page open). Servers that close
 *         connections after each response (sync, flask-dev) make this the same as `new`.
 *
 * All N requests are dispatched in one synchronous loop; the spread between the first and the
 * last one written is the burst's imperfection and is reported as the dispatch spread.
 */
export type BurstConnections = 'new' | 'warm';

export async function runBurst(
  users: number,
  connections: BurstConnections,
  options: ExecutorOptions,
): Promise<ExecutorOutcome> {
  const { recorder } = options;
  const indices = ownIndices(users, options.share);
  const connector = buildConnector({ timeout: options.connectTimeoutMs });
  let startNs = options.startAtNs ?? process.hrtime.bigint();
  const requests: RawRequest[] = indices.map((index) => ({ index, intendedNs: 0 }));
  const clients = requests.map(
    (request) =>
      new Client(options.origin, {
        pipelining: 1,
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
        keepAliveTimeout: options.requestTimeoutMs,
        keepAliveTimeoutThreshold: 0,
        connect: (connectOptions, callback) => {
          connector(connectOptions, (error, socket) => {
            if (error === null) {
              request.connectedNs ??= since(startNs);
              callback(null, socket as Socket);
            } else callback(error, null);
          });
        },
      }),
  );
  const destroyAll = (): void => {
    for (const client of clients) void client.destroy().catch(() => {});
  };
  if (connections === 'warm')
    await Promise.all(clients.map((client) => warmUp(client, options.requestTimeoutMs)));

  let settled = 0;
  let resolveAll = (): void => {};
  const allSettled = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const aborted = (): boolean => options.signal?.aborted === true;
  options.signal?.addEventListener('abort', destroyAll, { once: true });
  // The run's own bound: nothing waits past the request timeout plus a margin for connecting.
  const deadline = setTimeout(
    destroyAll,
    options.requestTimeoutMs + options.connectTimeoutMs + 1_000,
  );
  try {
    if (options.startAtNs !== undefined) await waitUntil(options.startAtNs);
    startNs = options.startAtNs ?? process.hrtime.bigint();
    recorder.begin(startNs);
    for (const [k, request] of requests.entries()) {
      const client = clients[k] as Client;
      // A warm connection was opened before the burst; only new ones have an instant in it.
      delete request.connectedNs;
      request.dispatchedNs = since(startNs);
      client.dispatch(
        { origin: options.origin, path: options.path(request.index), method: 'GET' },
        timedHandler(
          request,
          startNs,
          (done) => {
            recorder.record(done);
            void client.close().catch(() => {});
            settled += 1;
            options.onSettled?.(settled, requests.length);
            if (settled === requests.length) resolveAll();
          },
          aborted,
        ),
      );
    }
    if (aborted()) destroyAll();
    if (requests.length > 0) await allSettled;
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', destroyAll);
  }
  return { startNs, sent: requests.length, elapsedNs: since(startNs) };
}

/** One GET /health on the client, so that its connection is open before the burst. */
async function warmUp(client: Client, timeoutMs: number): Promise<void> {
  const response = await client.request({
    path: '/health',
    method: 'GET',
    headersTimeout: timeoutMs,
  });
  await response.body.dump();
}
