import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import type {
  TopologyLifecycle,
  EmulatedTopologySpec as TopologySpec,
} from '../harness/scenario/types.js';
import { descendants, isAlive } from '../harness/supervise/process-tree.js';
import { startTopology } from '../harness/supervise/start-topology.js';
import { Supervisor } from '../harness/supervise/supervisor.js';
import { parseTimingHeaders } from './instrument.js';
import type { TargetMessage } from './protocol.js';

/**
 * The worker life cycle of the emulated gunicorn arbiter, observed from outside: recycling after
 * max-requests, the app load before a replacement accepts, --preload, and the heartbeat timeout
 * that kills a worker still booting. Assertions are on identities, counts and orderings; where a
 * duration matters it is compared with another measured in the same test, or with a sleep the
 * target cannot shorten.
 */

const LIFECYCLE: TopologyLifecycle = {
  maxRequests: 0,
  maxRequestsJitter: 0,
  appLoadTime: 0,
  preload: false,
  timeout: 0,
  init: null,
  loadStarts: 'ready',
};

function topology(lifecycle: Partial<TopologyLifecycle>, workers = 1): TopologySpec {
  return {
    name: 't',
    kind: 'sync',
    declaredKind: 'sync',
    workers,
    threads: 1,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: 2048,
    keepAlive: 2,
    port: 0,
    lifecycle: { ...LIFECYCLE, ...lifecycle },
  };
}

type Event = TargetMessage & { receivedAt: number };

async function start(spec: TopologySpec, timeScale = 1) {
  const supervisor = new Supervisor();
  const events: Event[] = [];
  supervisor.onMessage = (_label, message) => events.push({ ...message, receivedAt: Date.now() });
  const started = await startTopology(spec, {
    supervisor,
    timeScale,
    service: { work: 'sleep', ms: 10 },
    readyTimeoutMs: 30_000,
  });
  return { ...started, supervisor, events, stop: () => supervisor.stopAll() };
}

async function get(origin: string, path = '/work?ms=20') {
  const response = await request(`${origin}${path}`, { reset: true });
  await response.body.dump();
  return { status: response.statusCode, server: parseTimingHeaders(response.headers) };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await delay(10);
}

test('a sync worker at max-requests answers its last request, stops accepting and exits; its replacement accepts after the app load', async (t) => {
  const target = await start(topology({ maxRequests: 3, appLoadTime: 0.4 }));
  t.after(() => target.stop());
  const first = [await get(target.origin), await get(target.origin), await get(target.origin)];
  // The third request reached the limit: it is still served, to the end, by the same worker.
  for (const r of first) assert.equal(r.status, 200);
  const recycled = first[0]?.server.servedBy.pid as number;
  assert.deepEqual(new Set(first.map((r) => r.server.servedBy.pid)), new Set([recycled]));
  // The next request waits in the kernel's queue: the recycled worker never accepts it.
  const fourth = await get(target.origin);
  assert.equal(fourth.status, 200);
  const replacement = fourth.server.servedBy.pid as number;
  assert.notEqual(replacement, recycled);
  await until(() => !isAlive(recycled));
  assert.equal(isAlive(recycled), false);
  const exit = target.events.find((e) => e.type === 'worker-exit');
  assert.ok(exit?.type === 'worker-exit');
  assert.equal(exit.pid, recycled);
  assert.equal(exit.reason, 'max-requests');
  // The replacement loads the app (a 400 ms sleep) before it accepts: it accepted the fourth
  // connection at least that long after the exit.
  const ready = target.events.find((e) => e.type === 'worker-ready' && e.pid === replacement);
  assert.ok(ready?.type === 'worker-ready' && ready.atUs !== undefined && exit.atUs !== undefined);
  assert.ok(ready.atUs - exit.atUs >= 400_000, `ready ${ready.atUs - exit.atUs} µs after the exit`);
  assert.ok((fourth.server.acceptedUs as number) >= ready.atUs);
});

