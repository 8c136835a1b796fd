import { createHash } from 'node:crypto';
import type { Share } from '../load/run-load.js';
import { scenarioDocument } from '../scenario/document.js';
import type { Scenario } from '../scenario/types.js';

/**
 * Shards of one plan (issue 18): a run can be shard i of N. Every shard computes the same plan
 * from the same scenario and seed (plan.ts) and takes a disjoint share of it: shard i of N takes
 * the requests (a burst's users, an open loop's planned arrivals) or the closed users whose index
 * k has k mod N = i. The shares together are exactly the plan: every index belongs to one shard.
 *
 *   plan indices  0 1 2 3 4 5 6 7 8 9 ...
 *   N = 3         0 1 2 0 1 2 0 1 2 0 ...   (the shard that sends each)
 *
 * Why round robin by index rather than contiguous blocks: an open loop's arrivals are in time
 * order, so a block would give shard 0 the first minutes and shard N-1 the last, each shard a
 * different load (a ramp's low end on one machine, its peak on another); round robin gives every
 * shard every N-th arrival, the same shape at 1/N of the rate, and a burst's users spread evenly.
 * Service times and weighted paths are drawn per request index (plan.ts, request-paths.ts), so a
 * request asks the same of the target whichever shard sends it.
 *
 * Worker threads inside a shard split its share again the same way: thread t of T in shard i
 * takes the indices k with k mod (N·T) = i + N·t, so the threads' shares together are exactly
 * the shard's. Pure: no I/O, no clocks.
 */

/** This run's place among the shards: index 0..count-1. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Most shards a plan may be cut into (a Kubernetes Indexed Job allows 100,000 completions). */
export const MAX_SHARDS = 100_000;

export type ShardParse = { ok: true; value: ShardSpec } | { ok: false; message: string };

/** Parses `--shard i/N` (i from 0 to N-1). */
export function parseShard(text: string): ShardParse {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null)
    return {
      ok: false,
      message: `expected i/N such as 0/4 (shard i of N, i from 0), got "${text}"`,
    };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS)
    return { ok: false, message: `N must be from 1 to ${MAX_SHARDS}, got "${text}"` };
  if (index >= count)
    return {
      ok: false,
      message: `i must be from 0 to N-1 (${count - 1}), got "${text}"; shards count from 0`,
    };
  return { ok: true, value: { index, count } };
}

/** Where the shard came from, to name it in messages. */
export interface ShardInputs {
  /** --shard i/N, parsed. */
  shard?: ShardSpec;
  /** --shards N. */
  shards?: number;
  /** The environment: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) and HARNESS_SHARDS. */
  env: Readonly<Record<string, string | undefined>>;
}

export type ShardResolution =
  | { ok: true; value: ShardSpec | null; source: string }
  | {
      ok: false;
      /** `mismatch`: --shard and JOB_COMPLETION_INDEX disagree; `invalid`: a bad value. */
      kind: 'mismatch' | 'invalid';
      message: string;
      fix: string;
    };

/**
 * The shard this run is, from --shard, or from Kubernetes' Indexed Job contract:
 * JOB_COMPLETION_INDEX (set by Kubernetes in each pod) with the count from --shards or
 * HARNESS_SHARDS. Null when nothing asks for shards. --shard and the job's index must agree.
 */
