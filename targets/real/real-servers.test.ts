import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { runBurst } from '../../harness/load/burst.js';
import { Recorder } from '../../harness/load/recorder.js';
import type { TopologySpec } from '../../harness/scenario/types.js';
import { descendants, isAlive } from '../../harness/supervise/process-tree.js';
import { startTargets } from '../../harness/supervise/start-targets.js';
import { Supervisor } from '../../harness/supervise/supervisor.js';
import { packageRoot } from '../package-root.js';
import { maxOverlap } from '../test-support/fixtures.js';
import { assertRealServers, skipWithoutRealServers } from './availability.js';
import type { RealKind } from './protocol.js';

/**
 * The real servers (Debian's gunicorn, uvicorn, Werkzeug and haproxy) as the harness launches
 * them: each serves the instrumented app with the concurrency of its kind, reports what served
 * each request, and leaves no process behind however it ends.
 */

const skip = skipWithoutRealServers();

function topology(kind: RealKind, extra: Partial<TopologySpec> = {}): TopologySpec {
  return {
    name: 'real',
    kind,
    declaredKind: kind,
    workers: 1,
    threads: kind === 'uvicorn' || kind === 'gunicorn-uvicorn' ? 40 : 1,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: kind === 'werkzeug' ? 128 : 2048,
    keepAlive: 2,
    port: 0,
    ...extra,
  };
}

async function start(t: { after(fn: () => Promise<void>): void }, spec: TopologySpec, users = 64) {
  assertRealServers();
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const started = await startTargets(spec, {
    supervisor,
    timeScale: 1,
    service: { work: 'sleep', ms: 10 },
    readyTimeoutMs: 30_000,
    requestTimeoutMs: 30_000,
    connections: users,
  });
  assert.ok(!started.external);
  return { supervisor, started };
}

async function burst(origin: string, users: number, ms: number) {
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(users, 'new', {
    origin,
    path: () => `/work?ms=${ms}&work=sleep`,
    recorder,
    connectTimeoutMs: 30_000,
    requestTimeoutMs: 30_000,
  });
  return recorder.requests.map((r) => {
    assert.equal(r.error, undefined, `request ${r.index}: ${r.error?.message}`);
    assert.equal(r.status, 200);
    const s = r.server;
    assert.ok(s?.startUs !== undefined && s.endUs !== undefined, 'X-Server-Clock start and end');
    return {
      start: s.startUs,
      end: s.endUs,
      accepted: s.acceptedUs,
      queueMs: s.queueMs,
      appMs: s.appMs ?? 0,
      pid: s.servedBy.pid,
      replica: s.servedBy.replica,
      thread: s.servedBy.thread,
    };
  });
}

test('Werkzeug (threaded=False) serves one request at a time and reports its accept time', {
  skip,
}, async (t) => {
  const { started } = await start(t, topology('werkzeug'));
  const served = (await burst(started.origin, 5, 100)).sort((a, b) => a.start - b.start);
  assert.equal(maxOverlap(served), 1);
  for (const s of served) {
    assert.ok(s.accepted !== undefined && s.queueMs !== undefined, 'queue reported');
    // The handler slept 100 ms: its time is at least that (and the app adds little).
    assert.ok(s.appMs >= 100 && s.appMs < 200, `app ${s.appMs} ms`);
  }
  // Accepting only when idle: the next connection is accepted after the previous response.
  for (let k = 1; k < served.length; k++)
    assert.ok((served[k]?.accepted ?? 0) >= (served[k - 1]?.end ?? 0) - 1_000);
});

test('gunicorn sync with 3 workers serves exactly 3 at once, one per worker process', {
  skip,
}, async (t) => {
  const { started } = await start(t, topology('gunicorn-sync', { workers: 3 }));
  const served = await burst(started.origin, 9, 200);
  assert.equal(maxOverlap(served), 3);
  const pids = new Set(served.map((s) => s.pid));
  assert.deepEqual([...pids].sort(), [...(started.replicas[0]?.workerPids ?? [])].sort());
});

