import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FidelityInput, fidelityRow, fidelityTable } from './fidelity.js';

const figures = (mean: number, p95: number, max: number, makespan: number) => ({
  meanWait: mean,
  p95Wait: p95,
  maxWait: max,
  makespan,
});

function input(
  name: string,
  kind: string,
  measured: ReturnType<typeof figures>,
  twinOf: string | null = null,
): FidelityInput {
  return {
    name,
    kind,
    twinOf,
    bursts: 5,
    measured: { ...measured, count: 1000 },
    measuredRange: {
      meanWait: { min: measured.meanWait * 0.9, max: measured.meanWait * 1.1 },
      p95Wait: { min: measured.p95Wait * 0.5, max: measured.p95Wait * 1.5 },
      maxWait: { min: measured.maxWait * 0.9, max: measured.maxWait * 1.1 },
      makespan: { min: measured.makespan * 0.9, max: measured.makespan * 1.1 },
    },
    predicted: figures(10, 20, 30, 32),
    predictedSpread: null,
    status: 'complete',
  };
}

test('errors against the real servers, hand-computed, and the bounds of issue 5', () => {
  const real = input('g', 'gunicorn-gthread', figures(10, 25, 30, 40));
  const emulated = input('g (emulated)', 'gthread', figures(11, 24, 33, 41), 'g');
  const row = fidelityRow(real, emulated);
  const cell = (f: string) => row.cells.find((c) => c.figure === f);
  // predicted 10, 20, 30, 32 against real 10, 25, 30, 40
  assert.equal(cell('meanWait')?.predictedError, 0);
  assert.equal(cell('p95Wait')?.predictedError, -0.2);
  assert.equal(cell('makespan')?.predictedError, -0.2);
  assert.equal(cell('p95Wait')?.predictedWithin, false); // |-20%| > 15%
  assert.equal(cell('maxWait')?.predictedWithin, true);
  // emulated 11, 24, 33, 41
  assert.ok(Math.abs((cell('meanWait')?.emulatedError ?? 0) - 0.1) < 1e-12);
  assert.equal(cell('meanWait')?.emulatedWithin, true); // exactly at the 10% bound
  assert.equal(cell('maxWait')?.emulatedWithin, true); // +10% within 15%
  assert.equal(row.withinBounds, false);
  assert.equal(row.emulated, 'g (emulated)');
  // A missed bound is explained with the measured burst-to-burst range.
  const p95Note = row.notes.find((n) => n.startsWith('p95Wait'));
  assert.match(p95Note ?? '', /the model -20\.0%/);
  assert.match(
    p95Note ?? '',
    /ranged 12\.50-37\.50 s over 5 bursts \(±50%.*more than the bound itself/,
  );
});

test('one row per real topology, its emulated counterpart found by name; uvicorn has none', () => {
  const rows = fidelityTable(
    [
      input('w', 'werkzeug', figures(10, 19, 20, 21)),
      input('w (emulated)', 'flask-dev', figures(10, 19, 20, 21), 'w'),
      input('u', 'uvicorn', figures(10, 20, 30, 32)),
      input('plain', 'sync', figures(1, 1, 1, 1)),
    ],
    (kind) => ['werkzeug', 'uvicorn'].includes(kind),
  );
  assert.deepEqual(
    rows.map((r) => [r.topology, r.emulated]),
    [
      ['w', 'w (emulated)'],
      ['u', null],
    ],
  );
  assert.equal(rows[1]?.cells[0]?.emulatedWithin, null);
});

test('a mean wait under-predicted is set beside the time requests took to reach the workers', () => {
  const real = {
    ...input('x', 'gunicorn-gthread', figures(4, 20, 30, 32)),
    meanAcceptWait: 0.4,
    timeScale: 0.1,
  };
  const row = fidelityRow(real, null);
  const note = row.notes.find((n) => n.startsWith('meanWait')) ?? '';
  // predicted 10 against 4 is over, not under: no such note; make it under.
  assert.doesNotMatch(note, /reached the real servers/);
  const under = fidelityRow({ ...real, measured: { ...real.measured, meanWait: 12 } }, null);
  assert.match(
    under.notes.find((n) => n.startsWith('meanWait')) ?? '',
    /reached the real servers' workers 0\.40 s \(40 ms real\).*3% of the mean wait/,
  );
});
