import assert from 'node:assert/strict';
import { test } from 'node:test';
import { herfindahl } from '../accept-race.js';
import { createRandom } from '../random.js';
import { type ModelTopology, simulate, type WorkerBehaviour } from '../simulate.js';
import { ConnectionPool } from './connection-pool.js';
import { NONE } from './request-slots.js';

const always = (): boolean => true;

test('the pool hands out the connection idled last, and none once the newest has expired', () => {
  const pool = new ConnectionPool(2, 3, 2);
  pool.release(0, 0, 1);
  pool.release(0, 2, 1.5);
  pool.release(1, 4, 1.5);
  assert.equal(pool.take(0, 2, always), 2);
  assert.equal(pool.take(0, 2, always), 0);
  assert.equal(pool.take(0, 2, always), NONE);
  // Replica 1's connection went idle at 1.5 and the servers close it 2 s later.
  assert.equal(pool.take(1, 3.6, always), NONE);
  assert.equal(pool.size(1), 0);
});

test("a gone or no longer accepting worker's connections are skipped and dropped", () => {
  const pool = new ConnectionPool(1, 2, 10);
  pool.release(0, 0, 0);
  pool.release(0, 1, 0);
  pool.release(0, 1, 0.5);
  pool.workerGone(1);
  assert.equal(pool.take(0, 1, always), 0);
  pool.release(0, 1, 2);
  assert.equal(
    pool.take(0, 2, (g) => g !== 1),
    NONE,
  );
  assert.equal(pool.size(0), 0);
});

const gthread = (workers: number, threads: number): ModelTopology => ({
  kind: 'gthread',
  workers,
  threads,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
});

function run(
  topology: ModelTopology,
  arrivals: number[],
  service: number,
  behaviour: Partial<WorkerBehaviour>,
  seed: number,
) {
  return simulate({
    topology,
    behaviour,
    arrivals: Float64Array.from(arrivals),
    service: new Float64Array(arrivals.length).fill(service),
    random: createRandom(seed),
  });
}

test('a request that finds an idle connection goes to its worker, with no accept race', () => {
  // Two workers of one thread, 1 s handlers. Requests at 0 and 0.5 both open connections (the
  // first is busy when the second comes), which the race hands out; by 3 both are idle (the
  // second released last, at 1.5 or at 2 if it waited), so the third request rides on it: same
  // worker, no wait.
  let differed = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const reused = run(gthread(2, 1), [0, 0.5, 3], 1, { reuse: { keepAlive: 2 } }, seed);
    assert.equal(reused.worker[2], reused.worker[1], `seed ${seed}`);
    assert.equal(reused.start[2], 3);
    const fresh = run(gthread(2, 1), [0, 0.5, 3], 1, {}, seed);
    if (fresh.worker[2] !== fresh.worker[1]) differed++;
    // Kept alive 0.9 s only: both connections are closed by 3 (idle since 2 at the latest), so
    // it races, drawing what the TCP-mode run draws.
    const expired = run(gthread(2, 1), [0, 0.5, 3], 1, { reuse: { keepAlive: 0.9 } }, seed);
    assert.deepEqual([...expired.worker], [...fresh.worker], `seed ${seed}`);
  }
  // A uniform race gives the third request the other worker about half the time (40 draws:
  // all on one side has probability 2 x 2^-40).
  assert.ok(differed > 0 && differed < 40, `${differed}`);
});

test('a steady trickle rides on one kept-alive connection: one worker serves every request', () => {
  // One request every 2 s, 1 s handlers, on 4 workers: in TCP mode each opens a connection and
  // a uniform race spreads them; in HTTP mode the first connection is reused for all.
  const arrivals = Array.from({ length: 40 }, (_, i) => 2 * i);
  const shares = (behaviour: Partial<WorkerBehaviour>) => {
    const result = run(gthread(4, 1), arrivals, 1, behaviour, 7);
    const counts = [0, 0, 0, 0];
    for (const w of result.worker) counts[w] = (counts[w] as number) + 1;
    return counts;
  };
  assert.equal(herfindahl(shares({ reuse: { keepAlive: 5 } })), 1);
  // Uniform: the mean index is 1/4 + (3/4)/40 = 0.269; one run stays well below 1.
  assert.ok(herfindahl(shares({})) < 0.5);
});

test('sync workers close every connection, so HTTP mode changes nothing for them', () => {
  const topology: ModelTopology = { ...gthread(3, 1), kind: 'sync', workerConnections: 1 };
  const arrivals = [0, 0, 0, 0.5, 4, 4, 9];
  const tcp = run(topology, arrivals, 1, {}, 3);
  const http = run(topology, arrivals, 1, { reuse: { keepAlive: 100 } }, 3);
  assert.deepEqual([...http.start], [...tcp.start]);
  assert.deepEqual([...http.worker], [...tcp.worker]);
});

test('a recycled worker loses its kept-alive connections', () => {
  // Two workers of one thread, each exiting after 1 request and back 0.5 s later. The first
  // request's worker exits at 1 and its replacement accepts at 1.5: the request at 3 cannot ride
  // on the old process's connection, so it opens one and the race may give it either worker.
  let other = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const result = run(
      gthread(2, 1),
      [0, 3],
      1,
      { reuse: { keepAlive: 100 }, maxRequests: 1, restartTime: 0.5 },
      seed,
    );
    assert.equal(result.start[1], 3);
    if (result.worker[1] !== result.worker[0]) other++;
  }
  assert.ok(other > 0 && other < 40, `${other}`);
});
