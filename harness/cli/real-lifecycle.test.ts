import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertRealServers, skipWithoutRealServers } from '../../targets/real/availability.js';
import type { RunSummary, TopologySummary } from '../results/summary.js';
import { isAlive } from '../supervise/process-tree.js';
import { spawnCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * The deployment failures on real gunicorn with the bundled app, each a short version of its
 * built-in scenario (max-requests-real, cold-start-real, background-jobs-real): the counts in
 * summary.json against the server's own log in the run directory, the emulated twin and the
 * scenario-figure row beside it, and no worker left running. Skipped loudly without Debian's
 * packages (and failed under CI).
 */

const skip = skipWithoutRealServers();

async function run(
  t: Parameters<typeof tempDir>[0],
  scenario: Record<string, unknown>,
): Promise<{ summary: RunSummary; runDir: string }> {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, scenario);
  const { code, stderr } = await spawnCli([
    'scenario',
    file,
    '--reports-dir',
    join(dir, 'reports'),
    '--no-progress',
  ]);
  assert.equal(code, 0, stderr);
  const runDir = join(dir, 'reports', String(scenario.name), 'latest');
  const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  return { summary, runDir };
}

const logOf = (runDir: string, topology: string): Promise<string> =>
  readFile(join(runDir, 'server-logs', `${topology}-replica-0.log`), 'utf8');

/** Pids of the log lines that match `pattern` (its first group). */
function pidsIn(log: string, pattern: RegExp): number[] {
  return [...log.matchAll(pattern)].map((m) => Number(m[1]));
}

function exitsFor(t: TopologySummary | undefined, reason: string): number[] {
  return (t?.workerEvents ?? [])
    .filter((e) => e.kind === 'exit' && e.reason === reason)
    .map((e) => e.pid);
}

function assertNoneLeft(summary: RunSummary): void {
  for (const t of summary.topologies)
    for (const e of t.workerEvents ?? [])
      assert.equal(isAlive(e.pid), false, `${t.name}: worker ${e.pid} still running`);
}

test('max-requests on real gunicorn: recycles counted from its log, beside the emulation', {
  skip,
}, async (t) => {
  assertRealServers();
  const { summary, runDir } = await run(t, {
    name: 'mr-real-small',
    timeScale: 1,
    compareEmulated: true,
    load: { executor: 'constant-arrival-rate', rate: 20, duration: '4s' },
    service: { time: '20ms' },
    topologies: [
      { name: 'n20', kind: 'gunicorn-sync', workers: 2, maxRequests: 20, appLoadTime: '300ms' },
    ],
    limits: { runTimeout: '2m', requestTimeout: '20s' },
    model: { replications: 5 },
  });
  const real = summary.topologies.find((x) => x.name === 'n20');
  const recycled = exitsFor(real, 'max-requests');
  // 80 requests over 2 workers that recycle after 20: about 3 recycles within the load.
  assert.ok(recycled.length >= 2, `recycles ${recycled.length}`);
  assert.equal(real?.workerLife?.measured.exitsByReason['max-requests'], recycled.length);
  // Every recycle the summary counts is one gunicorn logged.
  const logged = pidsIn(
    await logOf(runDir, 'n20'),
    /\[(\d+)\] \[INFO\] Autorestarting worker after current request/g,
  );
  for (const pid of recycled) assert.ok(logged.includes(pid), `${pid} not in the log`);
  assert.ok(logged.length >= recycled.length);
  const row = summary.figureFidelity?.find((r) => r.topology === 'n20');
  assert.equal(row?.emulated, 'n20 (emulated)');
  const cell = row?.cells.find((c) => c.figure === 'recycles');
  assert.equal(cell?.real, recycled.length);
  assert.equal(typeof cell?.emulated, 'number');
  assertNoneLeft(summary);
});

test('cold start on real gunicorn: the WORKER TIMEOUT loop from its log, and one worker as the fix', {
  skip,
}, async (t) => {
  assertRealServers();
  const topology = (name: string, mode: string) => ({
    name,
    kind: 'gunicorn-sync',
    workers: 4,
    appLoadTime: '200ms',
    timeout: '3s',
    init: { time: '1s', mode, capacity: 1 },
    loadStarts: 'listening',
  });
  const { summary, runDir } = await run(t, {
    name: 'cold-real-small',
    timeScale: 1,
    expectErrors: true,
    load: { executor: 'constant-arrival-rate', rate: 4, duration: '6s' },
    service: { time: '50ms' },
    // Four workers share a resource of capacity 1: 4 s each, beyond the 3 s timeout; one alone
    // takes 1 s.
    topologies: [topology('every-worker', 'every-worker'), topology('one-worker', 'one-worker')],
    limits: { runTimeout: '2m', requestTimeout: '4s' },
    model: { replications: 5 },
  });
  const loop = summary.topologies.find((x) => x.name === 'every-worker');
  const killed = exitsFor(loop, 'timeout');
  assert.ok(killed.length >= 4, `timeouts ${killed.length}`);
  assert.equal(loop?.workerLife?.measured.firstServing, null);
  const logged = pidsIn(await logOf(runDir, 'every-worker'), /WORKER TIMEOUT \(pid:(\d+)\)/g);
  for (const pid of killed) assert.ok(logged.includes(pid), `${pid} not in the log`);
  const fixed = summary.topologies.find((x) => x.name === 'one-worker');
  assert.equal(exitsFor(fixed, 'timeout').length, 0);
  assert.ok((fixed?.workerLife?.measured.allServing ?? Number.POSITIVE_INFINITY) < 4);
  assert.match(await logOf(runDir, 'one-worker'), /harness:worker-initialised pid=\d+ skipped=1/);
  assertNoneLeft(summary);
});

test('APScheduler on real gunicorn: a run per worker without election, one with a lease', {
  skip,
}, async (t) => {
  assertRealServers();
  const { summary } = await run(t, {
    name: 'jobs-real-small',
    timeScale: 1,
    compareEmulated: true,
    load: { executor: 'constant-arrival-rate', rate: 2, duration: '5s' },
    service: { time: '20ms' },
    jobs: { interval: '1s', duration: '5s' },
    topologies: [
      { name: 'none', kind: 'gunicorn-sync', workers: 3, scheduler: { election: 'none' } },
      {
        name: 'lease',
        kind: 'gunicorn-sync',
        workers: 3,
        scheduler: { election: 'lease', lease: '2s', renew: '500ms', retry: '500ms' },
      },
    ],
    limits: { runTimeout: '2m', requestTimeout: '20s' },
    model: { replications: 5 },
  });
  const jobs = (name: string) => summary.topologies.find((x) => x.name === name)?.jobs;
  const none = jobs('none');
  // Three schedulers, one per worker: about three runs of each slot.
  assert.ok((none?.runsPerSlot.mean ?? 0) >= 2.5, JSON.stringify(none?.perSlot));
  assert.equal(none?.processesThatRan, 3);
  const lease = jobs('lease');
  assert.ok((lease?.runsPerSlot.max ?? 2) <= 1, JSON.stringify(lease?.perSlot));
  assert.ok((lease?.runs ?? 0) >= 3);
  const row = summary.figureFidelity?.find((r) => r.topology === 'none');
  assert.equal(row?.emulated, 'none (emulated)');
  assert.ok(row?.cells.some((c) => c.figure === 'runsPerSlot' && c.emulated !== null));
  assertNoneLeft(summary);
});
