import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ERROR_KINDS } from '../load/error-kind.js';
import { descendants, isAlive } from '../supervise/process-tree.js';
import { type Started, startHarness } from '../test-support/cli/watch.js';

/** End-to-end: the CLI as users run it, its exit codes and what it prints and writes. */

function start(args: string[], cwd?: string): Started {
  return startHarness(args, cwd === undefined ? {} : { cwd });
}

const cli = (args: string[], cwd?: string) => start(args, cwd).done;

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function scenarioFile(dir: string, body: unknown): Promise<string> {
  const file = join(dir, 'scenario.json');
  await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

const small = (overrides: Record<string, unknown> = {}) => ({
  name: 'small',
  timeScale: 1,
  load: { executor: 'burst', users: 12 },
  service: { time: '50ms' },
  topologies: [
    { name: 'sync-2', kind: 'sync', workers: 2 },
    { name: 'flask-x2', kind: 'flask-dev', replicas: 2 },
  ],
  ...overrides,
});

async function waitFor(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await delay(25);
}

test('--help lists the scenario command and exits 0', async () => {
  const { code, stdout } = await cli(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /scenario/);
  const sub = await cli(['scenario', '--help']);
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /--time-scale/);
  assert.match(sub.stdout, /104 invalid input/);
});

test('an unknown scenario exits 104 naming the built-in ones', async () => {
  const { code, stderr } = await cli(['scenario', 'no-such-scenario']);
  assert.equal(code, 104);
  assert.match(stderr, /E_SCENARIO_NOT_FOUND/);
  assert.match(stderr, /contest-200/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
});

test('malformed JSON exits 104 with the line and column', async (t) => {
  const file = await scenarioFile(await tempDir(t), '{\n  "load": { "executor": "burst", }\n}');
  const { code, stderr } = await cli(['scenario', file]);
  assert.equal(code, 104);
  assert.match(stderr, /E_SCENARIO_SYNTAX/);
  assert.match(stderr, /scenario\.json:2:\d+/);
});

test('an invalid scenario exits 104 listing every problem with its fix', async (t) => {
  const file = await scenarioFile(
    await tempDir(t),
    small({ timeScale: -1, topologies: [{ name: 'x', kind: 'uwsgi' }] }),
  );
  const { code, stderr } = await cli(['scenario', file]);
  assert.equal(code, 104);
  assert.match(stderr, /E_SCENARIO_INVALID/);
  assert.match(stderr, /2 problems/);
  assert.match(stderr, /timeScale/);
  assert.match(stderr, /topologies\[0\]\.kind/);
  assert.match(stderr, /fix: /);
});

test('unknown and malformed options exit 104', async () => {
  const unknown = await cli(['scenario', 'contest-200', '--bogus']);
  assert.equal(unknown.code, 104);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
  const bad = await cli(['scenario', 'contest-200', '--time-scale', '0']);
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /--time-scale/);
  const only = await cli(['scenario', 'contest-200', '--only', 'nope']);
  assert.equal(only.code, 104);
  assert.match(only.stderr, /choose from "flask-dev-x3"/);
  const command = await cli(['senario']);
  assert.equal(command.code, 104);
});

