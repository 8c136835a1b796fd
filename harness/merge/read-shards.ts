import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MergeInvalidError, RunDirInvalidError } from '../errors.js';
import { parseThreshold, type Threshold } from '../gate/threshold.js';
import { readRun } from '../report/read-run.js';
import type { ShardBlock, ShardStateFile } from '../results/shard-state.js';
import type { RunSummary } from '../results/summary.js';
import type { Scenario } from '../scenario/types.js';
import type { ShardInput } from './merge-shards.js';

/**
 * Reads the run directories given to `merge` and checks that they are shards of one plan: each
 * has a `shard` block (a run made with --shard), all have the same plan hash and shard count, and
 * no shard is given twice. Every problem is collected and reported at once (E_MERGE_INVALID).
 */
export interface ShardsRead {
  shards: ShardInput[];
  /** The scenario as the lowest-numbered shard ran it, thresholds parsed again. */
  scenario: Scenario;
}

export async function readShards(dirs: readonly string[]): Promise<ShardsRead> {
  const problems: string[] = [];
  const read: Array<{ dir: string; shard: ShardInput; scenario: Scenario }> = [];
  for (const dir of dirs) {
    let run: Awaited<ReturnType<typeof readRun>>;
    try {
      run = await readRun(dir);
    } catch (error) {
      if (!(error instanceof RunDirInvalidError)) throw error;
      problems.push(`${dir}: ${error.message}`);
      continue;
    }
    const block = (run.summary as RunSummary).shard;
    if (block === undefined || typeof block !== 'object' || block === null) {
      problems.push(
        `${dir}: not a shard's run (its summary.json has no "shard" block; run the scenario with --shard i/N)`,
      );
      continue;
    }
    read.push({
      dir,
      shard: {
        dir,
        summary: run.summary as RunSummary & { shard: ShardBlock },
        state: await readState(dir),
        records: run.requests,
      },
      scenario: run.scenario,
    });
  }
  const [first] = read;
  if (first !== undefined) {
    const plan = first.shard.summary.shard;
    for (const { dir, shard } of read.slice(1)) {
      const block = shard.summary.shard;
      if (block.planHash !== plan.planHash)
        problems.push(
          `${dir}: plan ${block.planHash} differs from ${first.dir}'s plan ${plan.planHash} (another scenario, seed, time scale or option)`,
        );
      else if (block.count !== plan.count)
        problems.push(
          `${dir}: shard ${block.index}/${block.count} is of ${block.count} shards, ${first.dir}'s of ${plan.count}`,
        );
    }
    const byIndex = new Map<number, string>();
    for (const { dir, shard } of read) {
      const index = shard.summary.shard.index;
      const seen = byIndex.get(index);
      if (seen !== undefined)
        problems.push(`${dir}: shard ${index} is given twice (also ${seen}); give each shard once`);
      else byIndex.set(index, dir);
    }
  }
  if (problems.length > 0 || first === undefined)
    throw new MergeInvalidError(
      `${problems.length === 1 ? 'a directory is' : `${problems.length} directories are`} not shards of one plan:\n  ${problems.join('\n  ')}`,
      {
        fix: "give the run directories of one plan's shards, each once (e.g. reports/<scenario>/<run-id> of each shard)",
      },
    );
  const lowest = read.reduce((a, b) =>
    b.shard.summary.shard.index < a.shard.summary.shard.index ? b : a,
  );
  return { shards: read.map((r) => r.shard), scenario: scenarioOf(lowest.scenario, lowest.dir) };
}

/** shard-state.json, or null when the shard's load never ended (killed, failed before it). */
async function readState(dir: string): Promise<ShardInput['state']> {
  let text: string;
  try {
    text = await readFile(join(dir, 'shard-state.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MergeInvalidError(
      `cannot read ${join(dir, 'shard-state.json')}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    const file = JSON.parse(text) as ShardStateFile;
    if (file.schemaVersion !== 1 || typeof file.topologies !== 'object')
      throw new Error('not schemaVersion 1');
    return file.topologies;
  } catch (error) {
    throw new MergeInvalidError(
      `${join(dir, 'shard-state.json')} is not a shard's state: ${(error as Error).message}`,
      { fix: 'the run directory is damaged; run that shard again', cause: error },
    );
  }
}

/** scenario.json as a Scenario: its thresholds, written back as text, parsed again. */
function scenarioOf(document: Scenario, dir: string): Scenario {
  const written = document.thresholds as unknown as Record<string, string[]> | undefined;
  if (written === undefined) return document;
  const thresholds: Threshold[] = [];
  for (const [key, conditions] of Object.entries(written))
    for (const condition of conditions) {
      const parsed = parseThreshold(key, condition);
      if (!parsed.ok)
        throw new MergeInvalidError(
          `${join(dir, 'scenario.json')}: threshold "${key}": "${condition}" does not parse: ${parsed.message}`,
          { fix: parsed.fix },
        );
      thresholds.push(parsed.value);
    }
  return { ...document, thresholds };
}
