import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ownIndices } from '../load/executor.js';
import { loadScenario } from '../scenario/load.js';
import {
  canonicalJson,
  composeShare,
  parseShard,
  planHash,
  resolveShard,
  shardIndices,
  shardProblems,
  shardTakes,
} from './shard.js';

test('--shard i/N parses, and every wrong form is refused with the form to use', () => {
  assert.deepEqual(parseShard('2/4'), { ok: true, value: { index: 2, count: 4 } });
  assert.deepEqual(parseShard(' 0 / 1 '), { ok: true, value: { index: 0, count: 1 } });
  for (const bad of ['4/4', '1/0', '-1/3', 'a/3', '1', '1/2/3', '1.5/3'])
    assert.equal(parseShard(bad).ok, false, bad);
  const out = parseShard('4/4');
  assert.ok(!out.ok && /from 0 to N-1 \(3\)/.test(out.message));
});

test("the shard comes from --shard, or from Kubernetes' JOB_COMPLETION_INDEX with --shards or HARNESS_SHARDS", () => {
  assert.deepEqual(resolveShard({ env: {} }), { ok: true, value: null, source: 'none' });
  const job = resolveShard({ shards: 4, env: { JOB_COMPLETION_INDEX: '3' } });
  assert.ok(job.ok && job.value?.index === 3 && job.value.count === 4);
  const fromEnv = resolveShard({ env: { JOB_COMPLETION_INDEX: '1', HARNESS_SHARDS: '2' } });
  assert.ok(fromEnv.ok && fromEnv.value?.index === 1 && /HARNESS_SHARDS/.test(fromEnv.source));
  const agree = resolveShard({
    shard: { index: 1, count: 2 },
    env: { JOB_COMPLETION_INDEX: '1', HARNESS_SHARDS: '2' },
  });
  assert.ok(agree.ok && agree.value?.index === 1);
  // An index without a count is not a shard: a pod of an ordinary Job has none either.
  assert.deepEqual(resolveShard({ env: { JOB_COMPLETION_INDEX: '1' } }).ok, true);
});

test('--shard and JOB_COMPLETION_INDEX disagreeing is a mismatch; bad counts and indices are invalid', () => {
  const mismatch = resolveShard({
    shard: { index: 0, count: 4 },
    shards: 4,
    env: { JOB_COMPLETION_INDEX: '2' },
  });
  assert.ok(!mismatch.ok && mismatch.kind === 'mismatch');
  assert.match(
    mismatch.ok ? '' : mismatch.message,
    /--shard 0\/4 disagrees .*JOB_COMPLETION_INDEX=2/,
  );
  const counts = resolveShard({ shard: { index: 0, count: 4 }, shards: 3, env: {} });
  assert.ok(!counts.ok && counts.kind === 'mismatch');
  const outside = resolveShard({ shards: 4, env: { JOB_COMPLETION_INDEX: '4' } });
  assert.ok(!outside.ok && outside.kind === 'invalid' && /0 to 3/.test(outside.message));
  const badCount = resolveShard({ env: { JOB_COMPLETION_INDEX: '0', HARNESS_SHARDS: 'x' } });
  assert.ok(!badCount.ok && badCount.kind === 'invalid');
  const noIndex = resolveShard({ shards: 4, env: {} });
  assert.ok(!noIndex.ok && /JOB_COMPLETION_INDEX is not set/.test(noIndex.message));
  // HARNESS_SHARDS in a pod of a Job that is not indexed: every pod would run the whole plan.
  const envOnly = resolveShard({ env: { HARNESS_SHARDS: '4' } });
  assert.ok(!envOnly.ok && /HARNESS_SHARDS 4 names a shard count/.test(envOnly.message));
  const envCount = resolveShard({ shard: { index: 0, count: 2 }, env: { HARNESS_SHARDS: '4' } });
  assert.ok(!envCount.ok && envCount.kind === 'mismatch');
});

test('property: the shards of any plan are disjoint and together exactly the plan, threads within them too', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('burst users', 'open-loop arrivals', 'closed users'),
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 8 }),
      (_kind, total, count, threads) => {
        const owner = new Int32Array(total).fill(-1);
        let taken = 0;
        for (let index = 0; index < count; index++) {
          const shard = { index, count };
          const mine = shardIndices(total, shard);
          assert.equal(mine.length, shardTakes(total, shard));
          // The threads of this shard split its share again (load/threads.ts).
          const byThreads: number[] = [];
          for (let part = 0; part < threads; part++)
            byThreads.push(...ownIndices(total, composeShare(shard, { part, of: threads })));
          assert.deepEqual(
            byThreads.sort((a, b) => a - b),
            mine,
          );
          for (const k of mine) {
            assert.equal(owner[k], -1, `index ${k} in two shards`);
            owner[k] = index;
          }
          taken += mine.length;
        }
        assert.equal(taken, total);
        assert.ok(owner.every((o) => o >= 0));
      },
    ),
    { numRuns: 300 },
  );
});

test('property: round robin keeps each share representative: shares differ by one at most, and an open loop shard spans the whole plan', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 1, max: 50 }),
      (total, count) => {
        const sizes = Array.from({ length: count }, (_, index) =>
          shardTakes(total, { index, count }),
        );
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
        if (total >= count * 2)
          for (let index = 0; index < count; index++) {
            const mine = shardIndices(total, { index, count });
            // Arrivals are in time order: each shard's last is within N of the plan's last.
            assert.ok((mine.at(-1) ?? 0) >= total - count);
          }
      },
    ),
  );
});

test("a plan's hash ignores where the file was and each shard's URL, and changes with the seed", async () => {
  const scenario = await loadScenario('ci-smoke', undefined, { only: ['sync-4'] });
  const same = planHash(scenario);
  assert.match(same, /^[0-9a-f]{16}$/);
  assert.equal(planHash({ ...scenario, source: '/elsewhere/ci-smoke.json' }), same);
  const [topology] = scenario.topologies;
  assert.ok(topology !== undefined);
  assert.equal(
    planHash({ ...scenario, topologies: [{ ...topology, url: 'http://10.0.0.7:8000/' }] }),
    same,
  );
  assert.notEqual(planHash({ ...scenario, model: { ...scenario.model, seed: 2 } }), same);
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
});

test('a shard needs URL targets, a load with a plan, and no repeated bursts', async () => {
  const scenario = await loadScenario('ci-smoke', undefined, { only: ['sync-4'] });
  assert.match(
    shardProblems(scenario)[0]?.message ?? '',
    /"sync-4" would be started by each shard/,
  );
  const byUrl = await loadScenario('ci-smoke', undefined, {
    only: ['sync-4'],
    url: 'http://127.0.0.1:8000/',
  });
  assert.deepEqual(shardProblems(byUrl), []);
  assert.equal(shardProblems({ ...byUrl, repeat: 3 }).length, 1);
  const throughput = await loadScenario('max-throughput', undefined, {
    url: 'http://127.0.0.1:8000/',
    only: ['gthread-4x4'],
  });
  assert.ok(shardProblems(throughput).some((p) => /throughput executor/.test(p.message)));
});
