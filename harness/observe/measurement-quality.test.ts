import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type MachineLoadSample,
  measurementQuality,
  qualityLine,
  worstQuality,
} from './measurement-quality.js';

const quiet: MachineLoadSample = {
  seconds: 10,
  cpus: 2,
  busyCoreSeconds: 6.5,
  ownCoreSeconds: 6,
  loopDelayMs: { mean: 0.2, p99: 1, max: 3 },
};

test('a quiet machine: 0.05 of 2 cores busy elsewhere, 0.2 ms mean loop delay and 0.1 ms overrun on 200 ms is good', () => {
  const q = measurementQuality(quiet, 0.1, 200);
  assert.equal(q.level, 'good');
  assert.ok(Math.abs((q.otherCores ?? 0) - 0.05) < 1e-12);
  assert.deepEqual(q.reasons, []);
  assert.match(qualityLine(q), /^measurement quality good \(other processes 0\.05 cores/);
});

test('one unrelated busy core on two is poor, and the reason names the measured share', () => {
  const busy = { ...quiet, busyCoreSeconds: 16.5 };
  const q = measurementQuality(busy, 0.1, 200);
  assert.equal(q.level, 'poor');
  assert.equal(q.otherShare, 0.525);
  assert.equal(q.reasons.length, 1);
  assert.match(q.reasons[0] ?? '', /other processes kept 1\.05 of 2 cores busy \(53%/);
});

test('a late load generator or late target timers make it fair or poor against the service time', () => {
  // 3 ms mean loop delay on a 100 ms service: 3%, fair (a single long p99, the burst's own
  // dispatch, is not judged); 3.5 ms handler overrun on 100 ms: 3.5%, poor.
  const loop = measurementQuality({ ...quiet, loopDelayMs: { mean: 3, p99: 30, max: 40 } }, 0, 100);
  assert.equal(loop.level, 'fair');
  assert.match(loop.reasons[0] ?? '', /ran 3\.0 ms late on average \(p99 30\.0 ms/);
  const timers = measurementQuality(quiet, 3.5, 100);
  assert.equal(timers.level, 'poor');
  assert.match(timers.reasons[0] ?? '', /handlers ran 3\.50 ms longer than asked/);
});

test('without /proc or samples only what was measured is judged; the worst level of a run', () => {
  const q = measurementQuality(
    { ...quiet, busyCoreSeconds: null, ownCoreSeconds: null, loopDelayMs: null },
    null,
    200,
  );
  assert.equal(q.level, 'good');
  assert.equal(q.otherCores, null);
  assert.equal(worstQuality([]), null);
  assert.equal(
    worstQuality([q, measurementQuality({ ...quiet, busyCoreSeconds: 16.5 }, 0, 200)]),
    'poor',
  );
});
