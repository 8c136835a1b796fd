import type { LoadSpec } from '../../scenario/types.js';
import type { ExecutorName } from '../../vocabulary.js';
import { burst } from './burst.js';
import { closedUsers } from './closed-users.js';
import { constantArrivalRate } from './constant-arrival-rate.js';
import type { ExecutorDefinition } from './definition.js';
import { rampingArrivalRate } from './ramping-arrival-rate.js';
import { throughput } from './throughput.js';

/**
 * Every executor, by the name a scenario's `load.executor` gives (harness/vocabulary.ts lists the
 * names; the record's type makes the compiler ask for each). Adding an executor is one file here
 * and one line below.
 */
export const EXECUTOR_REGISTRY: Readonly<Record<ExecutorName, ExecutorDefinition>> = {
  burst,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
  'closed-users': closedUsers,
  throughput,
};

/** The executor that runs a load. */
export function executorOf(load: Pick<LoadSpec, 'executor'>): ExecutorDefinition {
  return EXECUTOR_REGISTRY[load.executor];
}
