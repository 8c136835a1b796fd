import type { LoadPrediction } from '../model/predict-load.js';
import type { SimulationResult } from '../model/simulate.js';
import type { WorkerShares } from '../model/worker-shares.js';
import { apparatusFigures } from '../results/apparatus.js';
import { lifecycleParts } from '../results/lifecycle-summary.js';
import { loadFigures } from '../results/load-figures.js';
import { type PredictedRecord, toPredictedRecords } from '../results/predicted-record.js';
import { summarizeTopology, type TopologySummary } from '../results/summary.js';
import type { Measurement } from './measure.js';
import type { TopologyPlan } from './plan.js';

/** A topology's model runs, kept for figures averaged over them (worker lives). */
export type ModelRuns = ReadonlyArray<{ result: SimulationResult; arrivals: Float64Array }>;

/** What one topology adds to the run: its summary, and its per-request lines. */
export interface TopologyResult {
  summary: TopologySummary;
  measurement: Measurement;
  /** What the model predicted per request (predicted.ndjson); empty for closed loops. */
  predicted: PredictedRecord[];
}

/**
 * Sets a topology's measurement beside the model's prediction: the whole summary of the topology
 * as one object, built once (figures, observed parts, over time and worker lives), and the
 * predicted records. Pure.
 */
export function summariseTopology(
  topologyPlan: TopologyPlan,
  measurement: Measurement,
  prediction: LoadPrediction,
  runs: ModelRuns,
  /** Each worker's share over the model's runs; absent for closed loops (no wait prediction). */
  workerShare?: WorkerShares,
): TopologyResult {
  // The plan in this topology's own time scale.
  const plan = topologyPlan.run;
  const { scenario, clock, arrivals } = plan;
  const { topology } = topologyPlan;
  const { observed } = measurement;
  const summary: TopologySummary = {
    ...summarizeTopology({
      topology,
      records: measurement.records,
      ...(measurement.measured === undefined ? {} : { measured: measurement.measured }),
      ...(measurement.counts === undefined ? {} : { counts: measurement.counts }),
      dispatchSpreadMs: measurement.dispatchSpreadMs,
      prediction: prediction.waits,
      expected: prediction.expected,
      load:
        measurement.load === null
          ? null
          : loadFigures({
              ...measurement.load,
              load: scenario.load,
              clock,
              prediction: {
                throughput: prediction.throughput,
                method: prediction.throughputMethod,
                minResponse: prediction.minResponse,
              },
            }),
      backOfEnvelope: topologyPlan.backOfEnvelope,
      status: measurement.status,
      failure: measurement.failure,
      bursts: measurement.bursts,
      acceptRace: topologyPlan.acceptRace,
      ...(workerShare === undefined ? {} : { workerShare }),
    }),
    ...(topology.timeScale === undefined ? {} : { timeScale: scenario.timeScale }),
    // What was observed beside the load (jobs, event fan-out).
    ...(observed.jobs === undefined ? {} : { jobs: observed.jobs.figures }),
    ...(observed.fanout === undefined ? {} : { fanout: observed.fanout.figures }),
    // Windows over time, the workers' lives and handlers at once (issue 6).
    ...lifecycleParts({
      topology,
      records: measurement.records,
      prediction,
      arrivals,
      events: measurement.events,
      servers: measurement.servers,
      requestTimeout: scenario.limits.requestTimeout,
      runs,
      ...(plan.longRun === undefined ? {} : { longRun: plan.longRun }),
    }),
    // How busy the machine was, and why measured and predicted differ (issue 13).
    ...apparatusFigures({
      scenario,
      records: measurement.records,
      sample: measurement.sample ?? null,
      prediction: prediction.waits,
      deployment: prediction.deployment,
      serviceTimes: plan.serviceTimes,
      backOfEnvelope: topologyPlan.backOfEnvelope,
    }),
  };
  return {
    summary,
    measurement,
    predicted:
      prediction.waits === null
        ? []
        : toPredictedRecords(topology.name, prediction.waits.sample, arrivals),
  };
}
