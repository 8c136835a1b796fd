import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_REAL_LIFECYCLE } from './command.js';
import type { RealServerConfig } from './protocol.js';
import { startFailure } from './start-failure.js';

const config: RealServerConfig = {
  kind: 'gunicorn-sync',
  replica: 0,
  host: '127.0.0.1',
  port: 0,
  backlog: 2048,
  workers: 2,
  threads: 1,
  workerConnections: 1000,
  keepAliveMs: 2000,
  endpoint: 'def',
  service: { work: 'sleep', ms: 10 },
  python: '/opt/venv/bin/python',
  lifecycle: DEFAULT_REAL_LIFECYCLE,
  app: {
    module: 'shop.main:app',
    factory: false,
    interface: 'wsgi',
    dir: '/srv/shop',
    pythonPath: ['/srv/shop/src'],
    env: {},
    serverArgs: [],
    health: null,
    timing: true,
  },
};

test('why a real server did not start: its code, the field to fix, its last lines', () => {
  const log = ['[1] [INFO] Booting worker with pid: 2', 'harness:worker-ready pid=2', 'x'];
  const module = startFailure(
    config,
    'exited (code 4, signal null)',
    { kind: 'module', message: "No module named 'shop'" },
    log,
  );
  assert.equal(module.code, 'EAPP');
  assert.match(
    module.message,
    /the app shop\.main:app did not load \(module\): No module named 'shop'/,
  );
  assert.match(
    module.fix ?? '',
    /"app\.module" names shop\.main, which is not on the import path \(\/srv\/shop, \/srv\/shop\/src\)/,
  );
  // The harness's own markers are not the server's log.
  assert.deepEqual(module.log, ['[1] [INFO] Booting worker with pid: 2', 'x']);
  const interface_ = startFailure(config, 'exited', { kind: 'interface', message: 'ASGI' }, []);
  assert.match(interface_.fix ?? '', /kind "gunicorn-sync" serves WSGI apps/);
  const python = startFailure(config, 'exited (code 127, signal null)', undefined, [
    'setpriv: failed to execute /opt/venv/bin/python: No such file or directory',
  ]);
  assert.equal(python.code, 'ENOPYTHON');
  assert.match(python.fix ?? '', /"app\.python" \(or "app\.venv"\)/);
  const server = startFailure(config, 'exited (code 1, signal null)', undefined, [
    '/opt/venv/bin/python: No module named gunicorn',
  ]);
  assert.equal(server.code, 'ENOSERVER');
  assert.match(server.fix ?? '', /pip install gunicorn/);
  const boot = startFailure(config, 'exited (code 2, signal null)', undefined, [
    "gunicorn: error: argument --limit-request-line: invalid int value: 'many'",
  ]);
  assert.equal(boot.code, 'EBOOT');
  assert.match(
    boot.message,
    /gunicorn-sync replica 0: the server exited \(code 2, signal null\) while booting/,
  );
  assert.match(boot.fix ?? '', /"app\.serverArgs", "app\.config"/);
});
