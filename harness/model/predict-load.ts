import type { Work } from '../../targets/protocol.js';
import type { LoadSpec } from '../scenario/types.js';
import type { WaitStats } from '../stats/waits.js';
import { type ArrivalPlan, arrivalInstants } from './arrivals.js';
import { type DeploymentParts, type EngineDeployment, engineDeployment } from './deployment.js';
import { averageStats, type Prediction, predictBurst, spreadOf, statsOf } from './predict.js';
import { createRandom, deriveSeed, STREAM } from './random.js';
import {
  isConstant,
  type ServiceDistribution,
  sampleServiceTimes,
  serviceMean,
} from './service-time.js';
import {
  type EventLoopCost,
  type ModelTopology,
  type RaceMechanism,
  type SimulationResult,
  simulate,
} from './simulate.js';
import { serversOf } from './topology.js';

/**
 * The prediction for any scenario load: the burst model for bursts, a simulation of the very
 * same arrival plan for the arrival-rate executors, and operational bounds (Denning & Buzen 1978)
 * for closed loops, whose arrivals depend on the responses:
 *
 *   closed users (N, think Z)   X <= min(N / (S + Z), c / S)     R >= max(S, N·S/c − Z)
 *   throughput (K connections)  X <= min(K·P / S, c / S)          (Z = 0, P requests per connection)
 *
 * c is the topology's concurrency (threads serving at once), or for CPU-bound handlers the cores
 * they can use. All times are scenario seconds.
 */

export interface LoadPredictionInput {
  /** The topology, with its lifecycle and async-worker parts when it has them. */
  topology: ModelTopology & DeploymentParts;
  load: LoadSpec;
  distribution: ServiceDistribution;
  /** The service times the run sends, request i taking entry i modulo the length. */
  serviceTimes: Float64Array;
  /**
   * The run's own arrival instants by request index (scenario seconds), computed once by the run
   * plan and sent by the load generator too; drawn here with the model's seed when absent.
   */
  arrivals?: Float64Array;
  work: Work;
  cores: number;
  seed: number;
  replications: number;
  /** The accept race's stickiness (accept-race.ts); 0, the uniform race, when absent. */
  stickiness?: number;
  /** The accept race as a mechanism (race-mechanism.ts); when given, `stickiness` is unused. */
  race?: RaceMechanism;
  /** The workers' event loop cost (simulate.ts `loop`); none when absent. */
  loop?: EventLoopCost;
  /**
   * Scenario seconds after which a client gives up on a request (limits.requestTimeout): a
   * request the model starts later counts as failed, as it does in the measurement.
   */
  requestTimeout?: number;
  /**
   * Called with every simulated run of the prediction of the measured run itself (not of the
   * typical run), and its arrival instants: for figures averaged over runs beyond the waits.
   */
  eachRun?: (result: SimulationResult, arrivals: Float64Array) => void;
}

export interface LoadPrediction {
  /**
   * Wait figures of the measured run itself: the model given the run's own arrivals and service
   * times (averaged over runs only where the model draws for itself: accept races, a random
   * balancer). Null for closed loops, whose arrivals depend on the responses.
   */
  waits: Prediction | null;
  /**
   * Wait figures of a typical run, with fresh arrivals and service times each simulated run:
   * present when they are random (Poisson arrivals, varying service), to show how typical the
   * measured run was.
   */
  expected: Prediction | null;
  /** Requests per scenario second the topology completes, or at most completes (bounds). */
  throughput: number;
  /** Closed loops: the least mean response time the bounds allow, scenario seconds. */
  minResponse: number | null;
  /** How `throughput` (and `minResponse`) were obtained. */
  throughputMethod: 'arrival rate' | 'bound';
  /** What the engine ran: the topology as simulated, its behaviour, a cold start's boots. */
  deployment: EngineDeployment;
}

/** Most requests the open-loop prediction simulates over all its runs. */
const OPEN_LOOP_BUDGET = 2_000_000;

