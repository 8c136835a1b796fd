import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary, TopologySummary } from '../results/summary.js';
import { checkChanges, parseChangeThreshold } from './change-threshold.js';
import { COMPARE_FIGURES, compareRuns } from './compare-runs.js';
import { renderComparisonMarkdown, renderComparisonText } from './render-comparison.js';

function topology(name: string, meanWait: number, throughput: number, errors = 0): TopologySummary {
  return {
    name,
    requests: 100,
    errors,
    dispatchSpreadMs: 5,
    measured: {
      count: 100 - errors,
      meanWait,
      p50Wait: meanWait,
      p95Wait: 2 * meanWait,
      p99Wait: 3,
      maxWait: 4,
      makespan: 10,
    },
    predicted: { p95Wait: 2 },
    predictionError: { p95Wait: 0.1 },
    load: { throughput, latency: { p95: 5 } },
  } as unknown as TopologySummary;
}

function run(
  id: string,
  topologies: TopologySummary[],
  extra: Partial<RunSummary> = {},
): RunSummary {
  return {
    schemaVersion: 1,
    scenario: 'contest-200',
    runId: id,
    complete: true,
    timeScale: 0.1,
    environment: {
      node: 'v20',
      platform: 'linux',
      cpus: 2,
      cpuModel: 'x',
      commit: 'abc',
      loadAverage: [1.5, 1, 1],
    },
    topologies,
    ...extra,
  } as RunSummary;
}

test('compareRuns: every figure of every shared topology, its change and whether it is better', () => {
  const c = compareRuns(
    run('a', [topology('sync', 10, 20), topology('gone', 1, 1)]),
    run('b', [topology('sync', 12, 25), topology('new', 1, 1)]),
  );
  assert.equal(c.rows.length, COMPARE_FIGURES.length, 'one row per figure of the shared topology');
  const mean = c.rows.find((r) => r.figure === 'meanWait');
  assert.deepEqual([mean?.before, mean?.after, mean?.change, mean?.verdict], [10, 12, 2, 'worse']);
  assert.ok(Math.abs((mean?.relative ?? 0) - 0.2) < 1e-12);
  const throughput = c.rows.find((r) => r.figure === 'throughput');
  assert.equal(throughput?.verdict, 'better', 'more throughput is better');
  assert.equal(c.rows.find((r) => r.figure === 'predictedP95Wait')?.verdict, 'same');
  assert.ok(c.warnings.some((w) => w.includes('"new" ran only after')));
  assert.ok(c.warnings.some((w) => w.includes('"gone" ran only before')));
  assert.equal(c.after.loadAverage?.[0], 1.5);
});

test('compareRuns warns of different scenarios, time scales and incomplete runs', () => {
  const c = compareRuns(
    run('a', [topology('sync', 1, 1)]),
    run('b', [topology('sync', 1, 1)], { scenario: 'other', timeScale: 1, complete: false }),
  );
  assert.equal(c.warnings.length, 3, c.warnings.join('\n'));
});

test('compareRuns warns when one name stands for another deployment, and of a run compared with itself', () => {
  const shaped = (kind: string, workers: number, url: string | null) =>
    ({ ...topology('a', 1, 1), kind, workers, threads: 1, replicas: 1, url }) as TopologySummary;
  const c = compareRuns(
    run('r1', [shaped('werkzeug', 1, 'http://127.0.0.1:8000/')]),
    run('r2', [shaped('sync', 2, null)]),
  );
  assert.deepEqual(c.warnings, [
    'topology "a" is not the same deployment: werkzeug 1 x 1 x 1 at http://127.0.0.1:8000/ before, sync 2 x 1 x 1 after; its changes compare different servers',
  ]);
  const same = run('r1', [shaped('sync', 2, null)]);
  assert.deepEqual(compareRuns(same, same).warnings, [
    'the same run (r1) before and after: every change is 0',
  ]);
  assert.deepEqual(compareRuns(same, run('r2', [shaped('sync', 2, null)])).warnings, []);
});

test('parseChangeThreshold: relative, absolute durations and plain numbers; errors name the fix', () => {
  const relative = parseChangeThreshold('p95Wait<+10%');
  assert.ok(relative.ok);
  assert.deepEqual(relative.value, {
    source: 'p95Wait<+10%',
    figure: 'p95Wait',
    op: '<',
    value: 0.1,
    relative: true,
  });
  const duration = parseChangeThreshold('makespan <= 500ms');
  assert.ok(duration.ok && duration.value.value === 0.5 && !duration.value.relative);
  const negative = parseChangeThreshold('throughput>=-5%');
  assert.ok(negative.ok && negative.value.value === -0.05 && negative.value.op === '>=');
  for (const bad of ['p95<+10%', 'p95Wait', 'p95Wait<abc', 'meanWait<+2parsecs']) {
    const parsed = parseChangeThreshold(bad);
    assert.ok(!parsed.ok, bad);
    assert.match(parsed.fix, /p95Wait<\+10%/);
  }
});

test('checkChanges: a change past the threshold fails, a missing one is skipped', () => {
  const c = compareRuns(run('a', [topology('sync', 10, 20)]), run('b', [topology('sync', 12, 20)]));
  const parse = (s: string) => {
    const p = parseChangeThreshold(s);
    assert.ok(p.ok);
    return p.value;
  };
  const checks = checkChanges(c.rows, [
    parse('meanWait<+10%'),
    parse('meanWait<+25%'),
    parse('meanWait<=2'),
  ]);
  assert.deepEqual(
    checks.map((x) => x.status),
    ['fail', 'pass', 'pass'],
  );
});

test('the Markdown escapes table cells and names the machine load; the text lists every topology', () => {
  const c = compareRuns(run('a', [topology('a|b', 10, 20)]), run('b', [topology('a|b', 12, 20)]));
  const markdown = renderComparisonMarkdown(c, []);
  assert.match(markdown, /#### a\\\|b/);
  assert.match(markdown, /Machine load at the start: 1\.50 before, 1\.50 after/);
  assert.match(markdown, /\| mean wait \| 10s \| 12s \| \+2s \(\+20\.0%\) \| 🔴 worse \|/);
  assert.match(renderComparisonText(c, []), /^a\|b$/m);
});
