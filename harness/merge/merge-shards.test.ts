import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RawRequest } from '../load/raw-request.js';
import { HISTOGRAMS, Recorder } from '../load/recorder.js';
import { shardText } from '../report/shard-text.js';
import type { RequestRecord } from '../results/request-record.js';
import type { ShardBlock, ShardState } from '../results/shard-state.js';
import type { RunSummary } from '../results/summary.js';
import { shardTakes } from '../run/shard.js';
import { Clock } from '../scenario/clock.js';
import { mergeShards, type ShardInput } from './merge-shards.js';

/** A request that waited `waitUs` and took `serviceUs`, intended at `atNs` (real). */
function raw(
  index: number,
  atNs: number,
  waitUs: number,
  serviceUs: number,
  failed: boolean,
): RawRequest {
  const writtenNs = atNs + 50_000;
  const startUs = atNs / 1000 + waitUs;
  return {
    index,
    intendedNs: atNs,
    dispatchedNs: atNs,
    writtenNs,
    ...(failed
      ? { failedNs: writtenNs + 1_000_000, error: { kind: 'reset', message: 'reset' } }
      : {
          completeNs: (startUs + serviceUs) * 1000 + 100_000,
          status: 200,
          server: { servedBy: {}, startUs, endUs: startUs + serviceUs },
        }),
  };
}

/** A shard's files as a run would write them, from the requests it recorded (histogram mode). */
function shardOf(
  index: number,
  count: number,
  requests: RawRequest[],
  planned: number,
): ShardInput {
  const recorder = new Recorder({ keepRequests: false });
  recorder.begin(0n);
  for (const r of requests) recorder.record(r);
  const snapshot = recorder.snapshot();
  const sent = requests.length;
  const state: ShardState = {
    status: 'complete',
    failure: null,
    bursts: 1,
    recordsKept: false,
    histograms: snapshot.histograms,
    load: {
      sent,
      completed: recorder.counts.completed,
      failed: recorder.counts.failed,
      late: recorder.counts.late,
      spanNs: recorder.lastCompleteNs,
      residenceNs: recorder.residenceNs,
      sojournNs: recorder.sojournNs,
    },
    counts: { requests: sent, errorsByKind: recorder.counts.errors },
    dispatchSpreadMs: null,
  };
  const shard: ShardBlock = {
    index,
    count,
    source: '--shard',
    planHash: '0123456789abcdef',
    planSeed: 1,
    share: { of: 'arrivals', planned, taken: shardTakes(planned, { index, count }) },
    startAt: null,
    actualStartWallMs: 1_000_000,
    startLatenessMs: null,
    startMonotonicNs: '0',
    clockOffsetMs: null,
    clockOffsetHow: 'not measured',
    targetClock: { how: 'not measured' },
  };
  const summary = {
    runId: `run-${index}`,
    complete: true,
    topologies: [],
    shard,
  } as unknown as RunSummary & {
    shard: ShardBlock;
  };
  return { dir: `shard-${index}`, summary, state: { t: state }, records: [] as RequestRecord[] };
}