test('while one worker restarts, the other serves every request', async (t) => {
  const target = await start(topology({ maxRequests: 1, appLoadTime: 1.5 }, 2));
  t.after(() => target.stop());
  const a = await get(target.origin);
  // The first worker recycled after one request and loads the app for 1.5 s; meanwhile the
  // remaining worker serves the next request at once.
  const b = await get(target.origin);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.notEqual(a.server.servedBy.pid, b.server.servedBy.pid);
  await until(() => target.events.filter((e) => e.type === 'worker-exit').length === 2);
  const exits = target.events.filter((e) => e.type === 'worker-exit');
  assert.deepEqual(
    exits.map((e) => (e.type === 'worker-exit' ? e.pid : 0)).sort(),
    [a.server.servedBy.pid, b.server.servedBy.pid].sort(),
  );
});

test('with preload a replacement accepts right after the fork, without the app load', async () => {
  const gap = async (preload: boolean): Promise<number> => {
    const target = await start(topology({ maxRequests: 1, appLoadTime: 0.6, preload }));
    try {
      // Give the spare process time to come up, as it has between restarts in a run.
      await delay(300);
      await get(target.origin);
      await until(() => target.events.some((e) => e.type === 'worker-ready'));
      const exit = target.events.find((e) => e.type === 'worker-exit');
      const ready = target.events.find((e) => e.type === 'worker-ready');
      assert.ok(exit?.type === 'worker-exit' && ready?.type === 'worker-ready');
      return ((ready.atUs as number) - (exit.atUs as number)) / 1000;
    } finally {
      await target.stop();
    }
  };
  const withLoad = await gap(false);
  const preloaded = await gap(true);
  assert.ok(withLoad >= 600, `without preload the replacement was ready ${withLoad} ms after`);
  assert.ok(
    preloaded < withLoad / 3,
    `with preload ${preloaded} ms, without ${withLoad} ms: the app load was not skipped`,
  );
});

test('a worker process that dies before the first activation is started again, and the server comes up', async (t) => {
  const supervisor = new Supervisor();
  const events: TargetMessage[] = [];
  supervisor.onMessage = (_label, message) => events.push(message);
  t.after(() => supervisor.stopAll());
  const starting = startTopology(topology({}, 2), {
    supervisor,
    timeScale: 1,
    service: { work: 'sleep', ms: 10 },
    readyTimeoutMs: 30_000,
  });
  // The arbiter forks its worker processes at once and activates them only when every one is
  // up; a Node process takes tens of milliseconds to come up, so one killed as soon as it
  // exists dies before its activation.
  let victim: number | undefined;
  const deadline = Date.now() + 20_000;
  while (victim === undefined && Date.now() < deadline) {
    const arbiter = supervisor.pids[0];
    if (arbiter !== undefined && arbiter > 0) victim = descendants(arbiter)[0];
    if (victim === undefined) await delay(1);
  }
  assert.ok(victim !== undefined, 'the arbiter forked a worker process');
  process.kill(victim, 'SIGKILL');
  // Without a new process the arbiter would wait for it forever and the start time out.
  const started = await starting;
  const answer = await get(started.origin);
  assert.equal(answer.status, 200);
  // Two worker processes, neither the dead one, which died before it was a worker: no worker
  // exit was told for it.
  const workers = descendants(supervisor.pids[0] as number);
  assert.equal(workers.length, 2, `worker processes: ${workers.join(', ')}`);
  assert.ok(!workers.includes(victim));
  assert.ok(!events.some((e) => e.type === 'worker-exit' && e.pid === victim));
});

test('a worker still booting past the timeout is killed and replaced, over and over', async (t) => {
  // Boot 6 s, timeout 1 s, checked every scenario second; at time scale 0.5 in real time: a
  // 3 s boot against a 0.5 s timeout, killed at the check at about 1 s.
  const target = await start(
    topology({ appLoadTime: 6, timeout: 1, loadStarts: 'listening' }),
    0.5,
  );
  t.after(() => target.stop());
  await until(
    () =>
      target.events.filter((e) => e.type === 'worker-exit' && e.reason === 'timeout').length >= 2,
  );
  const kills = target.events.filter((e) => e.type === 'worker-exit');
  assert.ok(kills.length >= 2, `only ${kills.length} kills`);
  for (const k of kills) assert.ok(k.type === 'worker-exit' && k.reason === 'timeout');
  // Each kill got a new process, and none ever became ready: a restart loop.
  const pids = new Set(kills.map((k) => (k.type === 'worker-exit' ? k.pid : 0)));
  assert.equal(pids.size, kills.length);
  assert.equal(target.events.filter((e) => e.type === 'worker-ready').length, 0);
});

