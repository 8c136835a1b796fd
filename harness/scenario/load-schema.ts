import { z } from 'zod';
import { EXECUTOR_REGISTRY, executorOf } from '../load/executors/registry.js';
import { EXECUTORS, MAX_REQUESTS, MAX_USERS } from '../vocabulary.js';
import type { LoadSpec } from './types.js';

/**
 * The `load` part of the scenario format: which executor sends the requests, in k6's vocabulary
 * where k6 has a word for it. Rates are per `timeUnit` of scenario time; durations are scenario
 * time. scenarios/README.md documents every field; LOAD_FIELD_HELP is what errors quote.
 */

export { EXECUTORS, MAX_REQUESTS, MAX_USERS };

/** Runs planning more requests than this keep histograms instead of every record by default. */
export const RECORD_ALL_UP_TO = 200_000;

const [first, ...rest] = EXECUTORS.map((name) => EXECUTOR_REGISTRY[name].schema);

/** One member per executor, each defined in its own file (harness/load/executors/). */
const loadUnion = z.discriminatedUnion('executor', [
  first as z.ZodObject,
  ...(rest as z.ZodObject[]),
]);

/** Requests a load will send at most, when its definition bounds them; null when only time does. */
export function loadRequests(load: LoadSpec): number | null {
  return executorOf(load).plannedRequests(load);
}

/** Scenario seconds a load lasts by its definition; null when only its requests bound it. */
export function loadDuration(load: LoadSpec): number | null {
  return executorOf(load).plannedDuration(load);
}

type LoadInput = {
  executor: LoadSpec['executor'];
  record: 'auto' | LoadSpec['record'];
  requestsFile?: boolean | undefined;
};

function normalise(input: LoadInput): LoadSpec {
  const spec = executorOf(input).normalise(input as never);
  const planned = loadRequests({ ...spec, record: 'requests', requestsFile: true } as LoadSpec);
  const record =
    input.record === 'auto'
      ? planned !== null && planned <= RECORD_ALL_UP_TO
        ? 'requests'
        : 'histograms'
      : input.record;
  return { ...spec, record, requestsFile: input.requestsFile ?? record === 'requests' } as LoadSpec;
}

export const loadSchema = loadUnion
  .superRefine((input, ctx) => {
    for (const problem of executorOf(input as LoadInput).check(input as never))
      ctx.addIssue({
        code: 'custom',
        path: [problem.path],
        message: problem.message,
        params: { fix: problem.fix },
      });
  })
  .transform((input) => normalise(input as LoadInput))
  .superRefine((load, ctx) => {
    const planned = loadRequests(load);
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
