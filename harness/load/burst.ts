import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildConnector, Client } from 'undici';
import type { BurstConnections } from '../vocabulary.js';
import { checkDestination } from './destination.js';
import {
  type ExecutorOptions,
  type ExecutorOutcome,
  InFlightCounter,
  ownIndices,
  waitUntil,
} from './executor.js';
import { dispatchOptions, type RawRequest, since, timedHandler } from './raw-request.js';

/**
 * The burst executor: N users each send one request at the same instant. Every user has its own
 * undici Client, so no pool limits how many are in flight.
 *
 *   new   each user opens its TCP connection at the burst, as a first click does; the burst's
 *         spread then includes N handshakes.
 *   warm  each user's TCP connection is opened before the burst (as a browser's preconnect or an
 *         open page does), handed to its client, and its request is written on it at the burst:
 *         every request is queued on its corked socket first, then all are released back to
 *         back, so the spread is the kernel's writes alone. No request is sent early: the server
 *         sees connections, then requests. A server that accepts only when
 *         idle (sync, flask-dev) accepts some of them before the burst, and connections beyond
 *         its backlog wait for the kernel's SYN retries, as they would for real users.
 *
 * All N requests are dispatched in one synchronous loop; the spread between the first and the
 * last one written is the burst's imperfection and is reported as the dispatch spread.
 */
/** When a burst's users connect (harness/vocabulary.ts). */
export type { BurstConnections };

/** How long warm connections may take to open before the burst goes ahead without them. */
const WARM_WAIT_MS = 2_000;

export async function runBurst(
  users: number,
  connections: BurstConnections,
  options: ExecutorOptions,
): Promise<ExecutorOutcome> {
  checkDestination(options.origin, options.allowRemote);
  const { recorder } = options;
  const indices = ownIndices(users, options.share);
  const connector = buildConnector({ timeout: options.connectTimeoutMs });
  let startNs = process.hrtime.bigint();
  const requests: RawRequest[] = indices.map((index) => ({ index, intendedNs: 0 }));
  const warm =
    connections === 'warm' ? await openConnections(options.origin, requests.length) : undefined;
  const clients = requests.map(
    (request, k) =>
      new Client(options.origin, {
        pipelining: 1,
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
        keepAliveTimeout: options.requestTimeoutMs,
        keepAliveTimeoutThreshold: 0,
        connect: (connectOptions, callback) => {
          const ready = warm?.[k];
          // A warm socket is handed over once; a reconnect after it closed opens a new one.
          // undici must be called back asynchronously: called back from inside its own connect
          // step, it would not write the request until something else woke the client.
          if (ready !== undefined && warm !== undefined) {
            warm[k] = undefined;
            if (ready.connecting) {
              ready.once('connect', () => callback(null, ready));
              ready.once('error', (error) => callback(error, null));
            } else queueMicrotask(() => callback(null, ready));
            return;
          }
          connector(connectOptions, (error, socket) => {
            if (error === null) {
              request.connectedNs ??= since(startNs);
              callback(null, socket as Socket);
            } else callback(error, null);
          });
        },
      }),
  );
  // Warm: each client takes its socket now, so that the burst only writes; `held[k]` is user k's
  // socket when its client holds it.
  const held = warm === undefined ? [] : await attachSockets(clients, warm);
  const destroyAll = (): void => {
    for (const client of clients) void client.destroy().catch(() => {});
    for (const socket of warm ?? []) socket?.destroy();
  };

  let settled = 0;
  let resolveAll = (): void => {};
  const allSettled = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const closing: Array<Promise<void>> = [];
  const inFlight = new InFlightCounter();
  let meanInFlight = 0;
  const aborted = (): boolean => options.signal?.aborted === true;
  options.signal?.addEventListener('abort', destroyAll, { once: true });
  // The run's own bound: nothing waits past the request timeout plus a margin for connecting.
  const deadline = setTimeout(
    destroyAll,
    options.requestTimeoutMs + options.connectTimeoutMs + WARM_WAIT_MS + 1_000,
  );
  const dispatch = (k: number, request: RawRequest): void => {
    const client = clients[k] as Client;
    inFlight.count += 1;
    client.dispatch(
      { origin: options.origin, ...dispatchOptions(options, request.index) },
      timedHandler(
        request,
        () => startNs,
        (done) => {
          recorder.record(done);
          inFlight.count -= 1;
          closing.push(client.close().catch(() => {}));
          settled += 1;
          options.onSettled?.(settled, requests.length);
          if (settled === requests.length) resolveAll();
        },
        aborted,
        options.request,
      ),
    );
  };
  try {
    // Warm sockets hold what is written to them: every request with a socket in hand is queued
    // on it, corked, before the burst's instant, so that undici's work per request (a few
    // hundred real ms for 200 users on a busy machine) is not counted as the users' wait; at
    // the instant all go out back to back and the spread is the kernel's writes alone. Nothing
    // reaches the server before the release.
    const early = held.map((socket) => socket !== undefined);
    for (const socket of held) socket?.cork();
    for (const [k, request] of requests.entries()) if (early[k] === true) dispatch(k, request);
    const startAtNs = await options.startAt?.();
    if (startAtNs !== undefined) await waitUntil(startAtNs);
    startNs = startAtNs ?? process.hrtime.bigint();
    recorder.begin(startNs);
    inFlight.start();
    // A request undici wrote into a corked socket reaches the kernel at uncork(): that is its
    // written instant, and its hand-over to the network is the burst's instant.
    for (const [k, socket] of held.entries()) {
      if (socket === undefined) continue;
      const request = requests[k] as RawRequest;
      request.dispatchedNs = 0;
      const queued = request.writtenNs !== undefined;
      socket.uncork();
      if (queued) request.writtenNs = since(startNs);
    }
    // The rest (new connections, warm ones still connecting) are dispatched from the instant.
    for (const [k, request] of requests.entries()) {
      if (early[k] === true) continue;
      request.dispatchedNs = since(startNs);
      dispatch(k, request);
    }
    if (aborted()) destroyAll();
    if (requests.length > 0) await allSettled;
  } finally {
    meanInFlight = inFlight.stop();
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', destroyAll);
  }
  const elapsedNs = since(startNs);
  // Closing takes CPU (and makes error objects); finish it before the caller measures anything else.
  await Promise.all(closing);
  return { startNs, sent: requests.length, elapsedNs, meanInFlight };
}

