import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoal, unmetConditions } from './goal.js';
import type { WhatIfFigure } from './what-if.js';

test('goals parse figures, aliases, operators and units', () => {
  const goal = parseGoal('p95Wait<5s, p(99) <= 1.5m && utilisation < 80% , throughput>=40/s');
  assert.ok(goal.ok);
  assert.deepEqual(
    goal.conditions.map(({ figure, op, value }) => ({ figure, op, value })),
    [
      { figure: 'p95Wait', op: '<', value: 5 },
      { figure: 'p99Wait', op: '<=', value: 90 },
      { figure: 'utilisation', op: '<', value: 0.8 },
      { figure: 'throughput', op: '>=', value: 40 },
    ],
  );
  const bare = parseGoal('avg<250ms,max<3,failed<=0,p50<1s');
  assert.ok(bare.ok);
  assert.deepEqual(
    bare.conditions.map((c) => [c.figure, c.value]),
    [
      ['meanWait', 0.25],
      ['maxWait', 3],
      ['failed', 0],
      ['p50Wait', 1],
    ],
  );
});

test('malformed goals are refused with the reason', () => {
  for (const [text, reason] of [
    ['', /empty/],
    ['p95Wait', /not a condition/],
    ['p97Wait<5s', /not a figure/],
    ['p95Wait<soon', /duration/],
    ['utilisation<150%', /fraction/],
    ['failed<1.5', /whole number/],
  ] as const) {
    const goal = parseGoal(text);
    assert.ok(!goal.ok, text);
    assert.match(goal.message, reason, text);
  }
});

test('unmet conditions are the ones the figures fail', () => {
  const goal = parseGoal('p95Wait<5s, makespan<=20s, throughput>10');
  assert.ok(goal.ok);
  const figures = { p95Wait: 4.9, makespan: 20, throughput: 10 } as Record<WhatIfFigure, number>;
  assert.deepEqual(
    unmetConditions(goal.conditions, figures).map((c) => c.figure),
    ['throughput'],
  );
  figures.p95Wait = Number.NaN;
  assert.deepEqual(
    unmetConditions(goal.conditions, figures).map((c) => c.figure),
    ['p95Wait', 'throughput'],
    'a figure that could not be computed meets nothing',
  );
});
