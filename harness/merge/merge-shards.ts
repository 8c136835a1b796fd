import type { ErrorKind } from '../load/error-kind.js';
import { HISTOGRAMS, type HistogramName, type MicrosSummary, Recorder } from '../load/recorder.js';
import type { RequestRecord } from '../results/request-record.js';
import type { MergeBlock, MergedShard, ShardBlock, ShardState } from '../results/shard-state.js';
import { measureFromRealHistogram, type RunSummary } from '../results/summary.js';
import type { LoadStep } from '../run/load-step.js';
import type { Measurement } from '../run/measure.js';
import { shardTakes } from '../run/shard.js';
import type { Clock } from '../scenario/clock.js';

/**
 * The exact merge of shards of one plan (issue 18): each topology's measurement rebuilt as one
 * run's, from the shards' parts, for the same summarising code a single run goes through
 * (run-scenario.ts predictAndSummarise):
 *
 *   records      concatenated, each tagged with its shard, in request order
 *   histograms   added bucket by bucket (HdrHistogram's add, as load threads are merged)
 *   counts, sums added (requests, failures by class, late, response and in-flight times)
 *   spans        on one timeline: each shard's own span from its start, placed at its start's
 *                offset from the earliest start by the shards' wall clocks
 *
 * Counts, errors, records and histogram counts equal a single run's of the same plan exactly;
 * figures over time (span, throughput, the dispatch spread by the client) carry the shards'
 * start offsets, which the merge block reports, with the target's own view where it has a clock.
 * Pure: the shards' files are read by read-shards.ts.
 */

/** One shard's run directory as read. */
export interface ShardInput {
  dir: string;
  summary: RunSummary & { shard: ShardBlock };
  /** shard-state.json; null when the shard did not get to write it (killed before its load ended). */
  state: Record<string, ShardState> | null;
  records: RequestRecord[];
}

export interface MergedRun {
  /** Each topology's measurement, for predictAndSummarise. */
  measurements: Map<string, Measurement>;
  block: MergeBlock;
}

/** Whether a shard counts as present: its load ended and it wrote what merge needs. */
function usable(shard: ShardInput): string | null {
  if (shard.state === null)
    return 'its run ended before its load did (no shard-state.json): killed or failed';
  if (!shard.summary.complete)
    return `its run did not complete (${shard.summary.topologies.find((t) => t.status !== 'complete')?.failure ?? 'interrupted'})`;
  return null;
}

export function mergeShards(
  shards: readonly ShardInput[],
  /** Each topology's name and clock (its own time scale where it has one). */
  topologies: ReadonlyArray<{ name: string; clock: Clock }>,
): MergedRun {
  const sorted = [...shards].sort((a, b) => a.summary.shard.index - b.summary.shard.index);
  const first = sorted[0]?.summary.shard;
  if (first === undefined) throw new Error('mergeShards needs at least one shard');
  const present = sorted.filter((s) => usable(s) === null);
  const missing: MergeBlock['missing'] = [];
  const given = new Map(sorted.map((s) => [s.summary.shard.index, s]));
  for (let index = 0; index < first.count; index++) {
    const shard = given.get(index);
    const why = shard === undefined ? 'not given to merge' : usable(shard);
    if (why !== null)
      missing.push({
        index,
        taken: shardTakes(first.share.planned, { index, count: first.count }),
        why,
      });
  }
  const walls = present.map((s) => s.summary.shard.actualStartWallMs);
  const knownWalls = walls.filter((w): w is number => w !== null);
  const earliestWall = knownWalls.length === 0 ? null : Math.min(...knownWalls);
  /** Real ns from the earliest shard's start to this shard's (its wall clock's view). */
  const offsetNs = (s: ShardInput): number => {
    const wall = s.summary.shard.actualStartWallMs;
    return wall === null || earliestWall === null ? 0 : (wall - earliestWall) * 1e6;
  };
  const measurements = new Map<string, Measurement>();
  for (const { name, clock } of topologies)
    measurements.set(name, mergeTopology(name, present, missing.length > 0, clock, offsetNs));
  const target = targetView(present);
  const block: MergeBlock = {
    planHash: first.planHash,
    planSeed: first.planSeed,
    count: first.count,
    of: first.share.of,
    planned: first.share.planned,
    present: present.map(
      (s): MergedShard => ({
        index: s.summary.shard.index,
        dir: s.dir,
        runId: s.summary.runId,
        complete: s.summary.complete,
        taken: s.summary.shard.share.taken,
        startLatenessMs: s.summary.shard.startLatenessMs,
        clockOffsetMs: s.summary.shard.clockOffsetMs,
        wallOffsetMs: target.wallOffset.get(s.summary.shard.index) ?? null,
        firstOnTargetMs: target.firstOnTarget.get(s.summary.shard.index) ?? null,
      }),
    ),
    missing,
    missingShare:
      first.share.planned === 0
        ? 0
        : missing.reduce((sum, m) => sum + m.taken, 0) / first.share.planned,
    startSpreadMs:
      knownWalls.length === 0 ? null : Math.max(...knownWalls) - Math.min(...knownWalls),
    targetDispatchSpreadMs: target.dispatchSpreadMs,
    targetStartSpreadMs: target.startSpreadMs,
    clockCorrected: clockCorrections(present),
  };
  return { measurements, block };
}

