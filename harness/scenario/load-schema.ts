import { z } from 'zod';
import {
  ARRIVAL_PROCESSES,
  BURST_CONNECTIONS,
  EXECUTORS,
  MAX_USERS,
  RECORD_MODES,
  THINK_TIMES,
} from '../vocabulary.js';
import { count, duration } from './fields.js';
import type { LoadSpec } from './types.js';

/**
 * The `load` part of the scenario format: which executor sends the requests, in k6's vocabulary
 * where k6 has a word for it. Rates are per `timeUnit` of scenario time; durations are scenario
 * time. scenarios/README.md documents every field; LOAD_FIELD_HELP is what errors quote.
 */

export { EXECUTORS, MAX_USERS };

/** The most requests one topology's load may plan; the run is bounded by it whatever the file says. */
export const MAX_REQUESTS = 10_000_000;
/** Runs planning more requests than this keep histograms instead of every record by default. */
export const RECORD_ALL_UP_TO = 200_000;

const common = {
  /** Worker threads generating the load (1: the harness's own thread). */
  threads: count(1, 16).default(1),
  record: z.enum(['auto', ...RECORD_MODES]).default('auto'),
  requestsFile: z.boolean().optional(),
};

const arrivals = z.enum(ARRIVAL_PROCESSES).default('regular');
const rate = z.number().min(0).max(1_000_000);
const timeUnit = duration.default(1);
const maxConnections = count(1, 60_000).default(10_000);

const burst = z.strictObject({
  executor: z.literal('burst'),
  users: count(1, MAX_USERS),
  connections: z.enum(BURST_CONNECTIONS).default('new'),
  ...common,
});

const constantRate = z.strictObject({
  executor: z.literal('constant-arrival-rate'),
  rate: rate.refine((r) => r > 0, { message: 'must be above 0' }),
  timeUnit,
  duration,
  arrivals,
  maxConnections,
  ...common,
});

const rampingRate = z.strictObject({
  executor: z.literal('ramping-arrival-rate'),
  startRate: rate.default(0),
  timeUnit,
  stages: z
    .array(z.strictObject({ target: rate, duration }))
    .min(1)
    .max(100),
  arrivals,
  maxConnections,
  ...common,
});

const closedUsers = z.strictObject({
  executor: z.literal('closed-users'),
  users: count(1, 10_000),
  thinkTime: duration.default(0),
  think: z.enum(THINK_TIMES).default('constant'),
  iterations: count(1, MAX_REQUESTS).optional(),
  duration: duration.optional(),
  ...common,
});

const throughput = z.strictObject({
  executor: z.literal('throughput'),
  connections: count(1, 10_000),
  duration,
  pipelining: count(1, 100).default(1),
  ...common,
});

type LoadInput = z.output<typeof loadUnion>;

const loadUnion = z.discriminatedUnion('executor', [
  burst,
  constantRate,
  rampingRate,
  closedUsers,
  throughput,
]);

/** Requests a load will send at most, when its definition bounds them; null when only time does. */
export function plannedRequests(load: LoadSpec): number | null {
  switch (load.executor) {
    case 'burst':
      return load.users;
    case 'constant-arrival-rate':
      return Math.floor(load.rate * load.duration + 1e-9) + 1;
    case 'ramping-arrival-rate': {
      let rateNow = load.startRate;
      let area = 0;
      for (const stage of load.stages) {
        area += ((rateNow + stage.target) / 2) * stage.duration;
        rateNow = stage.target;
      }
      return Math.floor(area + 1e-9) + 1;
    }
    case 'closed-users':
      return load.iterations === null ? null : load.users * load.iterations;
    case 'throughput':
      return null;
  }
}

/** Scenario seconds a load lasts by its definition; null when only its requests bound it. */
export function plannedDuration(load: LoadSpec): number | null {
  switch (load.executor) {
    case 'burst':
      return 0;
    case 'constant-arrival-rate':
    case 'throughput':
      return load.duration;
    case 'ramping-arrival-rate':
      return load.stages.reduce((sum, s) => sum + s.duration, 0);
    case 'closed-users':
      return load.duration;
  }
}

