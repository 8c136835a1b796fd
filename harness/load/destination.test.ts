import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { RemoteNotAllowedError } from '../errors.js';
import { runBurst } from './burst.js';
import { runClosedUsers } from './closed-users.js';
import { checkDestination } from './destination.js';
import { runOpenLoop } from './open-loop.js';
import { Recorder } from './recorder.js';
import { runTaskHere } from './run-load.js';
import { runLoad } from './threads.js';
import { runThroughput } from './throughput.js';

/**
 * The load layer refuses any destination that is not loopback unless it is allowed by name.
 *
 * The refused origin in these tests is 0.0.0.0: not a loopback address by the rule (it is not
 * in 127.0.0.0/8), yet Linux delivers a connection to it to this machine. So if the guard ever
 * failed, no packet would leave the machine, and the local server's connection count shows it.
 */

test('loopback origins pass; any other host is refused, naming the host and --allow-remote', () => {
  for (const origin of [
    'http://127.0.0.1:8000',
    'http://127.9.9.9:1',
    'http://localhost:3000',
    'http://[::1]:8080',
  ])
    checkDestination(origin);
  for (const [origin, host] of [
    ['http://0.0.0.0:80', '0.0.0.0'],
    ['http://10.0.0.1:80', '10.0.0.1'],
    ['http://192.168.1.10:8080', '192.168.1.10'],
    ['http://staging.example.com', 'staging.example.com'],
    ['http://[2001:db8::1]:80', '2001:db8::1'],
    ['http://localhost.example.com', 'localhost.example.com'],
  ] as const) {
    assert.throws(
      () => checkDestination(origin),
      (error: unknown) =>
        error instanceof RemoteNotAllowedError &&
        error.code === 'E_REMOTE_NOT_ALLOWED' &&
        error.exitCode === 104 &&
        error.message.includes(host) &&
        (error.fix ?? '').includes(`--allow-remote ${host}`),
      origin,
    );
  }
  // Named by the user: allowed, whatever the case or IPv6 brackets.
  checkDestination('http://Staging.Example.com:80', ['staging.example.com']);
  checkDestination('http://[2001:db8::1]:80', ['[2001:DB8::1]']);
  assert.throws(() => checkDestination('http://10.0.0.2', ['10.0.0.1']), RemoteNotAllowedError);
  assert.throws(() => checkDestination('not a url'), TypeError);
});

async function countingServer(t: { after(fn: () => Promise<void>): void }) {
  let connections = 0;
  const server = createServer((_request, response) => response.end('ok'));
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => connections };
}

const timeouts = { connectTimeoutMs: 5_000, requestTimeoutMs: 5_000 };

test('every executor refuses a non-loopback origin before opening a connection', async (t) => {
  const server = await countingServer(t);
  const origin = `http://0.0.0.0:${server.port}`;
  const base = () => ({
    origin,
    path: () => '/',
    recorder: new Recorder({ keepRequests: false }),
    ...timeouts,
  });
  const refusals: Array<[string, () => Promise<unknown>]> = [
    ['burst', () => runBurst(3, 'new', base())],
    ['warm burst', () => runBurst(3, 'warm', base())],
    [
      'open loop',
      () => runOpenLoop({ ...base(), arrivals: [0, 1e6], expected: 2, maxConnections: 2 }),
    ],
    [
      'closed users',
      () =>
        runClosedUsers({
          ...base(),
          users: 2,
          thinkNs: 0,
          think: 'constant',
          iterations: 1,
          seed: 1,
        }),
    ],
    [
      'throughput',
      async () =>
        runThroughput({
          ...base(),
          connections: 1,
          pipelining: 1,
          durationSeconds: 1,
          keepRequests: false,
          threads: 1,
        }),
    ],
    [
      'runLoad over threads',
      () =>
        runLoad(
          { executor: 'burst', users: 4, connections: 'new' },
          {
            origin,
            paths: { kind: 'fixed', path: '/' },
            ...timeouts,
            keepRequests: true,
            threads: 2,
          },
        ),
    ],
    [
      'runTaskHere',
      () =>
        runTaskHere(
          { executor: 'burst', users: 2, connections: 'new' },
          { origin, paths: { kind: 'fixed', path: '/' }, ...timeouts, keepRequests: true },
          new Recorder({ keepRequests: false }),
        ),
    ],
  ];
  for (const [name, run] of refusals)
    await assert.rejects(run(), RemoteNotAllowedError, `${name} must refuse ${origin}`);
  assert.equal(server.connections(), 0, 'no connection was opened');
});

test('a host named in allowRemote is loaded', async (t) => {
  const server = await countingServer(t);
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(3, 'new', {
    origin: `http://0.0.0.0:${server.port}`,
    allowRemote: ['0.0.0.0'],
    path: () => '/',
    recorder,
    ...timeouts,
  });
  assert.equal(recorder.counts.completed, 3);
  assert.equal(server.connections(), 3);
});

test('end to end: --allow-remote is what lets the load reach a host that is not loopback', async (t) => {
  const { spawnCli, tempDir, writeScenario } = await import('../test-support/spawn-cli.js');
  const { join } = await import('node:path');
  const server = await countingServer(t);
  const dir = await tempDir(t);
  const file = await writeScenario(dir, {
    name: 'allowed',
    timeScale: 1,
    load: { executor: 'burst', users: 3 },
    service: { time: '10ms' },
    topologies: [{ name: 'mine', kind: 'werkzeug' }],
  });
  const url = `http://0.0.0.0:${server.port}/`;
  const args = ['scenario', file, '--url', url, '--reports-dir', join(dir, 'reports')];
  const refused = await spawnCli(args);
  assert.equal(refused.code, 104, refused.stderr);
  assert.match(refused.stderr, /E_REMOTE_NOT_ALLOWED.*0\.0\.0\.0/s);
  assert.equal(server.connections(), 0, 'refused before any connection');
  // Named by the user: the CLI lets it through, and so does every executor's own check.
  const allowed = await spawnCli([...args, '--allow-remote', '0.0.0.0']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(server.connections(), 3);
});
