import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { ERROR_KINDS, type ErrorKind } from '../load/error-kind.js';
import type { Faults } from '../test-support/cli/faults.js';
import {
  acceptedOn,
  checkRunDir,
  commandOf,
  establishedOn,
  type ListeningSocket,
  latestRunDir,
  type Started,
  startHarness,
  TreeWatch,
  waitFor,
} from '../test-support/cli/watch.js';
import { tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * Faults during a run, end to end through the CLI: a worker or a replica killed mid-burst, a
 * target that stalls or never becomes ready, a port in use, a full disk (injected and real), a
 * bug in the report step, an uncaught exception mid-run, the run's time limit. In each, the run
 * ends on its own, classifies its errors, keeps what it measured (readable, marked incomplete
 * where it is) and leaves no process and no listening port behind.
 */

type Topology = Record<string, unknown> & { name: string; kind: string };

function scenario(topologies: Topology[], extra: Record<string, unknown> = {}) {
  return {
    name: 'fault',
    timeScale: 1,
    load: { executor: 'burst', users: 6 },
    service: { time: '1s' },
    topologies,
    limits: { runTimeout: '1m', requestTimeout: '20s' },
    ...extra,
  };
}

interface Run {
  dir: string;
  reports: string;
  run: Started;
  watch: TreeWatch;
}

async function launch(
  t: { after(fn: () => Promise<void> | void): void },
  body: unknown,
  faults?: Faults,
): Promise<Run> {
  const dir = await tempDir(t);
  const reports = join(dir, 'reports');
  const file = await writeScenario(dir, body);
  const run = startHarness(
    ['scenario', file, '--reports-dir', reports],
    faults === undefined ? {} : { faults },
  );
  const watch = new TreeWatch(run.pid);
  t.after(() => watch.killAll());
  return { dir, reports, run, watch };
}

/**
 * Waits until the burst is in flight: `count` connections established on the ports the targets
 * listen on (a target's worker processes hold private ports beside the shared one, so every port
 * counts). The bound is the scenario's own (its targets' start within limits.startTimeout, 60 s,
 * then the burst), not a guess: on a machine with many CPU-bound processes the harness and its
 * targets took over 30 s to load and start. Returns the port most of the targets' processes
 * share: the listening socket the workers accept from.
 */
async function burstInFlight(watch: TreeWatch, count: number): Promise<number> {
  let sockets: ListeningSocket[] = [];
  let sampled = 0;
  const found = await waitFor(
    () => {
      // Which ports the targets listen on comes from `ss -p` (a spawn that walks every process:
      // slow on a busy machine), so it is looked up again at most every half second; the
      // connections on them are read from /proc at every turn.
      if (sockets.length === 0 || Date.now() - sampled > 500) {
        sampled = Date.now();
        sockets = watch.sampleSockets();
      }
      return sockets.reduce((sum, s) => sum + establishedOn(s.port), 0) >= count;
    },
    90_000,
    20,
  );
  assert.ok(found, 'the burst started');
  const shared = [...sockets].sort((a, b) => b.pids.length - a.pids.length)[0];
  assert.ok(shared !== undefined);
  return shared.port;
}

async function assertNothingLeft(watch: TreeWatch): Promise<void> {
  const left = await watch.leftovers();
  assert.ok(watch.pids.size > 0, 'the watch saw the targets');
  assert.deepEqual(left.processes, [], 'no process is left');
  assert.deepEqual(left.sockets, [], 'no listening socket is left');
}

function summaryOf(run: Run) {
  const dir = latestRunDir(run.reports, 'fault');
  assert.ok(dir !== undefined, 'the run directory exists');
  const check = checkRunDir(dir);
  assert.deepEqual(check.damaged, [], 'every result file reads whole');
  assert.deepEqual(check.temporary, [], 'no temporary file is left');
  assert.ok(check.summary !== undefined, 'summary.json exists');
  return { check, summary: check.summary, dir };
}

/** Every failed request is put in a named class, and the classes add up to the errors. */
function assertClassified(topology: Record<string, unknown>): Record<ErrorKind, number> {
  const kinds = topology.errorsByKind as Record<ErrorKind, number>;
  assert.deepEqual(Object.keys(kinds), [...ERROR_KINDS]);
  const total = Object.values(kinds).reduce((a, b) => a + b, 0);
  assert.equal(total, topology.errors, 'the classes add up to the errors');
  assert.equal(kinds.other, 0, 'no error is left unclassified');
  return kinds;
}

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

test('a worker killed mid-burst: the arbiter replaces it, its request fails as reset, the run completes', async (t) => {
  // Ten users on two 1 s workers: a 5 s burst, so the kill falls well inside it even when the
  // burst is found late on a busy machine (three connections: more than readiness probes hold).
  const run = await launch(
    t,
    scenario([{ name: 'sync-2', kind: 'sync', workers: 2 }], {
      load: { executor: 'burst', users: 10 },
    }),
  );
  const port = await burstInFlight(run.watch, 3);
  // Connections wait in the listening socket's queue before the workers are activated (a
  // readiness probe's, on a busy machine): the burst is in flight once both workers hold one.
  assert.ok(await waitFor(() => acceptedOn(port) >= 2, 60_000), 'both workers hold a request');
  const arbiter = run.watch.live().find((pid) => commandOf(pid).includes('arbiter.js'));
  assert.ok(arbiter !== undefined);
  const workersBefore = run.watch.live().filter((pid) => commandOf(pid).includes('worker.js'));
  assert.equal(workersBefore.length, 2);
  const victim = workersBefore[0] as number;
  process.kill(victim, 'SIGKILL');
  // gunicorn's arbiter forks a replacement: a new worker pid appears beside the survivor. The
  // watch remembers every process it saw, so a replacement that lived only until the run's end
  // (on a busy machine the burst may end soon after the kill) is still found.
  const replacement = (): boolean =>
    [...run.watch.commands].some(
      ([pid, command]) => command.includes('worker.js') && !workersBefore.includes(pid),
    );
  await waitFor(replacement, 10_000);
  const { code, stderr } = await run.run.done;
  assert.ok(replacement(), 'the arbiter forked a replacement worker');
  assert.equal(code, 0, stderr);
  const { summary } = summaryOf(run);
  assert.equal(summary.complete, true);
  const topology = summary.topologies[0] as Record<string, unknown>;
  assert.equal(topology.status, 'complete');
  assert.equal(topology.requests, 10);
  const kinds = assertClassified(topology);
  assert.ok((topology.errors as number) >= 1, 'the request the worker held failed');
  assert.ok((topology.errors as number) <= 5, 'the other workers served the rest');
  assert.ok(
    kinds.reset + kinds.refused >= 1,
    `failed as reset or refused: ${JSON.stringify(kinds)}`,
  );
  await assertNothingLeft(run.watch);
});

test('a replica killed mid-burst: the run stops with E_TARGET_CRASHED (103), errors classified, results kept', async (t) => {
  const run = await launch(
    t,
    scenario([
      { name: 'sync-1x2', kind: 'sync', workers: 1, replicas: 2 },
      { name: 'never', kind: 'flask-dev' },
    ]),
  );
  // The burst is in replica 0: its one worker serves a request and more wait in its backlog.
  // (Readiness probes, the harness's own and the balancer's relayed one, hold at most two
  // connections: three mean the burst.)
  let victim: number | undefined;
  const inFlight = await waitFor(
    () => {
      const arbiters = run.watch.live().filter((pid) => commandOf(pid).includes('arbiter.js'));
      const socket = run.watch.sampleSockets().find((s) => s.pids.includes(arbiters[0] ?? -1));
      victim = arbiters[0];
      return arbiters.length === 2 && socket !== undefined && establishedOn(socket.port) >= 3;
    },
    30_000,
    20,
  );
  assert.ok(inFlight && victim !== undefined, 'the burst reached replica 0');
  process.kill(victim, 'SIGKILL');
  const { code, stderr } = await run.run.done;
  assert.equal(code, 103, stderr);
  assert.match(stderr, /error E_TARGET_CRASHED: sync-1x2 replica 0 exited during the run/);
  noStack(stderr);
  const { summary, check } = summaryOf(run);
  assert.equal(summary.complete, false);
  assert.equal(summary.topologies.length, 1, 'the run stopped at the crash');
  const topology = summary.topologies[0] as Record<string, unknown>;
  assert.equal(topology.status, 'failed');
  assert.equal(topology.requests, 6, JSON.stringify(topology));
  const kinds = assertClassified(topology);
  assert.ok(
    kinds.reset + kinds.refused + kinds['http-5xx'] >= 1,
    `the dead replica's requests failed as reset, refused or 503: ${JSON.stringify(kinds)}`,
  );
  assert.equal(check.requests?.length, 6, 'every request of the burst is in requests.ndjson');
  await assertNothingLeft(run.watch);
});

test('a target that stalls: its requests time out at limits.requestTimeout as timeout, and the run goes on', async (t) => {
  const run = await launch(
    t,
    scenario(
      [
        { name: 'stalls', kind: 'flask-dev' },
        { name: 'after', kind: 'sync', workers: 6 },
      ],
      // The stalled topology may fail every request, which without expectErrors fails the run.
      // Six 1 s requests take 6 s on flask-dev's one worker, well inside the 8 s timeout when it
      // answers; stopped once the burst is in flight (found late on a busy machine: a second or
      // two), it has served at most two and the rest time out.
      {
        expectErrors: true,
        service: { time: '1s' },
        limits: { runTimeout: '1m', requestTimeout: '8s' },
      },
    ),
  );
  await burstInFlight(run.watch, 6);
  const flask = run.watch.live().find((pid) => commandOf(pid).includes('flask-dev.js'));
  assert.ok(flask !== undefined);
  // A hung server: the kernel still completes handshakes into its backlog; nothing answers.
  process.kill(flask, 'SIGSTOP');
  const { code, stderr } = await run.run.done;
  assert.equal(code, 0, stderr);
  const { summary } = summaryOf(run);
  assert.equal(summary.complete, true, 'the run ended by itself, bounded by the request timeout');
  const stalled = summary.topologies[0] as Record<string, unknown>;
  const kinds = assertClassified(stalled);
  assert.ok((stalled.errors as number) >= 4, `${stalled.errors} requests failed`);
  assert.equal(
    kinds.timeout,
    stalled.errors,
    `every failure is a timeout: ${JSON.stringify(kinds)}`,
  );
  const after = summary.topologies[1] as Record<string, unknown>;
  assert.equal(after.errors, 0, 'the next topology ran normally');
  await assertNothingLeft(run.watch);
});

test('a target that never becomes ready: E_TARGET_NOT_READY (103) after limits.startTimeout', async (t) => {
  const run = await launch(
    t,
    scenario([{ name: 'hung', kind: 'flask-dev' }], {
      limits: { runTimeout: '1m', requestTimeout: '5s', startTimeout: '1.5s' },
    }),
    // Every target is stopped (SIGSTOP) the instant it is forked: it never says it is ready.
    { stopTargets: true },
  );
  const { code, stderr } = await run.run.done;
  assert.equal(code, 103, stderr);
  assert.match(
    stderr,
    /error E_TARGET_NOT_READY: hung replica 0 did not report ready within 1500 ms/,
  );
  assert.match(stderr, /\nfix: /);
  noStack(stderr);
  const { summary } = summaryOf(run);
  assert.equal(summary.complete, false);
  assert.equal((summary.topologies[0] as Record<string, unknown>).status, 'failed');
  await assertNothingLeft(run.watch);
});

test('a port in use for the balancer: E_PORT_IN_USE (104), and the replicas already started are stopped', async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  t.after(() => blocker.close());
  await new Promise((resolve) => blocker.once('listening', resolve));
  const port = (blocker.address() as { port: number }).port;
  const run = await launch(
    t,
    scenario([{ name: 'busy', kind: 'sync', workers: 2, replicas: 2, port }]),
  );
  const { code, stderr } = await run.run.done;
  assert.equal(code, 104, stderr);
  assert.match(stderr, /error E_PORT_IN_USE: busy balancer: port in use/);
  noStack(stderr);
  await assertNothingLeft(run.watch);
});

