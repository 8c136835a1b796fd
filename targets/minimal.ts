/**
 * Entry point: a minimal HTTP server, the reference target of the load-generator benchmarks and
 * tests. Node's own accept loop, keep-alive, and a handler that answers at once (or after `ms`
 * milliseconds of sleep) with the same instrumentation as the emulated servers, so that what is
 * measured against it is the load generator, not a server model.
 */
import { createServer } from 'node:http';
import { timingHeaders } from './instrument.js';
import { serveAndAnnounce } from './lifecycle.js';
import { readConfig } from './protocol.js';

interface MinimalConfig {
  host: string;
  port: number;
}

const config = readConfig<MinimalConfig>(process.argv);
const servedBy = { replica: 0, worker: 0, thread: 0, pid: process.pid };
const OK = Buffer.from('ok\n');

const server = createServer((request, response) => {
  const query = request.url?.indexOf('?ms=') ?? -1;
  const ms = query < 0 ? 0 : Number.parseFloat((request.url ?? '').slice(query + 4));
  const startNs = process.hrtime.bigint();
  const answer = (): void => {
    response.writeHead(200, {
      'content-length': OK.length,
      ...timingHeaders({ startNs, endNs: process.hrtime.bigint() }, servedBy),
    });
    response.end(OK);
  };
  if (ms > 0) setTimeout(answer, ms);
  else answer();
});
server.keepAliveTimeout = 60_000;
serveAndAnnounce(server, config.host, config.port, 4096);
