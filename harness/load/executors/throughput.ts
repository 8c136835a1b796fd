import { z } from 'zod';
import { formatSeconds } from '../../scenario/duration.js';
import { count, duration } from '../../scenario/fields.js';
import type { ThroughputLoad } from '../../scenario/types.js';
import { defineExecutor } from './definition.js';
import { recording } from './fields.js';

const schema = z.strictObject({
  executor: z.literal('throughput'),
  connections: count(1, 10_000),
  duration,
  pipelining: count(1, 100).default(1),
  ...recording,
});

/** As many requests as the target will take over K connections for a duration (autocannon). */
export const throughput = defineExecutor<ThroughputLoad, typeof schema>({
  name: 'throughput',
  schema,
  check: (input) =>
    input.record === 'requests' && input.threads > 1
      ? [
          {
            path: 'record',
            message: 'a throughput load spread over threads reports only its aggregate',
            fix: 'set "threads" to 1, or "record" to "histograms"',
          },
        ]
      : [],
  normalise: (input) => ({
    executor: 'throughput',
    connections: input.connections,
    duration: input.duration,
    pipelining: input.pipelining,
    threads: input.threads,
  }),
  describe: (load) =>
    `as many requests as served over ${load.connections} connections${load.pipelining > 1 ? ` (pipelining ${load.pipelining})` : ''} for ${formatSeconds(load.duration)}`,
  plannedRequests: () => null,
  plannedDuration: (load) => load.duration,
  connections: (load) => load.connections,
  task: (load, { clock }) => ({
    executor: 'throughput',
    connections: load.connections,
    pipelining: load.pipelining,
    durationSeconds: clock.realSeconds(load.duration),
  }),
  alwaysInFlight: (load) => load.connections * load.pipelining,
  oneRequest: true,
});
