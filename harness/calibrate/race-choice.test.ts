import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plannerQuestions } from '../model/planner-input.js';
import { predictLoad } from '../model/predict-load.js';
import { whatIf } from '../model/what-if.js';
import { planRun } from '../run/plan.js';
import { validateScenario } from '../scenario/validate.js';
import type { AcceptRaceChoice, Machine } from './calibration.js';
import { withRaceMechanism } from './race-choice.js';
import type { RaceFit, RaceFitState } from './race-fit-file.js';

const machine: Machine = {
  hostname: 'test',
  platform: 'linux x64',
  cpus: 2,
  cpuModel: 'Test CPU',
  node: 'v20',
};

const fit: RaceFit = {
  schemaVersion: 1,
  machine,
  measuredAt: '2026-12-02T00:00:00.000Z',
  objective: 'shares',
  servers: {
    'gunicorn-gthread': { returnTime: 0.13, wakeTime: 1, spacing: 0.0004, fittedOn: ['a', 'b'] },
  },
};
const own: RaceFitState = { state: 'own', file: 'reports/race-mechanism.json', fit };

const sticky: AcceptRaceChoice = {
  server: 'gunicorn-gthread',
  stickiness: 0.9,
  source: 'calibration',
  note: 'stickiness 0.9',
};

test('the mechanism replaces the stickiness where a fit exists for the server, and says so', () => {
  const chosen = withRaceMechanism(sticky, 2, own, 0.2);
  assert.deepEqual(chosen.mechanism, {
    returnTime: 0.13,
    wakeTime: 1,
    spacing: 0.0004,
    timeScale: 0.2,
  });
  // The one number stays for what takes one number (the report's what-if curve).
  assert.equal(chosen.stickiness, 0.9);
  assert.match(chosen.note, /mechanism fitted for gunicorn-gthread on this machine/);
  assert.match(chosen.note, /2 replicas apart at each replica/);
  // No fit for the server, no fit at all, a kind that does not race: the choice as it was.
  assert.equal(withRaceMechanism({ ...sticky, server: 'uvicorn' }, 1, own, 1).mechanism, undefined);
  assert.equal(withRaceMechanism(sticky, 1, { state: 'none', reason: 'no file' }, 1), sticky);
  const idle: AcceptRaceChoice = { ...sticky, server: null, source: 'not-applicable' };
  assert.equal(withRaceMechanism(idle, 1, own, 1), idle);
});

test("a scenario run's prediction uses the race the planner answers with, and agrees with it", () => {
  const validated = validateScenario(
    {
      timeScale: 0.5,
      load: { executor: 'burst', users: 96 },
      service: { time: '200ms' },
      topologies: [{ name: 'g', kind: 'gunicorn-gthread', workers: 3, threads: 2, replicas: 2 }],
      model: { replications: 100 },
    },
    'x.json',
    'x',
  );
  assert.ok(validated.ok);
  const scenario = validated.scenario;
  const plan = planRun(scenario, {
    cores: 2,
    calibration: { state: 'absent', file: 'calibration.json' },
    machine,
    raceFit: own,
  });
  const topology = plan.topologies[0];
  assert.ok(topology !== undefined);
  assert.deepEqual(topology.model.race, {
    returnTime: 0.13,
    wakeTime: 1,
    spacing: 0.0004,
    timeScale: 0.5,
  });
  const run = predictLoad(topology.model);
  const planned = plannerQuestions(scenario, {
    cores: 2,
    race: (t) => {
      const chosen = withRaceMechanism(
        { server: 'gunicorn-gthread', stickiness: 0, source: 'uniform', note: '' },
        t.replicas,
        own,
        scenario.timeScale,
      );
      return {
        stickiness: 0,
        note: chosen.note,
        ...(chosen.mechanism ? { mechanism: chosen.mechanism } : {}),
      };
    },
  });
  assert.ok(planned.ok);
  const question = planned.topologies[0];
  assert.ok(question !== undefined);
  const answer = whatIf(question.input);
  // Same engine, same race, same seeds: the two means agree to within sampling noise (100 runs
  // each, one burst's mean varying by about 20%: a standard error near 2%); without the
  // mechanism the run's prediction is the uniform race's, another figure.
  const mean = run.waits?.stats.meanWait ?? Number.NaN;
  const relative = mean / answer.figures.meanWait - 1;
  assert.ok(Math.abs(relative) < 0.06, `${relative}`);
  const withoutRace = { ...topology.model };
  delete withoutRace.race;
  assert.notEqual(predictLoad(withoutRace).waits?.stats.meanWait, mean);
});
