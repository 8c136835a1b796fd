import { z } from 'zod';
import { arrivalInstants } from '../../model/arrivals.js';
import { arrivalSeed } from '../../model/predict-load.js';
import { createRandom } from '../../model/random.js';
import { formatSeconds } from '../../scenario/duration.js';
import { duration } from '../../scenario/fields.js';
import type { ConstantRateLoad } from '../../scenario/types.js';
import { defineExecutor } from './definition.js';
import {
  arrivals,
  describeRate,
  maxConnections,
  rate,
  recording,
  requestsAtRate,
  timeUnit,
} from './fields.js';
import { openLoopTask } from './open-loop-task.js';

const schema = z.strictObject({
  executor: z.literal('constant-arrival-rate'),
  rate: rate.refine((r) => r > 0, { message: 'must be above 0' }),
  timeUnit,
  duration,
  arrivals,
  maxConnections,
  ...recording,
});

const planOf = (load: ConstantRateLoad) =>
  load.arrivals === 'poisson'
    ? ({ kind: 'poisson', rate: load.rate, duration: load.duration } as const)
    : ({ kind: 'constant', rate: load.rate, duration: load.duration } as const);

/** Requests at a fixed rate (per scenario second) for a duration, timed from their plan. */
export const constantArrivalRate = defineExecutor<ConstantRateLoad, typeof schema>({
  name: 'constant-arrival-rate',
  schema,
  normalise: (input) => ({
    executor: 'constant-arrival-rate',
    rate: input.rate / input.timeUnit,
    duration: input.duration,
    arrivals: input.arrivals,
    maxConnections: input.maxConnections,
    threads: input.threads,
  }),
  describe: (load) =>
    `${load.arrivals === 'poisson' ? 'Poisson' : 'evenly spaced'} arrivals at ${describeRate(load.rate)} for ${formatSeconds(load.duration)}`,
  plannedRequests: (load) => requestsAtRate(load.rate, load.duration),
  plannedDuration: (load) => load.duration,
  connections: (load) => load.maxConnections,
  arrivalPlan: planOf,
  modelArrivals: (load, seed) => arrivalInstants(planOf(load), createRandom(arrivalSeed(seed))),
  task: openLoopTask,
  offeredRate: (load) => load.rate,
  steadyRate: (load) => ({
    rate: load.rate,
    process: load.arrivals === 'poisson' ? 'poisson' : 'constant',
  }),
});
