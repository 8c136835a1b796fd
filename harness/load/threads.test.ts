import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startMinimalTarget } from '../../targets/test-support/fixtures.js';
import { arrivalInstants } from '../model/arrivals.js';
import { createRandom } from '../model/random.js';
import { Clock } from '../scenario/clock.js';
import { realInstantsNs } from './executors/open-loop-task.js';

import { Recorder } from './recorder.js';
import { type LoadTask, runTaskHere } from './run-load.js';
import { runLoad } from './threads.js';

const context = (origin: string, threads: number) => ({
  origin,
  paths: { kind: 'fixed' as const, path: '/?ms=5' },
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepRequests: true,
  threads,
});

for (const task of [
  { executor: 'burst', users: 120, connections: 'new' },
  {
    executor: 'open-loop',
    instantsNs: realInstantsNs(
      arrivalInstants({ kind: 'poisson', rate: 400, duration: 0.5 }, createRandom(9)),
      new Clock(1),
    ),
    maxConnections: 500,
  },
  { executor: 'closed-users', users: 6, thinkNs: 5e6, think: 'constant', iterations: 10, seed: 2 },
] satisfies LoadTask[]) {
  test(`${task.executor} over 3 threads sends each request once and merges exactly`, async (t) => {
    const origin = await startMinimalTarget(t);
    const merged = await runLoad(task, context(origin, 3));
    const single = await runTaskHere(
      task,
      context(origin, 1),
      new Recorder({ keepRequests: true }),
    );
    const { recorder } = merged;
    assert.equal(merged.sent, single.sent, 'the same number of requests as one thread sends');
    assert.equal(recorder.counts.completed, merged.sent);
    assert.equal(recorder.counts.failed, 0);
    const indices = recorder.requests.map((r) => r.index).sort((a, b) => a - b);
    if (task.executor === 'closed-users')
      assert.equal(new Set(indices).size, indices.length, 'indices are unique');
    else
      assert.deepEqual(
        indices,
        Array.from({ length: merged.sent }, (_, i) => i),
      );
    // Histograms hold one value per completed request, summed across threads.
    assert.equal(recorder.histograms.latency.totalCount, merged.sent);
    assert.equal(recorder.histograms.lateness.totalCount, merged.sent);
    const sojourn = recorder.requests.reduce(
      (sum, r) => sum + ((r.completeNs as number) - (r.writtenNs as number)),
      0,
    );
    assert.equal(recorder.sojournNs, sojourn);
    if (task.executor === 'closed-users') assert.equal(merged.closed?.users, 6);
    if (task.executor === 'open-loop') assert.ok((merged.meanInFlight ?? 0) > 0);
  });
}
