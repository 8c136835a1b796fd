import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
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
    'flask-dev',
    '--timeout',
    '5s',
  ]);
  assert.equal(clash.code, 104);
  assert.match(clash.stderr, /E_OPTION_INVALID: 4 problems/);
  assert.match(clash.stderr, /--users: a burst/);
  assert.match(clash.stderr, /--duration: open arrivals need both/);
  assert.match(clash.stderr, /--service: no service time given/);
  assert.match(clash.stderr, /--timeout: the worker timeout is gunicorn's/);
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
  assert.match(
    budget.stderr,
    /--duration: this load plans 36000001 requests; the limit is 10000000/,
  );
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
    '--app-load-time',
    '--preload',
    '--timeout',
    '--load-starts',
    '--endpoint',
    '--handler',
    '--thread-pool',
    '--scenario',
    '--only',
    '--uniform-race',
    '--stickiness',
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

test('every kind a scenario names is accepted, mapped onto the engine as a scenario run maps it', async () => {
  const cases: Array<[string[], string]> = [
    [['--kind', 'werkzeug'], 'flask-dev'],
    [['--kind', 'gunicorn-sync', '--workers', '3'], 'sync'],
    [['--kind', 'gunicorn-gthread', '--workers', '3', '--threads', '2'], 'gthread'],
    [['--kind', 'uvicorn', '--workers', '2'], 'gthread'],
    [['--kind', 'gunicorn-uvicorn', '--workers', '2', '--endpoint', 'async'], 'gthread'],
    [['--kind', 'sync', '--threads', '2'], 'gthread'],
  ];
  for (const [flags, engineKind] of cases) {
    const { code, stdout, stderr } = await cli([
      ...flags,
      '--users',
      '20',
      '--service',
      '1s',
      '--replications',
      '5',
      '--json',
    ]);
    assert.equal(code, 0, `${flags.join(' ')}: ${stderr}`);
    const result = JSON.parse(stdout);
    assert.equal(result.question.kind, engineKind, flags.join(' '));
    assert.equal(result.question.declaredKind, flags[1]);
  }
  // uvicorn's def endpoints run in anyio's pool of 40: 100 requests on one worker wait 0, 1, 2 s.
  const uvicorn = JSON.parse(
    (await cli(['--kind', 'uvicorn', '--users', '100', '--service', '1s', '--json'])).stdout,
  );
  assert.equal(uvicorn.question.threads, 40);
  assert.equal(uvicorn.maxWait, 2);
});

test('the async handler styles as the async-capacity scenario describes them', async () => {
  const answer = async (handler: string) => {
    const { code, stdout, stderr } = await cli([
      '--kind',
      'async',
      '--workers',
      '2',
      '--handler',
      handler,
      '--users',
      '200',
      '--service',
      '1s',
      '--cores',
      '2',
      '--uniform-race',
      '--json',
    ]);
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout);
  };
  // Awaiting handlers all run at once: nobody waits.
  assert.equal((await answer('await')).maxWait, 0);
  // def: 40 threads a worker, 100 requests a worker on average: waits of 0, 1 and 2 s.
  const def = await answer('def');
  assert.ok(def.maxWait >= 2 && def.maxWait <= 3.01, String(def.maxWait));
  // Blocking: one request at a time a worker, ~100 each: the last waits ~100 s, not 2.
  const blocking = await answer('blocking');
  assert.ok(blocking.maxWait > 95, String(blocking.maxWait));
  assert.ok(blocking.band.maxWait.p5 <= blocking.maxWait);
  assert.ok(blocking.band.maxWait.p95 >= blocking.maxWait);
});

test('the topology flags obey the scenario schema, with its messages', async () => {
  const { code, stderr } = await cli(['--workers', '65', '--users', '10', '--service', '1s']);
  assert.equal(code, 104);
  assert.match(stderr, /--workers: 65 is out of range/);
  const gunicorn = await cli([
    '--kind',
    'gunicorn-sync',
    '--threads',
    '2',
    '--users',
    '10',
    '--service',
    '1s',
  ]);
  assert.equal(gunicorn.code, 104);
  assert.match(
    gunicorn.stderr,
    /--threads: gunicorn runs the sync worker with threads above 1 as gthread/,
  );
});

