import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli, tempDir } from '../test-support/spawn-cli.js';

/** `compare` end to end: two run directories, as `scenario` leaves them, through the CLI. */

const summary = (runId: string, meanWait: number) => ({
  schemaVersion: 1,
  scenario: 'contest-200',
  runId,
  complete: true,
  timeScale: 0.1,
  environment: {
    node: 'v20',
    platform: 'linux',
    cpus: 2,
    cpuModel: 'x',
    commit: null,
    loadAverage: [0.5, 0.5, 0.5],
  },
  topologies: [
    {
      name: 'sync-4-x3',
      requests: 200,
      errors: 0,
      dispatchSpreadMs: 10,
      measured: {
        count: 200,
        meanWait,
        p50Wait: meanWait,
        p95Wait: 30,
        p99Wait: 32,
        maxWait: 32,
        makespan: 34,
      },
      predicted: { p95Wait: 30 },
      predictionError: { p95Wait: 0 },
      load: null,
    },
  ],
});

async function runs(t: { after(fn: () => Promise<void>): void }) {
  const dir = await tempDir(t);
  for (const [id, mean] of [
    ['before', 16],
    ['after', 20],
  ] as const) {
    await mkdir(join(dir, id));
    await writeFile(join(dir, id, 'summary.json'), JSON.stringify(summary(id, mean)));
  }
  return dir;
}

test('compare prints every figure with its change, and fails a threshold on the change with 99', async (t) => {
  const dir = await runs(t);
  const ok = await spawnCli(['compare', join(dir, 'before'), join(dir, 'after', 'summary.json')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /mean wait\s+16s\s+20s\s+\+4s \(\+25\.0%\)\s+worse/);
  const failed = await spawnCli([
    'compare',
    join(dir, 'before'),
    join(dir, 'after'),
    '--threshold',
    'meanWait<+10%',
  ]);
  assert.equal(failed.code, 99, failed.stderr);
  assert.match(
    failed.stderr,
    /error E_THRESHOLDS_FAILED: 1 threshold check on the change failed:\n {2}meanWait<\+10% on sync-4-x3: 25\.0%/,
  );
  const markdown = await spawnCli([
    'compare',
    join(dir, 'before'),
    join(dir, 'after'),
    '--markdown',
    '--threshold',
    'p95Wait<=0',
  ]);
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(markdown.stdout, /^### Capacity: contest-200, before → after/);
  assert.match(markdown.stdout, /\*\*Passed\*\*: 1 threshold checks on the change\./);
});

test('compare refuses a run that is not there and a threshold that does not parse, with 104', async (t) => {
  const dir = await runs(t);
  const missing = await spawnCli(['compare', join(dir, 'before'), join(dir, 'nothing')]);
  assert.equal(missing.code, 104);
  assert.match(missing.stderr, /error E_RUN_DIR_INVALID: .*nothing: no run there \(ENOENT/);
  const bad = await spawnCli([
    'compare',
    join(dir, 'before'),
    join(dir, 'after'),
    '--threshold',
    'speed>9000',
  ]);
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /error E_THRESHOLD_INVALID: "speed>9000": no figure "speed"/);
  const extra = await spawnCli(['compare', join(dir, 'before')]);
  assert.equal(extra.code, 104, 'a missing argument is refused');
});
