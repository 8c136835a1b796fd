import type { Scenario, TopologySpec } from '../scenario/types.js';
import { type ArrivalPlan, expectedRequests } from './arrivals.js';
import { engineDeployment } from './deployment.js';
import { arrivalPlanOf } from './predict-load.js';
import { deploymentOf, eventLoopCostOf } from './server-kinds.js';
import { distributionOf } from './service-time.js';
import { DEFAULT_BEHAVIOUR, type ModelIssue, type RaceMechanism } from './simulate.js';
import type { WhatIfInput } from './what-if.js';

/**
 * From a validated scenario to the planner's questions, one per topology: the same mapping of
 * every kind, handler style and lifecycle field onto the engine that `npm run scenario` predicts
 * with (server-kinds.ts, deployment.ts), so that `npm run model` answers for exactly what a
 * scenario would run. Pure: the accept race each topology runs is decided by the caller (it
 * reads the calibration files) and passed in.
 */

/** The accept race one topology's model runs, and why (calibrate/calibration.ts decides it). */
export interface PlannerRace {
  stickiness: number;
  /** The race as a mechanism (race-mechanism.ts); when given, `stickiness` is unused. */
  mechanism?: RaceMechanism;
  note: string;
}

export interface PlannedTopology {
  name: string;
  /** The kind the scenario names (the engine may run another, e.g. uvicorn as gthread). */
  declaredKind: string;
  input: WhatIfInput;
  /** How the deployment maps onto the engine, and where its accept race comes from. */
  notes: string[];
}

export interface PlannerOptions {
  /** Cores CPU-bound handlers share. */
  cores: number;
  race: (topology: TopologySpec) => PlannerRace;
  /** Topology names to answer for; all when absent. */
  only?: readonly string[];
}

export type PlannerQuestions =
  | { ok: true; topologies: PlannedTopology[] }
  | { ok: false; problems: ModelIssue[] };

/** Scenario seconds a cold start is simulated beyond the last arrival. */
const BOOT_HORIZON = 600;

/** The arrival plan the planner simulates for a scenario's load, or null for closed loops. */
export function plannerArrivals(scenario: Scenario): ArrivalPlan | null {
  const load = scenario.load;
  if (load.executor === 'burst') return { kind: 'burst', users: load.users };
  return arrivalPlanOf(load);
}

export function plannerQuestions(scenario: Scenario, options: PlannerOptions): PlannerQuestions {
  const problems: ModelIssue[] = [];
  const arrivals = plannerArrivals(scenario);
  if (arrivals === null)
    problems.push({
      field: 'load.executor',
      message: `the planner answers bursts and arrival-rate loads; "${scenario.load.executor}" depends on the responses`,
      fix: 'use a burst or an arrival-rate load, or run the scenario: npm run scenario gives closed loops their operational bounds',
    });
  const names = scenario.topologies.map((t) => t.name);
  for (const name of options.only ?? [])
    if (!names.includes(name))
      problems.push({
        field: 'only',
        message: `no topology "${name}" in ${scenario.source}`,
        fix: `name one of ${names.join(', ')}`,
      });
  for (const t of scenario.topologies)
    if (t.url !== undefined && (options.only === undefined || options.only.includes(t.name)))
      problems.push({
        field: `topologies.${t.name}.url`,
        message: 'a topology given by "url" is a server the harness knows nothing about',
        fix: 'describe its kind, workers and threads instead, or leave it out with --only',
      });
  if (arrivals === null || problems.length > 0) return { ok: false, problems };

  const service = distributionOf(scenario.service);
  const users = expectedRequests(arrivals);
  const lastArrival = arrivals.kind === 'burst' ? 0 : users / Math.max(1e-9, meanRate(arrivals));
  const chosen = scenario.topologies.filter(
    (t) => options.only === undefined || options.only.includes(t.name),
  );
  const topologies = chosen.map((t): PlannedTopology => {
    const deployment = engineDeployment(
      deploymentOf(t, { users: Math.max(1, Math.ceil(users)), work: scenario.service.work }),
      scenario.service.work,
      lastArrival + BOOT_HORIZON,
      arrivals.kind === 'burst',
    );
    const race = options.race(t);
    // The event loop's costs are real seconds, at the topology's own time scale.
    const loop = eventLoopCostOf(t, scenario.service.work, t.timeScale ?? scenario.timeScale);
    const input: WhatIfInput = {
      topology: deployment.topology,
      arrivals,
      service,
      behaviour: {
        ...DEFAULT_BEHAVIOUR,
        ...deployment.behaviour,
        cores: options.cores,
        stickiness: race.stickiness,
        ...(race.mechanism === undefined ? {} : { race: race.mechanism }),
        ...(loop === undefined ? {} : { loop }),
      },
      seed: scenario.model.seed,
      replications: scenario.model.replications,
    };
    if (deployment.firstUp !== undefined) input.firstUp = deployment.firstUp;
    return {
      name: t.name,
      declaredKind: t.declaredKind,
      input,
      notes: [...deployment.notes, race.note],
    };
  });
  return { ok: true, topologies };
}

/** Mean arrival rate of an open-arrival plan (requests per second). */
function meanRate(plan: ArrivalPlan): number {
  if (plan.kind === 'burst') return Number.POSITIVE_INFINITY;
  if (plan.kind === 'stages') {
    const duration = plan.stages.reduce((sum, s) => sum + s.duration, 0);
    return duration > 0 ? expectedRequests(plan) / duration : 1;
  }
  return plan.rate;
}
