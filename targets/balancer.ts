/**
 * Entry point: a TCP balancer in front of several replicas, in the role haproxy plays (`mode
 * tcp`; `balance roundrobin | random | leastconn`). It accepts every client at once, picks a
 * replica per connection, connects to it and relays bytes both ways. If the replica refuses the
 * connection before any byte was relayed, the client gets a 503 as from haproxy in HTTP mode.
 */
import { connect, createServer, type Socket } from 'node:net';
import { serveAndAnnounce } from './lifecycle.js';
import { type BalancerConfig, readConfig } from './protocol.js';

const config = readConfig<BalancerConfig>(process.argv);
const active = config.backends.map(() => 0);
let next = 0;

/** The replica for a new connection under the configured policy. */
function pick(): number {
  const count = config.backends.length;
  switch (config.policy) {
    case 'round-robin': {
      const chosen = next;
      next = (next + 1) % count;
      return chosen;
    }
    case 'random':
      return Math.floor(Math.random() * count);
    case 'least-connections': {
      // Ties go round robin, as haproxy's leastconn does among equally loaded servers.
      let best = -1;
      for (let k = 0; k < count; k++) {
        const candidate = (next + k) % count;
        if (best < 0 || (active[candidate] ?? 0) < (active[best] ?? 0)) best = candidate;
      }
      next = (best + 1) % count;
      return best;
    }
  }
}

const UNAVAILABLE =
  'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 20\r\nconnection: close\r\n\r\nno replica answered\n';

function relay(client: Socket): void {
  const index = pick();
  const backend = config.backends[index];
  if (backend === undefined) {
    client.destroy();
    return;
  }
  active[index] = (active[index] ?? 0) + 1;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    active[index] = (active[index] ?? 1) - 1;
  };
  const upstream = connect({ host: backend.host, port: backend.port, noDelay: true });
  let relayed = false;
  upstream.once('connect', () => {
    relayed = true;
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', () => {
    if (!relayed && !client.destroyed) client.end(UNAVAILABLE);
    else client.destroy();
    release();
  });
  client.on('error', () => {
    upstream.destroy();
    release();
  });
  // Each side's end is passed on by pipe(); a close needs nothing more than the bookkeeping.
  upstream.on('close', release);
  client.on('close', () => {
    upstream.destroy();
    release();
  });
}

const server = createServer({ noDelay: true }, relay);
serveAndAnnounce(server, config.host, config.port, config.backlog);
