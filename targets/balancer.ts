/**
 * Entry point: a TCP balancer in front of several replicas, in the role haproxy plays (`mode
 * tcp`; `balance roundrobin | random | leastconn`). It accepts every client at once, picks a
 * replica per connection, connects to it and relays bytes both ways. If the replica refuses the
 * connection before any byte was relayed, the client gets a 503 as from haproxy in HTTP mode.
 *
 * The relay itself runs in C on this process's event loop (native/relay.c): relayed through
 * Node streams, a 200-connection burst reached the replicas tens of real milliseconds more
 * spread out than sent straight to them, which time compression turned into seconds of
 * scenario time (issue 13). `npm run bench -- balancer-relay` measures what it adds now.
 */
import { bindToParent, listenOrExit, tell } from './lifecycle.js';
import { startRelay } from './native/relay.js';
import { type BalancerConfig, readConfig } from './protocol.js';

const config = readConfig<BalancerConfig>(process.argv);
bindToParent(() => process.exit(0));
const listening = listenOrExit(config.host, config.port, config.backlog);
try {
  startRelay(listening.fd, config.backends, config.policy, config.backlog);
} catch (error) {
  tell({ type: 'failed', code: 'ERELAY', message: (error as Error).message });
  process.exit(1);
}
tell({ type: 'ready', port: listening.port, pid: process.pid, workerPids: [] });
