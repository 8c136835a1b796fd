import type { EngineDeployment } from '../model/deployment.js';
import type { Prediction } from '../model/predict.js';
import {
  type MachineLoadSample,
  type MeasurementQuality,
  measurementQuality,
} from '../observe/measurement-quality.js';
import type { Scenario } from '../scenario/types.js';
import { type Attribution, attribute } from './attribution.js';
import type { RequestRecord } from './request-record.js';

/**
 * What a topology's summary says about the apparatus (issue 13): how busy the machine was while
 * it ran (measurementQuality) and measured minus predicted split into named parts
 * (attribution, burst loads only). Pure; the run calls it once per topology.
 */
export interface ApparatusFigures {
  measurementQuality: MeasurementQuality;
  attribution: Attribution | null;
}

export interface ApparatusInput {
  scenario: Scenario;
  records: readonly RequestRecord[];
  /** What machine-load.ts measured over the topology's load; null when it did not run. */
  sample: MachineLoadSample | null;
  /** The wait prediction and what the engine simulated; null for loads without one. */
  prediction: Prediction | null;
  deployment: EngineDeployment | null;
  /** Scenario seconds asked of each request's handler (entry i modulo the length). */
  serviceTimes: Float64Array;
  backOfEnvelope: number;
}

export function apparatusFigures(input: ApparatusInput): ApparatusFigures {
  const { scenario, prediction, deployment } = input;
  const attribution =
    scenario.load.executor === 'burst' && prediction !== null && deployment !== null
      ? attribute({
          records: input.records,
          topology: deployment.topology,
          behaviour: deployment.behaviour,
          serviceTimes: input.serviceTimes,
          predicted: prediction.stats,
          backOfEnvelope: input.backOfEnvelope,
          seed: scenario.model.seed,
          replications: prediction.replications,
          timeScale: scenario.timeScale,
        })
      : null;
  const serviceMs = scenario.service.time * scenario.timeScale * 1000;
  // A sleeping handler's overrun is its timer's lateness; a CPU-bound one's is contention.
  const overrun =
    scenario.service.work !== 'sleep'
      ? null
      : (attribution?.apparatus.handlerOverrunMs ??
        meanOverrunMs(input.records, input.serviceTimes, scenario.timeScale));
  return {
    measurementQuality: measurementQuality(input.sample, overrun, serviceMs),
    attribution,
  };
}

/** Mean handler time beyond the time asked, real ms; null without handler times. */
function meanOverrunMs(
  records: readonly RequestRecord[],
  serviceTimes: Float64Array,
  timeScale: number,
): number | null {
  let sum = 0;
  let n = 0;
  for (const r of records) {
    if (r.handlerStart === null || r.handlerEnd === null || r.error !== null) continue;
    const asked = serviceTimes[r.index % serviceTimes.length];
    if (asked === undefined) continue;
    sum += r.handlerEnd - r.handlerStart - asked;
    n += 1;
  }
  return n === 0 ? null : (sum / n) * timeScale * 1000;
}
