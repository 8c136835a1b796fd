import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'undici';
import { runBurst } from '../harness/load/burst.js';
import { Recorder } from '../harness/load/recorder.js';
import { get, maxOverlap, startTestTopology } from './test-support/fixtures.js';

/**
 * Each emulated server's concurrency behaviour, observed from the outside: real processes on
 * loopback, real connections, the server's own reported instants (µs, CLOCK_MONOTONIC).
 */

async function burstOf(origin: string, users: number, path: string) {
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(users, 'new', {
    origin,
    path: () => path,
    recorder,
    connectTimeoutMs: 20_000,
    requestTimeoutMs: 20_000,
  });
  for (const r of recorder.requests)
    assert.equal(r.error, undefined, `request ${r.index}: ${r.error?.message}`);
  return recorder.requests.map((r) => {
    const s = r.server;
    assert.ok(s?.startUs !== undefined && s.endUs !== undefined && s.acceptedUs !== undefined);
    return {
      start: s.startUs,
      end: s.endUs,
      accepted: s.acceptedUs,
      pid: s.servedBy.pid,
      worker: s.servedBy.worker,
      replica: s.servedBy.replica,
      queueMs: s.queueMs ?? 0,
      appMs: s.appMs ?? 0,
    };
  });
}

function listenBacklog(port: number): number {
  // For a listening socket, ss shows the accept-queue limit (the backlog) as Send-Q.
  const line =
    execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0] ?? '';
  return Number(line.trim().split(/\s+/)[2]);
}

test('a 4-worker sync target serves exactly 4 requests at once, and queues none inside', async (t) => {
  const target = await startTestTopology({ kind: 'sync', workers: 4 });
  t.after(() => target.stop());
  const served = await burstOf(target.origin, 12, '/work?ms=300');
  assert.equal(maxOverlap(served), 4);
  assert.equal(new Set(served.map((s) => s.pid)).size, 4);
  // Accepting only when idle: a request starts as soon as its worker accepted it.
  // A request queued inside the worker would wait a whole service time (300 ms); what is left
  // is reading the request, which a busy machine can stretch to tens of milliseconds.
  for (const s of served) assert.ok(s.queueMs < 150, `queued ${s.queueMs} ms inside a sync worker`);
  // Three rounds: the 5th and 9th starts wait for a full service time.
  const starts = served.map((s) => s.start).sort((a, b) => a - b);
  assert.ok((starts[4] as number) - (starts[0] as number) >= 250_000);
  assert.ok((starts[8] as number) - (starts[4] as number) >= 250_000);
});

test('flask-dev serves one request at a time and accepts the next only when done', async (t) => {
  const target = await startTestTopology({ kind: 'flask-dev' });
  t.after(() => target.stop());
  assert.equal(listenBacklog(Number(new URL(target.origin).port)), 128);
  const served = (await burstOf(target.origin, 4, '/work?ms=150')).sort(
    (a, b) => a.start - b.start,
  );
  assert.equal(maxOverlap(served), 1);
  for (let k = 1; k < served.length; k++) {
    const previous = served[k - 1] as (typeof served)[number];
    assert.ok(
      (served[k] as (typeof served)[number]).accepted >= previous.end,
      `request ${k} was accepted while the server was busy`,
    );
  }
});

test('gunicorn kinds listen with backlog 2048', async (t) => {
  const target = await startTestTopology({ kind: 'sync', workers: 2 });
  t.after(() => target.stop());
  assert.equal(listenBacklog(Number(new URL(target.origin).port)), 2048);
});

test('a gthread worker runs `threads` requests at once and queues the rest inside itself', async (t) => {
  const target = await startTestTopology({ kind: 'gthread', workers: 1, threads: 3 });
  t.after(() => target.stop());
  const served = await burstOf(target.origin, 6, '/work?ms=200');
  assert.equal(maxOverlap(served), 3);
  const queued = served.filter((s) => s.queueMs >= 150);
  assert.equal(queued.length, 3, 'three requests waited inside the worker for a thread');
});

test('gthread with worker_connections = 1 accepts only when idle, like sync', async (t) => {
  const target = await startTestTopology({
    kind: 'gthread',
    workers: 2,
    threads: 1,
    workerConnections: 1,
  });
  t.after(() => target.stop());
  const served = await burstOf(target.origin, 4, '/work?ms=200');
  assert.equal(maxOverlap(served), 2);
  for (const s of served) assert.ok(s.queueMs < 100, `queued ${s.queueMs} ms of a 200 ms service`);
});

test('a gthread request waits inside its busy worker while another worker is idle', async (t) => {
  const target = await startTestTopology({
    kind: 'gthread',
    workers: 2,
    threads: 1,
    keepAlive: 30,
  });
  t.after(() => target.stop());
  // Open keep-alive connections until two belong to the same worker; both workers accept.
  const clients: Client[] = [];
  t.after(() => Promise.all(clients.map((c) => c.close())));
  const byWorker = new Map<number, Client[]>();
  for (let i = 0; i < 32 && ![...byWorker.values()].some((list) => list.length >= 2); i++) {
    const client = new Client(target.origin, {
      keepAliveTimeout: 20_000,
      keepAliveTimeoutThreshold: 0,
    });
    clients.push(client);
    const { server } = await get(client, '/work?ms=1');
    const worker = server.servedBy.worker as number;
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), client]);
  }
  const pair = [...byWorker.entries()].find(([, list]) => list.length >= 2);
  assert.ok(pair !== undefined, 'two connections on one worker');
  const [busyWorker, [first, second]] = pair as [number, Client[]];
  const long = get(first as Client, '/work?ms=700');
  await delay(100);
  const short = await get(second as Client, '/work?ms=5');
  await long;
  assert.equal(short.server.servedBy.worker, busyWorker);
  // It waited for the long request although the other worker had nothing to do.
  assert.ok((short.server.queueMs ?? 0) > 400, `queued ${short.server.queueMs} ms`);
});

test('CPU-bound requests in one gthread worker share its core in GIL-sized slices', async (t) => {
  const target = await startTestTopology({ kind: 'gthread', workers: 1, threads: 2 }, 'cpu');
  t.after(() => target.stop());
  const served = await burstOf(target.origin, 2, '/work?ms=150&work=cpu');
  // Run one after the other, the first would take 150 ms; interleaved, both take about 300 ms.
  for (const s of served)
    assert.ok(s.appMs >= 225, `a CPU-bound request took ${s.appMs} ms of wall time`);
});

for (const balancer of ['round-robin', 'least-connections'] as const) {
  test(`a ${balancer} balancer deals a burst evenly over replicas`, async (t) => {
    const target = await startTestTopology({ kind: 'flask-dev', replicas: 3, balancer });
    t.after(() => target.stop());
    const served = await burstOf(target.origin, 9, '/work?ms=100');
    const perReplica = [0, 1, 2].map((r) => served.filter((s) => s.replica === r).length);
    assert.deepEqual(perReplica, [3, 3, 3]);
  });
}

test('a random balancer sends every request to some replica', async (t) => {
  const target = await startTestTopology({
    kind: 'sync',
    workers: 2,
    replicas: 3,
    balancer: 'random',
  });
  t.after(() => target.stop());
  const served = await burstOf(target.origin, 30, '/work?ms=10');
  assert.equal(served.length, 30);
  for (const s of served) assert.ok([0, 1, 2].includes(s.replica as number));
  assert.ok(new Set(served.map((s) => s.replica)).size >= 2);
});