const twoTopologies = () =>
  scenario(
    [
      { name: 'first', kind: 'sync', workers: 2 },
      { name: 'second', kind: 'sync', workers: 2 },
    ],
    { service: { time: '50ms' } },
  );

test('disk full while appending requests: E_RESULTS_WRITE (103), what was written before is intact', async (t) => {
  // The first part of requests.ndjson is written; the second finds the disk full.
  const run = await launch(t, twoTopologies(), {
    enospc: { file: 'requests.ndjson.partial', after: 1 },
  });
  const { code, stderr } = await run.run.done;
  assert.equal(code, 103, stderr);
  assert.match(stderr, /error E_RESULTS_WRITE: cannot write .*requests\.ndjson\.partial: ENOSPC/);
  noStack(stderr);
  const { summary, check } = summaryOf(run);
  assert.equal(summary.complete, false);
  assert.equal(check.requests?.length, 6, "the first topology's requests, whole, and no half line");
  assert.ok(check.requests?.every((r) => r.topology === 'first'));
  assert.equal(check.files.includes('requests.ndjson.partial'), false);
  await assertNothingLeft(run.watch);
});

test('disk full while rewriting summary.json: the last whole summary stays, marked incomplete', async (t) => {
  // summary.json is written at the start and after each topology; the third write fails.
  const run = await launch(t, twoTopologies(), { enospc: { file: 'summary.json', after: 2 } });
  const { code, stderr } = await run.run.done;
  assert.equal(code, 103, stderr);
  assert.match(stderr, /error E_RESULTS_WRITE: cannot write .*summary\.json: ENOSPC/);
  noStack(stderr);
  const { summary } = summaryOf(run);
  assert.equal(summary.complete, false);
  assert.deepEqual(
    summary.topologies.map((topology) => topology.name),
    ['first'],
    'the summary as written after the first topology',
  );
  await assertNothingLeft(run.watch);
});