test('gunicorn gthread 2 workers x 2 threads serves at most 4 at once, on its worker threads', {
  skip,
}, async (t) => {
  const { started } = await start(t, topology('gunicorn-gthread', { workers: 2, threads: 2 }));
  const served = await burst(started.origin, 12, 200);
  assert.ok(maxOverlap(served) <= 4);
  for (const pid of new Set(served.map((s) => s.pid))) {
    const own = served.filter((s) => s.pid === pid);
    assert.ok(maxOverlap(own) <= 2, 'a worker runs at most its 2 threads at once');
    assert.ok(own.every((s) => s.thread === 0 || s.thread === 1));
  }
  // Every request's queue inside the server is reported, from the accept the hook stamped.
  assert.ok(served.every((s) => s.queueMs !== undefined));
});

test('uvicorn with def endpoints runs at most its thread pool per worker; waiting counts as queue', {
  skip,
}, async (t) => {
  const { started } = await start(t, topology('uvicorn', { workers: 2, threads: 3 }));
  const served = await burst(started.origin, 18, 150);
  for (const pid of new Set(served.map((s) => s.pid)))
    assert.ok(maxOverlap(served.filter((s) => s.pid === pid)) <= 3);
  assert.ok(maxOverlap(served) <= 6);
  // Requests beyond the pool waited for a thread: that wait is queue, not handler time.
  assert.ok(served.some((s) => (s.queueMs ?? 0) > 100));
  assert.ok(served.every((s) => s.appMs < 300));
});

test('uvicorn with async endpoints serves a whole burst at once', { skip }, async (t) => {
  const { started } = await start(t, topology('uvicorn', { endpoint: 'async' }));
  const served = await burst(started.origin, 20, 300);
  assert.equal(maxOverlap(served), 20);
});

test('gunicorn with uvicorn workers serves the ASGI app', { skip }, async (t) => {
  const { started } = await start(t, topology('gunicorn-uvicorn', { workers: 2, threads: 2 }));
  const served = await burst(started.origin, 8, 150);
  assert.ok(maxOverlap(served) <= 4);
  assert.ok(served.every((s) => s.queueMs !== undefined));
});

test('haproxy deals connections round robin over 3 replicas', { skip }, async (t) => {
  const { started } = await start(t, topology('gunicorn-sync', { workers: 2, replicas: 3 }));
  assert.ok(started.balancer !== undefined);
  const served = await burst(started.origin, 30, 50);
  const perReplica = [0, 1, 2].map((r) => served.filter((s) => s.replica === r).length);
  assert.deepEqual(perReplica, [10, 10, 10]);
});

test('stopping leaves no launcher, gunicorn, uvicorn, Python or haproxy process, by pid', {
  skip,
}, async (t) => {
  assertRealServers();
  for (const spec of [
    topology('gunicorn-gthread', { workers: 2, threads: 2, replicas: 2 }),
    topology('uvicorn', { workers: 2, replicas: 2 }),
  ]) {
    const { supervisor } = await start(t, spec);
    const pids = descendants(process.pid).filter(isAlive);
    assert.ok(
      pids.length >= 2 * 3 + 1,
      `expected launchers, masters and workers, got ${pids.length}`,
    );
    await supervisor.stopAll();
    assert.deepEqual(pids.filter(isAlive), []);
  }
});

test('a harness killed with SIGKILL takes every real server down with it', { skip }, async (t) => {
  assertRealServers();
  const fixture = join(packageRoot(), 'dist', 'targets', 'real', 'fixtures', 'hold-topology.js');
  const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const deadline = Date.now() + 60_000;
  while (!out.includes('\n') && Date.now() < deadline) await delay(50);
  const pids = JSON.parse(out.split('\n')[0] ?? '[]') as number[];
  assert.ok(pids.length >= 7, `expected launchers, gunicorn and haproxy, got ${pids.length}`);
  child.kill('SIGKILL');
  const gone = Date.now() + 10_000;
  while (pids.some(isAlive) && Date.now() < gone) await delay(50);
  assert.deepEqual(pids.filter(isAlive), []);
});
