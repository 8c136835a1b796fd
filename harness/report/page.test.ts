import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { buildCharts } from './charts.js';
import { buildIndexPage } from './index-page.js';
import { buildReportPage } from './page.js';

const evil = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>';

function page(): string {
  const summary = runSummary([topologySummary(evil, [0, 1])], 'demo');
  summary.description = evil;
  return buildReportPage({
    summary,
    scenario: { name: 'demo', description: evil },
    charts: buildCharts({
      summary,
      requests: [],
      predicted: null,
      whatIf: [],
      model: { seed: 1 },
    }),
    gate: null,
    notes: [evil],
    assets: { vega: 'var vega;', vegaLite: 'var vegaLite;', vegaEmbed: 'var vegaEmbed;' },
  });
}

test('markup and script in names and descriptions never reach the page as markup', () => {
  const html = page();
  assert.ok(!html.includes('<img'), 'no <img> element');
  assert.equal((html.match(/<script/g) ?? []).length, 5, 'specs, three libraries, boot');
  assert.equal((html.match(/<\/script>/g) ?? []).length, 5);
  assert.ok(html.includes('&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;'));
});

test('the page names its sections, the environment and a CSP that forbids loading anything', () => {
  const html = page();
  for (const id of ['figures', 'scenario', 'environment'])
    assert.match(html, new RegExp(`id="${id}"`));
  assert.match(html, /default-src 'none'/);
  assert.match(html, /data-chart="t0-timeline"/);
  assert.match(html, /Node\.js/);
});

test('the index lists runs newest first, escaped, with their state and links', () => {
  const html = buildIndexPage([
    {
      scenario: 's',
      runId: '2026-01-01T00-00-00Z-aaaa',
      startedAt: null,
      complete: true,
      topologies: [evil],
      gate: 'passed',
      hasReport: true,
      href: 's/2026-01-01T00-00-00Z-aaaa',
      problem: null,
    },
    {
      scenario: 's',
      runId: '2026-02-01T00-00-00Z-bbbb',
      startedAt: null,
      complete: false,
      topologies: [],
      gate: 'failed',
      hasReport: false,
      href: 's/2026-02-01T00-00-00Z-bbbb',
      problem: null,
    },
  ]);
  assert.ok(!html.includes('<img'));
  assert.ok(html.indexOf('bbbb') < html.indexOf('aaaa'), 'newest first');
  assert.match(html, /href="s\/2026-01-01T00-00-00Z-aaaa\/report.html"/);
  assert.match(html, /incomplete/);
  assert.match(html, /2 runs/);
});
