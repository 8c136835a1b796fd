import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { findProgram } from '../supervise/programs.js';
import { runScenarioOk } from '../test-support/spawn-cli.js';

/**
 * The scheduled-job and event fan-out observations end to end, as a user runs them: a small
 * scenario file, the CLI, exit 0, summary.json with the observed figures, jobs.ndjson or
 * deliveries.ndjson, and the report's section. Assertions are on counts that do not depend on
 * the machine's speed.
 */

const _main = join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');
const missing = ['redis-server', 'sqlite3'].filter((p) => findProgram(p) === undefined);
const skip =
  missing.length > 0 && process.env.CI === undefined
    ? `${missing.join(' and ')} not installed (apt-get install -y ${missing.join(' ')}): skipped`
    : false;
if (skip) console.warn(`\n*** ${skip} ***\n`);

async function run(t: { after(fn: () => Promise<void>): void }, scenario: object) {
  const { latest, stdout } = await runScenarioOk(t, { name: 'x', timeScale: 0.2, ...scenario });
  const read = (name: string) => readFile(join(latest, name), 'utf8');
  return { summary: JSON.parse(await read('summary.json')), read, stdout };
}

test('background jobs: every worker runs the job, a lease lets one; the kill and takeover are recorded', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const { summary, read, stdout } = await run(t, {
    load: { executor: 'constant-arrival-rate', rate: 2, duration: '12s' },
    service: { time: '100ms' },
    jobs: { interval: '2s', duration: '12s', killLeaderAt: '5s' },
    topologies: [
      { name: 'every', kind: 'sync', workers: 2, replicas: 2, scheduler: { election: 'none' } },
      {
        name: 'lease',
        kind: 'sync',
        workers: 2,
        replicas: 2,
        scheduler: { election: 'lease', lease: '3s', renew: '1s', retry: '500ms' },
      },
    ],
  });
  const [every, lease] = summary.topologies;
  assert.equal(every.jobs.predicted.runsPerSlot, 4);
  assert.equal(every.jobs.runsPerSlot.max, 4);
  assert.ok(every.jobs.processesThatRan >= 4, JSON.stringify(every.jobs));
  assert.equal(every.jobs.kill.scope, 'worker');
  assert.equal(lease.jobs.predicted.runsPerSlot, 1);
  assert.equal(lease.jobs.duplicates, 0);
  assert.equal(lease.jobs.runsPerSlot.max, 1);
  assert.equal(lease.jobs.kill.scope, 'deployment');
  assert.notEqual(lease.jobs.kill.successor?.pid, lease.jobs.kill.pid);
  assert.ok(lease.jobs.kill.firstRunAfter > lease.jobs.kill.at, JSON.stringify(lease.jobs.kill));
  const lines = (await read('jobs.ndjson'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(
    lines.filter((l) => l.topology === 'every' && l.type === 'run' && l.slot >= 0 && l.slot < 12)
      .length,
    every.jobs.runs,
  );
  for (const l of lines)
    assert.deepEqual(Object.keys(l).sort(), [
      'at',
      'pid',
      'replica',
      'slot',
      'topology',
      'type',
      'worker',
    ]);
  assert.match(stdout, /job every 2s, no election/);
  assert.match(await read('report.html'), /<section id="jobs">/);
});

test("sse fan-out: an in-memory registry reaches its own worker's clients, the Redis bus all", {
  skip,
  timeout: 120_000,
}, async (t) => {
  const { summary, read } = await run(t, {
    load: { executor: 'constant-arrival-rate', rate: 2, duration: '6s' },
    service: { time: '100ms' },
    fanout: { clients: 8, events: 4, interval: '1s', grace: '3s' },
    topologies: [
      { name: 'memory', kind: 'gthread', workers: 2, threads: 16, registry: 'memory' },
      { name: 'redis', kind: 'gthread', workers: 2, threads: 16, registry: 'redis' },
    ],
  });
  const [memory, redis] = summary.topologies;
  assert.equal(memory.fanout.events, 4);
  assert.equal(memory.fanout.clients, 8);
  for (const e of memory.fanout.perEvent) assert.equal(e.share, e.expected, JSON.stringify(e));
  assert.equal(memory.fanout.predicted.share, 0.5);
  assert.deepEqual(
    redis.fanout.perEvent.map((e: { share: number }) => e.share),
    [1, 1, 1, 1],
  );
  assert.equal(redis.fanout.deliveries.made, 32);
  assert.equal(redis.fanout.latencyMs.count, 32);
  const deliveries = (await read('deliveries.ndjson')).trim().split('\n');
  assert.equal(deliveries.length, 64);
  assert.match(await read('report.html'), /<section id="fanout">/);
});
