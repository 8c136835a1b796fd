import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BurstConnections } from '../vocabulary.js';
import { runBurst } from './burst.js';
import { Recorder } from './recorder.js';

/**
 * Warms the load generator's own code before its first burst in a thread. A burst is one
 * synchronous rush through undici's client, connect and dispatch code; the first one in a
 * process ran that code cold (loaded, parsed and interpreted for the first time), so the first
 * topology of a run found its requests written later than the ones after it: ci-smoke's first
 * topology 140 to 170 real ms after the burst's instant, its third 25 to 35 ms, for 40 users on
 * a busy two-core machine. That lateness is the apparatus's, and it was counted into every wait.
 *
 * The warm-up runs WARM_UP_ROUNDS bursts of WARM_UP_USERS requests against a throwaway HTTP
 * server of its own on loopback in this thread, never against the target, before the first
 * burst; nothing of it is recorded. Once per thread (each worker thread has its own code cache).
 */
const WARM_UP_USERS = 64;
const WARM_UP_ROUNDS = 2;
const WARM_UP_TIMEOUT_MS = 5_000;

const warmed = new Map<BurstConnections, Promise<void>>();

/** Resolves once this thread's burst code has run warm-up bursts with `connections`. */
export function warmUpBursts(connections: BurstConnections): Promise<void> {
  let done = warmed.get(connections);
  if (done === undefined) {
    done = runWarmUp(connections);
    warmed.set(connections, done);
  }
  return done;
}

async function runWarmUp(connections: BurstConnections): Promise<void> {
  const server = createServer((request, response) => {
    request.resume();
    response.setHeader('connection', 'close');
    response.end('ok');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  try {
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      await runBurst(WARM_UP_USERS, connections, {
        origin: `http://127.0.0.1:${port}`,
        path: () => '/',
        recorder: new Recorder({ keepRequests: false }),
        connectTimeoutMs: WARM_UP_TIMEOUT_MS,
        requestTimeoutMs: WARM_UP_TIMEOUT_MS,
      });
    }
  } catch {
    // A warm-up that failed only leaves the code cold; the burst itself reports its own errors.
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
