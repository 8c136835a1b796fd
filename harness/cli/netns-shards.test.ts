import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../targets/package-root.js';
import { assertRealServers, skipWithoutRealServers } from '../../targets/real/availability.js';
import { type K8sObject, MOUNTS } from '../k8s/manifests.js';
import { createLab, type NetnsLab, netnsSupport } from '../netns/lab.js';
import { type LabGunicorn, startCliIn, startGunicornIn } from '../netns/run-in-lab.js';
import type { RequestRecord } from '../results/request-record.js';
import type { RunSummary } from '../results/summary.js';
import { compareWithSingle, renderComparison } from '../test-support/shard-comparison.js';
import { spawnCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * Issue 18, tested here: a plan cut into 4 shards, each shard process on its own host (a network
 * namespace with its own address, joined to the target's by a veth pair, harness/netns/lab.ts),
 * all against one real gunicorn in the target's namespace, started at one instant, merged with
 * `merge`, and set beside the single-process run of the same plan; then a clock offset injected
 * into one shard, and one shard killed mid-run. Skipped, saying why, only where the machine
 * cannot make network namespaces, or (outside CI) lacks Debian's gunicorn.
 */

const support = netnsSupport();
const skip = support.ok
  ? skipWithoutRealServers()
  : `network namespaces cannot be created here: ${support.reason}`;
if (!support.ok) process.stderr.write(`\nSKIPPED sharded runs in network namespaces: ${skip}\n\n`);

const SHARDS = 4;
/** The fault fixture: HARNESS_FAULT_CLOCK_OFFSET_MS sets a process's clocks ahead. */
const FAULTS = join(packageRoot(), 'dist', 'harness', 'test-support', 'cli', 'faults.js');
/** Room for four harness processes to start on a busy 2-core machine before the shared start. */
const START_AHEAD_MS = 8000;
/** Waits of the merged run against the single run's: 25% of the figure plus 60 ms. */
const WAIT_TOLERANCE = { relative: 0.25, absolute: 0.06 };

/** A burst of `users` on gunicorn's 4 sync workers, each request `ms` in the handler. */
function scenario(users: number, ms: number) {
  return {
    name: 'lab-burst',
    load: { executor: 'burst', users },
    service: { time: `${ms}ms` },
    topologies: [{ name: 'gunicorn-sync-4', kind: 'gunicorn-sync', workers: 4 }],
    limits: { runTimeout: '1m', requestTimeout: '30s' },
  };
}

async function summaryIn(dir: string): Promise<RunSummary> {
  return JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunSummary;
}

/** The run directory a run wrote under `reportsDir` (its `latest`, resolved). */
async function runDir(reportsDir: string): Promise<string> {
  return realpath(join(reportsDir, 'lab-burst', 'latest'));
}

interface Lab {
  lab: NetnsLab;
  gunicorn: LabGunicorn;
  dir: string;
}

/** Runs every shard i/N from its own host with one --start-at; returns the children. */
function startShards(
  { lab, gunicorn, dir }: Lab,
  file: string,
  name: string,
  options: (index: number) => { env?: Record<string, string>; preload?: string[] } = () => ({}),
) {
  const startAt = new Date(Date.now() + START_AHEAD_MS).toISOString();
  return lab.shards.map((host, i) =>
    startCliIn(
      lab,
      host,
      [
        'scenario',
        file,
        '--shard',
        `${i}/${SHARDS}`,
        '--start-at',
        startAt,
        '--url',
        `${gunicorn.origin}/work?ms=${name === 'kill' ? 80 : 20}`,
        '--allow-remote',
        lab.target.address,
        '--reports-dir',
        join(dir, name, `shard-${i}`),
        '--no-progress',
      ],
      options(i),
    ),
  );
}

test('4 shards in network namespaces against real gunicorn, merged, equal the single run', {
  skip,
  timeout: 240_000,
}, async (t) => {
  assertRealServers();
  const lab = createLab(SHARDS);
  t.after(() => lab.destroy());
  const dir = await tempDir(t);
  const accessLog = join(dir, 'access.log');
  const gunicorn = await startGunicornIn(lab, { workers: 4, accessLog });
  t.after(() => gunicorn.stop());
  /** The client address of every /work request gunicorn served since the last call. */
  let seen = 0;
  const servedSince = async (): Promise<Map<string, number>> => {
    const lines = (await readFile(accessLog, 'utf8')).split('\n').filter((l) => l !== '');
    const fresh = lines.slice(seen);
    seen = lines.length;
    const by = new Map<string, number>();
    for (const line of fresh) {
      const [address, path] = line.split(' ');
      if (path === '/work' && address !== undefined) by.set(address, (by.get(address) ?? 0) + 1);
    }
    return by;
  };
  const ctx: Lab = { lab, gunicorn, dir };
  const file = await writeScenario(dir, scenario(200, 20));
  const url = `${gunicorn.origin}/work?ms=20`;
  const single = await startCliIn(lab, lab.shards[0] ?? lab.target, [
    'scenario',
    file,
    '--url',
    url,
    '--allow-remote',
    lab.target.address,
    '--reports-dir',
    join(dir, 'single'),
    '--no-progress',
  ]).done;
  assert.equal(single.code, 0, single.stderr);
  // The single run came from one host; the shards below each from their own.
  await servedSince().then((by) => assert.deepEqual([...by], [['10.218.0.10', 200]]));
  const shards = await Promise.all(startShards(ctx, file, 'sharded').map((s) => s.done));
  for (const [i, s] of shards.entries()) assert.equal(s.code, 0, `shard ${i}: ${s.stderr}`);
  const shardDirs = await Promise.all(
    shards.map((_, i) => runDir(join(dir, 'sharded', `shard-${i}`))),
  );
  for (const [i, d] of shardDirs.entries()) {
    const summary = await summaryIn(d);
    assert.equal(summary.shard?.index, i);
    assert.equal(summary.shard?.count, SHARDS);
  }
  assert.deepEqual(
    [...(await servedSince())].sort(),
    lab.shards.map((h) => [h.address, 50]),
    'gunicorn served 50 requests from each shard host',
  );
  const merged = await spawnCli(['merge', ...shardDirs, '--out', join(dir, 'merged')]);
  assert.equal(merged.code, 0, merged.stderr);
  const rows = compareWithSingle(
    await summaryIn(await runDir(join(dir, 'single'))),
    await summaryIn(join(dir, 'merged')),
    WAIT_TOLERANCE,
  );
  const table = renderComparison(rows);
  t.diagnostic('merged 4 shards vs one process:');
  for (const line of table.split('\n')) t.diagnostic(line);
  assert.ok(
    rows.every((r) => r.ok),
    table,
  );
  assert.ok(rows.filter((r) => r.kind === 'exact').length >= 9);
  // The plan itself (each request's arrival and service time) is the single run's, byte for byte.
  assert.equal(
    await readFile(join(dir, 'merged', 'predicted.ndjson'), 'utf8'),
    await readFile(join(await runDir(join(dir, 'single')), 'predicted.ndjson'), 'utf8'),
  );
  const mergedSummary = await summaryIn(join(dir, 'merged'));
  assert.equal(mergedSummary.merge?.present.length, SHARDS);
  assert.deepEqual(mergedSummary.merge?.missing, []);
  await t.test(
    'a shard killed mid-run: the merge keeps the rest and names the missing share',
    async () => {
      const killFile = await writeScenario(dir, scenario(240, 80), 'kill.json');
      const started = startShards(ctx, killFile, 'kill');
      const victim = started[2];
      assert.ok(victim !== undefined);
      // The burst takes 240/4 x 80 ms = 4.8 s on the target, and shard 2's 60 requests at least
      // 60/4 x 80 ms = 1.2 s even if the target happens to take them all first: killed 0.4 s
      // after the start, its requests are in flight and most are unanswered.
      setTimeout(() => victim.child.kill('SIGKILL'), START_AHEAD_MS + 400);
      const ended = await Promise.all(started.map((s) => s.done));
      assert.equal(
        ended[2]?.signal,
        'SIGKILL',
        `shard 2 was to be killed before it finished; it ended with ${ended[2]?.code}: ${ended[2]?.stderr}`,
      );
      for (const i of [0, 1, 3]) assert.equal(ended[i]?.code, 0, ended[i]?.stderr);
      const present = await Promise.all(
        [0, 1, 3].map((i) => runDir(join(dir, 'kill', `shard-${i}`))),
      );
      const out = join(dir, 'kill-merged');
      const merge = await spawnCli(['merge', ...present, '--out', out]);
      assert.equal(merge.code, 107, merge.stderr);
      assert.match(merge.stderr, /E_SHARDS_MISSING/);
      assert.match(merge.stderr, /shard 2\b/);
      const summary = await summaryIn(out);
      assert.deepEqual(
        summary.merge?.missing.map((m) => [m.index, m.taken]),
        [[2, 60]],
      );
      assert.equal(summary.merge?.missingShare, 0.25);
      assert.equal(summary.topologies[0]?.load?.sent, 180, 'the three shards present: 3 x 60');
      // Collected as on Kubernetes, every run directory there is (shard-*/<scenario>/2*/): what
      // the killed shard left, if anything, is not taken for its share.
      const collected: string[] = [];
      for (let i = 0; i < SHARDS; i++) {
        const scenarioDir = join(dir, 'kill', `shard-${i}`, 'lab-burst');
        const ids = await readdir(scenarioDir).catch(() => [] as string[]);
        for (const id of ids) if (id.startsWith('2')) collected.push(join(scenarioDir, id));
      }
      t.diagnostic(`collected after the kill: ${collected.length} run directories`);
      const all = await spawnCli(['merge', ...collected, '--out', join(dir, 'kill-merged-all')]);
      t.diagnostic(all.stderr);
      assert.equal(all.code, 107, all.stderr);
      assert.deepEqual(
        (await summaryIn(join(dir, 'kill-merged-all'))).merge?.missing.map((m) => m.index),
        [2],
      );
    },
  );
  await t.test(
    'a clock offset injected into one shard: its share reached the target early, as its waits in the merged records show',
    async () => {
      const offsetMs = 300;
      const started = startShards(ctx, file, 'offset', (i) =>
        i === 1
          ? { env: { HARNESS_FAULT_CLOCK_OFFSET_MS: String(offsetMs) }, preload: [FAULTS] }
          : {},
      );
      const ended = await Promise.all(started.map((s) => s.done));
      for (const [i, s] of ended.entries()) assert.equal(s.code, 0, `shard ${i}: ${s.stderr}`);
      const dirs = await Promise.all(
        ended.map((_, i) => runDir(join(dir, 'offset', `shard-${i}`))),
      );
      const out = join(dir, 'offset-merged');
      const merge = await spawnCli(['merge', ...dirs, '--out', out]);
      assert.equal(merge.code, 0, merge.stderr);
      const summary = await summaryIn(out);
      const present = summary.merge?.present ?? [];
      assert.equal(present.length, SHARDS);
      // By its own clock shard 1 started on time, as every other shard did: the merge cannot
      // see the offset from the shards' own clocks.
      const late = present.find((p) => p.index === 1)?.startLatenessMs ?? Number.NaN;
      assert.ok(Math.abs(late) < 100, `shard 1's own lateness ${late} ms`);
      // By the true time it started 300 ms early, and the target served its 50 requests before
      // the others' arrived: 50 requests on 4 workers of 20 ms take about 0.25 s, so its waits
      // are a fraction of the other shards' (0.5 s on average when the four start together).
      const records = (await readFile(join(out, 'requests.ndjson'), 'utf8'))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as RequestRecord);
      const meanWait = (keep: (shard: number | undefined) => boolean) => {
        const waits = records
          .filter((r) => keep(r.shard) && r.wait !== null)
          .map((r) => r.wait as number);
        assert.ok(waits.length > 0);
        return waits.reduce((a, b) => a + b, 0) / waits.length;
      };
      const early = meanWait((shard) => shard === 1);
      const others = meanWait((shard) => shard !== 1);
      t.diagnostic(
        `clock offset +${offsetMs} ms on shard 1: its mean wait ${early.toFixed(3)} s, the other shards' ${others.toFixed(3)} s; the merge's clock offsets ${JSON.stringify(present.map((p) => p.clockOffsetMs))}`,
      );
      assert.ok(early < 0.6 * others, `shard 1 ${early} s, the others ${others} s`);
    },
  );
  await t.test(
    "the merge measures shard 1's wall clock 300 ms ahead of the others' through the target's clock",
    async () => {
      // The target is another host: its monotonic clock is not the shards' (clockOffsetMs is
      // null), but it is one clock for every shard. Each shard's wall clock against it, less the
      // shards' median, is that shard's own offset (merge's wallOffsetMs).
      const summary = await summaryIn(join(dir, 'offset-merged'));
      const present = summary.merge?.present ?? [];
      const offset = present.find((p) => p.index === 1)?.wallOffsetMs;
      t.diagnostic(`wall clock offsets ${JSON.stringify(present.map((p) => p.wallOffsetMs))}`);
      assert.ok(typeof offset === 'number' && Math.abs(offset - 300) < 50, `offset ${offset}`);
      for (const other of present.filter((p) => p.index !== 1)) {
        const o = other.wallOffsetMs;
        assert.ok(typeof o === 'number' && Math.abs(o) < 50, `shard ${other.index}: ${o}`);
      }
    },
  );
  await t.test(
    "the k8s Job's own pods' commands, run as Kubernetes would, merge to the plan",
    async () => {
      // npm run k8s writes the manifests; each "pod" here is a shard host running the Job's
      // container args with JOB_COMPLETION_INDEX set, the ConfigMap's file at its mount and the
      // claim's mount a directory, as the pods would see them.
      const k8s = join(dir, 'k8s');
      const startAt = new Date(Date.now() + START_AHEAD_MS + 4000).toISOString();
      const wrote = await spawnCli([
        'k8s',
        file,
        '--shards',
        String(SHARDS),
        '--image',
        'capacity-harness:test',
        '--url',
        `${gunicorn.origin}/work?ms=20`,
        '--allow-remote',
        lab.target.address,
        '--start-at',
        startAt,
        '--name',
        'lab',
        '--out',
        k8s,
      ]);
      assert.equal(wrote.code, 0, wrote.stderr);
      const objects = parseAllDocuments(await readFile(join(k8s, 'job.yaml'), 'utf8')).map(
        (d) => d.toJS() as K8sObject,
      );
      const configMap = objects.find((o) => o.kind === 'ConfigMap') as
        | (K8sObject & { data: Record<string, string> })
        | undefined;
      const job = objects.find((o) => o.kind === 'Job') as unknown as {
        spec: { template: { spec: { containers: Array<{ args: string[] }> } } };
      };
      const args = job.spec.template.spec.containers[0]?.args ?? [];
      const mounts = { scenario: join(dir, 'pod-scenario'), results: join(dir, 'pod-results') };
      await mkdir(mounts.scenario);
      for (const [key, text] of Object.entries(configMap?.data ?? {}))
        await writeFile(join(mounts.scenario, key), text);
      const pods = lab.shards.map((host, i) =>
        startCliIn(
          lab,
          host,
          args.map((a) =>
            a
              .replace(MOUNTS.scenario, mounts.scenario)
              .replace(MOUNTS.results, mounts.results)
              .replace('$(JOB_COMPLETION_INDEX)', String(i)),
          ),
          { env: { JOB_COMPLETION_INDEX: String(i) } },
        ),
      );
      const ended = await Promise.all(pods.map((p) => p.done));
      for (const [i, p] of ended.entries()) assert.equal(p.code, 0, `pod ${i}: ${p.stderr}`);
      // What `kubectl cp` brings back, merged as the printed command does (shard-*/<scenario>/2*/).
      const runs: string[] = [];
      for (let i = 0; i < SHARDS; i++) {
        const scenarioDir = join(mounts.results, 'lab', `shard-${i}`, 'lab-burst');
        for (const id of await readdir(scenarioDir))
          if (id.startsWith('2')) runs.push(join(scenarioDir, id));
      }
      assert.equal(runs.length, SHARDS);
      assert.match(
        wrote.stdout,
        /npm run merge -- reports\/lab\/shard-\*\/lab-burst\/2\*\/ --out /,
      );
      const merge = await spawnCli(['merge', ...runs, '--out', join(dir, 'k8s-merged')]);
      assert.equal(merge.code, 0, merge.stderr);
      const summary = await summaryIn(join(dir, 'k8s-merged'));
      assert.deepEqual(
        summary.merge?.present.map((p) => [p.index, p.taken]),
        [
          [0, 50],
          [1, 50],
          [2, 50],
          [3, 50],
        ],
      );
      assert.equal(summary.topologies[0]?.load?.sent, 200);
      assert.equal(summary.topologies[0]?.errors, 0);
    },
  );
  await t.test('files of the run: each shard wrote its own directory', async () => {
    for (let i = 0; i < SHARDS; i++)
      assert.ok((await readdir(join(dir, 'sharded', `shard-${i}`, 'lab-burst'))).length >= 2);
  });
});
