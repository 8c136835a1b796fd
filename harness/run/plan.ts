import {
  type AcceptRaceChoice,
  acceptRaceChoice,
  type CalibrationState,
  type Machine,
} from '../calibrate/calibration.js';
import { withRaceMechanism } from '../calibrate/race-choice.js';
import type { RaceFitState } from '../calibrate/race-fit-file.js';
import type { PathSpec } from '../load/executor.js';
import type { ExecutorDefinition } from '../load/executors/definition.js';
import { executorOf } from '../load/executors/registry.js';
import type { LoadTask } from '../load/run-load.js';
import { backOfEnvelope } from '../model/burst.js';
import type { LongRunInput } from '../model/long-run.js';
import type { LoadPredictionInput } from '../model/predict-load.js';
import { createRandom, deriveSeed, STREAM } from '../model/random.js';
import { acceptRaceServerOf, deploymentOf, eventLoopCostOf } from '../model/server-kinds.js';
import {
  distributionOf,
  type ServiceDistribution,
  sampleServiceTimes,
  serviceMean,
} from '../model/service-time.js';
import type { EventLoopCost } from '../model/simulate.js';
import { Clock } from '../scenario/clock.js';
import { DEFAULT_START_TIMEOUT } from '../scenario/schema.js';
import {
  concurrencyOf,
  type LoadSpec,
  type Scenario,
  type TopologySpec,
} from '../scenario/types.js';
import { withEmulatedTwins } from './twins.js';

/**
 * Everything a run needs to know before it starts anything, computed once from the validated
 * scenario with no side effects: the clock, the service times and arrival instants (which the
 * load generator sends and the model takes alike), the load task, and each topology's model
 * input. The run then only measures, predicts and writes (run-scenario.ts).
 *
 *   Scenario ──planRun──► RunPlan { clock, serviceTimes, arrivals, task, topologies[i].model }
 */

/** What planning needs besides the scenario: the machine the run is on. */
export interface PlanContext {
  /** Cores of the machine (CPU-bound handlers share them). */
  cores: number;
  /** The accept-race calibration as found, and the machine, to tell whether it applies. */
  calibration: CalibrationState;
  machine: Machine;
  /**
   * The accept race's mechanism fitted for this machine or a like one (race-fit-file.ts), which
   * the model uses before the stickiness for the servers it was fitted for; absent: none.
   */
  raceFit?: RaceFitState;
}

export interface TopologyPlan {
  topology: TopologySpec;
  /**
   * The plan as this topology runs it: the run's own, or, when the topology has a `timeScale` of
   * its own, the same plan in that topology's real time (its clock, load task, paths and limits;
   * every scenario-second figure is the same).
   */
  run: ScenarioPlan;
  /** The accept race the model uses for this topology, and where it came from. */
  acceptRace: AcceptRaceChoice;
  /** The model's input: the run's own arrivals and service times on this topology. */
  model: LoadPredictionInput;
  /** The usual arithmetic's answer for a burst (users / concurrency x service); NaN otherwise. */
  backOfEnvelope: number;
  /** Loads sent to the topology one after another (a burst's `repeat`); 1 for other loads. */
  bursts: number;
}

/** A plan in one time scale: everything but the topologies. */
export type ScenarioPlan = Omit<RunPlan, 'topologies'>;

export interface RunPlan {
  scenario: Scenario;
  /** The one converter between scenario and real time. */
  clock: Clock;
  executor: ExecutorDefinition;
  distribution: ServiceDistribution;
  /** Each request's service time (scenario seconds), request i taking entry i modulo the length. */
  serviceTimes: Float64Array;
  /** Each request's intended start (scenario seconds): zeros for a burst, empty for closed loops. */
  arrivals: Float64Array;
  /** What the load generator runs, in real time. */
  task: LoadTask;
  /** The paths the load asks the emulated targets for, each with its real service time. */
  paths: PathSpec;
  /** Most connections the load opens at once. */
  connections: number;
  /** What the targets are started with, in real time. */
  targets: {
    service: { work: Scenario['service']['work']; ms: number };
    readyTimeoutMs: number;
    requestTimeoutMs: number;
  };
  /** The steady load to extend over hours when workers recycle (constant rates only). */
  longRun?: Omit<LongRunInput, 'deployment'>;
  topologies: TopologyPlan[];
}

/** Service times drawn per run: every request up to this many gets its own, later ones cycle. */
export const SERVICE_TABLE_SIZE = 65_536;

/** Hours of the model at the run's steady rate, for recycling's long-run cost (issue 6). */
const LONG_RUN_HOURS = 4;

/** Users the model gives uvicorn's async handlers when the load plans no count: they run as many at once as arrive. */
const UNBOUNDED_USERS = 10_000;

