import { executorOf } from '../load/executors/registry.js';
import { clockOffsetOf, type ShardBlock, type ShardState } from '../results/shard-state.js';
import type { Measurement } from './measure.js';
import type { RunPlan } from './plan.js';
import { planHash, type ShardSpec, shardTakes } from './shard.js';
import type { ShardStart } from './shard-start.js';

/**
 * What a shard's run records of itself (harness/results/shard-state.ts): the `shard` block of
 * summary.json and, per topology, shard-state.json, from the plan and what was measured.
 */

/** A shard's `shard` block: its share of the plan, its start against --start-at, its clock. */
export function shardBlock(
  plan: RunPlan,
  shardRun: { spec: ShardSpec; source: string },
  start: ShardStart,
  /** Absent before the load: the block names the share, the start and clock stay null. */
  measured: Measurement | undefined,
): ShardBlock {
  const { spec } = shardRun;
  const { load } = plan.scenario;
  const planned =
    load.executor === 'closed-users'
      ? load.users
      : (executorOf(load).plannedRequests(load) ?? plan.arrivals.length);
  const offset = measured === undefined ? null : clockOffsetOf(measured.records, plan.clock);
  return {
    index: spec.index,
    count: spec.count,
    source: shardRun.source,
    planHash: planHash(plan.scenario),
    planSeed: plan.scenario.model.seed,
    share: {
      of: load.executor === 'burst' || load.executor === 'closed-users' ? 'users' : 'arrivals',
      planned,
      taken: shardTakes(planned, spec),
    },
    ...start.facts(measured?.startNs),
    clockOffsetMs: offset?.ms ?? null,
    clockOffset: offset ?? {
      how:
        measured === undefined
          ? 'not measured yet: the load has not run'
          : measured.records.length === 0
            ? 'not measured: the run kept no records (load.record "histograms")'
            : "not measured: the target sent no X-Server-Clock, or its clock is not this machine's",
    },
  };
}

/** What merge needs of a shard's topology beyond its records (shard-state.json). */
export function shardState(measured: Measurement): ShardState {
  return {
    status: measured.status,
    failure: measured.failure,
    bursts: measured.bursts,
    recordsKept: measured.counts === undefined,
    histograms: measured.encodedHistograms ?? null,
    load:
      measured.load === null
        ? null
        : {
            sent: measured.load.sent,
            completed: measured.load.completed,
            failed: measured.load.failed,
            late: measured.load.late,
            spanNs: measured.load.spanNs,
            residenceNs: measured.load.residenceNs,
            sojournNs: measured.load.sojournNs,
            ...(measured.load.meanInFlight === undefined
              ? {}
              : { meanInFlight: measured.load.meanInFlight }),
            ...(measured.load.failedResidenceNs === undefined
              ? {}
              : { failedResidenceNs: measured.load.failedResidenceNs }),
            ...(measured.load.inFlightSpanNs === undefined
              ? {}
              : { inFlightSpanNs: measured.load.inFlightSpanNs }),
            ...(measured.load.closed === undefined ? {} : { closed: measured.load.closed }),
          },
    counts: measured.counts ?? null,
    dispatchSpreadMs: measured.dispatchSpreadMs,
  };
}
