/**
 * The emulated balancer's HTTP mode (`balancerMode: "http"`), in the role of haproxy `mode http`
 * with `http-reuse always`, Envoy or nginx with upstream keepalive: it reads each request, picks
 * a replica for it (not for the client's connection), and sends it over an idle kept-alive
 * connection to that replica when one is free, opening a new one only when none is, so the pool
 * of server connections grows on demand and the workers see few, long-lived connections.
 *
 *   client conn ─► request ─► pick replica ─► idle pooled conn? ─yes─► worker that holds it
 *                                                  └─no─► new conn ─► replica's accept race
 *
 * Node's http.Agent keeps the pool: `keepAlive` keeps a connection after its response,
 * `maxSockets: Infinity` lets the pool grow, and `scheduling: 'lifo'` reuses the connection
 * freed last (the model's order, harness/model/engine/connection-pool.ts). A connection the
 * server closes (its keep-alive ran out; gunicorn's sync worker closes after every response)
 * leaves the pool. A replica that refuses the connection before answering gives the client a
 * 503, as haproxy does. Relayed in JavaScript, a request costs this process more than the
 * native TCP relay does (`npm run bench -- balancer-relay` measures the TCP mode).
 */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  request,
  type Server,
} from 'node:http';
import type { BalancerPolicy } from './protocol.js';

export interface HttpRelayOptions {
  backends: ReadonlyArray<{ host: string; port: number }>;
  policy: BalancerPolicy;
  /** Real milliseconds a pooled connection or a client's connection may stay idle. */
  idleTimeoutMs: number;
}

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): never relayed. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** A message's headers without the hop-by-hop ones. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Picks a replica per request: round robin in turn, random uniform, or least connections (fewest
 * requests in flight, ties in turn from the one after the last picked, as haproxy's leastconn).
 */
export function replicaPicker(
  count: number,
  policy: BalancerPolicy,
  random: () => number = Math.random,
): { pick(): number; done(replica: number): void } {
  const active = new Int32Array(count);
  let next = 0;
  return {
    pick() {
      let r = next;
      if (policy === 'random') r = Math.min(count - 1, Math.floor(random() * count));
      else if (policy === 'least-connections')
        for (let k = 1; k < count; k++) {
          const candidate = (next + k) % count;
          if ((active[candidate] as number) < (active[r] as number)) r = candidate;
        }
      if (policy !== 'random') next = (r + 1) % count;
      active[r] = (active[r] as number) + 1;
      return r;
    },
    done(replica) {
      active[replica] = (active[replica] as number) - 1;
    },
  };
}

/** An HTTP server (not yet listening) that relays every request to one of `backends`. */
export function createHttpRelay(options: HttpRelayOptions): Server {
  const { backends } = options;
  const agents = backends.map(
    () =>
      new Agent({
        keepAlive: true,
        maxSockets: Number.POSITIVE_INFINITY,
        maxFreeSockets: Number.POSITIVE_INFINITY,
        scheduling: 'lifo',
        timeout: options.idleTimeoutMs,
      }),
  );
  const picker = replicaPicker(backends.length, options.policy);
  const server = createServer((req, res) => {
    const r = picker.pick();
    const backend = backends[r] as { host: string; port: number };
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      picker.done(r);
    };
    const upstream = request(
      {
        host: backend.host,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent: agents[r],
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
        answer.once('end', settle);
        answer.once('error', () => {
          settle();
          res.destroy();
        });
      },
    );
    upstream.once('error', () => {
      settle();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' });
      res.end('503 Service Unavailable: the replica refused the connection\n');
    });
    res.once('close', () => {
      // The client went away before the answer ended: stop relaying it.
      if (!res.writableFinished) upstream.destroy();
      settle();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = options.idleTimeoutMs;
  // The scenario's own request timeout bounds requests; Node's default 300 s would cut long ones.
  server.requestTimeout = 0;
  server.headersTimeout = Math.max(60_000, options.idleTimeoutMs);
  return server;
}
