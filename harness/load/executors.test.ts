import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startMinimalTarget, startTestTopology } from '../../targets/test-support/fixtures.js';
import { arrivalInstants } from '../model/arrivals.js';
import { checkInteractiveLaw } from '../model/interactive-law.js';
import { checkLittlesLaw } from '../model/littles-law.js';
import { createRandom } from '../model/random.js';
import { runBurst } from './burst.js';
import { runClosedUsers } from './closed-users.js';
import { runOpenLoop } from './open-loop.js';
import { Recorder } from './recorder.js';
import { runThroughput } from './throughput.js';

/**
 * Each executor against real loopback targets. Timing tolerances are wide on purpose: this
 * machine is shared and noisy, and the tests are about behaviour (arrivals follow the plan, the
 * operational laws hold, coordinated omission is corrected), not speed.
 */

const timeouts = { connectTimeoutMs: 10_000, requestTimeoutMs: 10_000 };
const toNs = (plan: Float64Array): Float64Array => plan.map((s) => s * 1e9);
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

test('an open loop writes each request at its planned instant, and Little’s law holds', async (t) => {
  const origin = await startMinimalTarget(t);
  // 300/s for 1 s, the first at 0 and the last at 1 s: 301 requests.
  const plan = toNs(arrivalInstants({ kind: 'constant', rate: 300, duration: 1 }, createRandom(1)));
  const recorder = new Recorder({ keepRequests: true });
  const outcome = await runOpenLoop({
    origin,
    path: () => '/?ms=20',
    recorder,
    arrivals: plan,
    expected: plan.length,
    maxConnections: 1000,
    ...timeouts,
  });
  assert.equal(outcome.sent, 301);
  assert.equal(recorder.counts.completed, 301);
  const lateness = recorder.requests.map((r) => ((r.writtenNs as number) - r.intendedNs) / 1e6);
  // Stated tolerance: half the requests within 5 ms of their plan, four in five within 20 ms (the
  // suite shares a 2-core machine with other tests' servers; the benchmark measures the real
  // figure, a median of about 0.1 ms on a quiet machine).
  assert.ok(median(lateness) <= 5, `median lateness ${median(lateness)} ms`);
  assert.ok(lateness.filter((l) => l <= 20).length >= 241, 'four in five within 20 ms');
  const seconds = outcome.elapsedNs / 1e9;
  const law = checkLittlesLaw({
    meanInSystem: outcome.meanInFlight,
    arrivalRate: recorder.counts.completed / seconds,
    meanTimeInSystem: recorder.residenceNs / recorder.counts.completed / 1e9,
    tolerance: 0.1,
  });
  assert.ok(law.holds, `L = ${law.meanInSystem.toFixed(2)}, λW = ${law.predicted.toFixed(2)}`);
});

test('a ramp follows its plan in order', async (t) => {
  const origin = await startMinimalTarget(t);
  const plan = toNs(
    arrivalInstants(
      { kind: 'stages', startRate: 0, stages: [{ target: 400, duration: 1 }], process: 'poisson' },
      createRandom(3),
    ),
  );
  const recorder = new Recorder({ keepRequests: true });
  const outcome = await runOpenLoop({
    origin,
    path: () => '/',
    recorder,
    arrivals: plan,
    expected: plan.length,
    maxConnections: 1000,
    ...timeouts,
  });
  assert.equal(outcome.sent, plan.length);
  assert.equal(recorder.counts.completed, plan.length);
  // Dispatched in plan order, each at or after its instant (the pool may then write a request
  // that found an idle connection before one that waits for a new connection).
  const byIndex = [...recorder.requests].sort((a, b) => a.index - b.index);
  for (let k = 1; k < byIndex.length; k++) {
    assert.ok((byIndex[k]?.dispatchedNs as number) >= (byIndex[k - 1]?.dispatchedNs as number));
    assert.ok((byIndex[k]?.dispatchedNs as number) >= (byIndex[k]?.intendedNs as number));
  }
  // A linear ramp from 0 has Λ(t) ∝ t², so its second half holds three times the first's arrivals.
  const firstHalf = plan.filter((ns) => ns < 0.5e9).length;
  assert.ok(
    Math.abs((plan.length - firstHalf) / firstHalf - 3) < 0.6,
    `ratio ${(plan.length - firstHalf) / firstHalf}`,
  );
});