function mergeTopology(
  name: string,
  shards: readonly ShardInput[],
  partial: boolean,
  clock: Clock,
  offsetNs: (s: ShardInput) => number,
): Measurement {
  const parts = shards.flatMap((s) => {
    const state = s.state?.[name];
    return state === undefined ? [] : [{ shard: s, state }];
  });
  const corrections = new Map(clockCorrections(shards).map((c) => [c.index, c.ms]));
  const records = parts
    .flatMap(({ shard }) =>
      shard.records
        .filter((r) => r.topology === name)
        .map((r) =>
          onShardClock(
            { ...r, shard: shard.summary.shard.index },
            corrections.get(shard.summary.shard.index),
            clock,
          ),
        ),
    )
    .sort((a, b) => (a.burst ?? 0) - (b.burst ?? 0) || a.index - b.index);
  const recordsKept = parts.every((p) => p.state.recordsKept);
  const recorder = new Recorder({ keepRequests: false });
  const errorsByKind: Partial<Record<ErrorKind, number>> = {};
  for (const { state } of parts) {
    if (state.histograms === null || state.load === null) continue;
    const errors = state.counts?.errorsByKind ?? {};
    for (const [kind, n] of Object.entries(errors))
      errorsByKind[kind as ErrorKind] = (errorsByKind[kind as ErrorKind] ?? 0) + (n ?? 0);
    recorder.absorb({
      requests: [],
      histograms: state.histograms,
      counts: {
        completed: state.load.completed,
        failed: state.load.failed,
        late: state.load.late,
        errors: errors as Record<string, number>,
      },
      sojournNs: state.load.sojournNs,
      residenceNs: state.load.residenceNs,
      failedResidenceNs: state.load.failedResidenceNs ?? 0,
      firstWrittenNs: Number.POSITIVE_INFINITY,
      lastCompleteNs: 0,
    });
  }
  const loads = parts.flatMap(({ shard, state }) =>
    state.load === null ? [] : [{ load: state.load, at: offsetNs(shard) }],
  );
  const histograms = Object.fromEntries(HISTOGRAMS.map((h) => [h, recorder.summary(h)])) as Record<
    HistogramName,
    MicrosSummary
  >;
  const spanNs = Math.max(0, ...loads.map(({ load, at }) => at + load.spanNs));
  const sum = (pick: (l: NonNullable<ShardState['load']>) => number): number =>
    loads.reduce((total, { load }) => total + pick(load), 0);
  const counted = loads.every(({ load }) => load.meanInFlight !== undefined);
  const inFlightSpanNs = Math.max(
    0,
    ...loads.map(({ load, at }) => at + (load.inFlightSpanNs ?? 0)),
  );
  const closed = loads.every(({ load }) => load.closed !== undefined)
    ? {
        users: sum((l) => l.closed?.users ?? 0),
        thinkTotalNs: sum((l) => l.closed?.thinkTotalNs ?? 0),
        activeUserNs: sum((l) => l.closed?.activeUserNs ?? 0),
      }
    : undefined;
  const step: LoadStep = {
    records: recordsKept ? records : [],
    dispatchSpreadMs: dispatchSpreadOf(parts, offsetNs, clock),
    load:
      loads.length === 0
        ? null
        : {
            sent: sum((l) => l.sent),
            completed: sum((l) => l.completed),
            failed: sum((l) => l.failed),
            late: sum((l) => l.late),
            spanNs,
            residenceNs: sum((l) => l.residenceNs),
            sojournNs: sum((l) => l.sojournNs),
            histograms,
            ...(counted && loads.length > 0
              ? {
                  // The time-average in flight over the merged span: each shard's area added.
                  meanInFlight:
                    inFlightSpanNs > 0
                      ? sum((l) => (l.meanInFlight ?? 0) * (l.inFlightSpanNs ?? 0)) / inFlightSpanNs
                      : 0,
                  failedResidenceNs: sum((l) => l.failedResidenceNs ?? 0),
                  inFlightSpanNs,
                }
              : {}),
            ...(closed === undefined ? {} : { closed }),
          },
  };
  if (!recordsKept) {
    step.measured = measureFromRealHistogram(histograms.wait, spanNs, clock);
    step.counts = { requests: sum((l) => l.sent), errorsByKind };
  }
  const failedPart = parts.find((p) => p.state.status !== 'complete');
  const status = failedPart?.state.status ?? (partial ? 'aborted' : 'complete');
  return {
    ...step,
    observed: {},
    bursts: Math.min(...parts.map((p) => p.state.bursts), Number.POSITIVE_INFINITY) || 0,
    status: parts.length === 0 ? 'aborted' : status,
    failure:
      failedPart?.state.failure ??
      (partial || parts.length === 0
        ? 'shards of the plan are missing (see the merge block)'
        : null),
    error: undefined,
    events: [],
    servers: [],
  };
}

