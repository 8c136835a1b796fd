import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measurementQuality } from '../observe/measurement-quality.js';
import type { Attribution } from '../results/attribution.js';
import type { TopologySummary } from '../results/summary.js';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { evaluateThresholds } from './evaluate.js';
import { decideGate } from './gate.js';
import { renderJunit } from './junit.js';
import { renderGateMarkdown } from './markdown.js';
import { runGate } from './run-gate.js';
import { renderGate } from './text.js';
import { parseThreshold, type Threshold } from './threshold.js';

function threshold(key: string, condition: string): Threshold {
  const result = parseThreshold(key, condition);
  assert.ok(result.ok);
  return result.value;
}

const sample = {
  seconds: 10,
  cpus: 2,
  busyCoreSeconds: 6,
  ownCoreSeconds: 6,
  loopDelayMs: { mean: 0, p99: 0.5, max: 1 },
};
/** One unrelated busy core on two: poor. */
const POOR = measurementQuality({ ...sample, busyCoreSeconds: 16 }, 0.1, 100);
const GOOD = measurementQuality(sample, 0.1, 100);

const figures = (x: number) => ({ meanWait: x, p95Wait: x, maxWait: x, makespan: x });

/** An attribution whose apparatus parts (lateness, handlers, server costs) add `apparatus`. */
function attribution(apparatus: number): Attribution {
  const part = apparatus / 3;
  return {
    backOfEnvelope: 20,
    predicted: figures(10),
    steps: [
      { cause: 'arrivals', model: figures(10 + part), share: figures(part) },
      { cause: 'handlers', model: figures(10 + 2 * part), share: figures(part) },
      { cause: 'assignment', model: figures(10 + 2 * part), share: figures(0) },
      { cause: 'server costs', model: figures(10 + apparatus), share: figures(part) },
    ],
    residual: figures(0),
    residualRelative: figures(0),
    measured: figures(10 + apparatus),
    apparatus: {
      lateness: { meanMs: 0, maxMs: 0 },
      handlerOverrunMs: 0,
      delivery: { meanMs: 0, count: 0 },
      handOff: { meanMs: 0, medianMs: 0, count: 0 },
      responseReturnMs: 0,
      serverCostShare: 0,
      apparatusShare: 0,
    },
    requests: 3,
  };
}

/** `slow` waits 0, 10 and 20 s, of which the apparatus's measured part is `apparatus` s. */
function gate(quality: Record<string, ReturnType<typeof measurementQuality>>, apparatus = 16) {
  const slow: TopologySummary = {
    ...topologySummary('slow', [0, 10, 20]),
    attribution: attribution(apparatus),
  };
  const topologies = [
    { summary: slow, waits: [0, 10, 20] },
    { summary: topologySummary('fast', [0, 1, 2]), waits: [0, 1, 2] },
  ];
  return decideGate({
    scenario: 'demo',
    runId: 'run-1',
    thresholds: evaluateThresholds([threshold('wait', 'max<5s')], topologies),
    baseline: null,
    quality,
  });
}

test('a failure measured on a poor machine is inconclusive, with the measured reason', () => {
  const outcome = gate({ slow: POOR, fast: GOOD });
  assert.equal(outcome.verdict, 'inconclusive');
  assert.equal(outcome.passed, false);
  assert.equal(outcome.inconclusive.length, 1);
  assert.match(outcome.inconclusive[0] ?? '', /^slow: other processes kept 1\.00 of 2 cores busy/);
  assert.match(renderGate(outcome), /gate: INCONCLUSIVE, 1 of 2 checks failed/);
  assert.match(renderGate(outcome), /measurement poor: slow: other processes/);
  assert.match(renderGateMarkdown(outcome), /^### Capacity gate: demo inconclusive/);
  assert.match(renderGateMarkdown(outcome), /Measurement quality: slow poor, fast good\./);
  assert.match(
    renderJunit(outcome),
    /<property name="measurement-quality" value="poor"\/><property name="verdict" value="inconclusive"\/>/,
  );
});

test('a failure the apparatus cannot explain is a verdict however busy the machine', () => {
  // 20 s max wait, 1 s of it the apparatus's: 19 s without it still fails max<5s.
  const outcome = gate({ slow: POOR, fast: POOR }, 1);
  assert.equal(outcome.verdict, 'failed');
  assert.equal(outcome.thresholds.find((r) => r.topology === 'slow')?.withoutApparatus, 19);
});

test('the same failure on a well measured topology is a verdict; a pass stays a pass on a busy machine', () => {
  assert.equal(gate({ slow: GOOD, fast: POOR }).verdict, 'failed');
  assert.equal(gate({}).verdict, 'failed');
  const passing = decideGate({
    scenario: 'demo',
    runId: 'run-1',
    thresholds: evaluateThresholds(
      [threshold('wait', 'max<50s')],
      [{ summary: topologySummary('slow', [0, 10, 20]), waits: [0, 10, 20] }],
    ),
    baseline: null,
    quality: { slow: POOR },
  });
  assert.equal(passing.verdict, 'passed');
  assert.deepEqual(passing.inconclusive, []);
});

test('runGate takes each topology measurement quality from the summary', () => {
  const slow = {
    ...topologySummary('slow', [0, 10, 20]),
    measurementQuality: POOR,
    attribution: attribution(16),
  };
  const outcome = runGate(runSummary([slow]), new Map([['slow', [0, 10, 20]]]), {
    thresholds: [threshold('wait', 'max<5s')],
    baseline: null,
  });
  assert.equal(outcome.verdict, 'inconclusive');
  assert.equal(outcome.quality.slow?.level, 'poor');
});

test('a model error is judged by the model’s own error, a dispatch spread as all apparatus', () => {
  const slow: TopologySummary = {
    ...topologySummary('slow', [0, 10, 20], { predictedScale: 0.5 }),
    attribution: attribution(16),
  };
  const [modelError, spread] = evaluateThresholds(
    [threshold('model_error', 'max<0.25'), threshold('dispatch_spread', 'max<1ms')],
    [{ summary: { ...slow, dispatchSpreadMs: 5 }, waits: [0, 10, 20] }],
  );
  // The fixture's prediction error is large; the attribution's residual (the model's own) is 0.
  assert.equal(modelError?.status, 'fail');
  assert.equal(modelError?.withoutApparatus, 0);
  assert.equal(spread?.status, 'fail');
  assert.equal(spread?.withoutApparatus, 0);
});
