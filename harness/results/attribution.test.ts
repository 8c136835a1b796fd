import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelTopology } from '../model/simulate.js';
import { ATTRIBUTION_FIGURES, attribute } from './attribution.js';
import type { RequestRecord } from './request-record.js';

const SYNC_2: ModelTopology = {
  kind: 'sync',
  workers: 2,
  threads: 1,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
};

/** A served request's record from the instants that matter (scenario seconds). */
function record(
  index: number,
  at: { written: number; start: number; end: number; worker: number; thread?: number },
): RequestRecord {
  return {
    topology: 't',
    index,
    intendedStart: 0,
    connected: null,
    written: at.written,
    accepted: null,
    handlerStart: at.start,
    handlerEnd: at.end,
    complete: at.end,
    wait: at.start,
    acceptWait: null,
    serverQueue: null,
    replica: 0,
    worker: at.worker,
    thread: at.thread ?? 0,
    pid: null,
    status: 200,
    error: null,
    errorMessage: null,
  };
}

/**
 * Six requests on two sync workers, 1 s asked: written 10 ms late, handlers 20 ms long, 3 ms
 * from written to start on a free worker, 5 ms between one request and the next. By hand:
 * predicted waits 0,0,1,1,2,2 (mean 1); measured 13 ms, 13 ms, 1.038, 1.038, 2.063, 2.063.
 */
function sixRequests(): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (const worker of [0, 1]) {
    let start = 0.013;
    for (let k = 0; k < 3; k++) {
      out.push({
        ...record(worker + 2 * k, { written: 0.01, start, end: start + 1.02, worker }),
        // Each response takes 4 ms more to reach the load generator.
        complete: start + 1.024,
      });
      start += 1.02 + 0.005;
    }
  }
  return out;
}

const PREDICTED = {
  count: 6,
  meanWait: 1,
  p50Wait: 1,
  p95Wait: 2,
  p99Wait: 2,
  maxWait: 2,
  makespan: 3,
};