test('disk full while writing the report: E_RESULTS_WRITE (103), the complete results are kept', async (t) => {
  const run = await launch(t, twoTopologies(), { enospc: { file: 'report.html' } });
  const { code, stderr } = await run.run.done;
  assert.equal(code, 103, stderr);
  assert.match(stderr, /error E_RESULTS_WRITE: cannot write the report of .*ENOSPC/);
  const { summary, check } = summaryOf(run);
  assert.equal(summary.complete, true, 'every topology ran and was written');
  assert.equal(check.requests?.length, 12);
  assert.equal(check.files.includes('report.html'), false, 'no half report under its name');
  await assertNothingLeft(run.watch);
});

/** Whether this machine lets an unprivileged mount namespace mount a tmpfs (unshare -rm). */
function canMountTmpfs(): boolean {
  const probe = spawnSync(
    'unshare',
    ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt && touch /mnt/x'],
    { stdio: 'ignore', timeout: 10_000 },
  );
  return probe.status === 0;
}

test('a really full disk (an 832 KiB tmpfs): E_RESULTS_WRITE (103), what was written before is readable', {
  skip: canMountTmpfs() ? false : 'this machine cannot mount a tmpfs in a user namespace',
}, async (t) => {
  const dir = await tempDir(t);
  const mount = join(dir, 'small-disk');
  const out = join(dir, 'copied');
  await mkdir(mount);
  // The first topology's 1000 records (about 370 KB, with 180 KB of predictions and a 45 KB
  // summary) fit; the second's do not, while the closing summary of both (70 to 90 KB) still
  // does: about 120 KB of margin on either side.
  const file = await writeScenario(dir, {
    name: 'fault',
    timeScale: 1,
    load: { executor: 'burst', users: 1000 },
    service: { time: '1ms' },
    topologies: [
      { name: 'first', kind: 'sync', workers: 4 },
      { name: 'second', kind: 'sync', workers: 4 },
    ],
    limits: { runTimeout: '1m', requestTimeout: '20s' },
  });
  // The mount lives in the namespace of this shell only: it goes when the run ends. The results
  // are copied out for the test to read, with the harness's exit code.
  const script = [
    'set -u',
    `mount -t tmpfs -o size=832k tmpfs "${mount}"`,
    `"${process.execPath}" "${join(packageRoot(), 'dist', 'harness', 'cli', 'main.js')}" scenario "${file}" --reports-dir "${mount}/reports" 2>"${dir}/stderr"`,
    'code=$?',
    `df -k "${mount}" | tail -1 > "${dir}/df"`,
    `cp -a "${mount}/reports" "${out}"`,
    'exit $code',
  ].join('\n');
  const run = spawnSync('unshare', ['-rm', 'sh', '-c', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const stderr = execFileSync('cat', [join(dir, 'stderr')], { encoding: 'utf8' });
  t.diagnostic(
    `tmpfs at the end: ${execFileSync('cat', [join(dir, 'df')], { encoding: 'utf8' }).trim()}`,
  );
  assert.equal(run.status, 103, stderr);
  assert.match(stderr, /error E_RESULTS_WRITE: cannot write .*ENOSPC/);
  noStack(stderr);
  const runDir = latestRunDir(out, 'fault');
  assert.ok(runDir !== undefined);
  const check = checkRunDir(runDir);
  assert.deepEqual(check.damaged, [], 'every result file reads whole');
  assert.deepEqual(check.temporary, []);
  assert.equal(check.summary?.complete, false);
  assert.equal(check.requests?.length, 1000, "the first topology's requests, whole");
  assert.ok(check.requests?.every((r) => r.topology === 'first'));
  assert.deepEqual(
    check.summary?.topologies.map((topology) => topology.name),
    ['first', 'second'],
    'the summary holds both measurements, marked incomplete',
  );
});

test('a bug inside the report step: exit 1 with the stack to report, results kept, nothing left', async (t) => {
  const run = await launch(t, twoTopologies(), { crashOn: 'report.html' });
  const { code, stderr } = await run.run.done;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /internal error: Error: injected fault: a bug while writing/);
  const { summary, check } = summaryOf(run);
  assert.equal(summary.complete, true);
  assert.equal(check.requests?.length, 12);
  assert.equal(check.files.includes('report.html'), false);
  await assertNothingLeft(run.watch);
});

test('an uncaught exception mid-burst: exit 1, targets killed, the summary says incomplete', async (t) => {
  // Each burst lasts 3 s (6 requests of 1 s on 2 workers): with 50 ms requests it lasted 150 ms,
  // less than one look at the sockets takes on a busy machine (an `ss` spawn), and the test
  // missed it.
  const run = await launch(
    t,
    scenario(
      [
        { name: 'first', kind: 'sync', workers: 2 },
        { name: 'second', kind: 'sync', workers: 2 },
      ],
      { service: { time: '1s' } },
    ),
    { throwOn: 'SIGUSR2' },
  );
  await burstInFlight(run.watch, 2);
  run.run.child.kill('SIGUSR2');
  const { code, stderr } = await run.run.done;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /internal error: Error: injected fault: an uncaught exception on SIGUSR2/);
  const { summary } = summaryOf(run);
  assert.equal(summary.complete, false);
  await assertNothingLeft(run.watch);
});

