import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { packageRoot } from '../../targets/package-root.js';
import {
  AppLoadError,
  PortInUseError,
  PythonNotFoundError,
  ServerBootError,
  ServersMissingError,
  TargetNotReadyError,
  TargetStartError,
} from '../errors.js';
import { isAlive } from './process-tree.js';
import { startTopology, TARGET_HOST } from './start-topology.js';
import { Supervisor, startError } from './supervisor.js';

const silent = join(packageRoot(), 'dist', 'harness', 'supervise', 'fixtures', 'silent-target.js');
const base = {
  name: 't',
  declaredKind: 'sync' as const,
  workers: 3,
  threads: 1,
  replicas: 2,
  balancer: 'round-robin' as const,
  workerConnections: 1000,
  backlog: 2048,
  keepAlive: 2,
  port: 0,
};
const options = (supervisor: Supervisor) => ({
  supervisor,
  timeScale: 1,
  service: { work: 'sleep' as const, ms: 1 },
  readyTimeoutMs: 30_000,
});

async function allGone(pids: number[], withinMs = 3_000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline && pids.some(isAlive)) await delay(20);
  return pids.filter(isAlive);
}

test('stopAll ends every process of a topology: arbiters, workers and the balancer', async () => {
  const supervisor = new Supervisor();
  const started = await startTopology({ ...base, kind: 'sync' }, options(supervisor));
  const pids = [
    ...started.replicas.flatMap((r) => [r.pid, ...r.workerPids]),
    started.balancer?.pid ?? -1,
  ];
  assert.equal(pids.length, 2 * 4 + 1);
  for (const pid of pids) assert.ok(isAlive(pid));
  await supervisor.stopAll();
  assert.deepEqual(await allGone(pids), []);
  assert.deepEqual(supervisor.pids, []);
});

test('an arbiter replaces a worker that dies, as gunicorn does', async (t) => {
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const exits: number[] = [];
  supervisor.onMessage = (_label, message) => {
    if (message.type === 'worker-exit') exits.push(message.pid);
  };
  const started = await startTopology({ ...base, kind: 'sync', replicas: 1 }, options(supervisor));
  const victim = started.replicas[0]?.workerPids[0] as number;
  process.kill(victim, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (!exits.includes(victim) && Date.now() < deadline) await delay(20);
  assert.deepEqual(exits, [victim]);
});

test('a target that dies during a run is reported as a crash', async () => {
  const supervisor = new Supervisor();
  const crashes: string[] = [];
  supervisor.onCrash = (label) => crashes.push(label);
  const started = await startTopology(
    { ...base, kind: 'flask-dev', workers: 1, replicas: 1 },
    options(supervisor),
  );
  process.kill(started.replicas[0]?.pid as number, 'SIGKILL');
  await started.replicas[0]?.exited;
  await delay(10);
  assert.deepEqual(crashes, ['t replica 0']);
  await supervisor.stopAll();
});

test('a port already in use is refused with PortInUseError and leaves nothing running', async () => {
  const blocker = createServer();
  blocker.listen(0, TARGET_HOST);
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  const supervisor = new Supervisor();
  try {
    await assert.rejects(
      startTopology(
        { ...base, kind: 'flask-dev', workers: 1, replicas: 1, port },
        options(supervisor),
      ),
      (error) => {
        assert.ok(error instanceof PortInUseError);
        assert.match(error.message, new RegExp(`${port}`));
        return true;
      },
    );
    await supervisor.stopAll();
    assert.deepEqual(supervisor.pids, []);
  } finally {
    blocker.close();
  }
});

test('a target that never reports ready times out, and is stopped', async () => {
  const supervisor = new Supervisor();
  await assert.rejects(
    supervisor.start({ label: 'silent', entry: silent, config: {}, readyTimeoutMs: 300 }),
    TargetNotReadyError,
  );
  const pids = supervisor.pids;
  assert.equal(pids.length, 1);
  await supervisor.stopAll();
  assert.deepEqual(await allGone(pids), []);
});

test('a target that exits before it is ready is a start error naming it', async () => {
  const supervisor = new Supervisor();
  await assert.rejects(
    supervisor.start({
      label: 'quitter',
      entry: silent,
      config: { exit: 3 },
      readyTimeoutMs: 5_000,
    }),
    (error) => {
      assert.ok(error instanceof TargetStartError);
      assert.match(error.message, /quitter exited before it was ready \(code 3/);
      return true;
    },
  );
  await supervisor.stopAll();
});

test("a real server's start failure becomes the error of its code, with its fix and last lines", () => {
  const log = ['Traceback (most recent call last):', "ModuleNotFoundError: No module named 'shop'"];
  const cases = [
    ['EAPP', AppLoadError, 'E_APP_LOAD'],
    ['ENOPYTHON', PythonNotFoundError, 'E_PYTHON_NOT_FOUND'],
    ['ENOSERVER', ServersMissingError, 'E_SERVERS_MISSING'],
    ['EBOOT', ServerBootError, 'E_SERVER_BOOT'],
    ['ESTART', TargetStartError, 'E_TARGET_START'],
  ] as const;
  for (const [code, cls, errorCode] of cases) {
    const error = startError('shop replica 0', {
      type: 'failed',
      code,
      message: 'the app shop:app did not load',
      fix: 'fix "app.module"',
      log,
    });
    assert.ok(error instanceof cls, code);
    assert.equal(error.code, errorCode);
    assert.equal(error.fix, 'fix "app.module"');
    assert.match(error.message, /last lines of the server's log:\n {4}Traceback/);
    assert.match(error.message, /No module named 'shop'/);
  }
  const port = startError('x', { type: 'failed', code: 'EADDRINUSE', message: '127.0.0.1:80' });
  assert.ok(port instanceof PortInUseError);
});
