import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topologySummary } from '../test-support/gate-fixtures.js';
import { evaluateThresholds, type GateTopology } from './evaluate.js';
import { parseThreshold, type Threshold } from './threshold.js';

function threshold(key: string, condition: string): Threshold {
  const result = parseThreshold(key, condition);
  assert.ok(result.ok);
  return result.value;
}

/** Waits 0, 1, ..., 19 s: numpy.percentile(range(20), 95) = 18.05 (linear, type 7). */
const twenty = Array.from({ length: 20 }, (_, i) => i);
const gate = (name: string, waits: number[], options = {}): GateTopology => ({
  summary: topologySummary(name, waits, options),
  waits: [...waits].sort((a, b) => a - b),
});

test('wait aggregates match numpy on 0..19 s', () => {
  const topologies = [gate('a', twenty)];
  const observed = (condition: string) =>
    evaluateThresholds([threshold('wait', condition)], topologies)[0]?.observed;
  // numpy: percentile(range(20), 95) = 18.05, percentile(..., 50) = 9.5, mean = 9.5.
  assert.ok(Math.abs((observed('p(95)<1s') ?? 0) - 18.05) < 1e-9);
  assert.ok(Math.abs((observed('med<1s') ?? 0) - 9.5) < 1e-9);
  assert.ok(Math.abs((observed('mean<1s') ?? 0) - 9.5) < 1e-9);
  assert.equal(observed('max<1s'), 19);
  assert.equal(observed('min<1s'), 0);
});

test('a threshold without a tag applies to every topology; a tag to one', () => {
  const topologies = [gate('fast', [0, 1, 2]), gate('slow', twenty)];
  const all = evaluateThresholds([threshold('wait', 'max<5s')], topologies);
  assert.deepEqual(
    all.map((r) => [r.topology, r.status]),
    [
      ['fast', 'pass'],
      ['slow', 'fail'],
    ],
  );
  const one = evaluateThresholds([threshold('wait{topology:slow}', 'max<20s')], topologies);
  assert.deepEqual(
    one.map((r) => [r.topology, r.status, r.observed]),
    [['slow', 'pass', 19]],
  );
  const missing = evaluateThresholds([threshold('wait{topology:gone}', 'max<1s')], topologies);
  assert.equal(missing[0]?.status, 'skipped');
});

test('errors, makespan, model_error and dispatch_spread', () => {
  const t = gate('a', twenty, { errors: 5, makespan: 21, predictedScale: 0.8, spreadMs: 12.5 });
  const check = (key: string, condition: string) =>
    evaluateThresholds([threshold(key, condition)], [t])[0];
  assert.equal(check('errors', 'rate<0.1')?.observed, 5 / 25);
  assert.equal(check('errors', 'rate<0.1')?.status, 'fail');
  assert.equal(check('errors', 'count<=5')?.status, 'pass');
  assert.equal(check('makespan', 'max<25s')?.observed, 21);
  // The prediction is the measurement x 0.8, so every figure is 20% low.
  const modelError = check('model_error', 'max<0.15');
  assert.ok(Math.abs((modelError?.observed ?? 0) - 0.2) < 1e-12);
  assert.equal(modelError?.status, 'fail');
  assert.equal(check('model_error', 'mean<25%')?.status, 'pass');
  assert.equal(check('dispatch_spread', 'max<10ms')?.observed, 12.5);
  assert.equal(check('dispatch_spread', 'max<10ms')?.status, 'fail');
});

test('a topology with no successful request fails its wait thresholds, naming why', () => {
  const t: GateTopology = { summary: topologySummary('dead', [], { errors: 4 }), waits: [] };
  const [r] = evaluateThresholds([threshold('wait', 'p(95)<5s')], [t]);
  assert.equal(r?.status, 'fail');
  assert.equal(r?.observed, null);
  assert.match(r?.note ?? '', /no request succeeded/);
});