test('the run time limit: E_RUN_TIMEOUT (103) stops a run that would go on, keeping what it measured', async (t) => {
  // 30 requests of 2 s, one at a time, would take a minute; the limit stops the run after 30 s.
  // The limit counts from the run's start, the target's start included, which took several
  // seconds on a busy machine: 2.5 s then left no time to serve a request.
  const run = await launch(
    t,
    scenario([{ name: 'slow', kind: 'flask-dev' }], {
      load: { executor: 'burst', users: 30 },
      service: { time: '2s' },
      limits: { runTimeout: '30s', requestTimeout: '2m' },
    }),
  );
  const { code, stderr } = await run.run.done;
  assert.equal(code, 103, stderr);
  assert.match(stderr, /error E_RUN_TIMEOUT: the run reached limits.runTimeout \(30 s\)/);
  noStack(stderr);
  const { summary } = summaryOf(run);
  assert.equal(summary.complete, false);
  const topology = summary.topologies[0] as Record<string, unknown>;
  assert.equal(topology.status, 'aborted');
  // The limit stopped the run before the last request was served; those served are kept.
  const served = (topology.measured as { count: number }).count;
  assert.ok(served >= 1 && served < 30, `${served} requests served before the limit are kept`);
  await assertNothingLeft(run.watch);
});
