import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type ServedBy, timingHeaders } from './instrument.js';
import type { Accepted } from './native/accept-gate.js';
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

/**
 * Wraps an accepted descriptor in a socket and hands it to `server` as a new connection. `head`,
 * what the accept gate already read from it, goes back into the socket before the server's
 * parser is attached, so the request is parsed within this turn of the event loop (on the next
 * tick), as a Python worker reads its request right after accept(), instead of once the loop
 * has polled the new socket (a turn later).
 */
export function adoptConnection(server: Server, accepted: Accepted): Socket {
  const socket = new Socket({ fd: accepted.fd, readable: true, writable: true });
  markAccepted(socket, accepted.acceptedAtNs);
  if (accepted.head !== null) socket.unshift(accepted.head);
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

type Route = 'health' | 'work' | 'unknown';

/**
 * The route of a request target. Clients send the origin form ('/work?ms=40'), whose path is
 * read off directly; a target the URL parser would read otherwise (dot segments, escapes,
 * backslashes, '//', the absolute form) goes through it.
 */
function routeOf(url: string): Route {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  if (path[0] !== '/' || path[1] === '/' || /[.%\\]/.test(path))
    path = new URL(url, 'http://target.invalid').pathname;
  if (path === '/health') return 'health';
  return path === '/' || path === '/work' ? 'work' : 'unknown';
}

/** The work a /work request asks for in its query, with the target's defaults. */
function workOf(url: string, defaults: ServiceDefaults): { work: Work; ms: number } {
  const q = url.indexOf('?');
  if (q < 0) return { work: defaults.work, ms: defaults.ms };
  const query = new URLSearchParams(url.slice(q + 1));
  const ms = Number(query.get('ms') ?? defaults.ms);
  const workParam = query.get('work');
  const work: Work = workParam === 'cpu' || workParam === 'sleep' ? workParam : defaults.work;
  return { work, ms: Number.isFinite(ms) && ms >= 0 ? ms : defaults.ms };
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
  const url = request.url ?? '/';
  const kind = routeOf(url);
  // Drain any request body so that a keep-alive connection stays usable.
  request.resume();
  if (kind !== 'work') {
    response.writeHead(kind === 'health' ? 200 : 404, {
      'content-type': 'text/plain',
      'x-served-by': `replica=${servedBy.replica}; worker=${servedBy.worker}; thread=${thread}; pid=${servedBy.pid}`,
    });
    response.end(kind === 'health' ? 'ok\n' : 'not found\n');
    return finished;
  }
  const acceptedNs = acceptedAt.get(request.socket);
  // The handler's instants are where the real servers' middleware takes them: it starts once the
  // request is routed, before the view reads its query (Flask's view calls handler_started()
  // first, harness_apps/flask_app.py), and ends once the app has made its response body (the
  // view's jsonify), before the timing headers are formatted and the response is written
  // (harness_timing/wsgi.py). Taking the end before the body was made, and the start after the
  // query was read, counted the app's own work in the hand-off between requests.
  const startNs = process.hrtime.bigint();
  const { work, ms } = workOf(url, defaults);
  await perform(work, ms);
  const body = JSON.stringify({ ...servedBy, work, ms });
  const length = Buffer.byteLength(body);
  const endNs = process.hrtime.bigint();
  const instants = acceptedNs === undefined ? { startNs, endNs } : { acceptedNs, startNs, endNs };
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': length,
    ...timingHeaders(instants, servedBy),
  });
  response.end(body);
  return finished;
}