test('coordinated omission: latency from the intended start shows the queue the client hid', async (t) => {
  // One connection to a one-at-a-time server that takes 40 ms, asked for 50 requests a second:
  // requests pile up in the client. Timed from when each was written they look fine; timed from
  // when each was meant to start, the growing queue shows.
  const target = await startTestTopology({ kind: 'flask-dev' });
  t.after(() => target.stop());
  const plan = toNs(arrivalInstants({ kind: 'constant', rate: 50, duration: 1 }, createRandom(1)));
  const recorder = new Recorder({ keepRequests: true });
  await runOpenLoop({
    origin: target.origin,
    path: () => '/work?ms=40',
    recorder,
    arrivals: plan,
    expected: plan.length,
    maxConnections: 1,
    ...timeouts,
  });
  assert.equal(recorder.counts.completed, 51);
  const corrected = recorder.histograms.latency.getValueAtPercentile(90) / 1000;
  const uncorrected = recorder.histograms.latencyUncorrected.getValueAtPercentile(90) / 1000;
  assert.ok(uncorrected < 100, `uncorrected p90 ${uncorrected} ms`);
  assert.ok(
    corrected > 3 * uncorrected,
    `corrected p90 ${corrected} ms vs uncorrected ${uncorrected} ms`,
  );
  assert.ok(recorder.counts.late > 25, `${recorder.counts.late} requests were written late`);
});

for (const think of ['constant', 'exponential'] as const) {
  test(`closed users with ${think} think time obey N = X(R + Z)`, async (t) => {
    const origin = await startMinimalTarget(t);
    const recorder = new Recorder({ keepRequests: false });
    const outcome = await runClosedUsers({
      origin,
      path: () => '/?ms=10',
      recorder,
      users: 4,
      thinkNs: 20e6,
      think,
      iterations: 25,
      seed: 5,
      ...timeouts,
    });
    assert.equal(recorder.counts.completed, 100);
    const seconds = outcome.elapsedNs / 1e9;
    const completed = recorder.counts.completed;
    const law = checkInteractiveLaw({
      users: outcome.activeUserNs / outcome.elapsedNs,
      throughput: completed / seconds,
      meanResponse: recorder.sojournNs / completed / 1e9,
      meanThink: outcome.thinkTotalNs / completed / 1e9,
    });
    assert.ok(law.holds, `N̄ = ${law.users.toFixed(2)}, X(R + Z) = ${law.predicted.toFixed(2)}`);
    // Think time is measured, not assumed: timers overshoot on a busy machine, and the law uses
    // what was spent.
    assert.ok(outcome.thinkTotalNs / outcome.thinks >= 20e6 * (think === 'constant' ? 0.9 : 0.5));
  });
}

test('a closed-users run by duration stops sending when the duration is over', async (t) => {
  const origin = await startMinimalTarget(t);
  const recorder = new Recorder({ keepRequests: true });
  await runClosedUsers({
    origin,
    path: () => '/?ms=5',
    recorder,
    users: 3,
    thinkNs: 10e6,
    think: 'constant',
    durationNs: 300e6,
    seed: 1,
    ...timeouts,
  });
  for (const r of recorder.requests) assert.ok(r.intendedNs < 300e6);
  assert.ok(recorder.requests.length > 10);
});

test('the throughput executor keeps a record of every response when asked', async (t) => {
  const origin = await startMinimalTarget(t);
  const recorder = new Recorder({ keepRequests: true });
  const outcome = await runThroughput({
    origin,
    path: () => '/',
    recorder,
    connections: 8,
    pipelining: 1,
    durationSeconds: 1,
    keepRequests: true,
    threads: 1,
    ...timeouts,
  });
  assert.ok(outcome.completed > 100, `${outcome.completed} responses`);
  assert.equal(outcome.errors, 0);
  assert.equal(recorder.counts.completed, outcome.completed);
  assert.ok(outcome.requestsPerSecond > 100);
});

test('a warm burst sends every request on a connection opened before it', async (t) => {
  const target = await startTestTopology({
    kind: 'gthread',
    workers: 2,
    threads: 4,
    keepAlive: 30,
  });
  t.after(() => target.stop());
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(40, 'warm', {
    origin: target.origin,
    path: () => '/work?ms=20',
    recorder,
    ...timeouts,
  });
  assert.equal(recorder.counts.completed, 40);
  for (const r of recorder.requests) {
    assert.equal(r.connectedNs, undefined, 'no new connection during the burst');
    // Written when the corked socket let it go, after every request was dispatched.
    assert.ok(r.writtenNs !== undefined && r.writtenNs >= (r.dispatchedNs as number));
  }
  const lastDispatched = Math.max(...recorder.requests.map((r) => r.dispatchedNs as number));
  const firstWritten = Math.min(...recorder.requests.map((r) => r.writtenNs as number));
  assert.ok(firstWritten >= lastDispatched, 'no request reached the kernel before all were queued');
});

test('a warm burst on a server that accepts one connection at a time serves every request', async (t) => {
  // Flask's dev server: the connections wait in its backlog, accepted one by one after the burst.
  const target = await startTestTopology({ kind: 'flask-dev', keepAlive: 30 });
  t.after(() => target.stop());
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(20, 'warm', {
    origin: target.origin,
    path: () => '/work?ms=5',
    recorder,
    ...timeouts,
  });
  assert.equal(recorder.counts.completed, 20, JSON.stringify(recorder.counts.errors));
  const starts = recorder.requests.map((r) => r.server?.startUs as number).sort((a, b) => a - b);
  for (let k = 1; k < starts.length; k++)
    assert.ok((starts[k] as number) - (starts[k - 1] as number) >= 4_000, 'one at a time');
});
