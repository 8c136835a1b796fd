import { quantileSorted } from 'simple-statistics';
import type { WorkerExitReason } from '../../targets/lifecycle-config.js';
import type { BootSchedule } from '../model/boot.js';
import type { WorkerTransition } from '../model/simulate.js';
import type { LiveStep, TimedRequest } from './over-time.js';

/**
 * What the workers' lives did to a run: how long fewer than all of them served, how often they
 * restarted or were killed, when the first and the last began to serve, and how the requests
 * that arrived while some were missing fared against those that arrived at full strength. Pure;
 * instants in scenario seconds after the load's start. Measured figures come from the arbiter's
 * worker-spawn, worker-ready, worker-exit and worker-initialised messages; predicted ones from
 * the model's first simulated run and its boot schedule.
 */

/** A worker's life event as the run observed it. */
export interface LifeEvent {
  at: number;
  /** The worker slot: replica and worker number, e.g. "0/3". */
  slot: string;
  kind: 'spawn' | 'ready' | 'exit' | 'initialised';
  pid: number;
  reason?: WorkerExitReason;
  /** An exit: the signal that ended the worker, when its server logged one ("SIGKILL"). */
  signal?: string;
  skipped?: boolean;
}

export interface RequestGroup {
  requests: number;
  failed: number;
  meanWait: number | null;
  p95Wait: number | null;
  maxWait: number | null;
}

export interface WorkerLifeFigures {
  /** Worker slots: replicas x workers. */
  workers: number;
  /** Worker exits during the load (recycled, killed or crashed), each followed by a replacement. */
  restarts: number;
  exitsByReason: Record<WorkerExitReason, number>;
  /** Scenario seconds with fewer than `workers` serving, and with none. */
  timeBelowFull: number;
  timeAtZero: number;
  /** Time-average of the workers serving. */
  meanLive: number;
  /** From the load's start until a first worker serves, and until all do; null if never. */
  firstServing: number | null;
  allServing: number | null;
  /** Workers killed while still booting, slots killed more than once, slots that never served. */
  killedBooting: number;
  restartLoops: number;
  neverServed: number;
  /** When the last start-up work finished; null when there is none or it never did. */
  lastInitialised: number | null;
  /** Requests that arrived while fewer than all workers served, and the others. */
  degraded: RequestGroup;
  full: RequestGroup;
  /**
   * A degraded request counts as delayed when its wait is above the p99 wait of the requests at
   * full strength (this threshold); null when fewer than 20 requests arrived at full strength.
   */
  delayedThreshold: number | null;
  delayed: number | null;
  /** Over [0, until]: the span the time figures cover. */
  until: number;
}

const REASONS: readonly WorkerExitReason[] = ['max-requests', 'timeout', 'crash'];

/** Live workers over time from observed events; every slot starts live or not at `from`. */
export function liveStepsFromEvents(
  slots: readonly string[],
  initiallyLive: boolean,
  events: readonly LifeEvent[],
  from = 0,
): LiveStep[] {
  const live = new Set<string>(initiallyLive ? slots : []);
  const steps: LiveStep[] = [{ at: Math.min(from, ...events.map((e) => e.at)), live: live.size }];
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    if (e.kind === 'ready') live.add(e.slot);
    else if (e.kind === 'exit') live.delete(e.slot);
    else continue;
    steps.push({ at: e.at, live: live.size });
  }
  return steps;
}

/** Live workers over time in a simulated run: up from `firstUp` (0 when absent), then transitions. */
export function liveStepsFromModel(
  workers: number,
  firstUp: Float64Array | undefined,
  transitions: readonly WorkerTransition[],
): LiveStep[] {
  let live = 0;
  for (let g = 0; g < workers; g++) if ((firstUp?.[g] ?? 0) <= 0) live++;
  const steps: LiveStep[] = [{ at: 0, live }];
  for (const t of transitions) {
    live += t.up ? 1 : -1;
    steps.push({ at: t.at, live });
  }
  return steps;
}

/** Seconds within [0, until] the step function spends in `where`. */
function timeWhere(
  steps: readonly LiveStep[],
  until: number,
  where: (live: number) => boolean,
): number {
  let total = 0;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k] as LiveStep;
    const from = Math.max(0, step.at);
    const to = Math.min(until, steps[k + 1]?.at ?? until);
    if (to > from && where(step.live)) total += to - from;
  }
  return total;
}

function firstWhere(
  steps: readonly LiveStep[],
  until: number,
  where: (live: number) => boolean,
): number | null {
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k] as LiveStep;
    const to = steps[k + 1]?.at ?? Number.POSITIVE_INFINITY;
    if (where(step.live) && to > 0 && step.at <= until) return Math.max(0, step.at);
  }
  return null;
}

function liveAt(steps: readonly LiveStep[], t: number): number {
  let live = 0;
  for (const step of steps) {
    if (step.at > t) break;
    live = step.live;
  }
  return live;
}

function group(requests: readonly TimedRequest[]): RequestGroup {
  const waits = requests
    .filter((r) => r.ok && r.start !== null)
    .map((r) => (r.start as number) - r.arrival)
    .sort((a, b) => a - b);
  return {
    requests: requests.length,
    failed: requests.filter((r) => !r.ok).length,
    meanWait: waits.length === 0 ? null : waits.reduce((a, b) => a + b, 0) / waits.length,
    p95Wait: waits.length === 0 ? null : quantileSorted(waits, 0.95),
    maxWait: waits.length === 0 ? null : (waits[waits.length - 1] as number),
  };
}

