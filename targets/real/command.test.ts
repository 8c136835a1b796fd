import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_REAL_LIFECYCLE,
  fitMaxConnections,
  haproxyCommand,
  haproxyConfig,
  keepAliveSeconds,
  serverCommand,
  startupEnv,
  withParentDeathSignal,
} from './command.js';
import type { RealServerConfig } from './protocol.js';

const config: RealServerConfig = {
  kind: 'gunicorn-gthread',
  replica: 2,
  host: '127.0.0.1',
  port: 0,
  backlog: 2048,
  workers: 4,
  threads: 2,
  workerConnections: 1000,
  keepAliveMs: 200,
  endpoint: 'def',
  service: { work: 'sleep', ms: 200 },
  python: '/usr/bin/python3',
  lifecycle: DEFAULT_REAL_LIFECYCLE,
};

test('gunicorn gets the harness socket as fd 3, its shape, and no per-request timeout', () => {
  const { file, args, env } = serverCommand(config, '/p');
  assert.equal(file, '/usr/bin/python3');
  const joined = args.join(' ');
  for (const part of [
    '-m gunicorn',
    '--config /p/harness_servers/gunicorn_conf.py',
    '--bind fd://3',
    '--workers 4',
    '--worker-class gthread',
    '--threads 2',
    '--worker-connections 1000',
    '--backlog 2048',
    '--keep-alive 1',
    '--timeout 0',
  ])
    assert.ok(joined.includes(part), `${part} missing from ${joined}`);
  assert.equal(args.at(-1), 'harness_apps.flask_app:app');
  assert.equal(env.PYTHONPATH, '/p');
  assert.equal(env.HARNESS_REPLICA, '2');
  assert.equal(env.HARNESS_DEFAULT_MS, '200');
});

test('each kind runs its server and app', () => {
  const sync = serverCommand({ ...config, kind: 'gunicorn-sync' }, '/p').args;
  assert.ok(sync.includes('sync') && !sync.includes('--threads'));
  const worker = serverCommand({ ...config, kind: 'gunicorn-uvicorn', threads: 8 }, '/p');
  assert.ok(worker.args.includes('uvicorn.workers.UvicornWorker'));
  assert.equal(worker.args.at(-1), 'harness_apps.fastapi_app:app');
  assert.equal(worker.env.HARNESS_THREADS, '8');
  const uvicorn = serverCommand({ ...config, kind: 'uvicorn', endpoint: 'async' }, '/p');
  assert.deepEqual(uvicorn.args.slice(0, 6), [
    '-m',
    'harness_servers.uvicorn_main',
    '--fd',
    '3',
    '--workers',
    '4',
  ]);
  assert.equal(uvicorn.env.HARNESS_ENDPOINT, 'async');
  assert.equal(uvicorn.env.HARNESS_ANNOUNCE, 'app');
  const werkzeug = serverCommand({ ...config, kind: 'werkzeug' }, '/p');
  assert.deepEqual(werkzeug.args, ['-m', 'harness_servers.werkzeug_main', '--fd', '3']);
  assert.equal(keepAliveSeconds(2500), 3);
});

test('every child runs under setpriv, which kills it when its launcher dies', () => {
  const wrapped = withParentDeathSignal({ file: 'haproxy', args: ['-db'], env: {} });
  assert.equal(wrapped.file, 'setpriv');
  assert.deepEqual(wrapped.args, ['--pdeathsig', 'SIGKILL', '--', 'haproxy', '-db']);
});

test('haproxy balances TCP connections with the policy named, on the inherited socket', () => {
  const base = {
    host: '127.0.0.1',
    port: 0,
    backlog: 4096,
    backends: [
      { host: '127.0.0.1', port: 4001 },
      { host: '127.0.0.1', port: 4002 },
    ],
    idleTimeoutMs: 60_000,
    maxConnections: 264,
    haproxy: '/usr/sbin/haproxy',
  };
  const text = haproxyConfig({ ...base, policy: 'random' });
  assert.match(text, /^ {2}mode tcp$/m);
  assert.match(text, /^ {2}bind fd@3 backlog 4096$/m);
  assert.match(text, /^ {2}balance random\(1\)$/m);
  assert.match(text, /^ {2}maxconn 264$/m);
  assert.match(text, /^ {2}timeout server 60000ms$/m);
  assert.match(text, /^ {2}server replica1 127\.0\.0\.1:4002$/m);
  assert.match(haproxyConfig({ ...base, policy: 'round-robin' }), /balance roundrobin/);
  assert.match(haproxyConfig({ ...base, policy: 'least-connections' }), /balance leastconn/);
  // HTTP mode reuses idle server connections for any request ("safe" would give every client
  // connection's first request, here every request, a new one).
  const http = haproxyConfig({ ...base, policy: 'round-robin', mode: 'http' });
  assert.match(http, /^ {2}mode http$/m);
  assert.match(http, /^ {2}http-reuse always$/m);
  assert.match(http, /^ {2}timeout http-keep-alive 60000ms$/m);
  assert.doesNotMatch(http, /mode tcp/);
  assert.doesNotMatch(text, /http-reuse/);
  assert.deepEqual(haproxyCommand({ ...base, policy: 'random' }, '/tmp/h.cfg').args, [
    '-db',
    '-f',
    '/tmp/h.cfg',
  ]);
});

