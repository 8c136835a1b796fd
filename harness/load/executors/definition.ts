import type { z } from 'zod';
import type { ArrivalPlan } from '../../model/arrivals.js';
import type { Clock } from '../../scenario/clock.js';
import type { LoadSpec } from '../../scenario/types.js';
import type { LoadTask } from '../run-load.js';

/**
 * What an executor is, as k6 has one file per executor holding its config, validation,
 * description and run: adding one is one file under harness/load/executors/ and one line in
 * registry.ts (and its name in harness/vocabulary.ts, which the compiler then asks for).
 */

/** A problem with a load that its field types cannot show (k6's executor Validate()). */
export interface LoadProblem {
  /** Field within `load`, e.g. `iterations`. */
  path: string;
  message: string;
  fix: string;
}

/** What planning a load's task needs besides the load. */
export interface TaskContext {
  clock: Clock;
  /** The scenario's model seed. */
  seed: number;
  /** The arrival instants the plan computed once (scenario seconds), for executors that have them. */
  arrivals: Float64Array;
}

/** The load fields every executor shares (threads, record, requestsFile), set by load-schema.ts. */
type Recording = 'threads' | 'record' | 'requestsFile';

/** Omit over each member of a union, keeping the union. */
export type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface ExecutorDefinition<
  L extends LoadSpec = LoadSpec,
  S extends z.ZodObject = z.ZodObject,
> {
  name: L['executor'];
  /** The `load` object in a scenario file (with the shared recording fields). */
  schema: S;
  /** Problems across fields, all of them (checked before `normalise`). */
  check(input: z.output<S>): LoadProblem[];
  /** The parsed file's load in scenario seconds per scenario second (timeUnit applied). */
  normalise(input: z.output<S>): Without<L, Exclude<Recording, 'threads'>>;
  /** The load in a few words, for tables, progress and reports: "200 users at once". */
  describe(load: L): string;
  /** Requests the load sends at most, when its definition bounds them; null when only time does. */
  plannedRequests(load: L): number | null;
  /** Scenario seconds the load lasts by its definition; null when only its requests bound it. */
  plannedDuration(load: L): number | null;
  /** Most connections the load opens at once (haproxy's limits). */
  connections(load: L): number;
  /** The arrival plan of an open loop (scenario seconds); null for others. */
  arrivalPlan(load: L): ArrivalPlan | null;
  /**
   * Intended starts of the requests by index (scenario seconds), which the load generator sends
   * at and the model's first run takes: zeros for a burst; empty for closed loops, whose arrivals
   * depend on the responses.
   */
  modelArrivals(load: L, seed: number): Float64Array;
  /** What the load generator runs (real time, through the plan's clock). */
  task(load: L, context: TaskContext): LoadTask;
  /** Requests per scenario second the plan offers on average; null when it offers no rate. */
  offeredRate(load: L): number | null;
  /** Users of a burst, for the usual arithmetic (users / concurrency x service); null otherwise. */
  burstUsers(load: L): number | null;
  /** A steady open loop's rate and process, for recycling over hours (model/long-run.ts). */
  steadyRate(load: L): { rate: number; process: 'poisson' | 'constant' } | null;
  /** Requests always in flight (connections x pipelining) when the load keeps them so. */
  alwaysInFlight(load: L): number | null;
  /** Whether every request is the same one (the mean service time), as autocannon sends. */
  oneRequest: boolean;
  /** Whether a topology may repeat the load (`repeat`): only bursts do. */
  repeats: boolean;
  /** Whether the run measures the spread between the first and last request written. */
  dispatchSpread: boolean;
}

/** What most executors answer: no cross-field problem, no arrivals, rate or burst of their own. */
const DEFAULTS = {
  check: () => [],
  arrivalPlan: () => null,
  modelArrivals: () => new Float64Array(0),
  offeredRate: () => null,
  burstUsers: () => null,
  steadyRate: () => null,
  alwaysInFlight: () => null,
  oneRequest: false,
  repeats: false,
  dispatchSpread: false,
} satisfies Partial<ExecutorDefinition>;

/** The parts an executor file must give; the others default to DEFAULTS. */
export type ExecutorSpec<L extends LoadSpec, S extends z.ZodObject> = Omit<
  ExecutorDefinition<L, S>,
  keyof typeof DEFAULTS
> &
  Partial<Pick<ExecutorDefinition<L, S>, keyof typeof DEFAULTS>>;

/**
 * An executor's definition, its own load and schema types checked, the defaults merged once,
 * stored as any load's.
 */
export function defineExecutor<L extends LoadSpec, S extends z.ZodObject>(
  spec: ExecutorSpec<L, S>,
): ExecutorDefinition {
  return { ...DEFAULTS, ...spec } as unknown as ExecutorDefinition;
}
