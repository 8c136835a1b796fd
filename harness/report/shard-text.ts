import type { RunSummary } from '../results/summary.js';

/**
 * What a shard's run or a merged run is, in sentences for the report's header and the merge
 * command (issue 18): a shard's share of the plan, or which shards a merged run holds, which it
 * lacks and what share of the plan that is, and the start as the clocks and the target saw it.
 * Empty for an ordinary run. Pure.
 */
export function shardText(summary: Pick<RunSummary, 'shard' | 'merge'>): string[] {
  const ms = (x: number | null): string => (x === null ? 'not measured' : `${x.toFixed(1)} ms`);
  const { shard, merge } = summary;
  if (shard !== undefined)
    return [
      `Shard ${shard.index} of ${shard.count} (from 0; ${shard.source}) of plan ${shard.planHash}: ${shard.share.taken} of the plan's ${shard.share.planned} ${shard.share.of}, request k when k mod ${shard.count} = ${shard.index}. Its figures are its share's; the thresholds are judged on the merged run (npm run merge).`,
      `Start: ${shard.startAt === null ? 'when ready (no --start-at)' : `--start-at ${shard.startAt}, ${ms(shard.startLatenessMs)} late by this machine's clock`}; clock offset from the target's ${ms(shard.clockOffsetMs)}.`,
    ];
  if (merge === undefined) return [];
  const lines = [
    `Merged from ${merge.present.length} of ${merge.count} shards of plan ${merge.planHash} (${merge.planned} ${merge.of} planned).`,
  ];
  if (merge.missing.length > 0)
    lines.push(
      `MISSING: ${merge.missing.map((m) => `shard ${m.index} (${m.taken} ${merge.of}: ${m.why})`).join('; ')}: ${(merge.missingShare * 100).toFixed(1)}% of the plan is not in these figures.`,
    );
  lines.push(
    `Start spread by the shards' clocks ${ms(merge.startSpreadMs)}; on the target's clock the shards' first requests ${ms(merge.targetStartSpreadMs)} apart, accepts ${ms(merge.targetDispatchSpreadMs)} first to last.`,
  );
  return lines;
}