/** The arrival plan of an arrival-rate load (scenario seconds); null for other executors. */
export function arrivalPlanOf(load: LoadSpec): ArrivalPlan | null {
  if (load.executor === 'constant-arrival-rate') {
    return load.arrivals === 'poisson'
      ? { kind: 'poisson', rate: load.rate, duration: load.duration }
      : { kind: 'constant', rate: load.rate, duration: load.duration };
  }
  if (load.executor === 'ramping-arrival-rate') {
    return {
      kind: 'stages',
      startRate: load.startRate,
      stages: load.stages,
      process: load.arrivals,
    };
  }
  return null;
}

/** The seed the run and the model both draw a load's arrivals with. */
export function arrivalSeed(seed: number): number {
  return deriveSeed(seed, STREAM.arrivals);
}

/** Threads (or cores, for CPU-bound handlers) that serve at once: the c of the bounds. */
function capacityServers(t: ModelTopology, work: Work, cores: number): number {
  return work === 'cpu' ? Math.min(cores, t.replicas * t.workers) : serversOf(t);
}

function cycled(times: Float64Array, n: number): Float64Array {
  if (times.length >= n) return times.length === n ? times : times.subarray(0, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = times[i % times.length] as number;
  return out;
}

export function predictLoad(input: LoadPredictionInput): LoadPrediction {
  const { load, cores } = input;
  const giveUp = input.requestTimeout ?? Number.POSITIVE_INFINITY;
  const plan = arrivalPlanOf(load);
  const lastArrival = plan === null ? 0 : lastOf(firstArrivalsOf(input, plan));
  const built = engineDeployment(
    input.topology,
    input.work,
    lastArrival + (Number.isFinite(giveUp) ? giveUp : 600),
    load.executor === 'burst',
  );
  // The race the engine runs is part of what it simulated: the attribution re-runs the model on
  // measured inputs with this same behaviour (results/attribution.ts), stickiness included.
  const deployment = {
    ...built,
    behaviour: {
      ...built.behaviour,
      stickiness: input.stickiness ?? 0,
      ...(input.race === undefined ? {} : { race: input.race }),
      ...(input.loop === undefined ? {} : { loop: input.loop }),
    },
  };
  const topology = deployment.topology;
  const work = deployment.work;
  const engine = { ...input, topology, work, deployment, giveUp };
  const mean = serviceMean(input.distribution);
  const c = capacityServers(topology, work, cores);
  switch (load.executor) {
    case 'burst': {
      const burst = (sameInputs: boolean): Prediction =>
        predictBurst({
          topology,
          behaviour: deployment.behaviour,
          ...(deployment.firstUp === undefined ? {} : { firstUp: deployment.firstUp }),
          randomBehaviour: deployment.random,
          giveUpAfter: giveUp,
          ...(sameInputs && input.eachRun !== undefined ? { eachRun: input.eachRun } : {}),
          users: load.users,
          service: mean,
          seed: input.seed,
          replications: input.replications,
          distribution: input.distribution,
          serviceTimes: cycled(input.serviceTimes, load.users),
          work,
          cores,
          sameInputs,
          stickiness: input.stickiness ?? 0,
        });
      const waits = burst(true);
      return {
        waits,
        expected: isConstant(input.distribution) ? null : burst(false),
        throughput: load.users / waits.stats.makespan,
        minResponse: null,
        throughputMethod: 'arrival rate',
        deployment,
      };
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const openPlan = plan as ArrivalPlan;
      const waits = predictOpenLoop(engine, openPlan, true);
      const randomInputs =
        openPlan.kind === 'poisson' ||
        (openPlan.kind === 'stages' && openPlan.process === 'poisson') ||
        !isConstant(input.distribution);
      return {
        waits,
        expected: randomInputs ? predictOpenLoop(engine, openPlan, false) : null,
        throughput: waits.stats.count / Math.max(waits.stats.makespan, 1e-12),
        minResponse: null,
        throughputMethod: 'arrival rate',
        deployment,
      };
    }
    case 'closed-users': {
      const throughput = Math.min(load.users / (mean + load.thinkTime), c / mean);
      const minResponse = Math.max(mean, (load.users * mean) / c - load.thinkTime);
      return {
        waits: null,
        expected: null,
        throughput,
        minResponse,
        throughputMethod: 'bound',
        deployment,
      };
    }
    case 'throughput': {
      const inFlight = load.connections * load.pipelining;
      return {
        waits: null,
        expected: null,
        throughput: Math.min(inFlight / mean, c / mean),
        minResponse: mean,
        throughputMethod: 'bound',
        deployment,
      };
    }
  }
}

/**
 * Simulates the run's own arrival plan. With `sameInputs`, every simulated run has the measured
 * run's arrivals and service times (only the model's own draws vary: accept races, a random
 * balancer); otherwise the first does and later runs draw fresh ones.
 */
function lastOf(values: Float64Array): number {
  return values.length === 0 ? 0 : (values[values.length - 1] as number);
}

/** The measured run's arrivals: the plan's, or drawn with the model's seed. */
function firstArrivalsOf(input: LoadPredictionInput, plan: ArrivalPlan): Float64Array {
  return input.arrivals ?? arrivalInstants(plan, createRandom(arrivalSeed(input.seed)));
}

type EngineInputs = LoadPredictionInput & {
  topology: ModelTopology;
  deployment: EngineDeployment;
  giveUp: number;
};

function predictOpenLoop(input: EngineInputs, plan: ArrivalPlan, sameInputs: boolean): Prediction {
  const { topology, work, cores, deployment } = input;
  const firstArrivals = firstArrivalsOf(input, plan);
  const n = firstArrivals.length;
  const varies =
    !sameInputs &&
    (plan.kind === 'poisson' ||
      (plan.kind === 'stages' && plan.process === 'poisson') ||
      !isConstant(input.distribution));
  const random =
    (topology.kind === 'gthread' && topology.workers > 1) ||
    (topology.replicas > 1 && topology.balancer === 'random') ||
    deployment.random;
  const wanted = varies || random ? input.replications : 1;
  const runs = Math.max(1, Math.min(wanted, Math.floor(OPEN_LOOP_BUDGET / Math.max(n, 1))));
  const perRun: WaitStats[] = [];
  let sample: SimulationResult | undefined;
  for (let k = 0; k < runs; k++) {
    const fresh = k > 0 && !sameInputs;
    const arrivals = fresh
      ? arrivalInstants(plan, createRandom(arrivalSeed(input.seed + k)))
      : firstArrivals;
    const service = fresh
      ? sampleServiceTimes(
          input.distribution,
          arrivals.length,
          createRandom(deriveSeed(input.seed + k, STREAM.service)),
        )
      : cycled(input.serviceTimes, arrivals.length);
    const result = simulate({
      topology,
      behaviour: { ...deployment.behaviour, work, cores, stickiness: input.stickiness ?? 0 },
      arrivals,
      service,
      random: createRandom(input.seed + k),
      ...(deployment.firstUp === undefined ? {} : { firstUp: deployment.firstUp }),
    });
    sample ??= result;
    perRun.push(statsOf(result, arrivals, input.giveUp));
    if (sameInputs) input.eachRun?.(result, arrivals);
  }
  const what = sameInputs
    ? "a simulation of the run's own arrivals and service times"
    : 'a simulation of the same plan with fresh arrivals and service times each run';
  const budget =
    runs < wanted
      ? `, over ${runs} runs (the ${wanted} asked for would simulate more than ${OPEN_LOOP_BUDGET} requests)`
      : '';
  const prediction: Prediction = {
    method: 'simulation',
    replications: runs,
    stats: averageStats(perRun),
    sample: sample as SimulationResult,
    note: [`${what}${budget}`, ...deployment.notes].join('; '),
  };
  if (runs > 1) prediction.spread = spreadOf(perRun);
  return prediction;
}
