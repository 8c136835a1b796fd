import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measurementQuality } from '../observe/measurement-quality.js';
import { evaluateThresholds } from './evaluate.js';
import { runSummary, topologySummary } from './fixtures.js';
import { decideGate } from './gate.js';
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

function gate(quality: Record<string, ReturnType<typeof measurementQuality>>) {
  const topologies = [
    { summary: topologySummary('slow', [0, 10, 20]), waits: [0, 10, 20] },
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
  const slow = { ...topologySummary('slow', [0, 10, 20]), measurementQuality: POOR };
  const outcome = runGate(runSummary([slow]), new Map([['slow', [0, 10, 20]]]), {
    thresholds: { wait: ['max<5s'] },
    baseline: null,
  });
  assert.equal(outcome.verdict, 'inconclusive');
  assert.equal(outcome.quality.slow?.level, 'poor');
});
