import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { predictLoad } from '../model/predict-load.js';
import type { RequestRecord } from '../results/request-record.js';
import { loadScenario } from '../scenario/load.js';
import type { Measurement } from './measure.js';
import { planRun } from './plan.js';
import { type ModelRuns, summariseTopology } from './summarise.js';

/**
 * The run's plan and pipeline give the model the very inputs runScenario gave it before they
 * existed: the predicted figures of three built-in scenarios, with their seeds, equal those
 * commit eb5a84d computed (harness/test-support/predicted-figures.eb5a84d.json, made by
 * capture-predicted-figures.eb5a84d.mjs at that commit). The predicted requests stand in for
 * measured ones, so that the over-time and worker-life figures compute too.
 */

const CORES = 2;
const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex');

const NOTHING: Measurement = {
  records: [],
  dispatchSpreadMs: null,
  load: null,
  observed: {},
  bursts: 1,
  status: 'complete',
  failure: null,
  error: undefined,
  events: [],
  servers: [],
};

async function figuresOf(name: string): Promise<unknown> {
  const scenario = await loadScenario(name);
  const plan = planRun(scenario, {
    cores: CORES,
    calibration: { state: 'absent', file: 'calibration.json' },
    machine: { hostname: '', platform: 'linux', cpus: CORES, cpuModel: 'x', node: 'v20' },
  });
  const topologies = plan.topologies.map((topologyPlan) => {
    const runs: Array<ModelRuns[number]> = [];
    const prediction = predictLoad({
      ...topologyPlan.model,
      ...(topologyPlan.topology.lifecycle === undefined
        ? {}
        : { eachRun: (result, arrivals) => runs.push({ result, arrivals }) }),
    });
    const alone = summariseTopology(topologyPlan, NOTHING, prediction, runs);
    const records = alone.predicted.map(
      (r) => ({ ...r, complete: r.handlerEnd, error: null }) as unknown as RequestRecord,
    );
    const beside = summariseTopology(
      topologyPlan,
      { ...NOTHING, records },
      prediction,
      runs,
    ).summary;
    return {
      name: topologyPlan.topology.name,
      predicted: alone.summary.predicted,
      backOfEnvelope: alone.summary.backOfEnvelope,
      throughput: prediction.throughput,
      minResponse: prediction.minResponse,
      throughputMethod: prediction.throughputMethod,
      predictedRecords: { count: alone.predicted.length, sha256: digest(alone.predicted) },
      workerLife: beside.workerLife?.predicted ?? null,
      handlersAtOnce: beside.handlersAtOnce ?? null,
      overTime: beside.overTime === undefined ? null : digest(beside.overTime.predicted),
    };
  });
  return { seed: scenario.model.seed, cores: CORES, topologies };
}

test('contest-200, steady-poisson and max-requests predict what they predicted at eb5a84d', async () => {
  const fixture = JSON.parse(
    await readFile(
      join(packageRoot(), 'harness', 'test-support', 'predicted-figures.eb5a84d.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
  for (const name of ['contest-200', 'steady-poisson', 'max-requests']) {
    // Through JSON, as summary.json holds them (NaN as null).
    const figures = JSON.parse(JSON.stringify(await figuresOf(name)));
    assert.deepEqual(figures, fixture[name], name);
  }
});
