import type { ErrorKind } from '../load/error-kind.js';
import type { HistogramName } from '../load/recorder.js';
import type { Clock } from '../scenario/clock.js';
import type { RequestRecord } from './request-record.js';
import type { TopologyStatus } from './summary.js';

/**
 * What a shard's run (harness/run/shard.ts) records beyond a single run's files, for `merge` to
 * add the shards exactly (reports/README.md, "Shards and merge"):
 *
 *   summary.json  `shard` block (ShardBlock): which share, the plan's hash, the start and clocks
 *   shard-state.json  per topology (ShardState): the HDR histograms, the counts and the sums the
 *                 load figures are made of, each as the shard measured its share
 *
 * Pure: the types, and the clock offset computed from a shard's own records.
 */

/** How a shard's clock compared with the target's, from the target's X-Server-Clock. */
export interface ClockOffset {
  /**
   * This shard's monotonic clock minus the target's, real ms: highMs (see clockOffsetOf). On one
   * machine the clocks are the same one and this is 0 within a millisecond or so.
   */
  ms: number;
  /** The offset lies in [lowMs, highMs] if requests take no negative time (NTP's bounds). */
  lowMs: number;
  highMs: number;
  /** Requests the bounds rest on. */
  requests: number;
  how: string;
}

export interface ShardBlock {
  index: number;
  count: number;
  /** Where the shard came from: --shard, or JOB_COMPLETION_INDEX with --shards/HARNESS_SHARDS. */
  source: string;
  /** The plan's identity (harness/run/shard.ts planHash) and the seed it was made with. */
  planHash: string;
  planSeed: number;
  /** This shard's share: of what, how many the plan holds, how many this shard took. */
  share: { of: 'users' | 'arrivals'; planned: number; taken: number };
  /** --start-at as given (ISO 8601, UTC), null when the shard started when ready. */
  startAt: string | null;
  /** The load's time zero by this machine's wall clock, epoch ms. */
  actualStartWallMs: number | null;
  /** actualStartWallMs minus the --start-at instant, real ms; null without --start-at. */
  startLatenessMs: number | null;
  /** The load's time zero on this machine's monotonic clock (ns, as a decimal string). */
  startMonotonicNs: string | null;
  /** This shard's clock against the target's; null when the target reports no clock. */
  clockOffsetMs: number | null;
  clockOffset: ClockOffset | { how: string };
}

/** What `merge` needs of one topology of a shard to add it to the others. */
export interface ShardState {
  status: TopologyStatus;
  failure: string | null;
  bursts: number;
  /** Whether requests.ndjson holds every request of this topology (`record: "requests"`). */
  recordsKept: boolean;
  /** Each HDR histogram (real µs) in HdrHistogram's compressed base64 encoding. */
  histograms: Record<HistogramName, string> | null;
  /** The load's counts and sums (real ns), as results/load-figures.ts takes them. */
  load: {
    sent: number;
    completed: number;
    failed: number;
    late: number;
    spanNs: number;
    residenceNs: number;
    sojournNs: number;
    meanInFlight?: number;
    failedResidenceNs?: number;
    inFlightSpanNs?: number;
    closed?: { users: number; thinkTotalNs: number; activeUserNs: number };
  } | null;
  /** Requests and failures by class, when records were not kept. */
  counts: { requests: number; errorsByKind: Partial<Record<ErrorKind, number>> } | null;
  dispatchSpreadMs: number | null;
}

export interface ShardStateFile {
  schemaVersion: 1;
  topologies: Record<string, ShardState>;
}

/**
 * The offset of a shard's clock against the target's from its requests, bounded as NTP bounds
 * it: a request's handler starts after the client wrote it and ends before the client read the
 * end of its response, so (client − target) lies in [max(written − start), min(complete − end)]
 * over the requests. The two bounds are not alike: a request waits in the server's queue between
 * its write and its handler (so the lower bound is loose whenever all of a shard's requests
 * queued), while nothing but the response's transfer lies between the handler's end and the
 * client's read. The offset given is therefore the upper bound, exact to a response's transfer
 * time (well under a millisecond on loopback). Needs the target's X-Server-Clock (the emulated
 * targets and the middleware send it); requests whose wait was estimated are left out.
 */
export function clockOffsetOf(records: readonly RequestRecord[], clock: Clock): ClockOffset | null {
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  let n = 0;
  for (const r of records) {
    if (r.waitSource === 'estimate') continue;
    if (r.handlerStart === null || r.handlerEnd === null) continue;
    if (r.written === null || r.complete === null) continue;
    low = Math.max(low, clock.realMs(r.written - r.handlerStart));
    high = Math.min(high, clock.realMs(r.complete - r.handlerEnd));
    n += 1;
  }
  if (n === 0) return null;
  return {
    ms: high,
    lowMs: low,
    highMs: high,
    requests: n,
    how: `the least (response read − handler end) over ${n} request${n === 1 ? '' : 's'}, from the target's X-Server-Clock (exact to a response's transfer time); the offset is at least lowMs, the least (write − handler start)`,
  };
}

/** One shard as the merge found it. */
export interface MergedShard {
  index: number;
  /** The shard's run directory, as given to merge. */
  dir: string;
  runId: string;
  complete: boolean;
  /** Requests (or closed users) of the plan this shard held. */
  taken: number;
  startLatenessMs: number | null;
  clockOffsetMs: number | null;
  /**
   * The shard's first request as the target saw it (its earliest accept, or handler start where
   * no accept is reported, on the target's clock), real ms after the earliest shard's; null when
   * the target reports no clock.
   */
  firstOnTargetMs: number | null;
}

/** summary.json's `merge` block: what a merged run holds, and what it lacks. */
export interface MergeBlock {
  planHash: string;
  planSeed: number;
  count: number;
  /** What a share is of: a burst's or closed loop's users, an open loop's arrivals. */
  of: 'users' | 'arrivals';
  planned: number;
  present: MergedShard[];
  /** Shards of the plan not given to merge, or whose run did not complete, with their share. */
  missing: Array<{ index: number; taken: number; why: string }>;
  /** The share of the plan's requests (or users) the missing shards held, 0 to 1. */
  missingShare: number;
  /** Latest minus earliest actual start by the shards' own wall clocks, real ms. */
  startSpreadMs: number | null;
  /**
   * The burst's spread as the target saw it: first to last accept of a request's connection on
   * the target's own clock (X-Server-Clock), real ms; null when the target reports no clock.
   */
  targetDispatchSpreadMs: number | null;
  /** The shards' first requests (firstOnTargetMs) as the target saw them: latest minus earliest, real ms. */
  targetStartSpreadMs: number | null;
  /**
   * Shards whose clock provably differs from the target's (its offset's bounds leave out 0): their
   * requests' server instants (accepted, handlerStart, handlerEnd) and waits in requests.ndjson
   * and the merged figures are put back on the shard's own timeline by the offset (real ms).
   * Histograms a shard kept instead of records cannot be corrected.
   */
  clockCorrected: Array<{ index: number; ms: number }>;
}
