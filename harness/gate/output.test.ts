import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { compareWithBaseline } from './baseline.js';
import { evaluateThresholds } from './evaluate.js';
import { decideGate } from './gate.js';
import { escapeXml, renderJunit } from './junit.js';
import { escapeMarkdown, renderGateMarkdown } from './markdown.js';
import { renderGate } from './text.js';
import { parseThreshold, type Threshold } from './threshold.js';

function threshold(key: string, condition: string): Threshold {
  const result = parseThreshold(key, condition);
  assert.ok(result.ok);
  return result.value;
}

const hostile = 'x<b>|"&\'</testcase>';

function outcome() {
  const summary = runSummary([
    topologySummary('fast', [0, 1, 2]),
    topologySummary(hostile, [0, 10, 20]),
  ]);
  const topologies = summary.topologies.map((s) => ({
    summary: s,
    waits: s.name === 'fast' ? [0, 1, 2] : [0, 10, 20],
  }));
  return decideGate({
    scenario: 'demo',
    runId: 'run-1',
    thresholds: evaluateThresholds(
      [threshold('wait', 'max<5s'), threshold('errors', 'rate<1%')],
      topologies,
    ),
    baseline: compareWithBaseline(summary, summary),
  });
}

test('the gate fails naming the metric, the topology and the value', () => {
  const gate = outcome();
  assert.equal(gate.passed, false);
  assert.deepEqual(gate.failures, [`wait max<5s on ${hostile}: max = 20s`]);
  const text = renderGate(gate);
  assert.match(text, /gate: FAILED, 1 of \d+ checks failed/);
  assert.match(text, /FAIL {2}wait max<5s/);
  assert.match(text, /baseline 2026-01-01T00-00-00Z-abcd \(test\), tolerance 10%/);
});

test('JUnit XML has one testcase per threshold per topology, escaped', () => {
  const xml = renderJunit(outcome());
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  assert.match(xml, /<testsuites name="capacity gate: demo" tests="14" failures="1" skipped="0">/);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 2 * 2 + 2 * 5);
  assert.equal((xml.match(/<failure /g) ?? []).length, 1);
  assert.ok(!xml.includes(hostile), 'the hostile name is escaped');
  assert.ok(xml.includes(escapeXml(hostile)));
  assert.equal(escapeXml('a\u0001<'), 'a&lt;');
});

test('Markdown escapes table and HTML syntax from names', () => {
  const md = renderGateMarkdown(outcome());
  assert.match(md, /^### Capacity gate: demo failed/);
  assert.ok(!md.includes('<b>'));
  assert.ok(md.includes('x&lt;b&gt;\\|"&amp;\'&lt;/testcase&gt;'));
  assert.equal(escapeMarkdown('a|b\nc'), 'a\\|b c');
  const rows = md.split('\n').filter((l) => l.startsWith('| ❌'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.split(/(?<!\\)\|/).length, 6, 'the row keeps its 4 cells');
});
