import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PredictedRecord } from '../results/predicted-record.js';
import type { RequestRecord } from '../results/request-record.js';
import type { TopologySpec } from '../scenario/types.js';
import { compileStrict } from '../test-support/compile-strict.js';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { buildCharts } from './charts.js';
import { figureRows } from './figures-chart.js';
import { thin } from './thin.js';
import { timelineSegments, timelineSpec } from './timeline-chart.js';
import { ecdfPoints } from './wait-ecdf-chart.js';
import { waitingSteps } from './waiting-chart.js';
import { WHAT_IF_BUDGET, whatIfBound, whatIfCurve, whatIfReplications } from './what-if.js';
import { modelShareRows, workerShareSpec, workerShares } from './worker-share-chart.js';

function request(index: number, fields: Partial<RequestRecord>): RequestRecord {
  return {
    topology: 'a',
    index,
    intendedStart: 0,
    connected: 0.01,
    written: 0.01,
    accepted: 0.02,
    handlerStart: null,
    handlerEnd: null,
    complete: null,
    wait: null,
    acceptWait: null,
    serverQueue: null,
    replica: 0,
    worker: 0,
    thread: 0,
    pid: 1,
    status: 200,
    error: null,
    errorMessage: null,
    ...fields,
  };
}

/** Two workers, service 1 s: starts at 0, 0, 1, 1; one request refused. */
const records: RequestRecord[] = [
  request(0, { handlerStart: 0, handlerEnd: 1, wait: 0, worker: 0, complete: 1 }),
  request(1, { handlerStart: 0, handlerEnd: 1, wait: 0, worker: 1, complete: 1 }),
  request(2, { handlerStart: 1, handlerEnd: 2, wait: 1, worker: 0, complete: 2 }),
  request(3, { handlerStart: 1, handlerEnd: 2, wait: 1, worker: 1, complete: 2 }),
  request(4, {
    replica: null,
    worker: null,
    thread: null,
    accepted: null,
    status: null,
    error: 'refused',
    errorMessage: 'ECONNREFUSED',
    complete: 0.02,
  }),
];

const predicted: PredictedRecord[] = [0, 0, 1, 1, 2].map((start, index) => ({
  topology: 'a',
  index,
  intendedStart: 0,
  handlerStart: start,
  handlerEnd: start + 1,
  wait: start,
  replica: 0,
  worker: index % 2,
  thread: 0,
}));

test('every chart compiles to Vega without a warning', () => {
  const summary = runSummary([topologySummary('a', [0, 0, 1, 1], { errors: 1 })]);
  const charts = buildCharts({
    summary,
    requests: records,
    predicted,
    whatIf: [
      {
        topology: 'a',
        replicas: 1,
        p95Wait: 1,
        meanWait: 0.5,
        method: 'closed-form',
        current: true,
        replications: 1,
      },
    ],
    model: { seed: 1 },
  });
  assert.deepEqual(
    charts.map((c) => c.id),
    ['figures', 'what-if', 't0-ecdf', 't0-timeline', 't0-waiting', 't0-workers'],
  );
  for (const chart of charts) {
    assert.deepEqual(compileStrict(chart.spec), [], chart.id);
    const text = JSON.stringify(chart.spec);
    assert.match(text, /n = \d+/, `${chart.id} states its sample size`);
    assert.match(text, /"tooltip"/, `${chart.id} has tooltips`);
  }
});

test('the figures chart sets back-of-envelope beside max wait only', () => {
  const rows = figureRows(runSummary([topologySummary('a', [0, 1, 2, 3])]));
  assert.deepEqual(
    rows.filter((r) => r.source === 'back-of-envelope').map((r) => r.figure),
    ['max wait'],
  );
  assert.equal(rows.length, 1 + 4 * 2);
  assert.equal(rows.find((r) => r.figure === 'max wait' && r.source === 'measured')?.seconds, 3);
});

test('the ECDF climbs by 1/n at each wait', () => {
  assert.deepEqual(
    ecdfPoints([2, 0, 1, 1], 'measured', 'm').map((p) => [p.wait, p.fraction]),
    [
      [0, 0],
      [0, 0.25],
      [1, 0.5],
      [1, 0.75],
      [2, 1],
    ],
  );
  assert.deepEqual(ecdfPoints([], 'measured', 'm'), []);
});

test('requests waiting: arrivals minus starts, a request served on arrival never counts', () => {
  // Burst of 5 at 0 on two servers of 1 s: 3 wait after 0, 1 after 1, none after 2.
  assert.deepEqual(
    waitingSteps(predicted.map((p) => ({ arrive: 0, start: p.handlerStart as number }))),
    [
      { time: 0, waiting: 3 },
      { time: 1, waiting: 1 },
      { time: 2, waiting: 0 },
    ],
  );
});

test('worker shares count every worker, idle ones included', () => {
  const rows = workerShares(records, 2, 2, 'measured');
  assert.deepEqual(
    rows.map((r) => [r.worker, r.count]),
    [
      ['r0 w0', 2],
      ['r0 w1', 2],
      ['r1 w0', 0],
      ['r1 w1', 0],
    ],
  );
  assert.equal(rows[0]?.share, 0.5);
});