test('a run prints the table and writes summary.json, requests.ndjson and latest', async (t) => {
  const dir = await tempDir(t);
  const file = await scenarioFile(dir, small());
  const { code, stdout, stderr } = await cli([
    'scenario',
    file,
    '--reports-dir',
    join(dir, 'reports'),
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /sync-2 {3}sync: 2 workers x 1 thread x 1 replica = 2 concurrent/);
  assert.match(stdout, /predicted/);
  assert.match(stdout, /measured/);
  const latest = join(dir, 'reports', 'small', 'latest');
  assert.match(await readlink(latest), /^\d{4}-\d\d-\d\dT/);
  const summary = JSON.parse(await readFile(join(latest, 'summary.json'), 'utf8'));
  assert.equal(summary.scenario, 'small');
  assert.equal(summary.timeScale, 1);
  assert.equal(summary.complete, true);
  assert.equal(summary.topologies.length, 2);
  for (const topology of summary.topologies) {
    for (const key of [
      'name',
      'kind',
      'workers',
      'threads',
      'replicas',
      'balancer',
      'concurrency',
      'requests',
      'errors',
      'dispatchSpreadMs',
      'backOfEnvelope',
    ]) {
      assert.ok(key in topology, key);
    }
    for (const side of ['predicted', 'measured']) {
      for (const key of ['meanWait', 'p50Wait', 'p95Wait', 'maxWait', 'makespan'])
        assert.equal(typeof topology[side][key], 'number', `${side}.${key}`);
    }
    assert.equal(topology.requests, 12);
    assert.equal(topology.errors, 0);
    assert.deepEqual(Object.keys(topology.errorsByKind), [...ERROR_KINDS]);
  }
  const lines = (await readFile(join(latest, 'requests.ndjson'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, 24);
  const record = JSON.parse(lines[0] as string);
  for (const key of [
    'intendedStart',
    'connected',
    'written',
    'accepted',
    'handlerStart',
    'handlerEnd',
    'complete',
    'replica',
    'worker',
    'thread',
    'status',
    'error',
    'wait',
  ]) {
    assert.ok(key in record, key);
  }
  assert.equal(record.status, 200);
});

test('a port already in use exits 104 naming the port', async (t) => {
  const dir = await tempDir(t);
  const blocker = createServer().listen(0, '127.0.0.1');
  t.after(() => blocker.close());
  await new Promise((resolve) => blocker.once('listening', resolve));
  const port = (blocker.address() as { port: number }).port;
  const file = await scenarioFile(
    dir,
    small({ topologies: [{ name: 'fixed', kind: 'flask-dev', port }] }),
  );
  const { code, stderr } = await cli(['scenario', file, '--reports-dir', join(dir, 'reports')]);
  assert.equal(code, 104);
  assert.match(stderr, /E_PORT_IN_USE/);
  assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

/** A run long enough to interrupt: 12 requests of 500 ms on one flask-dev, so 6 s in all. */
const slow = () =>
  small({
    load: { executor: 'burst', users: 12 },
    service: { time: '500ms' },
    topologies: [
      { name: 'slow', kind: 'flask-dev' },
      { name: 'never', kind: 'sync' },
    ],
  });

/** Pids of processes with a listening TCP socket, from ss. */
function listeningPids(): number[] {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
}

async function startSlowRun(t: { after(fn: () => Promise<void>): void }) {
  const dir = await tempDir(t);
  const file = await scenarioFile(dir, slow());
  const run = start(['scenario', file, '--reports-dir', join(dir, 'reports')]);
  const pid = run.child.pid as number;
  // The burst starts once the target listens (it then answers its readiness probe at once);
  // 1.5 s later two or three requests have been served and the rest are waiting.
  await waitFor(() => descendants(pid).some((p) => listeningPids().includes(p)), 20_000);
  await delay(1_500);
  const targets = descendants(pid);
  assert.ok(targets.length > 0, 'targets started');
  return { dir, run, targets };
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} stops the run, keeps its results, exits 105 and leaves no process`, async (t) => {
    const { dir, run, targets } = await startSlowRun(t);
    run.child.kill(signal);
    const { code, stderr } = await run.done;
    assert.equal(code, 105, stderr);
    assert.match(stderr, /E_ABORTED/);
    await waitFor(() => !targets.some(isAlive), 3_000);
    assert.deepEqual(targets.filter(isAlive), []);
    const summary = JSON.parse(
      await readFile(join(dir, 'reports', 'small', 'latest', 'summary.json'), 'utf8'),
    );
    assert.equal(summary.complete, false);
    assert.equal(summary.topologies[0].status, 'aborted');
    assert.equal(summary.topologies[0].requests, 12);
    assert.ok(
      summary.topologies[0].measured.count >= 1,
      'the requests served before the interrupt are kept',
    );
  });
}

test('a killed harness leaves no process behind (parent-death signal)', async (t) => {
  const { run, targets } = await startSlowRun(t);
  run.child.kill('SIGKILL');
  await run.done;
  await waitFor(() => !targets.some(isAlive), 3_000);
  assert.deepEqual(targets.filter(isAlive), []);
});

test('a target that crashes mid-run ends it with 103, keeping the results', async (t) => {
  const { dir, run, targets } = await startSlowRun(t);
  process.kill(targets[0] as number, 'SIGKILL');
  const { code, stderr } = await run.done;
  assert.equal(code, 103, stderr);
  assert.match(stderr, /E_TARGET_CRASHED/);
  const summary = JSON.parse(
    await readFile(join(dir, 'reports', 'small', 'latest', 'summary.json'), 'utf8'),
  );
  assert.equal(summary.complete, false);
  assert.equal(summary.topologies.length, 1, 'the run stopped at the crash');
  assert.equal(summary.topologies[0].status, 'failed');
  assert.ok(summary.topologies[0].errors >= 1);
});
