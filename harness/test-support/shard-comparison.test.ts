import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatchSpreadAcross } from '../netns/dispatch-spread.js';
import type { RunSummary } from '../results/summary.js';
import { compareWithSingle, renderComparison } from './shard-comparison.js';

const dist = (count: number, mean: number) => ({
  count,
  mean,
  p50: mean,
  p95: mean,
  p99: mean,
  max: mean,
});

/** The parts of a summary the comparison reads. */
function summary(count: number, meanWait: number): RunSummary {
  return {
    topologies: [
      {
        name: 'sync-4',
        errors: 0,
        measured: {
          count,
          meanWait,
          p50Wait: meanWait,
          p95Wait: meanWait * 2,
          maxWait: meanWait * 2,
        },
        load: {
          sent: count,
          completed: count,
          failed: 0,
          latency: dist(count, 1),
          latencyUncorrected: dist(count, 1),
          wait: dist(count, meanWait),
          waitUncorrected: dist(count, meanWait),
        },
      },
    ],
  } as unknown as RunSummary;
}

test('the comparison holds counts exact and waits within the tolerance, and says which differ', () => {
  const tolerance = { relative: 0.25, absolute: 0.05 };
  const same = compareWithSingle(summary(200, 0.5), summary(200, 0.6), tolerance);
  assert.ok(
    same.every((r) => r.ok),
    renderComparison(same),
  );
  assert.equal(same.filter((r) => r.kind === 'exact').length, 9);
  const lost = compareWithSingle(summary(200, 0.5), summary(199, 0.5), tolerance);
  assert.deepEqual(
    lost.filter((r) => !r.ok).map((r) => r.figure),
    [
      'sync-4 requests measured',
      'sync-4 load sent',
      'sync-4 load completed',
      'sync-4 histogram latency count',
      'sync-4 histogram latencyUncorrected count',
      'sync-4 histogram wait count',
      'sync-4 histogram waitUncorrected count',
    ],
  );
  // 0.5 s + 25% + 50 ms = 0.675 s: 0.7 s is beyond it.
  const slow = compareWithSingle(summary(200, 0.5), summary(200, 0.7), tolerance);
  assert.deepEqual(
    slow.filter((r) => !r.ok).map((r) => r.figure),
    ['sync-4 meanWait (s)', 'sync-4 p50Wait (s)', 'sync-4 p95Wait (s)', 'sync-4 maxWait (s)'],
  );
  assert.match(
    renderComparison(slow),
    /meanWait \(s\) +single +0\.5000 +merged +0\.7000 +close DIFFERS/,
  );
});

test('the dispatch spread across runs puts each run on the wall clock by its start', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'harness-spread-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const run = async (name: string, startWallMs: number, written: number[]) => {
    const dir = join(root, name);
    await mkdir(dir);
    await writeFile(
      join(dir, 'summary.json'),
      JSON.stringify({ timeScale: 0.5, shard: { actualStartWallMs: startWallMs } }),
    );
    await writeFile(
      join(dir, 'requests.ndjson'),
      `${written.map((w) => JSON.stringify({ written: w })).join('\n')}\n${JSON.stringify({ written: null })}\n`,
    );
    return dir;
  };
  // Scenario seconds at time scale 0.5: 0.01 s is 5 ms real.
  const a = await run('a', 1_000_000, [0.002, 0.01]);
  const b = await run('b', 1_000_003, [0.004, 0.006]);
  assert.equal(await dispatchSpreadAcross([a]), 4);
  // First: a at 1 ms; last: b at 3 + 3 = 6 ms, or a at 5 ms: 6 - 1 = 5 ms.
  assert.ok(Math.abs((await dispatchSpreadAcross([a, b])) - 5) < 1e-6);
});
