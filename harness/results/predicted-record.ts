import type { SimulationResult } from '../model/simulate.js';

/**
 * One line of predicted.ndjson: what the model predicted for one request, from the simulated run
 * the prediction kept (Prediction.sample), in scenario seconds after the burst's start. For a
 * simulation averaged over several runs this is one of them (the first seed), so its figures can
 * differ from the averaged `predicted` figures of summary.json.
 */
export interface PredictedRecord {
  topology: string;
  index: number;
  intendedStart: number;
  handlerStart: number | null;
  handlerEnd: number | null;
  wait: number | null;
  replica: number | null;
  worker: number | null;
  thread: number | null;
}

const orNull = (n: number | undefined): number | null =>
  n === undefined || Number.isNaN(n) || n < 0 ? null : n;

/** Predicted records of one topology; `arrivals` are the intended starts by index. */
export function toPredictedRecords(
  topology: string,
  sample: SimulationResult,
  arrivals: ArrayLike<number>,
): PredictedRecord[] {
  const out: PredictedRecord[] = [];
  for (let i = 0; i < arrivals.length; i++) {
    const intendedStart = arrivals[i] as number;
    const start = sample.start[i];
    const handlerStart = start === undefined || Number.isNaN(start) ? null : start;
    const end = sample.end[i];
    out.push({
      topology,
      index: i,
      intendedStart,
      handlerStart,
      handlerEnd: end === undefined || Number.isNaN(end) ? null : end,
      wait: handlerStart === null ? null : handlerStart - intendedStart,
      replica: orNull(sample.replica[i]),
      worker: orNull(sample.worker[i]),
      thread: orNull(sample.thread[i]),
    });
  }
  return out;
}
