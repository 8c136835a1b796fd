import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopologySummary } from '../results/summary.js';
import type { WorkerLifeFigures } from '../results/worker-life.js';
import { compileStrict } from '../test-support/compile-strict.js';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { deploymentText } from './deployment-text.js';
import { handlersAtOnceSpec, handlersRows } from './handlers-chart.js';
import { compareOverTimeSpec, overTimeRows, overTimeSpec } from './over-time-chart.js';
import { comparisonSentence, findingsLines, setupFindings } from './setup-findings.js';
import { setupsSection } from './setups-section.js';

/** The setups section, its findings in words, and the issue-6 chart specs. */

function life(overrides: Partial<WorkerLifeFigures>): WorkerLifeFigures {
  return {
    workers: 4,
    restarts: 0,
    exitsByReason: { 'max-requests': 0, timeout: 0, crash: 0 },
    timeBelowFull: 0,
    timeAtZero: 0,
    meanLive: 4,
    firstServing: 0,
    allServing: 0,
    killedBooting: 0,
    restartLoops: 0,
    neverServed: 0,
    lastInitialised: null,
    degraded: { requests: 0, failed: 0, meanWait: null, p95Wait: null, maxWait: null },
    full: { requests: 100, failed: 0, meanWait: 0.01, p95Wait: 0.05, maxWait: 0.1 },
    delayedThreshold: 0.08,
    delayed: 0,
    until: 150,
    ...overrides,
  };
}

const window = (start: number, p95: number, live: number) => ({
  start,
  arrived: 60,
  completed: 60,
  failed: 0,
  throughput: 12,
  latencyP50: p95 / 2,
  latencyP95: p95,
  latencyMax: p95,
  waitMean: 0,
  waitMax: 0,
  liveWorkers: live,
});

function recycling(): TopologySummary {
  const t = topologySummary('n200', [0.1, 0.2, 3]);
  t.lifecycle = {
    maxRequests: 200,
    maxRequestsJitter: 0,
    appLoadTime: 4,
    preload: false,
    timeout: 0,
    init: null,
    loadStarts: 'ready',
  };
  t.workerLife = {
    measured: life({
      restarts: 8,
      exitsByReason: { 'max-requests': 8, timeout: 0, crash: 0 },
      timeBelowFull: 12.4,
      timeAtZero: 3.7,
      degraded: { requests: 165, failed: 0, meanWait: 2.2, p95Wait: 3.45, maxWait: 3.6 },
      delayed: 124,
      delayedThreshold: 2,
    }),
    predicted: {
      ...life({
        restarts: 8,
        exitsByReason: { 'max-requests': 8, timeout: 0, crash: 0 },
        timeBelowFull: 13.6,
        timeAtZero: 2.4,
      }),
      runs: 20,
    },
  };
  t.overTime = {
    width: 5,
    measured: [window(0, 0.3, 4), window(5, 3.7, 1.3)],
    predicted: [window(0, 0.3, 4), window(5, 3.6, 1.2)],
  };
  return t;
}

function coldStart(): TopologySummary {
  const t = topologySummary('every-worker', [], { errors: 334 });
  t.workerLife = {
    measured: life({
      firstServing: null,
      allServing: null,
      killedBooting: 12,
      restartLoops: 4,
      neverServed: 4,
      timeBelowFull: 39.7,
      timeAtZero: 39.7,
      meanLive: 0,
      degraded: { requests: 334, failed: 334, meanWait: null, p95Wait: null, maxWait: null },
      delayed: null,
      delayedThreshold: null,
    }),
    predicted: null,
  };
  return t;
}

function asyncBlocking(): TopologySummary {
  const t = topologySummary('blocking', [0, 1, 2, 3]);
  t.kind = 'async';
  t.declaredKind = 'async';
  t.asyncWorker = { handler: 'blocking', threadPool: 40 };
  t.handlersAtOnce = { measured: 2, predicted: 2, modelLimit: 2, claimed: 200 };
  return t;
}

