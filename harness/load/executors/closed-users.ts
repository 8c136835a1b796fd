import { z } from 'zod';
import { formatSeconds } from '../../scenario/duration.js';
import { count, duration } from '../../scenario/fields.js';
import type { ClosedUsersLoad } from '../../scenario/types.js';
import { MAX_REQUESTS, THINK_TIMES } from '../../vocabulary.js';
import { defineExecutor } from './definition.js';
import { recording } from './fields.js';

const schema = z.strictObject({
  executor: z.literal('closed-users'),
  users: count(1, 10_000),
  thinkTime: duration.default(0),
  think: z.enum(THINK_TIMES).default('constant'),
  iterations: count(1, MAX_REQUESTS).optional(),
  duration: duration.optional(),
  ...recording,
});

/** N users who each wait for their response and think before the next request. */
export const closedUsers = defineExecutor<ClosedUsersLoad, typeof schema>({
  name: 'closed-users',
  schema,
  check: (input) =>
    (input.iterations === undefined) === (input.duration === undefined)
      ? [
          {
            path: 'iterations',
            message: 'closed users need either "iterations" or "duration", not both or neither',
            fix: 'give "iterations" (requests per user) or "duration" (such as "1m")',
          },
        ]
      : [],
  normalise: (input) => ({
    executor: 'closed-users',
    users: input.users,
    thinkTime: input.thinkTime,
    think: input.think,
    iterations: input.iterations ?? null,
    duration: input.duration ?? null,
    threads: input.threads,
  }),
  describe: (load) => {
    const bound =
      load.iterations === null
        ? `for ${formatSeconds(load.duration ?? 0)}`
        : `${load.iterations} requests each`;
    return `${load.users} closed users, ${load.think} think time ${formatSeconds(load.thinkTime)}, ${bound}`;
  },
  plannedRequests: (load) => (load.iterations === null ? null : load.users * load.iterations),
  plannedDuration: (load) => load.duration,
  connections: (load) => load.users,
  task: (load, { clock, seed }) => ({
    executor: 'closed-users',
    users: load.users,
    thinkNs: clock.realNs(load.thinkTime),
    think: load.think,
    seed,
    ...(load.iterations === null ? {} : { iterations: load.iterations }),
    ...(load.duration === null ? {} : { durationNs: clock.realNs(load.duration) }),
  }),
});