/** Omit over each member of a union, keeping the union. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function normalise(input: LoadInput): LoadSpec {
  const shared = { threads: input.threads };
  let spec: Without<LoadSpec, 'record' | 'requestsFile'>;
  switch (input.executor) {
    case 'burst':
      spec = { executor: 'burst', users: input.users, connections: input.connections, ...shared };
      break;
    case 'constant-arrival-rate':
      spec = {
        executor: 'constant-arrival-rate',
        rate: input.rate / input.timeUnit,
        duration: input.duration,
        arrivals: input.arrivals,
        maxConnections: input.maxConnections,
        ...shared,
      };
      break;
    case 'ramping-arrival-rate':
      spec = {
        executor: 'ramping-arrival-rate',
        startRate: input.startRate / input.timeUnit,
        stages: input.stages.map((s) => ({
          target: s.target / input.timeUnit,
          duration: s.duration,
        })),
        arrivals: input.arrivals,
        maxConnections: input.maxConnections,
        ...shared,
      };
      break;
    case 'closed-users':
      spec = {
        executor: 'closed-users',
        users: input.users,
        thinkTime: input.thinkTime,
        think: input.think,
        iterations: input.iterations ?? null,
        duration: input.duration ?? null,
        ...shared,
      };
      break;
    case 'throughput':
      spec = {
        executor: 'throughput',
        connections: input.connections,
        duration: input.duration,
        pipelining: input.pipelining,
        ...shared,
      };
      break;
  }
  const planned = plannedRequests({ ...spec, record: 'requests', requestsFile: true } as LoadSpec);
  const record =
    input.record === 'auto'
      ? planned !== null && planned <= RECORD_ALL_UP_TO
        ? 'requests'
        : 'histograms'
      : input.record;
  return { ...spec, record, requestsFile: input.requestsFile ?? record === 'requests' } as LoadSpec;
}

export const loadSchema = loadUnion
  .superRefine((load, ctx) => {
    if (
      load.executor === 'closed-users' &&
      (load.iterations === undefined) === (load.duration === undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['iterations'],
        message: 'closed users need either "iterations" or "duration", not both or neither',
        params: { fix: 'give "iterations" (requests per user) or "duration" (such as "1m")' },
      });
    }
    if (
      load.executor === 'ramping-arrival-rate' &&
      load.stages.every((s) => s.target === 0) &&
      load.startRate === 0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['stages'],
        message: 'every rate is 0: the ramp sends no request',
        params: { fix: 'give some stage a "target" above 0' },
      });
    }
    if (load.record === 'requests' && load.executor === 'throughput' && load.threads > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['record'],
        message: 'a throughput load spread over threads reports only its aggregate',
        params: { fix: 'set "threads" to 1, or "record" to "histograms"' },
      });
    }
  })
  .transform(normalise)
  .superRefine((load, ctx) => {
    const planned = plannedRequests(load);
    if (planned !== null && planned > MAX_REQUESTS) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `this load plans ${planned} requests; the limit is ${MAX_REQUESTS}`,
        params: { fix: 'lower the rate or the duration (or users x iterations)' },
      });
    }
  });

export const LOAD_FIELD_HELP: Record<string, string> = {
  load: 'an object such as { "executor": "burst", "users": 200 }',
  'load.executor': EXECUTORS.map((e) => `"${e}"`).join(', '),
  'load.users': `a whole number of users: 1 to ${MAX_USERS} for burst, 1 to 10000 for closed-users`,
  'load.connections':
    'burst: "new" (each user connects at the burst) or "warm" (connected before it); throughput: a whole number of connections, 1 to 10000',
  'load.rate': 'requests per timeUnit, above 0, such as 50',
  'load.timeUnit': 'the duration a rate counts over, such as "1s" (the default) or "1m"',
  'load.duration': 'a duration in scenario time, such as "30s"',
  'load.arrivals': '"regular" (evenly spaced, the default) or "poisson" (exponential gaps)',
  'load.maxConnections':
    'a whole number from 1 to 60000 (default 10000): connections an open loop may open',
  'load.startRate': 'requests per timeUnit at the start of the ramp (default 0)',
  'load.stages': 'a list of { "target": <rate>, "duration": "<duration>" } steps',
  'load.stages[].target': 'the rate at the end of the stage, requests per timeUnit, 0 or more',
  'load.stages[].duration': 'how long the stage takes to reach its target, such as "10s"',
  'load.thinkTime': 'a duration between a response and the user’s next request (default 0)',
  'load.think': '"constant" (the default) or "exponential" think times with that mean',
  'load.iterations': 'a whole number of requests per user',
  'load.pipelining': 'a whole number of requests in flight per connection, 1 (the default) to 100',
  'load.threads': 'a whole number of threads generating the load, 1 (the default) to 16',
  'load.record':
    '"auto" (every request up to 200000 planned, histograms beyond), "requests" or "histograms"',
  'load.requestsFile':
    'true or false: write requests.ndjson (default: when every request is recorded)',
};