test('recycling findings name the restarts, the time short of workers and the delayed requests', () => {
  const summary = runSummary([recycling()]);
  summary.load = {
    executor: 'constant-arrival-rate',
    rate: 12,
    duration: 150,
    arrivals: 'poisson',
    maxConnections: 10000,
    threads: 1,
    record: 'requests',
    requestsFile: true,
  };
  const [findings] = setupFindings(summary);
  const text = findings?.sentences.join(' ') ?? '';
  assert.match(text, /8 workers recycled after max-requests \(model 8\)/);
  assert.match(text, /Fewer than 4 workers served for 12\.4s \(model 13\.6s\), none for 3\.7s/);
  assert.match(text, /The 165 requests that arrived while workers were missing waited 2\.2s/);
  assert.match(text, /124 waited longer than the full-strength p99 \(2s\)/);
  assert.match(text, /Worst 5s window: p95 latency 3\.7s \(from 5s\)/);
});

test('a cold start that never serves says so, with its kills and restart loops', () => {
  const [findings] = setupFindings(runSummary([coldStart()]));
  const text = findings?.sentences.join(' ') ?? '';
  assert.match(text, /No worker ever served/);
  assert.match(
    text,
    /12 workers killed by the timeout while booting; 4 slots killed more than once/,
  );
  assert.match(text, /None of the 334 requests that arrived while workers were missing was served/);
});

test('an async claim is checked against the most handlers at once', () => {
  const [findings] = setupFindings(runSummary([asyncBlocking()]));
  assert.match(
    findings?.sentences[0] ?? '',
    /At most 2 requests .* the claim of 200 is 100x what ran/,
  );
  assert.equal(
    deploymentText(asyncBlocking()),
    '; blocking call in async def: one at a time per worker, claimed 200 at once',
  );
  assert.equal(deploymentText(topologySummary('plain', [1])), '');
});

test('the section escapes names and is empty for runs without lifecycle or claims', () => {
  assert.equal(setupsSection(runSummary([topologySummary('plain', [1, 2])])), '');
  assert.deepEqual(findingsLines(runSummary([topologySummary('plain', [1, 2])])), []);
  const hostile = recycling();
  hostile.name = '<script>x</script>';
  const html = setupsSection(runSummary([hostile, coldStart()]));
  assert.ok(!html.includes('<script>x'));
  assert.match(html, /&lt;script&gt;x&lt;\/script&gt;/);
  assert.match(html, /The setups compared/);
  assert.equal(comparisonSentence(runSummary([hostile])), null);
});

test('the over-time and handlers charts compile without warnings and carry their units', () => {
  const t = recycling();
  const overTime = t.overTime;
  assert.ok(overTime !== undefined);
  const one = overTimeSpec({
    topology: t.name,
    timeScale: 0.1,
    overTime,
    measuredCount: 120,
    predictedCount: 120,
  });
  const all = compareOverTimeSpec({
    timeScale: 0.1,
    topologies: [
      { name: 'a', overTime, requests: 120 },
      { name: 'b', overTime, requests: 120 },
    ],
  });
  const handlers = handlersAtOnceSpec({ timeScale: 0.1, topologies: [asyncBlocking()] });
  for (const spec of [one, all, handlers]) {
    assert.deepEqual(compileStrict(spec), []);
    const text = JSON.stringify(spec);
    assert.match(text, /scenario second/);
    assert.match(text, /n = /);
    assert.match(text, /"tooltip"/);
  }
  // Three panels per window; a window without a latency leaves its latency point out.
  assert.equal(overTimeRows('m', overTime.measured).length, 6);
  assert.equal(overTimeRows('m', [{ ...window(0, 1, 4), latencyP95: null }]).length, 2);
  assert.deepEqual(
    handlersRows([asyncBlocking()]).map((r) => [r.figure, r.value]),
    [
      ['claimed', 200],
      ['model limit', 2],
      ['measured, most at once', 2],
      ['predicted, most at once', 2],
    ],
  );
});
