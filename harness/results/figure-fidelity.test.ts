import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderFigureFidelityText } from '../report/figure-fidelity-text.js';
import { type FigureValues, figureFidelityRow, withinTolerance } from './figure-fidelity.js';
import { summarizeFigureFidelity } from './scenario-figures.js';
import type { TopologySummary } from './summary.js';
import type { WorkerLifeFigures } from './worker-life.js';

test('a value is within max(relative x |real|, absolute) of the real one', () => {
  const t = { relative: 0.25, absolute: 1 };
  assert.equal(withinTolerance(3, 2, t), true); // |1| <= max(0.5, 1)
  assert.equal(withinTolerance(4, 2, t), false); // |2| > 1
  assert.equal(withinTolerance(12, 10, t), true); // |2| <= 2.5
  assert.equal(withinTolerance(13, 10, t), false); // |3| > 2.5
  assert.equal(withinTolerance(null, 10, t), null);
  assert.equal(withinTolerance(1, Number.NaN, t), null);
});

const recycles = (
  real: number,
  emulated: number | null,
  predicted: number | null,
): FigureValues => ({
  figure: 'recycles',
  label: 'workers recycled',
  unit: 'count',
  tolerance: { relative: 0.25, absolute: 1 },
  real,
  emulated,
  predicted,
  source: "gunicorn's log",
});

test('a row judges every figure, notes each one outside, and a range counts as within', () => {
  const row = figureFidelityRow({
    topology: 'mr',
    kind: 'gunicorn-sync',
    emulated: 'mr (emulated)',
    figures: [
      recycles(8, 9, 4),
      {
        figure: 'takeover',
        label: 'takeover',
        unit: 'seconds',
        tolerance: { relative: 0.25, absolute: 0.5 },
        real: 3.2,
        emulated: null,
        predicted: 2.5,
        predictedRange: { min: 1, max: 4 },
      },
    ],
    explanations: { recycles: 'the model counted 200 per worker' },
  });
  const [r, take] = row.cells;
  assert.equal(r?.emulatedWithin, true);
  assert.equal(r?.predictedWithin, false); // |4 - 8| > max(2, 1)
  assert.equal(r?.predictedError, -0.5);
  assert.equal(take?.predictedWithin, true); // 3.2 in [1, 4]
  assert.equal(take?.emulatedWithin, null);
  assert.equal(row.withinBounds, false);
  assert.equal(row.notes.length, 1);
  assert.match(
    row.notes[0] ?? '',
    /^workers recycled: the model 4 \(-50%\) against the real 8 \(gunicorn's log\), tolerance ±25% or ±1; the model counted 200 per worker$/,
  );
  const text = renderFigureFidelityText([row]).join('\n');
  assert.match(text, /mr \(gunicorn-sync\)\s+emulated: mr \(emulated\)\s+OUTSIDE BOUNDS/);
  assert.match(text, /workers recycled\s+8\s+9 ok\s+4 OUT/);
  assert.match(text, /takeover\s+3\.20 s\s+n\/a\s+1\.00 s-4\.00 s ok/);
});

test('a real zero against a non-zero prediction is infinitely wrong but may sit in the floor', () => {
  const row = figureFidelityRow({
    topology: 't',
    kind: 'gunicorn-sync',
    emulated: null,
    figures: [recycles(0, null, 1), recycles(0, null, 2)],
  });
  assert.equal(row.cells[0]?.predictedError, Number.POSITIVE_INFINITY);
  assert.equal(row.cells[0]?.predictedWithin, true);
  assert.equal(row.cells[1]?.predictedWithin, false);
});

function life(recycled: number, below: number): WorkerLifeFigures {
  const group = { requests: 10, failed: 0, meanWait: 1, p95Wait: 2, maxWait: 3 };
  return {
    workers: 4,
    restarts: recycled,
    exitsByReason: { 'max-requests': recycled, timeout: 0, crash: 0 },
    timeBelowFull: below,
    timeAtZero: 0,
    meanLive: 3.9,
    firstServing: 0,
    allServing: 0,
    killedBooting: 0,
    restartLoops: 0,
    neverServed: 0,
    lastInitialised: null,
    degraded: group,
    full: group,
    delayedThreshold: null,
    delayed: null,
    until: 20,
  };
}

test('summary rows: one per real topology with figures, the twin found by twinOf', () => {
  const topo = (name: string, kind: string, twinOf: string | null, l: WorkerLifeFigures | null) =>
    ({
      name,
      kind,
      twinOf,
      url: null,
      servers: [{ name: 'gunicorn', version: '20.1.0' }],
      ...(l === null
        ? {}
        : { workerLife: { measured: l, predicted: { ...life(4, 1.2), runs: 3 } } }),
    }) as unknown as TopologySummary;
  const rows = summarizeFigureFidelity([
    topo('real', 'gunicorn-sync', null, life(4, 1)),
    topo('real (emulated)', 'sync', 'real', life(5, 1.1)),
    topo('plain', 'gunicorn-sync', null, null),
    topo('emu', 'sync', null, life(1, 1)),
  ]);
  assert.equal(rows?.length, 1);
  const row = rows?.[0];
  assert.equal(row?.emulated, 'real (emulated)');
  const cell = row?.cells.find((c) => c.figure === 'recycles');
  assert.deepEqual([cell?.real, cell?.emulated, cell?.predicted], [4, 5, 4]);
  assert.equal(cell?.source, "gunicorn's log");
  assert.equal(summarizeFigureFidelity([topo('plain', 'gunicorn-sync', null, null)]), undefined);
});