export function planRun(scenario: Scenario, context: PlanContext): RunPlan {
  const { load, service, model } = scenario;
  const executor = executorOf(load);
  const distribution = distributionOf(service);
  // Each request's service time, drawn once with the model's seed: every topology gets the same
  // times, the targets are sent them, and the model's first run uses them too.
  const serviceTimes = sampleServiceTimes(
    distribution,
    serviceTableSize(load),
    createRandom(deriveSeed(model.seed, STREAM.service)),
  );
  const arrivals = executor.modelArrivals(load, model.seed);
  const steady = executor.steadyRate(load);
  const longRun =
    steady !== null
      ? {
          ...steady,
          distribution,
          cores: context.cores,
          seed: model.seed,
          horizon: LONG_RUN_HOURS * 3600,
          runs: 3,
        }
      : undefined;
  const shared = { executor, distribution, serviceTimes, arrivals, longRun };
  const base = scaledPlan(scenario, shared);
  // A topology with a time scale of its own runs the same plan in its own real time.
  const scaled = new Map<number, ScenarioPlan>([[scenario.timeScale, base]]);
  const runOf = (timeScale: number): ScenarioPlan => {
    let plan = scaled.get(timeScale);
    if (plan === undefined) {
      plan = scaledPlan({ ...scenario, timeScale }, shared);
      scaled.set(timeScale, plan);
    }
    return plan;
  };
  const topologies = withEmulatedTwins(scenario.topologies, scenario.compareEmulated === true);
  return {
    ...base,
    topologies: topologies.map((topology) => {
      const run = runOf(topology.timeScale ?? scenario.timeScale);
      return planTopology(run, topology, context);
    }),
  };
}

/** The plan's real-time parts at the scenario's time scale; the rest is given. */
function scaledPlan(
  scenario: Scenario,
  shared: Pick<ScenarioPlan, 'executor' | 'distribution' | 'serviceTimes' | 'arrivals'> & {
    longRun: ScenarioPlan['longRun'];
  },
): ScenarioPlan {
  const { executor, serviceTimes, arrivals, longRun } = shared;
  const { load, service, model } = scenario;
  const clock = new Clock(scenario.timeScale);
  return {
    scenario,
    clock,
    executor,
    distribution: shared.distribution,
    serviceTimes,
    arrivals,
    task: executor.task(load, { clock, seed: model.seed, arrivals }),
    paths: requestPaths(executor, scenario, serviceTimes, clock),
    connections: executor.connections(load),
    targets: {
      service: { work: service.work, ms: clock.realMs(service.time) },
      // Limits on starting are real seconds already (scenarios/README.md, "limits").
      readyTimeoutMs: (scenario.limits.startTimeout ?? DEFAULT_START_TIMEOUT) * 1000,
      requestTimeoutMs: clock.realMs(scenario.limits.requestTimeout),
    },
    ...(longRun === undefined ? {} : { longRun }),
  };
}

function planTopology(
  run: ScenarioPlan,
  topology: TopologySpec,
  context: PlanContext,
): TopologyPlan {
  const { scenario, distribution } = run;
  const { load, service, model, limits } = scenario;
  const executor = executorOf(load);
  const users = executor.burstUsers(load);
  // The same race `npm run model` answers with, so that a run's predicted column and the
  // planner agree (issue 14).
  const acceptRace = withRaceMechanism(
    acceptRaceChoice(
      acceptRaceServerOf(topology.kind),
      topology.replicas,
      context.calibration,
      context.machine,
      { viaHaproxy: topology.balancerServer === 'haproxy', threads: topology.threads },
    ),
    topology.replicas,
    context.raceFit,
    scenario.timeScale,
  );
  return {
    topology,
    run,
    acceptRace,
    model: {
      topology: deploymentOf(topology, {
        users: executor.plannedRequests(load) ?? UNBOUNDED_USERS,
        work: service.work,
      }),
      stickiness: acceptRace.stickiness,
      ...(acceptRace.mechanism === undefined ? {} : { race: acceptRace.mechanism }),
      ...loopOf(eventLoopCostOf(topology, service.work, scenario.timeScale)),
      load,
      distribution,
      serviceTimes: run.serviceTimes,
      arrivals: run.arrivals,
      work: service.work,
      cores: context.cores,
      seed: model.seed,
      replications: model.replications,
      requestTimeout: limits.requestTimeout,
    },
    backOfEnvelope:
      users === null
        ? Number.NaN
        : backOfEnvelope(
            users,
            topology.claimedConcurrency ?? concurrencyOf(topology),
            serviceMean(distribution),
          ),
    bursts: executor.repeats ? (topology.repeat ?? scenario.repeat ?? 1) : 1,
  };
}

/** How many service times to draw for a load. */
export function serviceTableSize(load: LoadSpec): number {
  const planned = executorOf(load).plannedRequests(load);
  return Math.max(1, Math.min(planned ?? SERVICE_TABLE_SIZE, SERVICE_TABLE_SIZE));
}

/**
 * The paths a load sends: each request asks the emulated target for its own service time (real
 * ms). The throughput executor repeats one request, so it asks for the mean.
 */
function requestPaths(
  executor: ExecutorDefinition,
  scenario: Scenario,
  serviceTimes: Float64Array,
  clock: Clock,
): PathSpec {
  const { work } = scenario.service;
  if (executor.oneRequest) {
    let sum = 0;
    for (const s of serviceTimes) sum += s;
    return {
      kind: 'fixed',
      path: `/work?ms=${clock.realMs(sum / serviceTimes.length)}&work=${work}`,
    };
  }
  return { kind: 'service', work, serviceMs: Array.from(serviceTimes, (s) => clock.realMs(s)) };
}

/** The model's `loop` field, present only when the workers have an event loop cost. */
function loopOf(loop: EventLoopCost | undefined): { loop?: EventLoopCost } {
  return loop === undefined ? {} : { loop };
}
