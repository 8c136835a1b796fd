import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withOverrides } from '../scenario/overrides.js';
import { validateScenario } from '../scenario/validate.js';
import { planRun } from './plan.js';

/** A topology's own `timeScale` (scenarios/README.md, "A topology's own time scale"). */

const DOCUMENT = {
  timeScale: 0.1,
  load: { executor: 'burst', users: 40 },
  service: { time: '2s', distribution: 'exponential' },
  topologies: [
    { name: 'fast', kind: 'sync', workers: 4, replicas: 2 },
    { name: 'slow', kind: 'gthread', workers: 2, threads: 2, replicas: 2, timeScale: 1 },
  ],
  limits: { requestTimeout: '5m' },
};

const CONTEXT = {
  cores: 2,
  calibration: { state: 'absent', file: 'calibration.json' },
  machine: { hostname: '', platform: 'linux x64', cpus: 2, cpuModel: 'test', node: 'v20' },
} as const;

function plan(document: object) {
  const validated = validateScenario(document, 'own.json', 'own');
  assert.ok(validated.ok, JSON.stringify(validated.ok ? null : validated.issues));
  return planRun(validated.scenario, CONTEXT);
}

test("a topology with its own time scale runs the same plan in its own real time; the others run the scenario's", () => {
  const { topologies, clock } = plan(DOCUMENT);
  const [fast, slow] = topologies;
  assert.ok(fast !== undefined && slow !== undefined);
  assert.equal(clock.timeScale, 0.1);
  assert.equal(fast.run.clock.timeScale, 0.1);
  assert.equal(slow.run.clock.timeScale, 1);
  assert.equal(slow.run.scenario.timeScale, 1);
  // The same requests in scenario seconds: the model sees one plan.
  assert.deepEqual(slow.run.serviceTimes, fast.run.serviceTimes);
  assert.deepEqual(slow.run.arrivals, fast.run.arrivals);
  assert.deepEqual(slow.model.serviceTimes, fast.model.serviceTimes);
  // In real time, ten times slower: each request's handler, and the request limit.
  const [slowPaths, fastPaths] = [slow.run.paths, fast.run.paths];
  assert.ok(slowPaths.kind === 'service' && fastPaths.kind === 'service');
  assert.equal(slowPaths.serviceMs.length, 40);
  assert.deepEqual(
    slowPaths.serviceMs.map((ms) => +ms.toFixed(6)),
    fastPaths.serviceMs.map((ms) => +(10 * ms).toFixed(6)),
  );
  assert.equal(slow.run.targets.requestTimeoutMs, 10 * fast.run.targets.requestTimeoutMs);
});

test("--time-scale sets every topology's scale, a topology's own included", () => {
  const merged = withOverrides(DOCUMENT, { timeScale: 0.5 });
  assert.ok(merged.ok);
  const { topologies } = plan(merged.document);
  assert.deepEqual(
    topologies.map((t) => t.run.clock.timeScale),
    [0.5, 0.5],
  );
});

test("a topology's own time scale is checked as the scenario's is, and named by its path", () => {
  const validated = validateScenario(
    {
      ...DOCUMENT,
      topologies: [DOCUMENT.topologies[0], { ...DOCUMENT.topologies[1], timeScale: 0.001 }],
    },
    'own.json',
    'own',
  );
  assert.ok(!validated.ok);
  const [issue] = validated.issues;
  assert.equal(issue?.path, 'topologies[1].timeScale');
  assert.match(issue?.message ?? '', /at timeScale 0\.001 each real millisecond/);
  assert.match(issue?.fix ?? '', /timeScale of 0\.01 or more/);
});