test("the lifecycle fields become the real servers' own options", () => {
  const life = {
    ...DEFAULT_REAL_LIFECYCLE,
    maxRequests: 200,
    maxRequestsJitter: 20,
    preload: true,
    timeoutS: 30,
    gracefulTimeoutS: 5,
  };
  const gunicorn = serverCommand({ ...config, lifecycle: life }, '/p').args.join(' ');
  for (const part of [
    '--max-requests 200',
    '--max-requests-jitter 20',
    '--preload',
    '--timeout 30',
    '--graceful-timeout 5',
    '--log-level info',
  ])
    assert.ok(gunicorn.includes(part), `${part} missing from ${gunicorn}`);
  const plain = serverCommand(config, '/p').args;
  assert.ok(!plain.includes('--max-requests') && !plain.includes('--preload'));
  const uvicorn = serverCommand(
    { ...config, kind: 'uvicorn', lifecycle: { ...life, limitConcurrency: 50 } },
    '/p',
  ).args.join(' ');
  assert.ok(uvicorn.includes('--limit-max-requests 200'), uvicorn);
  assert.ok(uvicorn.includes('--limit-concurrency 50'), uvicorn);
  assert.ok(!uvicorn.includes('--preload') && !uvicorn.includes('--timeout'), uvicorn);
});

test("a user's app: its directory, import path, interpreter, environment and arguments", () => {
  const app = {
    module: 'shop.main:create_app',
    factory: true,
    interface: 'wsgi' as const,
    dir: '/home/u/shop',
    pythonPath: ['/home/u/shop/src'],
    python: '/home/u/shop/.venv/bin/python',
    env: { SHOP_DB: 'sqlite:///x.db' },
    config: '/home/u/shop/gunicorn.conf.py',
    serverArgs: ['--limit-request-line', '8190'],
    health: null,
    timing: true,
  };
  const command = serverCommand({ ...config, app, python: app.python }, '/p');
  assert.equal(command.file, app.python);
  assert.equal(command.cwd, '/home/u/shop');
  assert.equal(command.args.at(-1), 'harness_servers.own_app:app');
  assert.deepEqual(command.args.slice(-3, -1), ['--limit-request-line', '8190']);
  assert.equal(command.env.PYTHONPATH, '/home/u/shop:/home/u/shop/src:/p');
  assert.equal(command.env.HARNESS_APP, 'shop.main:create_app');
  assert.equal(command.env.HARNESS_APP_FACTORY, '1');
  assert.equal(command.env.HARNESS_USER_CONFIG, '/home/u/shop/gunicorn.conf.py');
  assert.equal(command.env.SHOP_DB, 'sqlite:///x.db');
  assert.equal(withParentDeathSignal(command).cwd, '/home/u/shop');
  const uvicorn = serverCommand(
    {
      ...config,
      kind: 'uvicorn',
      app: { ...app, interface: 'asgi', serverArgs: ['--no-server-header'] },
    },
    '/p',
  );
  assert.ok(uvicorn.args.includes('harness_servers.own_app:app'));
  assert.deepEqual(uvicorn.args.slice(-2), ['--', '--no-server-header']);
});

test("the bundled app's start-up and scheduled job reach it as environment variables", () => {
  const scheduler = {
    election: 'lease' as const,
    intervalUs: 1_000_000,
    runsFile: '/t/runs.ndjson',
    lockPath: '/t/lease.db',
    leaseUs: 3_000_000,
    renewUs: 1_000_000,
    retryUs: 500_000,
  };
  const { env } = serverCommand(
    {
      ...config,
      kind: 'gunicorn-sync',
      startup: {
        appLoadMs: 400,
        init: { ms: 2000, mode: 'one-worker', port: 4567 },
        scheduler,
        loadStarts: 'listening',
      },
    },
    '/p',
  );
  assert.equal(env.HARNESS_APP_LOAD_MS, '400');
  assert.deepEqual(JSON.parse(env.HARNESS_INIT ?? ''), {
    ms: 2000,
    mode: 'one-worker',
    port: 4567,
  });
  assert.deepEqual(JSON.parse(env.HARNESS_SCHEDULER ?? ''), scheduler);
  // Nothing set when the topology asks for nothing.
  assert.deepEqual(startupEnv({ appLoadMs: 0, init: null, loadStarts: 'ready' }), {});
  const plain = serverCommand(config, '/p').env;
  assert.equal(plain.HARNESS_APP_LOAD_MS, undefined);
  assert.equal(plain.HARNESS_SCHEDULER, undefined);
});

test("haproxy's maxconn fits the open-file limit it inherits: two descriptors a connection", () => {
  // An open-loop load's default 10,000 connections (+64) under a limit of 20,000 made haproxy
  // 2.6 refuse to start ("Cannot raise FD limit to 20142, limit is 20000").
  const fitted = fitMaxConnections(10_064, 2, 20_000);
  assert.ok(fitted < 10_064);
  assert.ok(2 * fitted + 14 + 2 <= 20_000, String(fitted));
  assert.equal(fitMaxConnections(264, 2, 20_000), 264);
  assert.equal(fitMaxConnections(10_064, 2, null), 10_064);
  assert.equal(fitMaxConnections(500, 3, 100), 16);
});
