import type { ErrorKind } from '../load/error-kind.js';
import type { RawRequest } from '../load/raw-request.js';
import type { HistogramName } from '../load/recorder.js';
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

/**
 * What a shard saw of the target's own clock (X-Server-Clock: CLOCK_MONOTONIC µs of the target's
 * machine, sent by the emulated targets and the middleware), from its raw requests, whatever
 * machine the target is on: the instants merge places every shard's load on, and this shard's
 * clock against the target's.
 */
export interface TargetClock {
  /** The first and last accept of this shard's requests' connections, target µs. */
  firstAcceptUs: number | null;
  lastAcceptUs: number | null;
  /** This shard's first request's arrival: its earliest accept, else handler start, target µs. */
  firstArrivalUs: number;
  /**
   * This shard's monotonic clock minus the target's, real ms: `highMs`, the least (response
   * read − handler end) over its requests, exact to a response's transfer time (and to how late
   * the client's loop read it). The offset is at least `lowMs`, the greatest (write − handler
   * start), a bound the server's queue widens. On one machine the two clocks are one and this is
   * 0 within a few ms; across machines it holds the machines' monotonic clocks' difference,
   * which merge compares between shards (MergedShard.wallOffsetMs).
   */
  offsetMs: number;
  lowMs: number;
  highMs: number;
  /** Requests it rests on. */
  requests: number;
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
  /**
   * This shard's clock minus the target's, real ms, when the target shares this machine's clock
   * (a loopback URL): targetClock.offsetMs. Null for a target on another machine (whose clock
   * merge compares between shards instead) or one that reports no clock.
   */
  clockOffsetMs: number | null;
  /** How clockOffsetMs was measured, or why it is null, in words. */
  clockOffsetHow: string;
  /** The target's clock as this shard saw it, or why it did not. */
  targetClock: TargetClock | { how: string };
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
 * The target's clock as a shard's requests saw it (TargetClock), from the raw requests (client
 * ns after `startNs`, the load's start on this machine's monotonic clock; server µs of the
 * target's): a request's handler starts after the client wrote it and ends before the client
 * read the end of its response, so (client − target) lies in [max(written − start),
 * min(complete − end)], NTP's bounds. Null when no request carried the target's clock.
 */
export function targetClockOf(raw: readonly RawRequest[], startNs: bigint): TargetClock | null {
  const startUs = Number(startNs) / 1000;
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  let firstAccept = Number.POSITIVE_INFINITY;
  let lastAccept = Number.NEGATIVE_INFINITY;
  let firstArrival = Number.POSITIVE_INFINITY;
  let n = 0;
  for (const r of raw) {
    const server = r.server;
    if (server?.startUs === undefined) continue;
    const arrival = server.acceptedUs ?? server.startUs;
    firstArrival = Math.min(firstArrival, arrival);
    if (server.acceptedUs !== undefined) {
      firstAccept = Math.min(firstAccept, server.acceptedUs);
      lastAccept = Math.max(lastAccept, server.acceptedUs);
    }
    if (server.endUs === undefined || r.writtenNs === undefined || r.completeNs === undefined)
      continue;
    low = Math.max(low, (startUs + r.writtenNs / 1000 - server.startUs) / 1000);
    high = Math.min(high, (startUs + r.completeNs / 1000 - server.endUs) / 1000);
    n += 1;
  }
  if (n === 0) return null;
  return {
    firstAcceptUs: Number.isFinite(firstAccept) ? firstAccept : null,
    lastAcceptUs: Number.isFinite(lastAccept) ? lastAccept : null,
    firstArrivalUs: firstArrival,
    offsetMs: high,
    lowMs: low,
    highMs: high,
    requests: n,
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
   * This shard's wall clock against the other shards', measured through the target's clock (one
   * clock every shard talked to): (wall − monotonic at its start) + targetClock.offsetMs, less the
   * same of the shard with the median such value, real ms; null without the target's clock.
   * What a shard's wall clock is off by, if the others' are right, whatever machines they are on.
   */
  wallOffsetMs: number | null;
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
