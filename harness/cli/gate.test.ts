import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/** End-to-end: the performance gate's exit codes, output and files. */

const small = (thresholds: Record<string, string[]> = {}) => ({
  name: 'gated',
  timeScale: 1,
  load: { executor: 'burst', users: 8 },
  service: { time: '40ms' },
  topologies: [
    { name: 'sync-2', kind: 'sync', workers: 2 },
    { name: 'flask', kind: 'flask-dev' },
  ],
  thresholds,
});

test('a failing threshold exits 99 naming the metric; files and the job summary are written', async (t) => {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, small({ wait: ['max<1h'] }));
  const stepSummary = join(dir, 'step-summary.md');
  await writeFile(stepSummary, '# earlier step\n');
  const reports = join(dir, 'reports');
  // 8 requests of 40 ms on one flask-dev process: the last waits about 280 ms, so max<10ms fails.
  const { code, stdout, stderr } = await spawnCli(
    ['scenario', file, '--reports-dir', reports, '--threshold', 'wait{topology:flask}=max<10ms'],
    { env: { GITHUB_STEP_SUMMARY: stepSummary } },
  );
  assert.equal(code, 99, stderr);
  assert.match(stderr, /E_THRESHOLDS_FAILED/);
  assert.match(stderr, /wait\{topology:flask\} max<10ms on flask: max = /);
  assert.match(stdout, /gate: FAILED, 1 of 3 checks failed/);
  const run = join(reports, 'gated', 'latest');
  for (const name of ['gate.json', 'gate.md', 'gate.junit.xml', 'report.html'])
    assert.ok(existsSync(join(run, name)), name);
  const junit = await readFile(join(run, 'gate.junit.xml'), 'utf8');
  assert.equal((junit.match(/<testcase /g) ?? []).length, 3);
  assert.equal((junit.match(/<failure /g) ?? []).length, 1);
  const summary = await readFile(stepSummary, 'utf8');
  assert.match(summary, /^# earlier step\n### Capacity gate: gated failed/);
  const scenario = JSON.parse(await readFile(join(run, 'scenario.json'), 'utf8'));
  assert.deepEqual(scenario.thresholds, {
    wait: ['max<1h'],
    'wait{topology:flask}': ['max<10ms'],
  });
});

test('a passing gate exits 0, and its own summary as baseline passes', async (t) => {
  const dir = await tempDir(t);
  const file = await writeScenario(
    dir,
    small({ wait: ['p(95)<1m', 'max<1m'], errors: ['rate<0.01'], makespan: ['max<1m'] }),
  );
  const reports = join(dir, 'reports');
  const first = await spawnCli(['scenario', file, '--reports-dir', reports]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /gate: passed, 8 checks/);
  const baseline = join(dir, 'baseline.json');
  const summary = JSON.parse(
    await readFile(join(reports, 'gated', 'latest', 'summary.json'), 'utf8'),
  );
  await writeFile(baseline, JSON.stringify(summary));
  // The same scenario again against its first run, with a tolerance timer noise cannot beat.
  const again = await spawnCli([
    'scenario',
    file,
    '--reports-dir',
    reports,
    '--baseline',
    baseline,
    '--baseline-tolerance',
    '200%',
    '--baseline-slack',
    '1s',
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /baseline \S+ \(gated\), tolerance 200%, slack 1s/);
  assert.match(again.stdout, /pass +flask +max wait/);
});

test('a run worse than its baseline exits 99 and prints the side by side', async (t) => {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, small());
  const reports = join(dir, 'reports');
  const first = await spawnCli(['scenario', file, '--reports-dir', reports, '--only', 'flask']);
  assert.equal(first.code, 0, first.stderr);
  const summary = JSON.parse(
    await readFile(join(reports, 'gated', 'latest', 'summary.json'), 'utf8'),
  );
  // A baseline ten times better than what the run measured.
  for (const key of ['meanWait', 'p95Wait', 'maxWait', 'makespan'])
    summary.topologies[0].measured[key] /= 10;
  const baseline = join(dir, 'baseline.json');
  await writeFile(baseline, JSON.stringify(summary));
  const { code, stdout, stderr } = await spawnCli([
    'scenario',
    file,
    '--reports-dir',
    reports,
    '--only',
    'flask',
    '--baseline',
    baseline,
    '--baseline-slack',
    '0s',
  ]);
  assert.equal(code, 99, stderr);
  assert.match(stderr, /baseline max wait on flask: /);
  assert.match(stdout, /topology +figure +baseline +this run +change +limit/);
  assert.match(stdout, /FAIL {2}flask +makespan/);
});

test('malformed thresholds and baselines exit 104 naming them, before anything runs', async (t) => {
  const dir = await tempDir(t);
  const reports = join(dir, 'reports');
  const file = await writeScenario(dir, small());
  const option = await spawnCli([
    'scenario',
    file,
    '--reports-dir',
    reports,
    '--threshold',
    'wait=p95<5s',
    '--threshold',
    'latency=max<1s',
    '--threshold',
    'wait{topology:nope}=max<1s',
  ]);
  assert.equal(option.code, 104);
  assert.match(option.stderr, /E_THRESHOLD_INVALID/);
  assert.match(option.stderr, /3 thresholds are malformed/);
  assert.match(option.stderr, /"wait=p95<5s": "p95<5s" is not a threshold condition/);
  assert.match(option.stderr, /"latency" is not a threshold metric/);
  assert.match(option.stderr, /no topology is named "nope"/);
  assert.ok(!existsSync(reports), 'nothing was run');

  const inFile = await writeScenario(dir, small({ wait: ['p(95)<5 parsecs'] }), 'bad.json');
  const scenario = await spawnCli(['scenario', inFile, '--reports-dir', reports]);
  assert.equal(scenario.code, 104);
  assert.match(scenario.stderr, /thresholds\.wait\[0\]: "p\(95\)<5 parsecs" is not a threshold/);

  const baseline = await spawnCli(['scenario', file, '--baseline', join(dir, 'missing.json')]);
  assert.equal(baseline.code, 104);
  assert.match(baseline.stderr, /E_BASELINE_INVALID/);
  const notSummary = await spawnCli(['scenario', file, '--baseline', file]);
  assert.equal(notSummary.code, 104);
  assert.match(notSummary.stderr, /not a run summary/);
  const tolerance = await spawnCli(['scenario', file, '--baseline-tolerance', 'lots']);
  assert.equal(tolerance.code, 104);
  assert.ok(!existsSync(reports), 'nothing was run');
});
