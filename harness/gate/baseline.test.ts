import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { compareWithBaseline } from './baseline.js';
import { parseBaselineSummary } from './baseline-file.js';

const base = runSummary([
  topologySummary('a', [0, 10, 20], { makespan: 30 }),
  topologySummary('b', [0, 0, 0], { makespan: 1 }),
]);

test('a figure fails only beyond baseline x (1 + tolerance) + slack', () => {
  const now = runSummary([
    // max wait 20 -> 22.5: limit 20 x 1.1 + 0.1 = 22.1, so it fails; makespan 30 -> 33 passes.
    topologySummary('a', [0, 10, 22.5], { makespan: 33 }),
    // waits of 0 -> 0.05 s stay within the slack.
    topologySummary('b', [0, 0.05, 0.05], { makespan: 1 }),
  ]);
  const comparison = compareWithBaseline(now, base, { tolerance: 0.1, slack: 0.1 });
  const status = (topology: string, figure: string) =>
    comparison.rows.find((r) => r.topology === topology && r.figure === figure);
  assert.equal(status('a', 'maxWait')?.status, 'fail');
  assert.ok(Math.abs((status('a', 'maxWait')?.limit ?? 0) - 22.1) < 1e-9);
  assert.ok(Math.abs((status('a', 'maxWait')?.change ?? 0) - 0.125) < 1e-9);
  assert.equal(status('a', 'makespan')?.status, 'pass');
  assert.equal(status('b', 'maxWait')?.status, 'pass');
  assert.equal(status('b', 'maxWait')?.change, null, 'no relative change from 0');
  assert.deepEqual(comparison.warnings, []);
});

test('a run identical to its baseline passes; new errors fail', () => {
  assert.ok(compareWithBaseline(base, base).rows.every((r) => r.status === 'pass'));
  const now = runSummary([topologySummary('a', [0, 10, 20], { makespan: 30, errors: 1 })]);
  const comparison = compareWithBaseline(now, base);
  assert.equal(comparison.rows.find((r) => r.figure === 'errorRate')?.status, 'fail');
  assert.match(comparison.warnings.join('\n'), /baseline topology "b" was not run/);
});

test('a baseline file must be a run summary', () => {
  assert.ok(parseBaselineSummary(JSON.stringify(base)).ok);
  const notJson = parseBaselineSummary('{');
  assert.ok(!notJson.ok);
  assert.match(notJson.message, /not valid JSON/);
  const other = parseBaselineSummary('{"name": "contest-200"}');
  assert.ok(!other.ok);
  assert.match(other.message, /not a run summary/);
});
