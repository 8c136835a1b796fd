import type { Clock } from '../../scenario/clock.js';
import type { ConstantRateLoad, RampingRateLoad } from '../../scenario/types.js';
import { MAX_REQUESTS } from '../../vocabulary.js';
import type { LoadTask } from '../run-load.js';
import type { TaskContext } from './definition.js';

/**
 * The open-loop task of an arrival-rate executor: the plan's arrival instants (computed once, the
 * model's too) on the real monotonic schedule, at most MAX_REQUESTS of them. The instants live in
 * shared memory, so that load threads read them without a copy each.
 */
export function openLoopTask(
  load: ConstantRateLoad | RampingRateLoad,
  context: TaskContext,
): LoadTask {
  return {
    executor: 'open-loop',
    instantsNs: realInstantsNs(context.arrivals, context.clock),
    maxConnections: load.maxConnections,
  };
}

/** Arrival instants (scenario seconds) as real ns on the clock, at most MAX_REQUESTS, shared. */
export function realInstantsNs(arrivals: Float64Array, clock: Clock): Float64Array {
  const count = Math.min(arrivals.length, MAX_REQUESTS);
  const instantsNs = new Float64Array(
    new SharedArrayBuffer(count * Float64Array.BYTES_PER_ELEMENT),
  );
  for (let i = 0; i < count; i++) instantsNs[i] = clock.realNs(arrivals[i] as number);
  return instantsNs;
}