/**
 * undici's step that connects a Client before any request is queued (the one its pools use to
 * open connections ahead), found by its symbol's description; undefined in a version without it.
 */
const PRECONNECT = Object.getOwnPropertySymbols(Client.prototype).find(
  (symbol) => symbol.description === 'connect',
);

/**
 * Has each warm client take its socket before the burst: undici then sets the connection up
 * (its parser, its listeners) ahead, and at the burst each dispatch only writes. Nothing is sent.
 * Returns, per client, the socket it holds; undefined for one whose socket is still connecting
 * (a server's full backlog: the kernel retries its SYN) or failed, which is handed over at the
 * burst as it is, as with an undici without the step.
 */
async function attachSockets(
  clients: Client[],
  sockets: Array<Socket | undefined>,
): Promise<Array<Socket | undefined>> {
  const held: Array<Socket | undefined> = clients.map(() => undefined);
  if (PRECONNECT === undefined) return held;
  const attached = clients.map(
    (client, k) =>
      new Promise<void>((resolve) => {
        const socket = sockets[k];
        if (socket === undefined || socket.connecting || socket.destroyed) {
          resolve();
          return;
        }
        client.once('connectionError', () => resolve());
        (client as unknown as Record<symbol, (done: () => void) => void>)[PRECONNECT]?.(() => {
          held[k] = socket;
          resolve();
        });
      }),
  );
  await Promise.race([Promise.all(attached), sleep(WARM_WAIT_MS)]);
  return held;
}

/**
 * Opens `count` TCP connections to `origin` and waits (up to WARM_WAIT_MS) until they are
 * established; those still connecting are handed over as they are.
 */
async function openConnections(origin: string, count: number): Promise<Array<Socket | undefined>> {
  const { hostname, port } = new URL(origin);
  const sockets = Array.from({ length: count }, () => {
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    socket.setKeepAlive(true, 60_000);
    // Errors surface through undici once the socket is handed over.
    socket.on('error', () => {});
    return socket;
  });
  const deadline = Date.now() + WARM_WAIT_MS;
  while (sockets.some((s) => s.connecting) && Date.now() < deadline) await sleep(5);
  return sockets;
}