/**
 * The shards whose clocks provably differ from the target's, and by how much (real ms): those
 * whose offset's bounds (targetClockOf: a handler starts after its request was written and ends
 * before its response was read) leave out zero. A shard that shares the target's clock always
 * has zero within its bounds, however late its event loop read the responses, so its records
 * are left exactly as measured.
 */
export function clockCorrections(
  shards: readonly ShardInput[],
): Array<{ index: number; ms: number }> {
  return shards.flatMap((s) => {
    const { targetClock, clockOffsetMs } = s.summary.shard;
    // Only a shard on the target's machine has server instants in its records to correct.
    if (!('lowMs' in targetClock) || clockOffsetMs === null) return [];
    return targetClock.lowMs > 0 || targetClock.highMs < 0
      ? [{ index: s.summary.shard.index, ms: targetClock.offsetMs }]
      : [];
  });
}

/**
 * A record's server instants are the target's clock read against the shard's start on the
 * shard's clock (request-record.ts); a shard whose clock is off by `ms` (clockCorrections) has
 * them off by as much, and its waits with them. Adding the offset back puts them on the shard's
 * own timeline, exact to the offset's measurement (a response's transfer time).
 */
function onShardClock(record: RequestRecord, ms: number | undefined, clock: Clock): RequestRecord {
  if (ms === undefined || record.waitSource === 'estimate') return record;
  const by = clock.fromRealMs(ms);
  const shift = (x: number | null): number | null => (x === null ? null : x + by);
  const accepted = shift(record.accepted);
  const handlerStart = shift(record.handlerStart);
  return {
    ...record,
    accepted,
    handlerStart,
    handlerEnd: shift(record.handlerEnd),
    wait: handlerStart === null ? null : handlerStart - record.intendedStart,
    acceptWait: accepted === null ? null : accepted - record.intendedStart,
  };
}

/**
 * The dispatch spread by the clients' clocks, on one timeline: first to last write over every
 * shard, each write placed at its shard's start offset; null without records, as in a single run.
 */
function dispatchSpreadOf(
  parts: ReadonlyArray<{ shard: ShardInput; state: ShardState }>,
  offsetNs: (s: ShardInput) => number,
  clock: Clock,
): number | null {
  if (parts.every((p) => p.state.dispatchSpreadMs === null)) return null;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { shard } of parts) {
    const at = offsetNs(shard) / 1e6;
    for (const r of shard.records) {
      if (r.written === null) continue;
      const ms = at + clock.realMs(r.written);
      first = Math.min(first, ms);
      last = Math.max(last, ms);
    }
  }
  return Number.isFinite(first) ? last - first : null;
}

/**
 * What the target saw, on its own clock (each shard's TargetClock: the target's X-Server-Clock
 * instants as they came, whatever machine each shard ran on): the burst's accepts first to last
 * over every shard, when each shard's first request arrived, and each shard's wall clock against
 * the others' through that one clock. Null figures when a shard lacks the target's clock.
 */
function targetView(shards: readonly ShardInput[]): {
  dispatchSpreadMs: number | null;
  startSpreadMs: number | null;
  firstOnTarget: Map<number, number>;
  wallOffset: Map<number, number>;
} {
  const clocks = shards.flatMap((s) => {
    const { targetClock, index } = s.summary.shard;
    return 'offsetMs' in targetClock ? [{ index, clock: targetClock, block: s.summary.shard }] : [];
  });
  if (clocks.length === 0 || clocks.length < shards.length)
    return {
      dispatchSpreadMs: null,
      startSpreadMs: null,
      firstOnTarget: new Map(),
      wallOffset: new Map(),
    };
  const firstArrival = Math.min(...clocks.map((c) => c.clock.firstArrivalUs));
  const firstOnTarget = new Map(
    clocks.map((c) => [c.index, (c.clock.firstArrivalUs - firstArrival) / 1000]),
  );
  const firsts = clocks.flatMap((c) =>
    c.clock.firstAcceptUs === null ? [] : [c.clock.firstAcceptUs],
  );
  const lasts = clocks.flatMap((c) =>
    c.clock.lastAcceptUs === null ? [] : [c.clock.lastAcceptUs],
  );
  // Each shard's wall clock minus the target's monotonic one: the same for every shard whose wall
  // clock is right, so their differences are the wall clocks' own.
  const walls = clocks.flatMap((c) => {
    const { actualStartWallMs, startMonotonicNs } = c.block;
    if (actualStartWallMs === null || startMonotonicNs === null) return [];
    return [
      { index: c.index, v: actualStartWallMs - Number(startMonotonicNs) / 1e6 + c.clock.offsetMs },
    ];
  });
  const sorted = walls.map((w) => w.v).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    dispatchSpreadMs:
      firsts.length === clocks.length && lasts.length === clocks.length
        ? (Math.max(...lasts) - Math.min(...firsts)) / 1000
        : null,
    startSpreadMs: Math.max(...firstOnTarget.values()),
    firstOnTarget,
    wallOffset: new Map(median === undefined ? [] : walls.map((w) => [w.index, w.v - median])),
  };
}
