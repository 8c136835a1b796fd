import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/** End-to-end: every run writes report.html and the index; `report` rebuilds them. */

test('a run writes report.html, predicted.ndjson and the index; report rebuilds them', async (t) => {
  const dir = await tempDir(t);
  const reports = join(dir, 'reports');
  const file = await writeScenario(dir, {
    name: 'reported',
    timeScale: 1,
    load: { executor: 'burst', users: 6 },
    service: { time: '30ms' },
    topologies: [{ name: 'sync-2', kind: 'sync', workers: 2 }],
  });
  const run = await spawnCli(['scenario', file, '--reports-dir', reports]);
  assert.equal(run.code, 0, run.stderr);
  const latest = join(reports, 'reported', 'latest');
  const html = await readFile(join(latest, 'report.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  // Six charts, and the walk from the back-of-envelope to the measurement for its one topology.
  assert.equal((html.match(/data-chart="/g) ?? []).length, 7);
  const predicted = (await readFile(join(latest, 'predicted.ndjson'), 'utf8')).trim().split('\n');
  assert.equal(predicted.length, 6);
  assert.deepEqual(Object.keys(JSON.parse(predicted[0] as string)).sort(), [
    'handlerEnd',
    'handlerStart',
    'index',
    'intendedStart',
    'replica',
    'thread',
    'topology',
    'wait',
    'worker',
  ]);
  const index = await readFile(join(reports, 'index.html'), 'utf8');
  assert.match(index, /reported\/\d{4}-[^/]+\/report\.html/);

  await rm(join(latest, 'report.html'));
  await rm(join(reports, 'index.html'));
  const rebuilt = await spawnCli(['report', latest], { cwd: dir });
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, /report: reports\/reported\/.+\/report\.html/);
  assert.match(rebuilt.stdout, /index: {2}reports\/index\.html/);
  assert.ok((await stat(join(latest, 'report.html'))).size > 500_000, 'the libraries are inlined');
  assert.ok(existsSync(join(reports, 'index.html')));
});

test('report on a missing directory or one that is not a run exits 104', async (t) => {
  const dir = await tempDir(t);
  const missing = await spawnCli(['report', join(dir, 'nope')]);
  assert.equal(missing.code, 104);
  assert.match(missing.stderr, /E_RUN_DIR_INVALID: .*nope does not exist/);
  const empty = join(dir, 'empty');
  await mkdir(empty);
  const notRun = await spawnCli(['report', empty]);
  assert.equal(notRun.code, 104);
  assert.match(notRun.stderr, /is not a run directory: it has no summary\.json/);
  await writeFile(join(empty, 'summary.json'), '{"hello": 1}');
  await writeFile(join(empty, 'scenario.json'), '{}');
  const wrong = await spawnCli(['report', empty]);
  assert.equal(wrong.code, 104);
  assert.match(wrong.stderr, /is not a run summary/);
  const usage = await spawnCli(['report']);
  assert.equal(usage.code, 104);
});
