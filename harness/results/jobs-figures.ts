import type { Election } from '../../targets/app/protocol.js';
import {
  type JobsPrediction,
  predictJobs,
  predictTakeover,
  type TakeoverPrediction,
} from '../model/jobs.js';
import type { JobsSpec, SchedulerSpec } from '../scenario/types.js';

/**
 * What a topology's scheduled job did, from every run its workers recorded: runs per slot
 * (duplicates, slots nobody ran), and around the kill of the leader, how long until another
 * worker ran the job. Pure. Times are scenario seconds from the moment the topology was ready.
 */

/** One line of jobs.ndjson: a run of the job, or a worker becoming (or ceasing to be) leader. */
export interface JobRecord {
  topology: string;
  type: 'run' | 'leader' | 'follower';
  /** When it happened. */
  at: number;
  /** run only: the slot (scheduled instant) it ran for; null otherwise. */
  slot: number | null;
  replica: number;
  worker: number;
  pid: number;
}

export interface KillRecord {
  at: number;
  pid: number;
  replica: number;
  worker: number;
}

export interface KillFigures extends KillRecord {
  /** Whose runs could take over: the whole deployment, the victim's replica, its own worker slot. */
  scope: JobsPrediction['scope'];
  /** The scope's last run at or before the kill. */
  lastRunBefore: number | null;
  /** The scope's first run after the kill by another process. */
  firstRunAfter: number | null;
  successor: { replica: number; worker: number; pid: number } | null;
  /** When the successor became the leader (from its record), if it reported it. */
  successorLeads: number | null;
  /** Kill to the successor's first run; null when nobody ran within the observation. */
  takeover: number | null;
  /** Last run before to first run after: the interval when nothing fails. */
  gap: number | null;
  /** Slots after the kill with no run in the scope, until the successor's first run. */
  missedSlots: number;
}

export interface JobsFigures {
  election: Election;
  interval: number;
  duration: number;
  /** Slots (scheduled instants) within the observation. */
  slots: number;
  /** Runs for those slots. */
  runs: number;
  runsPerSlot: { mean: number; min: number; max: number };
  /** Runs beyond one per slot, summed over the slots. */
  duplicates: number;
  /** Slots nobody ran. */
  missedSlots: number;
  /** Distinct processes that ran the job. */
  processesThatRan: number;
  perSlot: Array<{ slot: number; runs: number }>;
  predicted: JobsPrediction & { takeover: TakeoverPrediction | null };
  kill: KillFigures | null;
  /** Why there is no kill when one was asked for. */
  note: string | null;
}

export interface JobsFiguresInput {
  records: readonly JobRecord[];
  jobs: JobsSpec;
  scheduler: SchedulerSpec;
  workers: number;
  replicas: number;
  /** The first slot at or after 0. */
  firstSlot: number;
  kill: KillRecord | null;
  note: string | null;
}

const EPSILON = 1e-6;

export function jobsFigures(input: JobsFiguresInput): JobsFigures {
  const { jobs, scheduler } = input;
  const modelInput = {
    election: scheduler.election,
    workers: input.workers,
    replicas: input.replicas,
    interval: jobs.interval,
    lease: scheduler.lease,
    renew: scheduler.renew,
    retry: scheduler.retry,
  };
  const prediction = predictJobs(modelInput);
  const slots: number[] = [];
  for (let s = input.firstSlot; s < jobs.duration - EPSILON; s += jobs.interval) slots.push(s);
  const runs = input.records.filter((r) => r.type === 'run' && r.slot !== null);
  const slotIndex = (slot: number): number => Math.round((slot - input.firstSlot) / jobs.interval);
  const counts = slots.map(() => 0);
  for (const r of runs) {
    const j = slotIndex(r.slot as number);
    if (j >= 0 && j < counts.length) counts[j] = (counts[j] ?? 0) + 1;
  }
  const inWindow = runs.filter((r) => {
    const j = slotIndex(r.slot as number);
    return j >= 0 && j < counts.length;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    election: scheduler.election,
    interval: jobs.interval,
    duration: jobs.duration,
    slots: slots.length,
    runs: total,
    runsPerSlot: {
      mean: slots.length === 0 ? Number.NaN : total / slots.length,
      min: counts.length === 0 ? Number.NaN : Math.min(...counts),
      max: counts.length === 0 ? Number.NaN : Math.max(...counts),
    },
    duplicates: counts.reduce((a, c) => a + Math.max(0, c - 1), 0),
    missedSlots: counts.filter((c) => c === 0).length,
    processesThatRan: new Set(inWindow.map((r) => r.pid)).size,
    perSlot: slots.map((slot, j) => ({ slot, runs: counts[j] ?? 0 })),
    predicted: {
      ...prediction,
      takeover:
        input.kill === null ? null : predictTakeover(modelInput, input.kill.at, input.firstSlot),
    },
    kill:
      input.kill === null
        ? null
        : killFigures(input.kill, prediction.scope, input.records, slots, jobs.interval),
    note: input.note,
  };
}

function killFigures(
  kill: KillRecord,
  scope: JobsPrediction['scope'],
  records: readonly JobRecord[],
  slots: readonly number[],
  interval: number,
): KillFigures {
  const inScope = (r: JobRecord): boolean =>
    scope === 'deployment' ||
    (r.replica === kill.replica && (scope === 'replica' || r.worker === kill.worker));
  const runs = records
    .filter((r) => r.type === 'run' && r.slot !== null && inScope(r))
    .sort((a, b) => a.at - b.at);
  const before = runs.filter((r) => r.at <= kill.at);
  const last = before[before.length - 1];
  const next = runs.find((r) => r.at > kill.at && r.pid !== kill.pid);
  const leads =
    next === undefined
      ? undefined
      : records
          .filter((r) => r.type === 'leader' && r.pid === next.pid && r.at <= next.at)
          .sort((a, b) => b.at - a.at)[0];
  const until = next?.slot ?? Number.POSITIVE_INFINITY;
  const origin = slots[0] ?? 0;
  const index = (slot: number): number => Math.round((slot - origin) / interval);
  const ran = new Set(runs.map((r) => index(r.slot as number)));
  const missed = slots.filter(
    (s) => s > kill.at && s < until - EPSILON && !ran.has(index(s)),
  ).length;
  return {
    ...kill,
    scope,
    lastRunBefore: last?.at ?? null,
    firstRunAfter: next?.at ?? null,
    successor:
      next === undefined ? null : { replica: next.replica, worker: next.worker, pid: next.pid },
    successorLeads: leads?.at ?? null,
    takeover: next === undefined ? null : next.at - kill.at,
    gap: next === undefined || last === undefined ? null : next.at - last.at,
    missedSlots: missed,
  };
}