test('each measured input takes its share, computed by hand, and the parts add up to measured minus predicted', () => {
  const attribution = attribute({
    records: sixRequests(),
    topology: SYNC_2,
    behaviour: {},
    serviceTimes: new Float64Array([1]),
    predicted: PREDICTED,
    backOfEnvelope: 3,
    seed: 1,
    replications: 3,
    timeScale: 0.1,
  });
  assert.ok(attribution !== null);
  const share = (cause: string) =>
    attribution.steps.find((s) => s.cause === cause)?.share.meanWait ?? Number.NaN;
  const close = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} against ${expected}`);
  close(share('arrivals'), 0.01);
  close(share('handlers'), 0.02);
  close(share('assignment'), 0);
  close(share('server costs'), 0.008);
  close(attribution.measured.meanWait, 1.038);
  for (const figure of ATTRIBUTION_FIGURES) {
    const parts =
      attribution.steps.reduce((sum, s) => sum + s.share[figure], 0) + attribution.residual[figure];
    close(parts, attribution.measured[figure] - attribution.predicted[figure]);
  }
  close(attribution.apparatus.responseReturnMs, 0.004 * 0.1 * 1000);
  close(attribution.measured.makespan, 2.063 + 1.024);
  close(attribution.residual.makespan, 0);
  // Shared FCFS queues with the mean costs replayed: nothing is left for the model.
  close(attribution.residual.meanWait, 0);
  close(attribution.apparatus.lateness.meanMs, 0.01 * 0.1 * 1000);
  close(attribution.apparatus.handOff.meanMs, 0.005 * 0.1 * 1000);
  close(attribution.apparatus.delivery.meanMs, 0.003 * 0.1 * 1000);
  close(attribution.apparatus.handlerOverrunMs, 0.02 * 0.1 * 1000);
  close(attribution.apparatus.serverCostShare, 0.008 / 1.038);
  close(attribution.apparatus.apparatusShare, (0.01 + 0.02 + 0.008) / 1.038);
});

test('the apparatus share counts each part by its size, so parts pulling opposite ways do not cancel', () => {
  // Handlers asked for 1.05 ran about 1.02: their share is negative, the lateness's positive.
  const attribution = attribute({
    records: sixRequests(),
    topology: SYNC_2,
    behaviour: {},
    serviceTimes: new Float64Array([1.05]),
    predicted: PREDICTED,
    backOfEnvelope: 3,
    seed: 1,
    replications: 3,
    timeScale: 0.1,
  });
  assert.ok(attribution !== null);
  const share = (cause: string) =>
    attribution.steps.find((s) => s.cause === cause)?.share.meanWait ?? Number.NaN;
  assert.ok(share('handlers') < 0 && share('arrivals') > 0);
  const expected =
    (Math.abs(share('arrivals')) + Math.abs(share('handlers')) + Math.abs(share('server costs'))) /
    attribution.measured.meanWait;
  assert.ok(Math.abs(attribution.apparatus.apparatusShare - expected) < 1e-9);
  const net =
    (share('arrivals') + share('handlers') + share('server costs')) / attribution.measured.meanWait;
  assert.ok(attribution.apparatus.apparatusShare > net);
});

test('the assignment step takes a burst that piled onto one worker, and the residual stays the model error', () => {
  // Four requests, two workers, but one worker served three of them (the measured draw).
  const records = [
    record(0, { written: 0, start: 0, end: 1, worker: 0 }),
    record(1, { written: 0, start: 0, end: 1, worker: 1 }),
    record(2, { written: 0, start: 1, end: 2, worker: 0 }),
    record(3, { written: 0, start: 2, end: 3, worker: 0 }),
  ];
  const attribution = attribute({
    records,
    topology: { ...SYNC_2, kind: 'gthread', threads: 1 },
    behaviour: {},
    serviceTimes: new Float64Array([1]),
    predicted: { ...PREDICTED, count: 4, meanWait: 0.5, p95Wait: 1, maxWait: 1, makespan: 2 },
    backOfEnvelope: 2,
    seed: 1,
    replications: 1,
    timeScale: 1,
  });
  assert.ok(attribution !== null);
  const assignment = attribution.steps.find((s) => s.cause === 'assignment');
  // Replayed as measured: waits 0, 0, 1, 2 (mean 0.75, max 2) against the model's own draw.
  assert.equal(assignment?.model.meanWait, 0.75);
  assert.equal(assignment?.model.maxWait, 2);
  assert.equal(attribution.residual.meanWait, 0);
});

test('no attribution where it cannot be honest: async workers, recycling, nothing served', () => {
  const base = {
    records: sixRequests(),
    topology: SYNC_2,
    behaviour: {},
    serviceTimes: new Float64Array([1]),
    predicted: PREDICTED,
    backOfEnvelope: 3,
    seed: 1,
    replications: 1,
    timeScale: 1,
  };
  assert.equal(attribute({ ...base, topology: { ...SYNC_2, kind: 'async' } }), null);
  assert.equal(attribute({ ...base, behaviour: { maxRequests: 10 } }), null);
  assert.equal(attribute({ ...base, records: [] }), null);
});

test('a sticky race: the prediction hands its stickiness to the re-runs, so arrivals on time move nothing', async () => {
  const { predictLoad } = await import('../model/predict-load.js');
  const topology: ModelTopology = {
    kind: 'gthread',
    workers: 4,
    threads: 2,
    replicas: 3,
    balancer: 'round-robin',
    workerConnections: 1000,
  };
  const prediction = predictLoad({
    topology,
    load: {
      executor: 'burst',
      users: 60,
      connections: 'new',
      threads: 1,
      record: 'requests',
      requestsFile: false,
    },
    distribution: { kind: 'constant', mean: 1 },
    serviceTimes: Float64Array.of(1),
    work: 'sleep',
    cores: 2,
    seed: 3,
    replications: 20,
    stickiness: 0.9,
  });
  assert.equal(prediction.deployment.behaviour.stickiness, 0.9);
  // Every request written at its intended instant (the burst's), handlers as asked: the step
  // for the load generator's lateness must change nothing. Re-run with the uniform race (the
  // deployment without its stickiness), it took in the difference between the two races.
  const records = Array.from({ length: 60 }, (_, i) =>
    record(i, { written: 0, start: 0, end: 1, worker: i % 4 }),
  ).map((r, i) => ({ ...r, replica: i % 3 }));
  const waits = prediction.waits;
  assert.ok(waits !== null);
  const a = attribute({
    records,
    topology: prediction.deployment.topology,
    behaviour: prediction.deployment.behaviour,
    serviceTimes: Float64Array.of(1),
    predicted: waits.stats,
    backOfEnvelope: Number.NaN,
    seed: 3,
    replications: 20,
    timeScale: 1,
  });
  assert.ok(a !== null);
  const lateness = a.steps.find((s) => s.cause === 'arrivals');
  assert.ok(lateness !== undefined);
  for (const figure of ATTRIBUTION_FIGURES)
    assert.ok(
      Math.abs(lateness.share[figure]) < 1e-9,
      `${figure}: lateness share ${lateness.share[figure]}`,
    );
});
