import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { runBurst } from '../../harness/load/burst.js';
import { Recorder } from '../../harness/load/recorder.js';
import type { TopologySpec } from '../../harness/scenario/types.js';
import { descendants, isAlive } from '../../harness/supervise/process-tree.js';
import { startTargets } from '../../harness/supervise/start-targets.js';
import { Supervisor } from '../../harness/supervise/supervisor.js';
import { tempDir } from '../../harness/test-support/spawn-cli.js';
import type { TargetMessage } from '../protocol.js';
import { assertRealServers, skipWithoutRealServers } from './availability.js';
import type { OwnApp, RealKind } from './protocol.js';
import { parseServerLine } from './server-log.js';

/**
 * A user's own app, written here in a temporary directory with its own package and import path
 * (nothing of the harness's in it), run by the real servers with their own lifecycle options:
 * the timing middleware wraps it with no change to its code, gunicorn's and uvicorn's logs become
 * the lifecycle messages, and stopping leaves no process, checked by pid.
 */

const skip = skipWithoutRealServers();

const FILES: Record<string, string> = {
  'src/inventory/__init__.py': '',
  'src/inventory/wsgi.py': [
    'import os, time',
    'from flask import Flask, request',
    '',
    'def create_app():',
    '    app = Flask(__name__)',
    '    @app.get("/")',
    '    def index():',
    '        return {"pid": os.getpid(), "greeting": os.environ.get("GREETING")}',
    '    @app.get("/wait")',
    '    def wait():',
    '        time.sleep(float(request.args.get("s", "0.05")))',
    '        return {"pid": os.getpid()}',
    '    return app',
    '',
  ].join('\n'),
  'src/inventory/asgi.py': [
    'import asyncio, os',
    'from fastapi import FastAPI',
    'app = FastAPI()',
    '@app.get("/")',
    'async def index():',
    '    await asyncio.sleep(0.05)',
    '    return {"pid": os.getpid()}',
    '',
  ].join('\n'),
  'deploy/gunicorn.conf.py': [
    'import os',
    'workers = 7',
    'limit_request_line = 4000',
    'def post_fork(server, worker):',
    '    open(os.path.join(os.environ["MARK_DIR"], "forked-%d" % worker.pid), "w").close()',
    '',
  ].join('\n'),
};

