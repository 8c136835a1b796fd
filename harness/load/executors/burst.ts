import { z } from 'zod';
import { count } from '../../scenario/fields.js';
import type { BurstLoad } from '../../scenario/types.js';
import { BURST_CONNECTIONS, MAX_USERS } from '../../vocabulary.js';
import { defineExecutor } from './definition.js';
import { recording } from './fields.js';

const schema = z.strictObject({
  executor: z.literal('burst'),
  users: count(1, MAX_USERS),
  connections: z.enum(BURST_CONNECTIONS).default('new'),
  ...recording,
});

/** All N users send one request at the same instant (a contest start, a class logging in). */
export const burst = defineExecutor<BurstLoad, typeof schema>({
  name: 'burst',
  schema,
  normalise: (input) => ({
    executor: 'burst',
    users: input.users,
    connections: input.connections,
    threads: input.threads,
  }),
  describe: (load) =>
    `${load.users} users at once${load.connections === 'warm' ? ' (connections opened beforehand)' : ''}`,
  plannedRequests: (load) => load.users,
  plannedDuration: () => 0,
  connections: (load) => load.users,
  modelArrivals: (load) => new Float64Array(load.users),
  task: (load) => ({ executor: 'burst', users: load.users, connections: load.connections }),
  burstUsers: (load) => load.users,
  repeats: true,
  dispatchSpread: true,
});
