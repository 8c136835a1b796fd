import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopologySpec } from '../harness/scenario/types.js';
import { startInitResource } from '../harness/supervise/lifecycle-target.js';
import { Supervisor } from '../harness/supervise/supervisor.js';
import { SharedCapacity } from './shared-capacity.js';
import { initialise } from './worker-boot.js';

/**
 * The shared resource of a cold start: processor sharing checked exactly on plain numbers, and
 * the real process checked by ratios of durations measured in the same test.
 */

test('a shared resource of capacity 2 runs two jobs at full speed and shares among more', () => {
  const r = new SharedCapacity<string>(2);
  r.add('a', 4, 0);
  r.add('b', 4, 0);
  assert.equal(r.nextCompletion(), 4);
  r.add('c', 4, 0);
  // Three jobs on capacity 2: each at 2/3, so 4 units take 6.
  assert.equal(r.nextCompletion(), 6);
  // c leaves at 3 (its owner died): a and b have 2 left and go on at full speed.
  r.remove('c', 3);
  assert.equal(r.nextCompletion(), 5);
  assert.deepEqual(r.finished(5).sort(), ['a', 'b']);
  assert.equal(r.size, 0);
  assert.equal(r.nextCompletion(), Number.POSITIVE_INFINITY);
});

const spec = (capacity: number): TopologySpec => ({
  name: 'r',
  kind: 'sync',
  declaredKind: 'sync',
  workers: 1,
  threads: 1,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
  backlog: 2048,
  keepAlive: 2,
  port: 0,
  lifecycle: {
    maxRequests: 0,
    maxRequestsJitter: 0,
    appLoadTime: 0,
    preload: false,
    timeout: 0,
    init: { time: 1, mode: 'every-worker', capacity },
    loadStarts: 'ready',
  },
});

async function timed<T>(work: Promise<T>): Promise<number> {
  const start = performance.now();
  await work;
  return performance.now() - start;
}

test('initialisations at once on the resource process take as long as they share it', async (t) => {
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const resource = await startInitResource(spec(1), supervisor, '127.0.0.1', 30_000);
  assert.ok(resource !== undefined);
  const init = { ms: 300, mode: 'every-worker' as const, resourcePort: resource.port };
  const alone = await timed(initialise(init));
  const four = await timed(Promise.all([1, 2, 3, 4].map(() => initialise(init))));
  // Four at once on capacity 1: each progresses at a quarter speed, all finish at 4x.
  const ratio = four / alone;
  assert.ok(ratio > 3 && ratio < 5.5, `four at once took ${ratio.toFixed(2)}x one alone`);
});

test('one-worker: the first claimant does the work, the others skip it', async (t) => {
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const resource = await startInitResource(spec(1), supervisor, '127.0.0.1', 30_000);
  assert.ok(resource !== undefined);
  const init = { ms: 300, mode: 'one-worker' as const, resourcePort: resource.port };
  const answers = await Promise.all([initialise(init), initialise(init), initialise(init)]);
  assert.equal(answers.filter((a) => !a.skipped).length, 1);
  assert.equal(answers.filter((a) => a.skipped).length, 2);
  // Done once: later claimants skip too.
  assert.deepEqual(await initialise(init), { skipped: true });
});