test('--scenario answers for each topology of a file, --only for some', async () => {
  const all = await cli(['--scenario', 'async-capacity', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const answer = JSON.parse(all.stdout);
  assert.equal(answer.scenario, 'async-capacity');
  assert.deepEqual(
    answer.topologies.map((t: { name: string }) => t.name),
    ['await-io', 'def-threadpool', 'blocking-in-async', 'cpu-bound'],
  );
  const one = await cli(['--scenario', 'async-capacity', '--only', 'def-threadpool']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /== def-threadpool ==|plain def handlers in a pool of 40/);
  const unknown = await cli(['--scenario', 'async-capacity', '--only', 'nope']);
  assert.equal(unknown.code, 104);
  assert.match(unknown.stderr, /no topology "nope"/);
  const mixed = await cli(['--scenario', 'async-capacity', '--workers', '3']);
  assert.equal(mixed.code, 104);
  assert.match(mixed.stderr, /--workers would be ignored/);
});

test('racing kinds use the calibration of this machine by default and say so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'model-calibration-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cores = cpus();
  const shipped = JSON.parse(
    await readFile(join(packageRoot(), 'harness', 'calibrate', 'shipped-calibration.json'), 'utf8'),
  );
  const entry = { ...shipped.servers['gunicorn-gthread'].direct, stickiness: 0.5 };
  await writeFile(
    join(dir, 'calibration.json'),
    JSON.stringify({
      ...shipped,
      machine: {
        hostname: 'here',
        platform: `${process.platform} ${process.arch}`,
        cpus: cores.length,
        cpuModel: cores[0]?.model ?? 'unknown',
        node: process.version,
      },
      servers: {
        'gunicorn-gthread': { direct: entry },
        async: { direct: { ...entry, stickiness: 0.95 } },
      },
    }),
  );
  const flags = ['--kind', 'gunicorn-gthread', '--workers', '3', '--threads', '2', '--sticky-race'];
  const load = ['--users', '48', '--service', '1s', '--reports-dir', dir, '--json'];
  const calibrated = JSON.parse((await cli([...flags, ...load])).stdout);
  assert.ok(
    calibrated.notes.some((n: string) => /on this machine .*stickiness 0\.500/.test(n)),
    calibrated.notes.join('\n'),
  );
  const uniform = JSON.parse((await cli([...flags, ...load, '--uniform-race'])).stdout);
  assert.ok(uniform.notes.some((n: string) => /uniformly .*--uniform-race/.test(n)));
  // A sticky race piles the burst onto fewer workers: a longer makespan than the uniform race.
  assert.ok(
    calibrated.makespan > uniform.makespan,
    `${calibrated.makespan} vs ${uniform.makespan}`,
  );
  // Every figure has its band, the mean inside it.
  for (const figure of ['meanWait', 'p95Wait', 'maxWait', 'makespan']) {
    const band = calibrated.band[figure];
    assert.ok(band.p5 <= calibrated[figure] && calibrated[figure] <= band.p95, figure);
  }
  // The emulated uvicorn worker races too, with a calibration of its own: 200 users on two
  // workers with a pool of 40 each wait longer than a uniform split (about 0.8 s) says.
  const asyncFlags = [
    '--kind',
    'async',
    '--workers',
    '2',
    '--handler',
    'def',
    '--thread-pool',
    '40',
  ];
  const asyncLoad = ['--users', '200', '--service', '1s', '--reports-dir', dir, '--json'];
  const raced = JSON.parse((await cli([...asyncFlags, ...asyncLoad])).stdout);
  assert.ok(
    raced.notes.some((n: string) => /calibrated for async, .*stickiness 0\.950/.test(n)),
    raced.notes.join('\n'),
  );
  const even = JSON.parse((await cli([...asyncFlags, ...asyncLoad, '--uniform-race'])).stdout);
  assert.ok(Math.abs(even.meanWait - 0.8) < 0.01, `${even.meanWait}`);
  assert.ok(raced.meanWait > even.meanWait + 0.05, `${raced.meanWait} vs ${even.meanWait}`);
});

test('a race mechanism fitted on this machine comes first, and says what it assumes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'model-race-fit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cores = cpus();
  await writeFile(
    join(dir, 'race-mechanism.json'),
    JSON.stringify({
      schemaVersion: 1,
      machine: {
        hostname: 'here',
        platform: `${process.platform} ${process.arch}`,
        cpus: cores.length,
        cpuModel: cores[0]?.model ?? 'unknown',
        node: process.version,
      },
      measuredAt: '2026-12-02T13:41:00.000Z',
      objective: 'shares',
      servers: {
        'gunicorn-gthread': {
          returnTime: 0.05,
          wakeTime: 1,
          spacing: 0.0003,
          fittedOn: ['a', 'b'],
        },
      },
    }),
  );
  const args = ['--kind', 'gunicorn-gthread', '--workers', '3', '--threads', '2', '--users', '48'];
  const answer = JSON.parse(
    (await cli([...args, '--service', '1s', '--reports-dir', dir, '--json'])).stdout,
  );
  assert.ok(
    answer.notes.some((n: string) =>
      /mechanism fitted for gunicorn-gthread on this machine .*50 ms/.test(n),
    ),
    answer.notes.join('\n'),
  );
  // Its race concentrates the burst on few workers: a longer makespan than the uniform race.
  const uniform = JSON.parse(
    (await cli([...args, '--service', '1s', '--reports-dir', dir, '--uniform-race', '--json']))
      .stdout,
  );
  assert.ok(answer.makespan > uniform.makespan, `${answer.makespan} vs ${uniform.makespan}`);
});

test('--balancer-mode http reuses kept-alive connections and says so; it needs replicas', async () => {
  const steady = [
    '--kind',
    'gunicorn-gthread',
    '--workers',
    '3',
    '--threads',
    '2',
    '--replicas',
    '2',
    '--rate',
    '20',
    '--duration',
    '60s',
    '--service',
    'exp:200ms',
    '--uniform-race',
    '--json',
  ];
  const [tcp, http] = await Promise.all([
    cli(steady),
    cli([...steady, '--balancer-mode', 'http', '--keep-alive', '5s']),
  ]);
  assert.equal(http.code, 0, http.stderr);
  const a = JSON.parse(tcp.stdout);
  const b = JSON.parse(http.stdout);
  assert.equal(a.question.balancerMode, 'tcp');
  assert.equal(b.question.balancerMode, 'http');
  // Reused connections tie each request to a worker, busy or not: no more one shared queue per
  // worker's threads, so the figures are simulated and differ from a new connection each time.
  assert.equal(b.methods.meanWait, 'simulation');
  assert.notEqual(b.meanWait, a.meanWait);
  assert.ok(b.notes.some((n: string) => /HTTP-mode balancer reuses idle connections/.test(n)));
  const alone = await cli([
    '--kind',
    'gthread',
    '--balancer-mode',
    'http',
    '--users',
    '10',
    '--service',
    '1s',
  ]);
  assert.equal(alone.code, 104);
  assert.match(alone.stderr, /--balancer-mode: a balancer needs more than one replica/);
});
