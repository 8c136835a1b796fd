import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measurementQuality } from '../observe/measurement-quality.js';
import type { Attribution } from '../results/attribution.js';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { attributionCharts, qualityNotes, walkRows } from './attribution-chart.js';

const figures = (x: number) => ({ meanWait: x, p95Wait: 2 * x, maxWait: 3 * x, makespan: 4 * x });

const attribution: Attribution = {
  backOfEnvelope: 40,
  predicted: figures(10),
  steps: [
    { cause: 'arrivals', model: figures(10.5), share: figures(0.5) },
    { cause: 'handlers', model: figures(11), share: figures(0.5) },
    { cause: 'assignment', model: figures(11), share: figures(0) },
    { cause: 'server costs', model: figures(11.5), share: figures(0.5) },
  ],
  residual: figures(-0.5),
  residualRelative: figures(-0.5 / 11),
  measured: figures(11),
  apparatus: {
    lateness: { meanMs: 1, maxMs: 2 },
    handlerOverrunMs: 0.5,
    delivery: { meanMs: 0.3, count: 12 },
    handOff: { meanMs: 1.1, medianMs: 1, count: 188 },
    responseReturnMs: 0.5,
    serverCostShare: 0.05,
    apparatusShare: 0.1,
  },
  requests: 200,
};

test('the walk starts at the model, each part starts where the last ended, and it ends at the measurement', () => {
  const t = topologySummary('sync', [0, 1, 2]);
  const rows = walkRows(t, attribution);
  for (const figure of ['mean wait', 'p95 wait', 'max wait', 'makespan']) {
    const own = rows.filter((r) => r.figure === figure).sort((a, b) => a.order - b.order);
    const parts = own.filter((r) => r.kind === 'part');
    assert.equal(parts.length, 5);
    assert.equal(parts[0]?.from, own.find((r) => r.kind === 'predicted')?.to);
    for (let k = 1; k < parts.length; k++) assert.equal(parts[k]?.from, parts[k - 1]?.to);
    assert.equal(parts.at(-1)?.to, own.at(-1)?.to);
    assert.equal(own.at(-1)?.kind, 'measured');
    // The totals' bars start below the least value the walk reaches, so that the parts show,
    // and never below 0.
    const least = Math.min(...parts.flatMap((r) => [r.from, r.to]));
    for (const total of own.filter((r) => r.kind !== 'part')) {
      assert.ok(
        total.from >= 0 && total.from < least,
        `${figure} ${total.label} from ${total.from}`,
      );
      assert.equal(total.seconds, total.to);
    }
  }
  // The back-of-envelope figure estimates the last user's wait: it opens the max-wait walk only.
  assert.deepEqual(
    rows.filter((r) => r.kind === 'back-of-envelope').map((r) => r.figure),
    ['max wait'],
  );
});

test('one chart per topology with an attribution, and a head line per topology measured', () => {
  const quality = measurementQuality(
    {
      seconds: 10,
      cpus: 2,
      busyCoreSeconds: 16,
      ownCoreSeconds: 6,
      loopDelayMs: { mean: 0, p99: 0, max: 0 },
    },
    0,
    200,
  );
  const summary = runSummary([
    { ...topologySummary('a', [0, 1]), attribution, measurementQuality: quality },
    topologySummary('b', [0, 1]),
  ]);
  const charts = attributionCharts(summary);
  assert.deepEqual(
    charts.map((c) => [c.id, c.topology]),
    [['t0-attribution', 'a']],
  );
  const notes = qualityNotes(summary);
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? '', /^a: WARNING: measurement quality poor/);
});
