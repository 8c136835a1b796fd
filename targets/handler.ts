import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type ServedBy, timingHeaders } from './instrument.js';
import type { ServiceDefaults, Work } from './protocol.js';
import { performWork } from './service.js';

/**
 * The application every emulated worker runs, and the plumbing that feeds it connections the
 * worker accepted itself.
 *
 *   GET /health                 200 at once, no service time (readiness probes)
 *   GET /work?ms=200&work=cpu   spends the service time, then 200 with the instrumentation
 *   GET /                       the same with the target's default service
 *   (routes an app mounts)      e.g. GET /events and POST /publish (targets/app/sse.ts)
 */

export interface WorkerIdentity {
  replica: number;
  worker: number;
}

const acceptedAt = new WeakMap<Socket, bigint>();

/**
 * A route an app adds to the worker (targets/app/start-app.ts): it answers the request and
 * resolves when the response is over (the worker's thread is busy until then), or returns
 * undefined for a request that is not its own.
 */
export type MountedRoute = (
  request: IncomingMessage,
  response: ServerResponse,
  servedBy: ServedBy,
) => Promise<void> | undefined;

const mounted: MountedRoute[] = [];

/** Adds an app's routes, which see each request before the built-in ones. */
export function mountRoute(route: MountedRoute): void {
  mounted.push(route);
}

/** Records when a connection was accepted, for its requests' `queue` timing. */
export function markAccepted(socket: Socket, acceptedNs: bigint): void {
  acceptedAt.set(socket, acceptedNs);
}

/** Wraps an accepted descriptor in a socket and hands it to `server` as a new connection. */
export function adoptConnection(server: Server, fd: number, acceptedNs: bigint): Socket {
  const socket = new Socket({ fd, readable: true, writable: true });
  markAccepted(socket, acceptedNs);
  server.emit('connection', socket);
  return socket;
}

/**
 * An HTTP server that never listens itself: connections arrive through adoptConnection. Node's
 * request and header timeouts are off because the workers being emulated have none of their own
 * (a worker timeout is the arbiter's business).
 */
export function createWorkerServer(
  onRequest: (request: IncomingMessage, response: ServerResponse) => void,
  keepAliveMs = 0,
): Server {
  const server = createServer(
    { requestTimeout: 0, headersTimeout: 0, keepAlive: false },
    onRequest,
  );
  server.keepAliveTimeout = keepAliveMs;
  return server;
}

/**
 * The harness's readiness probe (GET /health). Workers do not count it towards max-requests: it
 * is the harness's, not the scenario's, and the model does not know of it.
 */
export function isProbe(request: IncomingMessage): boolean {
  return request.url === '/health';
}

type Route = { kind: 'health' } | { kind: 'work'; work: Work; ms: number } | { kind: 'unknown' };

function route(url: string | undefined, defaults: ServiceDefaults): Route {
  const parsed = new URL(url ?? '/', 'http://target.invalid');
  if (parsed.pathname === '/health') return { kind: 'health' };
  if (parsed.pathname !== '/' && parsed.pathname !== '/work') return { kind: 'unknown' };
  const ms = Number(parsed.searchParams.get('ms') ?? defaults.ms);
  const workParam = parsed.searchParams.get('work');
  const work: Work = workParam === 'cpu' || workParam === 'sleep' ? workParam : defaults.work;
  return { kind: 'work', work, ms: Number.isFinite(ms) && ms >= 0 ? ms : defaults.ms };
}

/**
 * Serves one request on `thread` of the identified worker: the handler's work, then the response
 * with Server-Timing, X-Served-By and X-Server-Clock. Resolves once the response is flushed.
 * `perform` does the work; a worker whose handlers run differently (an async worker's blocking
 * handler) passes its own.
 */
export async function serveRequest(
  request: IncomingMessage,
  response: ServerResponse,
  identity: WorkerIdentity,
  thread: number,
  defaults: ServiceDefaults,
  perform: (work: Work, ms: number) => Promise<void> = performWork,
): Promise<void> {
  const finished = new Promise<void>((resolve) => {
    response.once('finish', resolve);
    response.once('close', resolve);
  });
  const servedBy: ServedBy = { ...identity, thread, pid: process.pid };
  for (const app of mounted) {
    const served = app(request, response, servedBy);
    if (served !== undefined) return served.then(() => finished);
  }
  const action = route(request.url, defaults);
  // Drain any request body so that a keep-alive connection stays usable.
  request.resume();
  if (action.kind !== 'work') {
    response.writeHead(action.kind === 'health' ? 200 : 404, {
      'content-type': 'text/plain',
      'x-served-by': `replica=${servedBy.replica}; worker=${servedBy.worker}; thread=${thread}; pid=${servedBy.pid}`,
    });
    response.end(action.kind === 'health' ? 'ok\n' : 'not found\n');
    return finished;
  }
  const acceptedNs = acceptedAt.get(request.socket);
  const startNs = process.hrtime.bigint();
  await perform(action.work, action.ms);
  const endNs = process.hrtime.bigint();
  const instants = acceptedNs === undefined ? { startNs, endNs } : { acceptedNs, startNs, endNs };
  const body = JSON.stringify({ ...servedBy, work: action.work, ms: action.ms });
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...timingHeaders(instants, servedBy),
  });
  response.end(body);
  return finished;
}
