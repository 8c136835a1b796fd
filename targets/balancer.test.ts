import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { Supervisor } from '../harness/supervise/supervisor.js';
import { packageRoot } from './package-root.js';
import type { BalancerConfig, BalancerPolicy } from './protocol.js';

const HOST = '127.0.0.1';

/** A backend that answers each connection with its own name and echoes what it receives. */
async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

async function balancer(
  t: { after(fn: () => Promise<void>): void },
  ports: number[],
  policy: BalancerPolicy,
): Promise<number> {
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const config: BalancerConfig = {
    host: HOST,
    port: 0,
    backlog: 512,
    policy,
    backends: ports.map((port) => ({ host: HOST, port })),
  };
  const started = await supervisor.start({
    label: 'balancer',
    entry: join(packageRoot(), 'dist', 'targets', 'balancer.js'),
    config,
    readyTimeoutMs: 20_000,
  });
  return started.port;
}

/** Connects, sends `text`, half-closes, and resolves with everything received until the end. */
function exchange(port: number, text: string, keep?: (s: Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port }, () => {
      if (keep === undefined) socket.end(text);
      else {
        socket.write(text);
        keep(socket);
      }
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

test('the balancer relays bytes both ways and passes each end on, round robin over its backends', async (t) => {
  const backends = await Promise.all(['a', 'b', 'c'].map(backend));
  t.after(() => {
    for (const b of backends) b.server.close();
  });
  const port = await balancer(
    t,
    backends.map((b) => b.port),
    'round-robin',
  );
  const answers: string[] = [];
  for (let k = 0; k < 6; k++) answers.push(await exchange(port, `hello ${k}`));
  assert.deepEqual(answers, [
    'a\nhello 0',
    'b\nhello 1',
    'c\nhello 2',
    'a\nhello 3',
    'b\nhello 4',
    'c\nhello 5',
  ]);
  // Four megabytes each way: more than any socket buffer holds, so the relay's back-pressure
  // path (a write the peer cannot take at once) is used and must lose nothing.
  const big = 'x'.repeat(4 << 20);
  const echoed = await exchange(port, big);
  assert.equal(echoed.length, big.length + 2);
  assert.equal(echoed.slice(2), big);
});

test('least connections sends a new connection to the backend holding fewest', async (t) => {
  const backends = await Promise.all(['a', 'b'].map(backend));
  t.after(() => {
    for (const b of backends) b.server.close();
  });
  const port = await balancer(
    t,
    backends.map((b) => b.port),
    'least-connections',
  );
  // The first connection stays open on a; the next two both go to b, then one to a.
  let held: Socket | undefined;
  const first = exchange(port, 'held', (s) => {
    held = s;
  });
  await new Promise((r) => setTimeout(r, 200));
  const second = await exchange(port, 'one');
  const third = await exchange(port, 'two');
  assert.equal(second, 'b\none');
  assert.equal(third, 'b\ntwo');
  held?.end();
  assert.equal(await first, 'a\nheld');
});

test('a backend that refuses before any byte was relayed gets the client a 503', async (t) => {
  const closed = await backend('gone');
  const port = closed.port;
  closed.server.close();
  await once(closed.server, 'close');
  const balancerPort = await balancer(t, [port], 'round-robin');
  const answer = await exchange(balancerPort, 'GET / HTTP/1.1\r\n\r\n', () => {});
  assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(answer, /no replica answered\n$/);
});