test('a boot shorter than the timeout survives, and a serving sync worker keeps notifying', async (t) => {
  const target = await start(topology({ appLoadTime: 0.5, timeout: 3 }), 0.5);
  t.after(() => target.stop());
  // Idle for several timeouts: the heartbeat keeps the worker alive.
  await delay(2_000);
  const served = await get(target.origin);
  assert.equal(served.status, 200);
  assert.equal(target.events.filter((e) => e.type === 'worker-exit').length, 0);
});

test('a sync request running past the timeout gets its worker killed and the request fails', async (t) => {
  const target = await start(topology({ timeout: 1 }), 0.5);
  t.after(() => target.stop());
  const before = (await get(target.origin)).server.servedBy.pid;
  // A 2 s request against a 0.5 s (real) timeout: a sync worker does not notify while it serves.
  await assert.rejects(get(target.origin, '/work?ms=2000'));
  await until(() => target.events.some((e) => e.type === 'worker-exit'));
  const exit = target.events.find((e) => e.type === 'worker-exit');
  assert.ok(exit?.type === 'worker-exit');
  assert.equal(exit.reason, 'timeout');
  assert.equal(exit.pid, before);
  const after = await get(target.origin);
  assert.notEqual(after.server.servedBy.pid, before);
});

test('a gthread worker at max-requests stops accepting, serves what it queued, and exits', async (t) => {
  const spec: TopologySpec = {
    ...topology({ maxRequests: 2, appLoadTime: 0.3 }),
    kind: 'gthread',
    declaredKind: 'gthread',
    threads: 1,
  };
  const target = await start(spec);
  t.after(() => target.stop());
  // Two requests at once on one thread: the second waits inside the worker for the thread, and
  // is still served after the first reached the limit.
  const [a, b] = await Promise.all([
    get(target.origin, '/work?ms=200'),
    get(target.origin, '/work?ms=200'),
  ]);
  assert.equal(a?.status, 200);
  assert.equal(b?.status, 200);
  assert.equal(a?.server.servedBy.pid, b?.server.servedBy.pid);
  const c = await get(target.origin);
  assert.notEqual(c.server.servedBy.pid, a?.server.servedBy.pid);
  await until(() => target.events.some((e) => e.type === 'worker-exit'));
  const exit = target.events.find((e) => e.type === 'worker-exit');
  assert.ok(exit?.type === 'worker-exit' && exit.reason === 'max-requests');
});

test('an async (uvicorn) worker at max-requests stops listening, answers what it holds, and exits', async (t) => {
  const spec: TopologySpec = {
    ...topology({ maxRequests: 2, appLoadTime: 0.3 }),
    kind: 'async',
    declaredKind: 'async',
    asyncWorker: { handler: 'await', threadPool: 40 },
  };
  const target = await start(spec);
  t.after(() => target.stop());
  // Three requests at once: the second reaches the limit, and the third, already read by the
  // worker's loop, is still answered (uvicorn's shutdown finishes the requests it holds).
  const answers = await Promise.all([
    get(target.origin, '/work?ms=200'),
    get(target.origin, '/work?ms=200'),
    get(target.origin, '/work?ms=200'),
  ]);
  for (const a of answers) assert.equal(a.status, 200);
  await until(() => target.events.some((e) => e.type === 'worker-exit'));
  const exit = target.events.find((e) => e.type === 'worker-exit');
  assert.ok(exit?.type === 'worker-exit' && exit.reason === 'max-requests');
  const first = answers[0]?.server.servedBy.pid;
  const next = await get(target.origin);
  assert.equal(next.status, 200);
  assert.notEqual(next.server.servedBy.pid, first);
});
