import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestTopology } from '../../targets/test-support/fixtures.js';
import { ExitCode } from '../exit-codes.js';
import type { RequestRecord } from '../results/request-record.js';
import type { RunSummary } from '../results/summary.js';
import {
  type Finished,
  spawnCli,
  startCli,
  tempDir,
  writeScenario,
} from '../test-support/spawn-cli.js';

/**
 * Shards end to end (issue 18): N shard processes on this machine against one loopback target
 * the test starts (emulated gthread, 2 workers x 4 threads), given to each by --url, started at
 * one --start-at instant, then merged, against a single process running the same plan.
 */

const FAULTS = join(import.meta.dirname, '..', 'test-support', 'cli', 'faults.js');

/** Emulated handlers sleep 100 ms real (1 s of scenario time at scale 0.1). */
const PATH = '/work?ms=100&work=sleep';

function burstScenario(
  name: string,
  users: number,
  topology: Record<string, unknown> = {
    name: 'gthread-2x4',
    kind: 'gthread',
    workers: 2,
    threads: 4,
  },
): Record<string, unknown> {
  return {
    name,
    description: 'shards of one burst',
    timeScale: 0.1,
    load: { executor: 'burst', users, record: 'requests' },
    service: { time: '1s', work: 'sleep' },
    topologies: [topology],
    limits: { runTimeout: '60s', requestTimeout: '1m' },
    model: { seed: 7, replications: 10 },
    thresholds: { errors: ['rate<0.01'], wait: ['max<60s'] },
  };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

async function records(dir: string): Promise<RequestRecord[]> {
  const text = await readFile(join(dir, 'requests.ndjson'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RequestRecord);
}

/** The run directories under <reports>/<scenario>/, latest link left out. */
async function runDirs(reports: string, scenario: string): Promise<string[]> {
  const root = join(reports, scenario);
  const names = (await readdir(root)).filter((n) => n !== 'latest');
  return names.map((n) => join(root, n));
}

function ok(finished: Finished, what: string): void {
  assert.equal(finished.code, 0, `${what} exited ${finished.code}:\n${finished.stderr}`);
}

/** A --start-at far enough ahead for N CLI processes to start on a busy 2-core machine. */
const startAt = (aheadMs = 6_000): string => String(Date.now() + aheadMs);

test('the merge of 3 shard processes equals a single process run of the same plan: counts, requests, errors, histogram counts exactly; timing closely', async (t) => {
  // Sync workers take requests from one shared queue in arrival order, so the burst's timing
  // does not hang on which worker wins each accept (gthread's race): 6 rounds of 4.
  const target = await startTestTopology({ kind: 'sync', workers: 4 });
  t.after(() => target.stop());
  const dir = await tempDir(t);
  const file = await writeScenario(
    dir,
    burstScenario('shard-e2e', 24, { name: 'sync-4', kind: 'sync', workers: 4 }),
  );
  const url = `${target.origin}${PATH}`;
  const single = await spawnCli([
    'scenario',
    file,
    '--url',
    url,
    '--reports-dir',
    join(dir, 'single'),
    '--no-progress',
  ]);
  ok(single, 'the single run');
  const at = startAt();
  const shards = await Promise.all(
    [0, 1, 2].map((i) =>
      spawnCli([
        'scenario',
        file,
        '--url',
        url,
        '--shard',
        `${i}/3`,
        '--start-at',
        at,
        '--reports-dir',
        join(dir, 'shards'),
        '--no-progress',
      ]),
    ),
  );
  shards.forEach((s, i) => {
    ok(s, `shard ${i}`);
    assert.match(s.stderr, /thresholds are judged on the merged run/);
  });
  const dirs = await runDirs(join(dir, 'shards'), 'shard-e2e');
  assert.equal(dirs.length, 3);
  const out = join(dir, 'merged');
  const merged = await spawnCli(['merge', ...dirs, '--out', out]);
  ok(merged, 'merge');
  assert.match(merged.stdout, /gate: passed/);
  assert.match(merged.stderr, /3 of 3 shards/);

  const [singleDir] = await runDirs(join(dir, 'single'), 'shard-e2e');
  assert.ok(singleDir !== undefined);
  const one = await readJson<RunSummary>(join(singleDir, 'summary.json'));
  const all = await readJson<RunSummary>(join(out, 'summary.json'));
  assert.equal(all.complete, true);
  const [a] = all.topologies;
  const [b] = one.topologies;
  assert.ok(a !== undefined && b !== undefined && a.load !== null && b.load !== null);
  // Exact: what was sent, what came back, how it failed, how many each histogram holds.
  assert.equal(a.requests, 24);
  assert.equal(a.requests, b.requests);
  assert.equal(a.errors, b.errors);
  assert.deepEqual(a.errorsByKind, b.errorsByKind);
  for (const key of ['sent', 'completed', 'failed'] as const)
    assert.equal(a.load[key], b.load[key], key);
  for (const h of ['latency', 'latencyUncorrected', 'wait', 'waitUncorrected'] as const)
    assert.equal(a.load[h].count, b.load[h].count, h);
  assert.equal(a.measured.count, b.measured.count);
  // The model ran on the same plan: the same prediction.
  assert.deepEqual(a.predicted.meanWait, b.predicted.meanWait);
  assert.equal(a.backOfEnvelope, b.backOfEnvelope);

  // Per request: the same indices, each sent by shard index mod 3, each asking the same handler
  // time (100 ms real) and served for it, within timer noise.
  const mergedRecords = await records(out);
  const singleRecords = await records(singleDir);
  assert.deepEqual(
    mergedRecords.map((r) => r.index),
    singleRecords.map((r) => r.index),
  );
  for (const r of mergedRecords) assert.equal(r.shard, r.index % 3);
  // The plan is the same one: the model's per-request arrivals and service times (its
  // predicted.ndjson, from the plan the merge made again) are the single run's, exactly.
  assert.equal(
    await readFile(join(out, 'predicted.ndjson'), 'utf8'),
    await readFile(join(singleDir, 'predicted.ndjson'), 'utf8'),
  );
  for (const [k, r] of mergedRecords.entries()) {
    const s = singleRecords[k] as RequestRecord;
    const served = (x: RequestRecord): number => (x.handlerEnd ?? 0) - (x.handlerStart ?? 0);
    assert.ok(
      Math.abs(served(r) - served(s)) < 0.5,
      `request ${r.index}: ${served(r)} vs ${served(s)}`,
    );
  }
  // Close where timing enters: 24 requests on 4 workers take six rounds of 1 s (scenario); the
  // merged makespan is the same within a round.
  assert.ok(
    Math.abs(a.measured.makespan - b.measured.makespan) < 1,
    `makespan ${a.measured.makespan} vs ${b.measured.makespan}`,
  );

  // The merge block: every shard present, started on time by its clock, one clock with the target.
  const block = all.merge;
  assert.ok(block !== undefined);
  assert.equal(block.present.length, 3);
  assert.deepEqual(block.missing, []);
  assert.equal(block.missingShare, 0);
  for (const s of block.present) {
    assert.equal(s.taken, 8);
    assert.ok(
      s.startLatenessMs !== null && Math.abs(s.startLatenessMs) < 500,
      String(s.startLatenessMs),
    );
    assert.ok(s.clockOffsetMs !== null && Math.abs(s.clockOffsetMs) < 50, String(s.clockOffsetMs));
  }
  assert.ok(block.targetDispatchSpreadMs !== null && block.targetDispatchSpreadMs >= 0);

  // The merged run reads as any run: report and compare take it.
  assert.ok((await stat(join(out, 'report.html'))).size > 1000);
  ok(await spawnCli(['report', out]), 'report');
  ok(await spawnCli(['compare', singleDir, out]), 'compare');
});

test("a clock offset injected into one shard is measured against the target's clock, and the target saw that shard start early", async (t) => {
  const target = await startTestTopology({ kind: 'gthread', workers: 2, threads: 4 });
  t.after(() => target.stop());
  const dir = await tempDir(t);
  // A threshold the merged run fails (8 requests of 1 s cannot end within 1 ms): the merge
  // judges it with the gate's own code and exit code.
  const clocked = {
    ...burstScenario('shard-clock', 8),
    thresholds: { errors: ['rate<0.01'], makespan: ['max<1ms'] },
  };
  const file = await writeScenario(dir, clocked);
  const at = startAt();
  const offsetMs = 300;
  const runs = await Promise.all(
    [0, 1].map((i) =>
      spawnCli(
        [
          'scenario',
          file,
          '--url',
          `${target.origin}${PATH}`,
          '--shard',
          `${i}/2`,
          '--start-at',
          at,
          '--reports-dir',
          join(dir, 'r'),
          '--no-progress',
        ],
        i === 1
          ? { preload: [FAULTS], env: { HARNESS_FAULT_CLOCK_OFFSET_MS: String(offsetMs) } }
          : {},
      ),
    ),
  );
  for (const [i, r] of runs.entries()) ok(r, `shard ${i}`);
  const dirs = await runDirs(join(dir, 'r'), 'shard-clock');
  const blocks = await Promise.all(dirs.map((d) => readJson<RunSummary>(join(d, 'summary.json'))));
  const late = blocks.find((s) => s.shard?.index === 1)?.shard;
  const right = blocks.find((s) => s.shard?.index === 0)?.shard;
  assert.ok(late !== undefined && right !== undefined);
  // Measured: the shard's clock reads 300 ms ahead of the target's; the other shard's does not.
  assert.ok(
    late.clockOffsetMs !== null && Math.abs(late.clockOffsetMs - offsetMs) < 30,
    `measured ${late.clockOffsetMs} ms`,
  );
  assert.ok(right.clockOffsetMs !== null && Math.abs(right.clockOffsetMs) < 30);
  // By its own clock each started on time; by the target's, the shard ahead started early.
  const merged = await spawnCli(['merge', ...dirs, '--out', join(dir, 'm')]);
  assert.equal(merged.code, ExitCode.ThresholdsFailed, merged.stderr);
  assert.match(merged.stderr, /E_THRESHOLDS_FAILED: 1 check failed/);
  assert.match(merged.stdout, /FAIL +makespan max<1ms/);
  const gate = await readJson<{ passed: boolean }>(join(dir, 'm', 'gate.json'));
  assert.equal(gate.passed, false);
  const block = (await readJson<RunSummary>(join(dir, 'm', 'summary.json'))).merge;
  assert.ok(block !== undefined);
  const first = new Map(block.present.map((s) => [s.index, s.firstOnTargetMs]));
  assert.equal(first.get(1), 0);
  const gap = first.get(0) ?? Number.NaN;
  assert.ok(
    gap > offsetMs - 100 && gap < offsetMs + 150,
    `shard 0 reached the target ${gap} ms later`,
  );
  assert.ok((block.targetStartSpreadMs ?? 0) > offsetMs - 100);
  // The shard's own records read the target's instants against its clock, 300 ms ahead: its waits
  // come out 3 s (scenario) short, below zero. The merge puts them back on its own timeline.
  const lateDir = dirs.find((_, k) => blocks[k]?.shard?.index === 1);
  assert.ok(lateDir !== undefined);
  const own = await records(lateDir);
  assert.ok(
    own.every((r) => (r.wait ?? 0) < -2),
    `its own waits: ${own.map((r) => r.wait)}`,
  );
  assert.equal(block.clockCorrected.length, 1);
  assert.equal(block.clockCorrected[0]?.index, 1);
  const corrected = (await records(join(dir, 'm'))).filter((r) => r.shard === 1);
  assert.equal(corrected.length, 4);
  for (const r of corrected) assert.ok((r.wait ?? -1) > -0.1, `merged wait ${r.wait}`);

  // The same directory twice, or shards of another plan, are refused before anything is written.
  const [d0] = dirs;
  assert.ok(d0 !== undefined);
  const twice = await spawnCli(['merge', d0, d0, '--out', join(dir, 'x')]);
  assert.equal(twice.code, ExitCode.InvalidInput, twice.stderr);
  assert.match(twice.stderr, /E_MERGE_INVALID[\s\S]*given twice/);
  const other = await writeScenario(
    dir,
    { ...clocked, model: { seed: 8, replications: 10 } },
    'other.json',
  );
  const otherShard = await spawnCli([
    'scenario',
    other,
    '--url',
    `${target.origin}${PATH}`,
    '--shard',
    '1/2',
    '--reports-dir',
    join(dir, 'o'),
    '--no-progress',
  ]);
  ok(otherShard, 'the other plan');
  const [o1] = await runDirs(join(dir, 'o'), 'shard-clock');
  assert.ok(o1 !== undefined);
  const mixed = await spawnCli(['merge', d0, o1, '--out', join(dir, 'y')]);
  assert.equal(mixed.code, ExitCode.InvalidInput);
  assert.match(mixed.stderr, /plan [0-9a-f]{16} differs/);
  const notShard = await spawnCli(['merge', join(dir, 'm'), '--out', join(dir, 'z')]);
  assert.equal(notShard.code, ExitCode.InvalidInput);
  assert.match(notShard.stderr, /not a shard's run/);
});

test('a shard killed mid-run: the merge keeps the rest, names the missing share and exits 107', async (t) => {
  const target = await startTestTopology({ kind: 'gthread', workers: 2, threads: 4 });
  t.after(() => target.stop());
  const dir = await tempDir(t);
  // 40 requests a second (real) for 3 s, each 10 ms: an open loop the target keeps up with.
  const file = await writeScenario(dir, {
    name: 'shard-kill',
    description: 'an open loop in 3 shards, one killed',
    timeScale: 0.1,
    load: { executor: 'constant-arrival-rate', rate: 4, duration: '30s', record: 'requests' },
    service: { time: '100ms', work: 'sleep' },
    topologies: [{ name: 'gthread-2x4', kind: 'gthread', workers: 2, threads: 4 }],
    limits: { runTimeout: '60s', requestTimeout: '1m' },
    model: { seed: 3, replications: 5 },
  });
  const aheadMs = 6_000;
  const at = startAt(aheadMs);
  const started = [0, 1, 2].map((i) =>
    startCli([
      'scenario',
      file,
      '--url',
      `${target.origin}/work?ms=10&work=sleep`,
      '--shard',
      `${i}/3`,
      '--start-at',
      at,
      '--reports-dir',
      join(dir, 'r'),
      '--no-progress',
    ]),
  );
  // Halfway through the load, shard 2 is killed outright.
  const victim = started[2];
  assert.ok(victim !== undefined);
  const kill = setTimeout(() => victim.child.kill('SIGKILL'), Number(at) + 1_500 - Date.now());
  t.after(() => clearTimeout(kill));
  const ended = await Promise.all(started.map((s) => s.done));
  ok(ended[0] as Finished, 'shard 0');
  ok(ended[1] as Finished, 'shard 1');
  assert.equal(ended[2]?.signal, 'SIGKILL');
  const dirs = await runDirs(join(dir, 'r'), 'shard-kill');
  assert.equal(dirs.length, 3, 'the killed shard left its run directory');
  const out = join(dir, 'm');
  const merged = await spawnCli(['merge', ...dirs, '--out', out]);
  assert.equal(merged.code, ExitCode.ShardsMissing, merged.stderr);
  assert.match(merged.stderr, /E_SHARDS_MISSING/);
  // 4 a second for 30 s, both ends included: 121 arrivals, shard 2 holding k = 2, 5, ..., 119.
  assert.match(merged.stderr, /MISSING: shard 2 \(40 arrivals: /);
  const summary = await readJson<RunSummary>(join(out, 'summary.json'));
  assert.equal(summary.complete, false);
  const block = summary.merge;
  assert.ok(block !== undefined);
  assert.deepEqual(
    block.missing.map((m) => m.index),
    [2],
  );
  assert.equal(block.planned, 121);
  assert.ok(Math.abs(block.missingShare - 40 / 121) < 1e-9);
  // The rest is kept, whole: shards 0 and 1's 41 + 40 arrivals, none of shard 2's.
  const kept = await records(out);
  assert.equal(kept.length, 81);
  assert.ok(kept.every((r) => r.shard !== 2 && r.index % 3 === r.shard));
  // Each kept request went out at its planned instant: the plan's arrivals (predicted.ndjson of
  // the merged run) by index, to the clock's rounding.
  const planned = (await readFile(join(out, 'predicted.ndjson'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { index: number; intendedStart: number });
  assert.equal(planned.length, 121);
  for (const r of kept)
    assert.ok(Math.abs(r.intendedStart - (planned[r.index]?.intendedStart ?? Number.NaN)) < 1e-6);
  assert.equal(summary.topologies[0]?.requests, 81);
  assert.ok((await stat(join(out, 'report.html'))).size > 1000);
});

test('shard options are checked before anything runs', async (t) => {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, burstScenario('shard-options', 8));
  const url = ['--url', 'http://127.0.0.1:9/'];
  const run = (args: string[], env: Record<string, string> = {}): Promise<Finished> =>
    spawnCli(['scenario', file, '--reports-dir', join(dir, 'r'), '--no-progress', ...args], {
      env,
    });
  const outside = await run([...url, '--shard', '3/3']);
  assert.equal(outside.code, ExitCode.InvalidInput);
  assert.match(outside.stderr, /i must be from 0 to N-1/);
  const started = await run(['--shard', '0/2']);
  assert.equal(started.code, ExitCode.InvalidInput);
  assert.match(started.stderr, /E_OPTION_INVALID[\s\S]*would be started by each shard[\s\S]*--url/);
  // Kubernetes' contract: the index from the environment makes this run a shard (so it needs a URL).
  const fromJob = await run(['--shards', '2'], { JOB_COMPLETION_INDEX: '1' });
  assert.equal(fromJob.code, ExitCode.InvalidInput);
  assert.match(fromJob.stderr, /cannot run as a shard/);
  const countOnly = await run([...url], { HARNESS_SHARDS: '2' });
  assert.equal(countOnly.code, ExitCode.InvalidInput);
  assert.match(countOnly.stderr, /HARNESS_SHARDS 2 names a shard count but no shard/);
  const mismatch = await run([...url, '--shard', '0/2', '--shards', '2'], {
    JOB_COMPLETION_INDEX: '1',
  });
  assert.equal(mismatch.code, ExitCode.InvalidInput);
  assert.match(mismatch.stderr, /E_SHARD_MISMATCH/);
  const past = await run([...url, '--shard', '0/2', '--start-at', String(Date.now() - 60_000)]);
  assert.equal(past.code, ExitCode.RunFailed);
  assert.match(past.stderr, /E_START_LATE: --start-at .* is 6\d{4} ms past/);
  const notShard = await run([...url, '--start-at', String(Date.now() + 60_000)]);
  assert.equal(notShard.code, ExitCode.InvalidInput);
  assert.match(notShard.stderr, /--start-at is for shards/);
  const noRun = await stat(join(dir, 'r')).catch(() => null);
  assert.equal(noRun, null, 'nothing was written');
});