test('property: histograms merged from shards equal one recorder of every request, bucket for bucket', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          waitUs: fc.integer({ min: 0, max: 5_000_000 }),
          serviceUs: fc.integer({ min: 1, max: 2_000_000 }),
          failed: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        }),
        { minLength: 1, maxLength: 400 },
      ),
      fc.integer({ min: 1, max: 7 }),
      (plan, count) => {
        const requests = plan.map((p, k) =>
          raw(k, k * 10_000_000, p.waitUs, p.serviceUs, p.failed),
        );
        const shards = Array.from({ length: count }, (_, i) =>
          shardOf(
            i,
            count,
            requests.filter((r) => r.index % count === i),
            requests.length,
          ),
        );
        const single = new Recorder({ keepRequests: false });
        single.begin(0n);
        for (const r of requests) single.record(r);
        // The same recorder through the same encoding: HdrHistogram keeps the exact maximum only
        // until it is encoded; decoded, its maximum is its bucket's (3 significant digits), as
        // for the load threads' merge. Every bucket's count is the same.
        const encoded = new Recorder({ keepRequests: false });
        encoded.absorb(single.snapshot());
        const { measurements, block } = mergeShards(shards, [{ name: 't', clock: new Clock(1) }]);
        const merged = measurements.get('t');
        assert.ok(merged !== undefined && merged.load !== null);
        for (const h of HISTOGRAMS) {
          assert.deepEqual(merged.load.histograms[h], encoded.summary(h), h);
          const exactMax = single.summary(h).max;
          if (Number.isFinite(exactMax))
            assert.ok(Math.abs(merged.load.histograms[h].max - exactMax) <= 1 + exactMax * 1e-3);
        }
        assert.equal(merged.load.sent, requests.length);
        assert.equal(merged.load.completed, single.counts.completed);
        assert.equal(merged.load.failed, single.counts.failed);
        assert.equal(merged.load.sojournNs, single.sojournNs);
        assert.deepEqual(merged.counts?.errorsByKind ?? {}, single.counts.errors);
        assert.equal(merged.measured?.count, single.summary('wait').count);
        assert.equal(merged.status, 'complete');
        assert.deepEqual(block.missing, []);
      },
    ),
    { numRuns: 60 },
  );
});

test('a missing shard: the others are merged, its share is named, the topology is marked short', () => {
  const requests = Array.from({ length: 10 }, (_, k) => raw(k, k * 1e7, 1000, 5000, false));
  const shards = [0, 2].map((i) =>
    shardOf(
      i,
      3,
      requests.filter((r) => r.index % 3 === i),
      10,
    ),
  );
  const { measurements, block } = mergeShards(shards, [{ name: 't', clock: new Clock(1) }]);
  assert.deepEqual(block.missing, [{ index: 1, taken: 3, why: 'not given to merge' }]);
  assert.equal(block.missingShare, 0.3);
  const merged = measurements.get('t');
  assert.equal(merged?.load?.sent, 7);
  assert.equal(merged?.status, 'aborted');
  assert.match(merged?.failure ?? '', /shards of the plan are missing/);
});

test('a shard without shard-state.json (killed before its load ended) counts as missing', () => {
  const killed = { ...shardOf(1, 2, [], 4), state: null };
  const { block } = mergeShards(
    [shardOf(0, 2, [raw(0, 0, 1, 1, false)], 4), killed],
    [{ name: 't', clock: new Clock(1) }],
  );
  assert.equal(block.missing[0]?.index, 1);
  assert.match(block.missing[0]?.why ?? '', /killed or failed/);
  assert.equal(block.present.length, 1);
});

test("the report's header says what a shard or a merged run holds, and what a merge lacks", () => {
  const requests = Array.from({ length: 10 }, (_, k) => raw(k, k * 1e7, 1000, 5000, false));
  const only = shardOf(
    0,
    3,
    requests.filter((r) => r.index % 3 === 0),
    10,
  );
  const { block } = mergeShards([only], [{ name: 't', clock: new Clock(1) }]);
  const lines = shardText({ merge: block });
  assert.match(
    lines[0] ?? '',
    /Merged from 1 of 3 shards of plan 0123456789abcdef \(10 arrivals planned\)/,
  );
  assert.match(
    lines[1] ?? '',
    /MISSING: shard 1 \(3 arrivals: not given to merge\); shard 2 \(3 arrivals: .*60\.0% of the plan/,
  );
  const shardLines = shardText({ shard: only.summary.shard });
  assert.match(
    shardLines[0] ?? '',
    /Shard 0 of 3 .*4 of the plan's 10 arrivals, request k when k mod 3 = 0/,
  );
  assert.deepEqual(shardText({}), []);
});
