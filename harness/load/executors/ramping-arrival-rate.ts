import { z } from 'zod';
import type { ArrivalPlan } from '../../model/arrivals.js';
import { arrivalInstants } from '../../model/arrivals.js';
import { arrivalSeed } from '../../model/predict-load.js';
import { createRandom } from '../../model/random.js';
import { formatSeconds } from '../../scenario/duration.js';
import { duration } from '../../scenario/fields.js';
import type { RampingRateLoad } from '../../scenario/types.js';
import { defineExecutor } from './definition.js';
import { arrivals, describeRate, maxConnections, rate, recording, timeUnit } from './fields.js';
import { openLoopTask } from './open-loop-task.js';

const schema = z.strictObject({
  executor: z.literal('ramping-arrival-rate'),
  startRate: rate.default(0),
  timeUnit,
  stages: z
    .array(z.strictObject({ target: rate, duration }))
    .min(1)
    .max(100),
  arrivals,
  maxConnections,
  ...recording,
});

const planOf = (load: RampingRateLoad): ArrivalPlan => ({
  kind: 'stages',
  startRate: load.startRate,
  stages: load.stages,
  process: load.arrivals,
});

/** The area under the rate curve: requests the stages offer, and how long they last. */
function rampArea(load: RampingRateLoad): { area: number; time: number } {
  let rateNow = load.startRate;
  let area = 0;
  let time = 0;
  for (const stage of load.stages) {
    area += ((rateNow + stage.target) / 2) * stage.duration;
    time += stage.duration;
    rateNow = stage.target;
  }
  return { area, time };
}

/** A rate that moves linearly through stages (per scenario second), k6's ramping-arrival-rate. */
export const rampingArrivalRate = defineExecutor<RampingRateLoad, typeof schema>({
  name: 'ramping-arrival-rate',
  schema,
  check: (input) =>
    input.stages.every((s) => s.target === 0) && input.startRate === 0
      ? [
          {
            path: 'stages',
            message: 'every rate is 0: the ramp sends no request',
            fix: 'give some stage a "target" above 0',
          },
        ]
      : [],
  normalise: (input) => ({
    executor: 'ramping-arrival-rate',
    startRate: input.startRate / input.timeUnit,
    stages: input.stages.map((s) => ({ target: s.target / input.timeUnit, duration: s.duration })),
    arrivals: input.arrivals,
    maxConnections: input.maxConnections,
    threads: input.threads,
  }),
  describe: (load) =>
    `${load.arrivals === 'poisson' ? 'Poisson' : 'evenly spaced'} arrivals ramping from ${describeRate(load.startRate)} through ${load.stages
      .map((s) => `${describeRate(s.target)} over ${formatSeconds(s.duration)}`)
      .join(', ')}`,
  plannedRequests: (load) => Math.floor(rampArea(load).area + 1e-9) + 1,
  plannedDuration: (load) => load.stages.reduce((sum, s) => sum + s.duration, 0),
  connections: (load) => load.maxConnections,
  arrivalPlan: planOf,
  modelArrivals: (load, seed) => arrivalInstants(planOf(load), createRandom(arrivalSeed(seed))),
  task: openLoopTask,
  offeredRate: (load) => {
    const { area, time } = rampArea(load);
    return time > 0 ? area / time : 0;
  },
});
