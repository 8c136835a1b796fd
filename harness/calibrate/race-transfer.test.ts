import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SweepMeasurement } from './race-sweep.js';
import {
  mechanismBetter,
  observationOf,
  renderTransfer,
  type TransferRow,
  transferTable,
} from './race-transfer.js';

const measurement = (name: string, users: number, shares: number[][][]): SweepMeasurement => ({
  name,
  server: 'gunicorn-gthread',
  workers: 3,
  threads: 2,
  replicas: 1,
  workerConnections: 1000,
  users,
  serviceMs: 100,
  shares,
  // One worker of 3 with 2 threads took everything: the k-th of its requests waits floor(k/2) x 0.1 s.
  waits: shares.map(() => Array.from({ length: users }, (_, k) => Math.floor(k / 2) * 0.1)),
  spreadsMs: shares.map(() => 10),
  errors: 0,
});

test('the spacing is the median spread over the gaps between connections', () => {
  const o = observationOf(measurement('a', 11, [[[11, 0, 0]]]));
  assert.equal(o.spacing, 0.001);
  assert.equal(o.topology.kind, 'gthread');
});

test('each configuration is predicted from the others, with both models beside the measurement', () => {
  const all = [
    measurement('a', 12, [[[12, 0, 0]], [[0, 12, 0]]]),
    measurement('b', 24, [[[24, 0, 0]], [[0, 0, 24]]]),
  ];
  const rows = transferTable(all, () => 0.9, 20, 10);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.measured.herfindahl, 1);
    assert.ok(row.mechanism.herfindahl > 0.6, String(row.mechanism.herfindahl));
    assert.ok(row.sticky.herfindahl > 0.4);
  }
  assert.match(renderTransfer(rows), /^a +2 +1\.000/m);
  const verdict = mechanismBetter(rows);
  assert.match(verdict.text, /mean absolute error out of sample/);
  assert.equal(mechanismBetter([]).better, false);
});

test("a held-out configuration is predicted with the fitted configurations' spacing, not its own", () => {
  // 'tight' sent its connections 100 times closer together than the others: had the table used
  // its own spacing, its prediction would change with it. The planner would not know it.
  const tight = { ...measurement('tight', 12, [[[12, 0, 0]]]), spreadsMs: [0.1] };
  const loose = [
    { ...measurement('a', 12, [[[6, 6, 0]]]), spreadsMs: [10] },
    { ...measurement('b', 24, [[[8, 8, 8]]]), spreadsMs: [30] },
    { ...measurement('c', 18, [[[9, 9, 0]]]), spreadsMs: [20] },
  ];
  const asIs = transferTable([tight, ...loose], () => 0.5, 20, 10).find((r) => r.name === 'tight');
  const spread = transferTable([{ ...tight, spreadsMs: [50] }, ...loose], () => 0.5, 20, 10).find(
    (r) => r.name === 'tight',
  );
  assert.ok(asIs !== undefined && spread !== undefined);
  assert.deepEqual(asIs.mechanism, spread.mechanism);
  assert.deepEqual(asIs.parameters, spread.parameters);
});

/** A row whose mechanism and stickiness miss the measured 1 s by the given fractions. */
function judged(name: string, mechanism: number, sticky: number): TransferRow {
  const figures = (x: number) => ({
    herfindahl: 0.5,
    meanWait: x,
    p95Wait: x,
    maxWait: x,
    makespan: x,
  });
  const inBand = { meanWait: true, p95Wait: true, maxWait: true, makespan: true };
  return {
    name,
    server: 'gunicorn-gthread',
    bursts: 6,
    parameters: { returnTime: 0.001, wakeTime: 0.1 },
    measured: figures(1),
    mechanism: figures(1 + mechanism),
    inBand,
    stickiness: 0.9,
    sticky: figures(1 + sticky),
  };
}

test('the mechanism replaces the stickiness only when it is closer on average and on most configurations', () => {
  // Lower on average, carried by one configuration, and further off on the other two: kept out.
  const oneBigWin = [judged('a', 0.0, 0.6), judged('b', 0.1, 0.05), judged('c', 0.12, 0.05)];
  const one = mechanismBetter(oneBigWin);
  assert.equal(one.better, false);
  assert.match(one.text, /closer on 1 of 3 configurations, the stickiness on 2: the planner keeps/);
  // Closer on two of three and on average: used.
  const most = mechanismBetter([
    judged('a', 0.05, 0.2),
    judged('b', 0.02, 0.1),
    judged('c', 0.1, 0.05),
  ]);
  assert.equal(most.better, true);
  assert.match(most.text, /closer on 2 of 3 configurations, the stickiness on 1: the planner uses/);
  // Closer on most, but further off on average: kept out.
  const worse = mechanismBetter([
    judged('a', 0.01, 0.02),
    judged('b', 0.01, 0.02),
    judged('c', 0.9, 0.05),
  ]);
  assert.equal(worse.better, false);
});
