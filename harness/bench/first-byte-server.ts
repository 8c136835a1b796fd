/**
 * Entry point for the balancer benchmark (balancer-relay.ts): a TCP server that notes, for every
 * connection, the instant (CLOCK_MONOTONIC ns, shared by every process on the machine) its first
 * byte arrived, and answers nothing. A connection whose first line is `TIMES` gets the instants
 * noted so far as one JSON array and clears them. The balancer is measured in front of these so
 * that what the backends do costs the same with it and without it.
 */
import { createServer } from 'node:net';
import { serveAndAnnounce } from '../../targets/lifecycle.js';
import { readConfig } from '../../targets/protocol.js';

const config = readConfig<{ host: string; port: number }>(process.argv);
let arrivals: string[] = [];

const server = createServer({ noDelay: true }, (socket) => {
  socket.once('data', (chunk) => {
    const at = process.hrtime.bigint();
    if (chunk.toString('latin1', 0, 5) === 'TIMES') {
      socket.end(`[${arrivals.join(',')}]`);
      arrivals = [];
      return;
    }
    arrivals.push(`"${at}"`);
  });
  socket.on('error', () => {});
});
serveAndAnnounce(server, config.host, config.port, 1024);
