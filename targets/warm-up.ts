import { closeSync } from 'node:fs';
import { connect } from 'node:net';
import type { WorkerIdentity } from './handler.js';
import { listenSocket } from './native/accept-gate.js';
import type { ServiceDefaults } from './protocol.js';
import { runSyncLoop } from './sync-loop.js';

/**
 * Runs an emulated worker's serving code a few times before the worker accepts its first real
 * connection. Node compiles its code on first use, and a worker's first request ran its accept,
 * HTTP, handler and response code cold: the first hand-off of each sync worker (one request's
 * end to the next one's start) took 10 to 200 real ms on a busy two-core machine against 2 to 5
 * ms for the later ones, and under time compression that delayed every request behind it on
 * that worker by a scenario second or more. A Python worker has no such first-use cost.
 *
 * Compiled is not yet optimised: V8 optimises a function only after some hundreds of calls, and
 * with the 8 requests this warm-up once served, the code between one request and the next ran
 * in V8's baseline tiers for a worker's first few hundred requests, so a worker that served few
 * of them handed off slower than one that served many (`npm run bench -- hand-off`: 4 sync
 * workers of 15 requests each: median hand-off x1.20 gunicorn's with 8 warm-up requests, x0.92
 * with 200, medians of 5 runs). The 200 cost about 80 ms more per worker process, before it says
 * it is forked.
 *
 * The worker serves WARM_UP_ROUNDS x WARM_UP_CONCURRENT requests of a microsecond's sleep, all
 * from itself, on a listening socket of its own on loopback (never the deployment's, so none of
 * them is a connection a user made, and none counts towards max-requests); the connections of a
 * round arrive together, so both ways of accepting (from the poll, and at once when a request
 * ends) run. Bounded: each request gives up after WARM_UP_TIMEOUT_MS.
 */
const WARM_UP_ROUNDS = 50;
const WARM_UP_CONCURRENT = 4;
const WARM_UP_TIMEOUT_MS = 2_000;
/** How many requests a warm-up serves when all are answered. */
export const WARM_UP_REQUESTS = WARM_UP_ROUNDS * WARM_UP_CONCURRENT;

/** Resolves to how many warm-up requests were answered 200 (a failure only leaves code cold). */
export async function warmUpServing(
  identity: WorkerIdentity,
  defaults: ServiceDefaults,
): Promise<number> {
  const { fd, port } = listenSocket('127.0.0.1', 0, WARM_UP_CONCURRENT);
  const loop = runSyncLoop(fd, identity, defaults);
  let answered = 0;
  try {
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      const oks = await Promise.all(
        Array.from({ length: WARM_UP_CONCURRENT }, () => oneRequest(port)),
      );
      answered += oks.filter(Boolean).length;
    }
    return answered;
  } finally {
    loop.close();
    closeSync(fd);
  }
}

/**
 * One request to the warm-up socket; resolves once the server has closed it (true when it was
 * answered 200) or the request gave up.
 */
function oneRequest(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let head = '';
    const socket = connect({ host: '127.0.0.1', port }, () =>
      socket.write('GET /work?ms=0.001&work=sleep HTTP/1.1\r\nHost: warm-up\r\n\r\n'),
    );
    socket.setTimeout(WARM_UP_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 16) head += chunk.toString('latin1');
    });
    socket.once('close', () => resolve(head.startsWith('HTTP/1.1 200')));
  });
}