export interface LifeCounts {
  restarts: number;
  exitsByReason: Record<WorkerExitReason, number>;
  killedBooting: number;
  restartLoops: number;
  neverServed: number;
  lastInitialised: number | null;
}

/** Counts from observed events within [0, until]; `initiallyLive` slots served from the start. */
export function countsFromEvents(
  slots: readonly string[],
  events: readonly LifeEvent[],
  until: number,
  initiallyLive: boolean,
): LifeCounts {
  const inRun = events.filter((e) => e.at >= 0 && e.at <= until);
  const exits = inRun.filter((e) => e.kind === 'exit');
  const exitsByReason = Object.fromEntries(
    REASONS.map((r) => [r, exits.filter((e) => e.reason === r).length]),
  ) as Record<WorkerExitReason, number>;
  const readyPids = new Set(events.filter((e) => e.kind === 'ready').map((e) => e.pid));
  const bootKills = inRun.filter(
    (e) => e.kind === 'exit' && e.reason === 'timeout' && !readyPids.has(e.pid),
  );
  const killsBySlot = new Map<string, number>();
  for (const e of bootKills) killsBySlot.set(e.slot, (killsBySlot.get(e.slot) ?? 0) + 1);
  const served = new Set(events.filter((e) => e.kind === 'ready').map((e) => e.slot));
  const inits = events.filter((e) => e.kind === 'initialised');
  return {
    restarts: exits.length,
    exitsByReason,
    killedBooting: bootKills.length,
    restartLoops: [...killsBySlot.values()].filter((n) => n > 1).length,
    neverServed: initiallyLive ? 0 : slots.filter((s) => !served.has(s)).length,
    lastInitialised:
      inits.length === 0
        ? null
        : inits.reduce((last, e) => Math.max(last, e.at), Number.NEGATIVE_INFINITY),
  };
}

/**
 * Counts from the model: its first run's transitions and its boot schedule. The engine does not
 * say why a worker went down during the load; `downReason` is the one the topology configures
 * (recycling, or a sync request running past the timeout).
 */
export function countsFromModel(
  transitions: readonly WorkerTransition[],
  boot: BootSchedule | null,
  until: number,
  hasInit: boolean,
  downReason: WorkerExitReason,
): LifeCounts {
  const downs = transitions.filter((t) => !t.up && t.at >= 0 && t.at <= until).length;
  // Kills while booting within the span: every fork after a slot's first is one.
  const killsPerSlot = (boot?.slots ?? []).map(
    (slot) => slot.forks.filter((at) => at > 0 && at <= until).length,
  );
  const bootKills = killsPerSlot.reduce((a, b) => a + b, 0);
  const exitsByReason: Record<WorkerExitReason, number> = {
    'max-requests': 0,
    timeout: 0,
    crash: 0,
  };
  exitsByReason[downReason] += downs;
  exitsByReason.timeout += bootKills;
  return {
    restarts: downs + bootKills,
    exitsByReason,
    killedBooting: bootKills,
    restartLoops: killsPerSlot.filter((k) => k > 1).length,
    neverServed: (boot?.slots ?? []).filter((slot) => slot.readyAt > until).length,
    lastInitialised:
      boot === null || !hasInit || !Number.isFinite(boot.lastInitialised)
        ? null
        : boot.lastInitialised,
  };
}

/** The figures of one side (measured or predicted). */
export function workerLifeFigures(
  workers: number,
  steps: readonly LiveStep[],
  until: number,
  requests: readonly TimedRequest[],
  counts: LifeCounts,
): WorkerLifeFigures {
  const below = (live: number): boolean => live < workers;
  const degradedRequests = requests.filter((r) => liveAt(steps, r.arrival) < workers);
  const fullRequests = requests.filter((r) => liveAt(steps, r.arrival) >= workers);
  const degraded = group(degradedRequests);
  const full = group(fullRequests);
  const fullWaits = fullRequests
    .filter((r) => r.ok && r.start !== null)
    .map((r) => (r.start as number) - r.arrival)
    .sort((a, b) => a - b);
  const delayedThreshold = fullWaits.length >= 20 ? quantileSorted(fullWaits, 0.99) : null;
  const meanLive =
    until > 0
      ? steps.reduce((area, step, k) => {
          const from = Math.max(0, step.at);
          const to = Math.min(until, steps[k + 1]?.at ?? until);
          return to > from ? area + step.live * (to - from) : area;
        }, 0) / until
      : 0;
  return {
    workers,
    ...counts,
    timeBelowFull: timeWhere(steps, until, below),
    timeAtZero: timeWhere(steps, until, (live) => live === 0),
    meanLive,
    firstServing: firstWhere(steps, until, (live) => live > 0),
    allServing: firstWhere(steps, until, (live) => live >= workers),
    degraded,
    full,
    delayedThreshold,
    delayed:
      delayedThreshold === null
        ? null
        : degradedRequests.filter(
            (r) => r.ok && r.start !== null && (r.start as number) - r.arrival > delayedThreshold,
          ).length,
    until,
  };
}
