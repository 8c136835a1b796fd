import { quantileSorted } from 'simple-statistics';
import type { SimulationResult } from './simulate.js';

/**
 * Each worker's share of the requests across the model's simulated runs: the mean over runs of
 * the fraction of the run's started requests that worker process served, with the 5th and 95th
 * percentile across runs as its band. One run's split says little where the model draws who
 * serves (a gthread accept race, a random balancer); the mean over runs is what the model
 * predicts, the band how far one run may stray from it.
 *
 * A tally rather than a list of runs, so that a long run's prediction (thousands of requests,
 * tens of runs) keeps one number per worker and run instead of every run's per-request arrays.
 */

export interface WorkerShareFigure {
  replica: number;
  /** The worker's index within its replica, as in requests.ndjson. */
  worker: number;
  /** Mean over runs of the worker's share of the run's started requests (0 to 1). */
  mean: number;
  /** 5th and 95th percentile of that share across runs (both the mean for one run). */
  p5: number;
  p95: number;
}

export interface WorkerShares {
  /** Simulated runs the shares are taken over. */
  replications: number;
  /** One entry per worker process, replica by replica, zeros included. */
  workers: WorkerShareFigure[];
}

export interface WorkerShareTally {
  /** Counts one simulated run's started requests by the worker process that served them. */
  add(result: SimulationResult): void;
  /** The shares over every run added so far; zero replications before any. */
  shares(): WorkerShares;
}

export function workerShareTally(replicas: number, workers: number): WorkerShareTally {
  const slots = replicas * workers;
  // perRun[k * slots + slot]: run k's share for the slot.
  const perRun: number[] = [];
  let runs = 0;
  return {
    add(result) {
      const counts = new Float64Array(slots);
      let total = 0;
      for (let i = 0; i < result.worker.length; i++) {
        const r = result.replica[i] as number;
        const w = result.worker[i] as number;
        // Never started (no worker came up, or given up on): served by nobody, as measured.
        if (r < 0 || w < 0 || r >= replicas || w >= workers || Number.isNaN(result.start[i]))
          continue;
        const slot = r * workers + w;
        counts[slot] = (counts[slot] as number) + 1;
        total++;
      }
      for (let s = 0; s < slots; s++) perRun.push(total === 0 ? 0 : (counts[s] as number) / total);
      runs++;
    },
    shares() {
      const out: WorkerShareFigure[] = [];
      for (let s = 0; s < slots; s++) {
        const values: number[] = [];
        for (let k = 0; k < runs; k++) values.push(perRun[k * slots + s] as number);
        values.sort((a, b) => a - b);
        const mean = runs === 0 ? 0 : values.reduce((a, b) => a + b, 0) / runs;
        out.push({
          replica: Math.floor(s / workers),
          worker: s % workers,
          mean,
          p5: runs === 0 ? 0 : quantileSorted(values, 0.05),
          p95: runs === 0 ? 0 : quantileSorted(values, 0.95),
        });
      }
      return { replications: runs, workers: out };
    },
  };
}
