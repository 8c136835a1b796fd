import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { Supervisor } from '../harness/supervise/supervisor.js';
import { createHttpRelay, endToEnd, replicaPicker } from './http-relay.js';
import { packageRoot } from './package-root.js';
import type { BalancerConfig } from './protocol.js';

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

/**
 * A keep-alive backend that counts the connections it accepted and names itself; it answers
 * after 50 ms, so that requests sent together are in flight together.
 */
async function backend(name: string): Promise<{ server: Server; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('server-timing', `app;dur=50, replica;desc=${name}`);
    setTimeout(() => res.end(name), 50);
  });
  server.on('connection', () => {
    connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, connections: () => connections };
}

/** One GET on a new client connection; resolves with the status, body and Server-Timing. */
function get(port: number): Promise<{ status: number; body: string; timing: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/work', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          timing: String(res.headers['server-timing'] ?? ''),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('requests from many client connections ride on one kept-alive connection per replica', async (t) => {
  const a = await backend('a');
  const b = await backend('b');
  const relay = createHttpRelay({
    backends: [
      { host: '127.0.0.1', port: portOf(a.server) },
      { host: '127.0.0.1', port: portOf(b.server) },
    ],
    policy: 'round-robin',
    idleTimeoutMs: 5_000,
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  t.after(() => {
    relay.closeAllConnections();
    relay.close();
    a.server.closeAllConnections();
    a.server.close();
    b.server.closeAllConnections();
    b.server.close();
  });
  const bodies: string[] = [];
  for (let k = 0; k < 8; k++) {
    const answer = await get(portOf(relay));
    assert.equal(answer.status, 200);
    assert.match(answer.timing, /app;dur=50/);
    bodies.push(answer.body);
  }
  assert.deepEqual(bodies, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  // Eight client connections, one at a time: each replica accepted one server connection.
  assert.equal(a.connections(), 1);
  assert.equal(b.connections(), 1);
  // Four at once: the pool grows to hold them (one was idle per replica, so one more each).
  const burst = await Promise.all([0, 1, 2, 3].map(() => get(portOf(relay))));
  assert.deepEqual(burst.map((x) => x.status).sort(), [200, 200, 200, 200]);
  assert.equal(a.connections() + b.connections(), 4);
});

test('a replica that refuses the connection gives the client a 503', async (t) => {
  const gone = await backend('gone');
  const port = portOf(gone.server);
  gone.server.close();
  await once(gone.server, 'close');
  const relay = createHttpRelay({
    backends: [{ host: '127.0.0.1', port }],
    policy: 'round-robin',
    idleTimeoutMs: 1_000,
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  t.after(() => relay.close());
  assert.equal((await get(portOf(relay))).status, 503);
});

test('replicas are picked in turn, at random, or by fewest requests in flight', () => {
  const rr = replicaPicker(3, 'round-robin');
  assert.deepEqual([rr.pick(), rr.pick(), rr.pick(), rr.pick()], [0, 1, 2, 0]);
  const least = replicaPicker(3, 'least-connections');
  const picks = [least.pick(), least.pick(), least.pick()];
  least.done(1);
  picks.push(least.pick());
  assert.deepEqual(picks, [0, 1, 2, 1]);
  const draws = [0.1, 0.5, 0.99];
  const random = replicaPicker(3, 'random', () => draws.shift() ?? 0);
  assert.deepEqual([random.pick(), random.pick(), random.pick()], [0, 1, 2]);
});

test('hop-by-hop headers stay on their connection', () => {
  assert.deepEqual(
    endToEnd({ connection: 'keep-alive', 'keep-alive': 'timeout=5', 'server-timing': 'app;dur=1' }),
    { 'server-timing': 'app;dur=1' },
  );
});

test('the balancer process in mode "http" relays requests over reused connections', async (t) => {
  const a = await backend('a');
  const b = await backend('b');
  const supervisor = new Supervisor();
  t.after(async () => {
    await supervisor.stopAll();
    for (const x of [a, b]) {
      x.server.closeAllConnections();
      x.server.close();
    }
  });
  const config: BalancerConfig = {
    host: '127.0.0.1',
    port: 0,
    backlog: 512,
    policy: 'round-robin',
    backends: [
      { host: '127.0.0.1', port: portOf(a.server) },
      { host: '127.0.0.1', port: portOf(b.server) },
    ],
    mode: 'http',
  };
  const started = await supervisor.start({
    label: 'balancer',
    entry: join(packageRoot(), 'dist', 'targets', 'balancer.js'),
    config,
    readyTimeoutMs: 20_000,
  });
  const bodies: string[] = [];
  for (let k = 0; k < 6; k++) bodies.push((await get(started.port)).body);
  assert.deepEqual(bodies, ['a', 'b', 'a', 'b', 'a', 'b']);
  assert.equal(a.connections() + b.connections(), 2);
});