export function resolveShard(inputs: ShardInputs): ShardResolution {
  const { env } = inputs;
  const rawIndex = env.JOB_COMPLETION_INDEX;
  const rawCount = env.HARNESS_SHARDS;
  let count = inputs.shards;
  let countSource = '--shards';
  if (count === undefined && rawCount !== undefined && rawCount !== '') {
    count = Number(rawCount);
    countSource = 'HARNESS_SHARDS';
    if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
      return {
        ok: false,
        kind: 'invalid',
        message: `HARNESS_SHARDS="${rawCount}" is not a shard count`,
        fix: `set HARNESS_SHARDS to a whole number from 1 to ${MAX_SHARDS}, or give --shards`,
      };
  }
  let fromJob: ShardSpec | undefined;
  if (rawIndex !== undefined && rawIndex !== '' && count !== undefined) {
    const index = Number(rawIndex);
    if (!Number.isInteger(index) || index < 0 || index >= count)
      return {
        ok: false,
        kind: 'invalid',
        message: `JOB_COMPLETION_INDEX="${rawIndex}" is not a shard of ${count} (${countSource}): it must be from 0 to ${count - 1}`,
        fix: 'make the Indexed Job\'s "completions" equal to the shard count (--shards or HARNESS_SHARDS)',
      };
    fromJob = { index, count };
  }
  const given = inputs.shard;
  if (given !== undefined && count !== undefined && count !== given.count)
    return {
      ok: false,
      kind: 'mismatch',
      message: `--shard ${given.index}/${given.count} and ${countSource} ${count} give different shard counts`,
      fix: 'give one of them, or the same count in both',
    };
  if (given !== undefined && fromJob !== undefined) {
    if (given.index !== fromJob.index || given.count !== fromJob.count)
      return {
        ok: false,
        kind: 'mismatch',
        message: `--shard ${given.index}/${given.count} disagrees with the Kubernetes job's JOB_COMPLETION_INDEX=${fromJob.index} of ${fromJob.count} (${countSource})`,
        fix: 'drop --shard in an Indexed Job (the job gives each pod its index), or make them agree',
      };
    return { ok: true, value: given, source: '--shard and JOB_COMPLETION_INDEX' };
  }
  if (given !== undefined) return { ok: true, value: given, source: '--shard' };
  if (fromJob !== undefined)
    return { ok: true, value: fromJob, source: `JOB_COMPLETION_INDEX with ${countSource}` };
  // A count without an index would have every pod run the whole plan: refused, not ignored.
  if (count !== undefined)
    return {
      ok: false,
      kind: 'invalid',
      message: `${countSource} ${count} names a shard count but no shard: JOB_COMPLETION_INDEX is not set`,
      fix: 'give --shard i/N outside Kubernetes, or run as an Indexed Job (which sets JOB_COMPLETION_INDEX)',
    };
  return { ok: true, value: null, source: 'none' };
}

/** The indices 0..total-1 that shard `shard` takes (k mod N = i). */
export function shardIndices(total: number, shard: ShardSpec): number[] {
  const out: number[] = [];
  for (let k = shard.index; k < total; k += shard.count) out.push(k);
  return out;
}

/** How many of `total` indices shard `shard` takes. */
export function shardTakes(total: number, shard: ShardSpec): number {
  return total <= shard.index ? 0 : Math.ceil((total - shard.index) / shard.count);
}

/**
 * The executors' share (load/executor.ts: indices k with k mod `of` = `part`) of thread `thread`
 * within shard `shard`: k mod (N·T) = i + N·t. Without a shard, the thread's own share.
 */
export function composeShare(shard: ShardSpec | null, thread: Share): Share {
  if (shard === null) return thread;
  return { part: shard.index + shard.count * thread.part, of: shard.count * thread.of };
}

/**
 * What identifies a plan across machines: the scenario as it runs (scenario.json's content), less
 * what differs between machines running the same plan (the file's path, and a topology's `url`,
 * which each shard may reach by its own address). Shards whose hashes differ ran different plans
 * and cannot be merged. SHA-256 of canonical JSON (keys sorted), hex, first 16 characters.
 */
export function planHash(scenario: Scenario): string {
  const { source: _source, ...rest } = scenarioDocument(scenario) as Scenario;
  const comparable = {
    ...rest,
    topologies: rest.topologies.map(({ url: _url, ...topology }) => topology),
  };
  return createHash('sha256').update(canonicalJson(comparable)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted at every level, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

/**
 * Why a scenario cannot run as a shard, each reason with its fix; empty when it can. Shards
 * share one target, so every topology must be given by URL (`--url` or `url`): a shard that
 * started its own emulated servers would measure a deployment of its own, and the merge would
 * add N deployments' figures as if they were one. The throughput executor (autocannon) has no
 * plan to share, and repeated bursts would need a start instant each.
 */
export function shardProblems(scenario: Scenario): Array<{ message: string; fix: string }> {
  const problems: Array<{ message: string; fix: string }> = [];
  const started = scenario.topologies.filter((t) => t.url === undefined).map((t) => t.name);
  if (started.length > 0)
    problems.push({
      message: `shards share one running target, but ${started.map((n) => `"${n}"`).join(', ')} would be started by each shard`,
      fix: 'start the server once and give it to every shard with --url (and --only with its topology)',
    });
  if (scenario.load.executor === 'throughput')
    problems.push({
      message: 'the throughput executor has no plan of requests to share among shards',
      fix: 'use an arrival-rate, burst or closed-users load for shards',
    });
  if ((scenario.repeat ?? 1) > 1 || scenario.topologies.some((t) => (t.repeat ?? 1) > 1))
    problems.push({
      message: 'repeated bursts (repeat) have one start instant, not one per burst',
      fix: 'drop repeat (or --repeat) and run the shards again for each burst',
    });
  return problems;
}
