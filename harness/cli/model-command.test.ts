import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli } from '../test-support/spawn-cli.js';

/** End-to-end: `model` as users run it. It starts no server, so these are quick. */

const cli = (args: string[]) => spawnCli(['model', ...args]);

const issueCommand = [
  '--kind',
  'gthread',
  '--workers',
  '4',
  '--threads',
  '2',
  '--replicas',
  '3',
  '--users',
  '200',
  '--service',
  '2s',
];

test('the issue example prints every figure with its method', async () => {
  const { code, stdout, stderr } = await cli(issueCommand);
  assert.equal(code, 0, stderr);
  for (const label of [
    'mean wait',
    'p50 wait',
    'p95 wait',
    'p99 wait',
    'max wait',
    'makespan',
    'throughput',
    'utilisation',
  ])
    assert.match(stdout, new RegExp(`^${label} +\\S+.*simulation, mean of 200 runs$`, 'm'), label);
  assert.match(stdout, /back-of-envelope: 200 \/ 24 x service = 16\.7s/);
  assert.match(stdout, /methods:\n {2}simulation: discrete-event simulation \(seed 1, 200 runs/);
});

test('--json gives the same figures under summary.json names', async () => {
  const [text, json] = await Promise.all([cli(issueCommand), cli([...issueCommand, '--json'])]);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  for (const key of [
    'count',
    'meanWait',
    'p50Wait',
    'p95Wait',
    'p99Wait',
    'maxWait',
    'makespan',
    'throughput',
    'utilisation',
  ])
    assert.equal(typeof result[key], 'number', key);
  assert.equal(result.methods.meanWait, 'simulation');
  assert.equal(result.replications, 200);
  assert.equal(result.question.kind, 'gthread');
  assert.equal(result.question.replicas, 3);
  assert.deepEqual(result.question.load, { kind: 'burst', users: 200 });
  // The text shows the same numbers, rounded to 3 significant digits.
  const shown = (label: string) => new RegExp(`^${label} +(\\S+)`, 'm').exec(text.stdout)?.[1];
  assert.equal(shown('mean wait'), `${Number(result.meanWait.toPrecision(3))}s`);
  assert.equal(shown('makespan'), `${Number(result.makespan.toPrecision(3))}s`);
});

test('a closed-form case names its method', async () => {
  const { code, stdout } = await cli([
    '--kind',
    'sync',
    '--workers',
    '4',
    '--replicas',
    '3',
    '--users',
    '200',
    '--service',
    '2s',
    '--json',
  ]);
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.equal(result.methods.makespan, 'burst-closed-form');
  assert.equal(result.makespan, 34);
  assert.equal(result.maxWait, 32);
});

test('--goal prints the curve and the smallest replica count', async () => {
  const { code, stdout, stderr } = await cli([
    '--kind',
    'sync',
    '--workers',
    '4',
    '--users',
    '200',
    '--service',
    '2s',
    '--goal',
    'maxWait<=10s',
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /goal: maxWait<=10s; trying replicas = 1, 2, \.\.\. up to 64/);
  assert.match(stdout, /^9 +10s .* yes/m);
  assert.match(stdout, /smallest replicas meeting the goal: 9/);
  const json = JSON.parse(
    (
      await cli([
        '--kind',
        'sync',
        '--workers',
        '4',
        '--users',
        '200',
        '--service',
        '2s',
        '--goal',
        'maxWait<=10s',
        '--json',
      ])
    ).stdout,
  );
  assert.equal(json.found, 9);
  assert.equal(json.curve.length, 9);
  assert.equal(json.curve[8].replicas, 9);
  assert.equal(json.curve[8].maxWait, 10);
});

test('invalid options exit 104 naming each option and its fix', async () => {
  const clash = await cli([
    '--users',
    '10',
    '--rate',
    '3',
    '--kind',
    'gthread',
    '--threads',
    '2',
    '--timeout',
    '5s',
  ]);
  assert.equal(clash.code, 104);
  assert.match(clash.stderr, /E_OPTION_INVALID: 4 problems/);
  assert.match(clash.stderr, /--users: a burst/);
  assert.match(clash.stderr, /--duration: open arrivals need both/);
  assert.match(clash.stderr, /--service: no service time given/);
  assert.match(clash.stderr, /--timeout: a per-request timeout applies to sync workers only/);
  assert.match(clash.stderr, /fix: /);
  const bad = await cli(['--users', '10', '--service', 'gamma:2s']);
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /--service/);
  const budget = await cli([
    '--rate',
    '1000',
    '--duration',
    '10h',
    '--service',
    '1s',
    '--workers',
    '4',
  ]);
  assert.equal(budget.code, 104);
  assert.match(budget.stderr, /the limit is 20,000,000/);
  const goal = await cli(['--users', '10', '--service', '1s', '--goal', 'p97<5s']);
  assert.equal(goal.code, 104);
  assert.match(goal.stderr, /--goal: "p97" is not a figure/);
});

// Throughputs of X(N) = 100N / (1 + 0.05(N − 1) + 0.002N(N − 1)) rounded to 0.1: the fit gives
// back λ = 100 and N* = √(0.95/0.002) = 21.79 to the rounding's precision, and by hand
// X(N*) = 2179.4 / (1 + 1.0397 + 0.9064) = 739.8/s.
test('--usl fits a sweep file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-usl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'sweep.csv');
  const x = (n: number) => (100 * n) / (1 + 0.05 * (n - 1) + 0.002 * n * (n - 1));
  await writeFile(
    file,
    `concurrency,throughput\n# measured on loopback\n${[1, 2, 4, 8, 16, 32, 64].map((n) => `${n},${x(n).toFixed(1)}`).join('\n')}\n`,
  );
  const { code, stdout, stderr } = await cli(['--usl', file, '--json']);
  assert.equal(code, 0, stderr);
  const fit = JSON.parse(stdout);
  assert.ok(Math.abs(fit.lambda - 100) < 0.1, String(fit.lambda));
  assert.ok(
    Math.abs(fit.peakConcurrency - Math.sqrt(0.95 / 0.002)) < 0.1,
    String(fit.peakConcurrency),
  );
  assert.equal(fit.fitted.length, 7);
  const text = await cli(['--usl', file]);
  assert.match(text.stdout, /peak throughput 739\.8\/s at concurrency N\* = 21\.79/);
  await writeFile(file, '1,10\n2,banana\n');
  const broken = await cli(['--usl', file]);
  assert.equal(broken.code, 104);
  assert.match(broken.stderr, /line 2: "2,banana"/);
});

test('--help documents the options and the goal grammar', async () => {
  const { code, stdout } = await cli(['--help']);
  assert.equal(code, 0);
  for (const option of [
    '--kind',
    '--workers',
    '--threads',
    '--replicas',
    '--balancer',
    '--worker-connections',
    '--users',
    '--rate',
    '--duration',
    '--arrivals',
    '--service',
    '--work',
    '--cores',
    '--max-requests',
    '--max-requests-jitter',
    '--restart-time',
    '--timeout',
    '--seed',
    '--replications',
    '--goal',
    '--vary',
    '--max',
    '--usl',
    '--json',
  ])
    assert.match(stdout, new RegExp(`${option}[ ,<]`), option);
  assert.match(stdout, /Goal grammar/);
});
