import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SweepMeasurement } from './race-sweep.js';
import { mechanismBetter, observationOf, renderTransfer, transferTable } from './race-transfer.js';

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
