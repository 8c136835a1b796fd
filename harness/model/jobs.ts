import type { Election } from '../../targets/app/protocol.js';

/**
 * What can be predicted of a scheduled job run by every worker or by an elected leader. This is
 * not queueing: the capacity model (waits, throughput) has nothing to say about it. What follows
 * from the configuration alone is how many workers run each slot, and, once the instant a leader
 * is killed is known, the window in which a successor can take over. Pure.
 *
 * Runs per slot (one slot per interval):
 *   none       every worker of every replica runs it          W x R
 *   file-lock  one worker per host (a replica stands for one)  R
 *   lease      one worker in the whole deployment              1
 *
 * Takeover after the leader dies at k (slots at s0 + j x interval; a run at a slot needs its
 * worker to lead at that instant, so the successor's first run is at the first slot >= the
 * instant it takes over):
 *   file-lock  the kernel frees the lock at once; a follower retries within `retry`:
 *              takes over in [k, k + retry]
 *   lease      the last renewal r was in (k - renew, k], the row expires at r + lease, a follower
 *              retries within `retry` after that: takes over in (k + lease - renew, k + lease + retry]
 *   none       nobody takes over: the master forks a replacement that starts its own scheduler.
 * Renewals come a little later than `renew` (the time a renewal takes), so the lower bound can
 * be a little early; the figures are bounds, not a distribution.
 */

export interface JobsModelInput {
  election: Election;
  workers: number;
  replicas: number;
  /** Scenario seconds between slots. */
  interval: number;
  lease: number;
  renew: number;
  retry: number;
}

export interface Range {
  min: number;
  max: number;
}

export interface JobsPrediction {
  /** Runs in each slot. */
  runsPerSlot: number;
  /** Runs beyond the one that was wanted, in each slot. */
  duplicatesPerSlot: number;
  /** Who elects: the whole deployment, each replica (host), or nobody (each worker). */
  scope: 'deployment' | 'replica' | 'worker';
  note: string;
}

export interface TakeoverPrediction {
  /** Scenario seconds from the kill to the successor's first run. */
  takeover: Range;
  /** Slots after the kill that the killed leader's scope misses. */
  missedSlots: Range;
  /**
   * Scenario seconds from the scope's last run before the kill (its slot at or before the kill)
   * to the successor's first run: a whole number of intervals.
   */
  gap: Range;
  /** The instants between which the successor becomes the leader (scenario seconds). */
  acquireWindow: Range;
}

export function predictJobs(input: JobsModelInput): JobsPrediction {
  switch (input.election) {
    case 'none': {
      const runs = input.workers * input.replicas;
      return {
        runsPerSlot: runs,
        duplicatesPerSlot: runs - 1,
        scope: 'worker',
        note: `without an election every worker's own scheduler runs the job: ${input.workers} workers x ${input.replicas} replicas = ${runs} runs per slot`,
      };
    }
    case 'file-lock':
      return {
        runsPerSlot: input.replicas,
        duplicatesPerSlot: input.replicas - 1,
        scope: 'replica',
        note:
          input.replicas === 1
            ? 'a file lock elects one worker on its host, and the one replica stands for one host: 1 run per slot'
            : `a file lock elects one worker per host, and each of the ${input.replicas} replicas stands for a host: ${input.replicas} runs per slot`,
      };
    case 'lease':
      return {
        runsPerSlot: 1,
        duplicatesPerSlot: 0,
        scope: 'deployment',
        note: 'a lease in a shared database row elects one worker in the whole deployment: 1 run per slot',
      };
  }
}

/** The first slot at or after `t`, slots being s0 + j x interval. */
export function slotAtOrAfter(t: number, s0: number, interval: number): number {
  return s0 + Math.ceil((t - s0) / interval - 1e-9) * interval;
}

/** Slots in (from, to]. */
function slotsIn(from: number, to: number, s0: number, interval: number): number {
  if (to <= from) return 0;
  const first = slotAtOrAfter(from + 1e-9, s0, interval);
  return first > to ? 0 : Math.floor((to - first) / interval + 1e-9) + 1;
}

/**
 * The takeover window when the leader is killed at `kill`, with slots at s0 + j x interval;
 * null without an election (nobody takes over).
 */
export function predictTakeover(
  input: JobsModelInput,
  kill: number,
  s0: number,
): TakeoverPrediction | null {
  let acquire: Range;
  if (input.election === 'file-lock') acquire = { min: kill, max: kill + input.retry };
  else if (input.election === 'lease')
    acquire = {
      min: kill + Math.max(0, input.lease - input.renew),
      max: kill + input.lease + input.retry,
    };
  else return null;
  const first = slotAtOrAfter(acquire.min, s0, input.interval);
  const last = slotAtOrAfter(acquire.max, s0, input.interval);
  // The leader ran every slot up to its death: its last is the slot at or before the kill.
  const ranLast = slotAtOrAfter(kill + 1e-9, s0, input.interval) - input.interval;
  return {
    acquireWindow: acquire,
    takeover: { min: first - kill, max: last - kill },
    gap: { min: first - ranLast, max: last - ranLast },
    missedSlots: {
      min: slotsIn(kill, first - input.interval / 2, s0, input.interval),
      max: slotsIn(kill, last - input.interval / 2, s0, input.interval),
    },
  };
}