async function project(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await tempDir(t);
  for (const [name, text] of Object.entries(FILES)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

function app(dir: string, module: string, extra: Partial<OwnApp> = {}): OwnApp {
  return {
    module,
    factory: false,
    interface: 'wsgi',
    dir,
    pythonPath: [join(dir, 'src')],
    env: {},
    serverArgs: [],
    health: null,
    timing: true,
    ...extra,
  };
}

function topology(kind: RealKind, own: OwnApp, extra: Partial<TopologySpec> = {}): TopologySpec {
  return {
    name: 'own',
    kind,
    declaredKind: kind,
    workers: 2,
    threads: 2,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: 2048,
    keepAlive: 2,
    port: 0,
    app: own,
    ...extra,
  };
}

const NO_LIFE = {
  maxRequests: 0,
  maxRequestsJitter: 0,
  appLoadTime: 0,
  preload: false,
  timeout: 0,
  init: null,
  loadStarts: 'ready' as const,
};

async function start(
  t: { after(fn: () => Promise<void>): void },
  spec: TopologySpec,
  logDir: string,
) {
  assertRealServers();
  const supervisor = new Supervisor();
  supervisor.logDir = logDir;
  const messages: TargetMessage[] = [];
  supervisor.onMessage = (_label, message) => messages.push(message);
  const stop = async (): Promise<void> => {
    const pids = descendants(process.pid);
    await supervisor.stopAll();
    assert.deepEqual(pids.filter(isAlive), [], 'a process outlived the stop');
  };
  t.after(() => supervisor.stopAll());
  const started = await startTargets(spec, {
    supervisor,
    timeScale: 1,
    service: { work: 'sleep', ms: 10 },
    readyTimeoutMs: 30_000,
    requestTimeoutMs: 30_000,
    connections: 64,
  });
  assert.ok(!started.external);
  return { started, messages, stop };
}

async function burst(origin: string, users: number, path: string) {
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(users, 'new', {
    origin,
    path: () => path,
    recorder,
    connectTimeoutMs: 30_000,
    requestTimeoutMs: 30_000,
  });
  return recorder.requests;
}

test('gunicorn gthread recycles the workers of an app it imports from its own path, and its log says so', {
  skip,
}, async (t) => {
  const dir = await project(t);
  const logs = join(dir, 'logs');
  const own = app(dir, 'inventory.wsgi:create_app', { factory: true, env: { GREETING: 'hello' } });
  // At most 2 connections per worker: the rest wait in the kernel's queue for a replacement,
  // rather than in a worker that accepted them all before its limit.
  const spec = topology('gunicorn-gthread', own, {
    workerConnections: 2,
    lifecycle: { ...NO_LIFE, maxRequests: 5, maxRequestsJitter: 2 },
  });
  const { started, messages, stop } = await start(t, spec, logs);
  assert.deepEqual(started.replicas[0]?.servers?.[0]?.name, 'gunicorn');
  const served = await burst(started.origin, 24, '/wait?s=0.05');
  for (const r of served) {
    assert.equal(r.status, 200, r.error?.message);
    // The middleware wrapped the app, whose code knows nothing of it.
    assert.ok(
      r.server?.appMs !== undefined && (r.server.servedBy.pid ?? 0) > 0,
      'Server-Timing, X-Served-By',
    );
  }
  // Give the master time to replace the recycled workers and log it.
  await delay(2_500);
  await stop();
  const log = await readFile(join(logs, 'own-replica-0.log'), 'utf8');
  const events = log.split('\n').map(parseServerLine);
  // gthread logs "Autorestarting" for each request it finishes past its limit: one pid, once.
  const recycled = [...new Set(events.flatMap((e) => (e?.type === 'recycling' ? [e.pid] : [])))];
  const booted = events.flatMap((e) => (e?.type === 'boot' ? [e.pid] : []));
  // 24 requests, workers recycling after 5 to 7 (and serving at most 2 more they had accepted).
  assert.ok(recycled.length >= 3, `recycled ${recycled.length}`);
  const exits = messages.filter(
    (m): m is Extract<TargetMessage, { type: 'worker-exit' }> => m.type === 'worker-exit',
  );
  const recycledExits = exits.filter((m) => m.reason === 'max-requests').map((m) => m.pid);
  assert.deepEqual(recycledExits.sort(), [...recycled].sort());
  const spawns = messages.filter((m) => m.type === 'worker-spawn').map((m) => m.pid);
  // Every replacement the log booted after the start was reported, with a slot of its own.
  assert.deepEqual(spawns.sort(), booted.slice(2).sort());
  for (const m of messages) if ('worker' in m) assert.ok(m.worker === 0 || m.worker === 1);
});

test("the user's gunicorn.conf.py: its settings and hooks apply, the topology's fields win and are said", {
  skip,
}, async (t) => {
  const dir = await project(t);
  const own = app(dir, 'inventory.wsgi:create_app', {
    factory: true,
    config: join(dir, 'deploy', 'gunicorn.conf.py'),
    env: { MARK_DIR: dir },
  });
  const { started, stop } = await start(t, topology('gunicorn-sync', own), join(dir, 'logs'));
  const workers = started.replicas[0]?.workerPids ?? [];
  assert.equal(workers.length, 2, "the topology's 2 workers, not the file's 7");
  await stop();
  for (const pid of workers) await readFile(join(dir, `forked-${pid}`));
  const log = await readFile(join(dir, 'logs', 'own-replica-0.log'), 'utf8');
  assert.match(log, /sets workers = 7; the topology's '2' runs/);
});

test("uvicorn and gunicorn's uvicorn workers serve an ASGI app; 3 replicas behind haproxy", {
  skip,
}, async (t) => {
  const dir = await project(t);
  const asgi = app(dir, 'inventory.asgi:app', { interface: 'asgi' });
  for (const kind of ['uvicorn', 'gunicorn-uvicorn'] as const) {
    const { started, stop } = await start(t, topology(kind, asgi), join(dir, `logs-${kind}`));
    const names = (started.replicas[0]?.servers ?? []).map((s) => s.name);
    assert.ok(names.includes('uvicorn'), names.join());
    const served = await burst(started.origin, 10, '/');
    assert.ok(served.every((r) => r.status === 200 && r.server?.appMs !== undefined));
    // async handlers that await: all at once, nothing queues behind another.
    assert.ok(new Set(served.map((r) => r.server?.servedBy.pid)).size >= 1);
    await stop();
  }
  const wsgi = app(dir, 'inventory.wsgi:create_app', { factory: true });
  const { started, stop } = await start(
    t,
    topology('gunicorn-sync', wsgi, { replicas: 3, workers: 1 }),
    join(dir, 'logs-x3'),
  );
  assert.ok(started.balancer !== undefined);
  const served = await burst(started.origin, 9, '/wait?s=0.05');
  const perReplica = [0, 1, 2].map(
    (r) => served.filter((s) => s.server?.servedBy.replica === r).length,
  );
  assert.deepEqual(perReplica, [3, 3, 3]);
  await stop();
});

test('gunicorn --timeout (with --preload) kills a sync worker stuck in a request: WORKER TIMEOUT, reason timeout', {
  skip,
}, async (t) => {
  const dir = await project(t);
  const own = app(dir, 'inventory.wsgi:create_app', { factory: true });
  // --preload: the app is imported once, in the master, so a worker (the replacement too) boots
  // at once; without it, a boot slower than the 1 s timeout (Flask's import on a busy machine)
  // would get the worker killed while booting, before it serves anything.
  const spec = topology('gunicorn-sync', own, {
    workers: 1,
    lifecycle: { ...NO_LIFE, timeout: 1, preload: true },
  });
  const { started, messages, stop } = await start(t, spec, join(dir, 'logs'));
  const [stuck] = await burst(started.origin, 1, '/wait?s=6');
  assert.notEqual(stuck?.status, 200);
  const deadline = Date.now() + 10_000;
  while (!messages.some((m) => m.type === 'worker-ready') && Date.now() < deadline) await delay(50);
  await stop();
  const exit = messages.find((m) => m.type === 'worker-exit');
  assert.ok(exit?.type === 'worker-exit' && exit.reason === 'timeout', JSON.stringify(messages));
  assert.ok(
    messages.some((m) => m.type === 'worker-ready'),
    'the replacement served',
  );
});
