import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { dispatchSpreadAcross } from '../netns/dispatch-spread.js';
import { createLab, netnsSupport } from '../netns/lab.js';
import { startCliIn, startGunicornIn } from '../netns/run-in-lab.js';
import { missingRealServerParts } from '../supervise/real-servers.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * The dispatch spread of one burst sent by 4 shard processes, each in its own network namespace
 * (its own host and address, harness/netns/lab.ts) with one --start-at, against the same burst
 * from one process, both against real gunicorn (4 sync workers) in the target's namespace
 * (issue 18: "a burst whose dispatch spread one machine's connect rate cannot give"). The merged
 * spread is `merge`'s (first to last write over every shard, on one timeline) and, as a check,
 * the same computed here from the shards' records on the wall clock. On one 2-core machine the
 * four processes share the cores, so this shows what the merge reports, not what four machines
 * would give. Needs root, network namespaces and Debian's gunicorn: without them it prints why
 * and measures nothing.
 */

const USERS = 200;
const SHARDS = 4;
const ROUNDS = 3;
const START_AHEAD_MS = 6000;

interface Summary {
  topologies: Array<{ dispatchSpreadMs: number | null }>;
  merge?: { startSpreadMs: number | null };
}

const summaryOf = async (dir: string): Promise<Summary> =>
  JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as Summary;

async function measure(log: (line: string) => void): Promise<BenchFigure[]> {
  const support = netnsSupport();
  if (!support.ok) {
    log(`  not measured: network namespaces cannot be created here (${support.reason})`);
    return [];
  }
  const missing = missingRealServerParts();
  if (missing.length > 0) {
    log(`  not measured: real servers missing (${missing.join(', ')}); sudo npm run setup`);
    return [];
  }
  const lab = createLab(SHARDS);
  const dir = await mkdtemp(join(tmpdir(), 'harness-shard-spread-'));
  try {
    const gunicorn = await startGunicornIn(lab, { workers: 4 });
    try {
      const file = join(dir, 'spread.json');
      await writeFile(
        file,
        JSON.stringify({
          name: 'spread',
          load: { executor: 'burst', users: USERS },
          service: { time: '20ms' },
          topologies: [{ name: 'gunicorn-sync-4', kind: 'gunicorn-sync', workers: 4 }],
          limits: { runTimeout: '1m', requestTimeout: '30s' },
        }),
      );
      const common = (reports: string) => [
        '--url',
        `${gunicorn.origin}/work?ms=20`,
        '--allow-remote',
        lab.target.address,
        '--reports-dir',
        reports,
        '--no-progress',
      ];
      const rows: Array<{ single: number; merged: number; wall: number; starts: number }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const base = join(dir, `round-${round}`);
        const host = lab.shards[0] ?? lab.target;
        const single = await startCliIn(lab, host, [
          'scenario',
          file,
          ...common(join(base, 'single')),
        ]).done;
        if (single.code !== 0) throw new Error(`the single run failed: ${single.stderr}`);
        const startAt = new Date(Date.now() + START_AHEAD_MS).toISOString();
        const shards = await Promise.all(
          lab.shards.map(
            (h, i) =>
              startCliIn(lab, h, [
                'scenario',
                file,
                '--shard',
                `${i}/${SHARDS}`,
                '--start-at',
                startAt,
                ...common(join(base, `shard-${i}`)),
              ]).done,
          ),
        );
        const failed = shards.findIndex((s) => s.code !== 0);
        if (failed >= 0) throw new Error(`shard ${failed} failed: ${shards[failed]?.stderr}`);
        const dirs = await Promise.all(
          shards.map((_, i) => realpath(join(base, `shard-${i}`, 'spread', 'latest'))),
        );
        const merge = await startCliIn(lab, host, ['merge', ...dirs, '--out', join(base, 'merged')])
          .done;
        if (merge.code !== 0) throw new Error(`merge failed: ${merge.stderr}`);
        const merged = await summaryOf(join(base, 'merged'));
        const one = await summaryOf(await realpath(join(base, 'single', 'spread', 'latest')));
        const row = {
          single: one.topologies[0]?.dispatchSpreadMs ?? Number.NaN,
          merged: merged.topologies[0]?.dispatchSpreadMs ?? Number.NaN,
          wall: await dispatchSpreadAcross(dirs),
          starts: merged.merge?.startSpreadMs ?? Number.NaN,
        };
        rows.push(row);
        log(
          `  round ${round + 1}: one process ${row.single.toFixed(2)} ms; ${SHARDS} shards merged ${row.merged.toFixed(2)} ms (wall clock ${row.wall.toFixed(2)} ms, shards' starts ${row.starts.toFixed(2)} ms apart)`,
        );
      }
      const single = median(rows.map((r) => r.single));
      const merged = median(rows.map((r) => r.merged));
      const caseName = `burst of ${USERS}, gunicorn sync x4 in a namespace, median of ${ROUNDS}`;
      log(
        `  median: one process ${single.toFixed(2)} ms, ${SHARDS} shards ${merged.toFixed(2)} ms, ratio ${(merged / single).toFixed(2)}`,
      );
      return [
        { case: caseName, name: 'dispatch spread, one process', value: single, unit: 'ms' },
        {
          case: caseName,
          name: `dispatch spread, ${SHARDS} shards merged`,
          value: merged,
          unit: 'ms',
        },
        {
          case: caseName,
          name: `dispatch spread, ${SHARDS} shards on the wall clock`,
          value: median(rows.map((r) => r.wall)),
          unit: 'ms',
        },
        {
          case: caseName,
          name: "spread of the shards' starts",
          value: median(rows.map((r) => r.starts)),
          unit: 'ms',
        },
        { case: caseName, name: 'merged / one process', value: merged / single, unit: 'x' },
      ];
    } finally {
      await gunicorn.stop();
    }
  } finally {
    lab.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

export const shardSpread: Benchmark = {
  name: 'shard-spread',
  description: `dispatch spread of a ${USERS}-user burst from ${SHARDS} shards in network namespaces, merged, beside one process (real gunicorn)`,
  run: (log) => measure(log),
};