test("the worker chart shows the model's mean share over its runs with a band, not one run", () => {
  const modelShares = {
    replications: 30,
    workers: [
      { replica: 0, worker: 0, mean: 0.7, p5: 0.6, p95: 0.8 },
      { replica: 0, worker: 1, mean: 0.3, p5: 0.2, p95: 0.4 },
    ],
  };
  const rows = modelShareRows(modelShares);
  assert.deepEqual(
    rows.map((r) => [r.worker, r.source, r.share, r.p5, r.p95, r.count]),
    [
      ['r0 w0', 'predicted', 0.7, 0.6, 0.8, null],
      ['r0 w1', 'predicted', 0.3, 0.2, 0.4, null],
    ],
  );
  const input = {
    topology: 'a',
    replicas: 1,
    workers: 2,
    measured: records.slice(0, 4),
    predicted,
  };
  const spec = workerShareSpec({ ...input, modelShares });
  assert.deepEqual(compileStrict(spec), []);
  const text = JSON.stringify(spec);
  assert.match(text, /mean share over 30 simulated runs/);
  // The bars hold the mean (0.7 and 0.3), not the one kept run's split (3 of 5 on worker 0, 0.6);
  // a whisker runs from p5 to p95.
  assert.match(text, /"y2":\{"field":"p95"\}/);
  assert.ok(text.includes('"share":0.3,'), text);
  assert.ok(!text.includes('"source":"predicted","count":3'), 'no count from the one kept run');
  // A run from before the mean was kept: one simulated run, said so, and no band.
  const old = JSON.stringify(workerShareSpec(input));
  assert.match(old, /one simulated run of 5 requests/);
  assert.doesNotMatch(old, /"y2"/);
  assert.deepEqual(compileStrict(workerShareSpec(input)), []);
});

test('the timeline has a queued and a served bar per request, and a failed one', () => {
  const segments = timelineSegments(records);
  // Accepted at 0.02: requests 2 and 3 waited 0.02 s before accept, then 0.98 s in the server;
  // requests 0 and 1 started before their accept instant was past, so they have one queued bar.
  assert.equal(segments.filter((s) => s.segment === 'queued').length, 2);
  assert.deepEqual(
    segments
      .filter((s) => s.segment.startsWith('queued, '))
      .map((s) => [s.index, s.segment, s.from, s.to]),
    [
      [2, 'queued, not yet accepted', 0, 0.02],
      [2, 'queued, accepted by the server', 0.02, 1],
      [3, 'queued, not yet accepted', 0, 0.02],
      [3, 'queued, accepted by the server', 0.02, 1],
    ],
  );
  assert.equal(segments.filter((s) => s.segment.startsWith('served by worker')).length, 4);
  const failed = segments.filter((s) => s.segment.startsWith('failed'));
  assert.deepEqual(
    failed.map((s) => [s.replica, s.from, s.to]),
    [['not served', 0, 0.02]],
  );
  // Within a replica, rows go by worker, then thread, then handler start.
  const served = segments.filter(
    (s) => s.replica === 'replica 0' && s.segment.startsWith('served'),
  );
  assert.deepEqual(
    served.map((s) => [s.rank, s.worker, s.from]),
    [
      [0, 0, 0],
      [1, 0, 1],
      [2, 1, 0],
      [3, 1, 1],
    ],
  );
});

test('the what-if curve matches the closed form, numpy percentiles as reference', () => {
  const flask: TopologySpec = {
    name: 'f',
    kind: 'flask-dev',
    declaredKind: 'flask-dev',
    workers: 1,
    threads: 1,
    replicas: 2,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: 128,
    keepAlive: 2,
    port: 0,
  };
  const points = whatIfCurve({
    topologies: [flask],
    scenario: {
      load: {
        executor: 'burst',
        users: 10,
        connections: 'new',
        threads: 1,
        record: 'requests',
        requestsFile: true,
      },
      service: { time: 1, work: 'sleep', distribution: 'constant' },
      model: { seed: 1, replications: 1 },
    },
    cores: 2,
  });
  assert.equal(points.length, whatIfBound([flask]));
  assert.equal(whatIfBound([flask]), 8);
  assert.equal(whatIfBound([{ replicas: 20 }]), 32);
  // 1 replica: waits 0..9, numpy.percentile(range(10), 95) = 8.55.
  assert.ok(Math.abs((points[0]?.p95Wait ?? 0) - 8.55) < 1e-9);
  // 2 replicas, round robin: waits 0,0,1,1,...,4,4; numpy.percentile(..., 95) = 4.
  assert.ok(Math.abs((points[1]?.p95Wait ?? 0) - 4) < 1e-9);
  assert.equal(points.filter((p) => p.current).length, 1);
  assert.equal(points.find((p) => p.current)?.replicas, 2);
  for (let i = 1; i < points.length; i++) {
    assert.ok((points[i]?.p95Wait ?? 0) <= (points[i - 1]?.p95Wait ?? 0), 'never worse with more');
  }
});

test('large runs are thinned to every k-th item, keeping both ends, and say so', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(thin(items, 20), { items, stride: 1 });
  assert.deepEqual(thin(items, 4), { items: [0, 3, 6, 9], stride: 3 });
  assert.deepEqual(thin(items, 3).items, [0, 5, 9]);
  const many = Array.from({ length: 7000 }, (_, i) =>
    request(i, { handlerStart: i, handlerEnd: i + 1, wait: i, complete: i + 1 }),
  );
  const spec = timelineSpec({ topology: 'big', timeScale: 1, workers: 1, records: many });
  assert.match(JSON.stringify(spec.title), /1 in every 3 requests shown \(2334 of 7000\)/);
  // The what-if curve keeps the run's replications unless the burst is huge.
  assert.equal(whatIfReplications(200, 20, 200), 200);
  assert.equal(whatIfReplications(100_000, 8, 200), Math.floor(WHAT_IF_BUDGET / 800_000));
  assert.equal(whatIfReplications(10_000_000, 32, 200), 1);
});
