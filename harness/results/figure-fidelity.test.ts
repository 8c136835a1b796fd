import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderFigureFidelityText } from '../report/figure-fidelity-text.js';
import { type FigureValues, figureFidelityRow, withinTolerance } from './figure-fidelity.js';
import { bootTimes, summarizeFigureFidelity } from './scenario-figures.js';
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

test('boot and respawn times from worker events, and the explanation beside each life figure', () => {
  const ev = (at: number, slot: string, kind: 'spawn' | 'ready' | 'exit', pid: number) => ({
    at,
    slot,
    kind,
    pid,
  });
  const events = [
    ev(0, '0/0', 'spawn', 1),
    ev(0.5, '0/1', 'spawn', 2),
    ev(2, '0/0', 'ready', 1),
    ev(3.5, '0/1', 'ready', 2),
    ev(10, '0/0', 'exit', 1),
    ev(10.25, '0/0', 'spawn', 3),
    ev(11.25, '0/0', 'ready', 3),
  ];
  const times = bootTimes(events);
  // boots 2, 3 and 1 s; one replacement 0.25 s after its predecessor's exit
  assert.equal(times.boots, 3);
  assert.equal(times.meanBoot, 2);
  assert.deepEqual([times.respawns, times.meanRespawn], [1, 0.25]);
  const summary = (name: string, twinOf: string | null, at: number) =>
    ({
      name,
      kind: twinOf === null ? 'gunicorn-sync' : 'sync',
      twinOf,
      url: null,
      workerEvents: events.map((e) => ({ ...e, at: e.at * at })),
      workerLife: { measured: life(1, 2 * at), predicted: null },
    }) as unknown as TopologySummary;
  const rows = summarizeFigureFidelity([summary('r', null, 2), summary('r (emulated)', 'r', 1)]);
  const note = rows?.[0]?.notes.find((n) => n.startsWith('time with fewer workers')) ?? '';
  assert.match(
    note,
    /measured: a worker took 4\.00 s from its spawn to serving on the real server \(3 boots\), 2\.00 s in the emulation \(3\); a replacement was spawned 0\.50 s after its predecessor exited \(1 replacements\), 0\.25 s in the emulation \(1\)$/,
  );
});

test('jobs figures: the model lowered by the slots its takeover misses, one run of granularity', () => {
  const jobs = (runs: number, missed: number, takeover: number) => ({
    election: 'lease',
    interval: 10,
    duration: 90,
    slots: 9,
    runs,
    runsPerSlot: { mean: runs / 9, min: 0, max: 1 },
    duplicates: 0,
    missedSlots: missed,
    processesThatRan: 2,
    perSlot: [],
    predicted: {
      runsPerSlot: 1,
      duplicatesPerSlot: 0,
      scope: 'deployment',
      note: '',
      takeover: {
        takeover: { min: 27.75, max: 37.75 },
        missedSlots: { min: 2, max: 3 },
        acquireWindow: { min: 69, max: 79 },
      },
    },
    kill: { at: 42, takeover, gap: takeover + 2 },
    note: null,
  });
  const topo = (name: string, twinOf: string | null, j: ReturnType<typeof jobs>) =>
    ({
      name,
      kind: twinOf === null ? 'gunicorn-sync' : 'sync',
      twinOf,
      url: null,
      jobs: j,
    }) as unknown as TopologySummary;
  const rows = summarizeFigureFidelity([
    topo('lease', null, jobs(7, 2, 27.8)),
    topo('lease (emulated)', 'lease', jobs(6, 3, 33.4)),
  ]);
  const cell = (f: string) => rows?.[0]?.cells.find((c) => c.figure === f);
  // 1 - 2.5 / 9 predicted; within 1/9 of the real 7/9, as the emulated 6/9 is
  assert.ok(Math.abs((cell('runsPerSlot')?.predicted ?? 0) - (1 - 2.5 / 9)) < 1e-12);
  assert.equal(cell('runsPerSlot')?.tolerance.absolute, 1 / 9);
  assert.equal(cell('runsPerSlot')?.predictedWithin, true);
  assert.equal(cell('runsPerSlot')?.emulatedWithin, true);
  assert.deepEqual(cell('missedSlots')?.predictedRange, { min: 2, max: 3 });
  assert.equal(cell('missedSlots')?.predictedWithin, true);
  assert.equal(cell('takeover')?.predictedWithin, true); // 27.8 within 27.75-37.75
  assert.equal(cell('gap')?.predicted, null);
});

test('a figure the model gives as a range is a draw: emulated and real both in it agree', () => {
  // A file lock's successor first runs 4.71 s after the kill on the real server and 11.58 s in
  // the emulation: one draw each from the model's 4.69-14.69 s (where the kill fell against
  // the followers' retries), 146% apart.
  const takeover = (emulated: number): FigureValues => ({
    figure: 'takeover',
    label: "kill to successor's first run",
    unit: 'seconds',
    tolerance: { relative: 0.25, absolute: 0.5 },
    real: 4.71,
    emulated,
    predicted: 9.69,
    predictedRange: { min: 4.69, max: 14.69 },
  });
  const drawn = figureFidelityRow({
    topology: 'file-lock',
    kind: 'gunicorn-sync',
    emulated: 'file-lock (emulated)',
    figures: [takeover(11.58)],
  });
  assert.equal(drawn.cells[0]?.emulatedWithin, true);
  assert.equal(drawn.cells[0]?.predictedWithin, true);
  assert.equal(drawn.withinBounds, true);
  // Outside the range (widened by 25% of the value or 0.5 s) the emulation is judged OUT.
  const outside = figureFidelityRow({
    topology: 'file-lock',
    kind: 'gunicorn-sync',
    emulated: 'file-lock (emulated)',
    figures: [takeover(25)],
  });
  assert.equal(outside.cells[0]?.emulatedWithin, false);
  assert.match(outside.notes[0] ?? '', /the emulation 25\.00 s/);
  // Without a range the same two values are compared with each other alone.
  const { predictedRange: _, ...plain } = takeover(11.58);
  const compared = figureFidelityRow({
    topology: 'file-lock',
    kind: 'gunicorn-sync',
    emulated: 'file-lock (emulated)',
    figures: [plain],
  });
  assert.equal(compared.cells[0]?.emulatedWithin, false);
});
