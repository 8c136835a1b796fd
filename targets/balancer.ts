/**
 * Entry point: a balancer in front of several replicas, in the role haproxy plays (`balance
 * roundrobin | random | leastconn`), in one of two modes.
 *
 * - `tcp` (the default; haproxy `mode tcp`): it accepts every client at once, picks a replica
 *   per connection, connects to it and relays bytes both ways. If the replica refuses the
 *   connection before any byte was relayed, the client gets a 503 as from haproxy in HTTP mode.
 *   The relay runs in C on this process's event loop (native/relay.c): relayed through Node
 *   streams, a 200-connection burst reached the replicas tens of real milliseconds more spread
 *   out than sent straight to them, which time compression turned into seconds of scenario time
 *   (issue 13). `npm run bench -- balancer-relay` measures what it adds now.
 * - `http` (haproxy `mode http` with connection reuse): requests relayed over a pool of
 *   kept-alive connections per replica that grows on demand (http-relay.ts).
 */
import { createHttpRelay } from './http-relay.js';
import { bindToParent, listenOrExit, tell } from './lifecycle.js';
import { startRelay } from './native/relay.js';
import { type BalancerConfig, readConfig } from './protocol.js';

const config = readConfig<BalancerConfig>(process.argv);
bindToParent(() => process.exit(0));
const listening = listenOrExit(config.host, config.port, config.backlog);
const ready = (): void =>
  tell({ type: 'ready', port: listening.port, pid: process.pid, workerPids: [] });
if (config.mode === 'http') {
  const server = createHttpRelay({
    backends: config.backends,
    policy: config.policy,
    idleTimeoutMs: config.idleTimeoutMs ?? 60_000,
  });
  server.once('error', (error: NodeJS.ErrnoException) => {
    tell({ type: 'failed', code: error.code ?? 'ELISTEN', message: error.message });
    process.exit(1);
  });
  server.listen({ fd: listening.fd }, ready);
} else {
  try {
    startRelay(listening.fd, config.backends, config.policy, config.backlog);
  } catch (error) {
    tell({ type: 'failed', code: 'ERELAY', message: (error as Error).message });
    process.exit(1);
  }
  ready();
}
