import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { buildCharts } from './charts.js';
import { buildIndexPage } from './index-page.js';
import { buildReportPage, runBadges } from './page.js';

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
      gate: null,
      hasReport: false,
      href: 's/2026-02-01T00-00-00Z-bbbb',
      problem: null,
    },
  ]);
  assert.ok(!html.includes('<img'));
  assert.ok(html.indexOf('bbbb') < html.indexOf('aaaa'), 'newest first');
  assert.match(html, /href="s\/2026-01-01T00-00-00Z-aaaa\/report.html"/);
  assert.match(html, /incomplete/);
  assert.match(html, /gate passed/);
  assert.match(html, /2 runs/);
});

test("the index shows each run's headline figures, its verdict and the machine load", () => {
  const entry = {
    scenario: 's',
    runId: '2026-03-01T00-00-00Z-cccc',
    startedAt: '2026-03-01T00:00:00.000Z',
    complete: true,
    topologies: ['sync-4-x3', 'dead'],
    gate: 'passed' as const,
    hasReport: true,
    href: 's/2026-03-01T00-00-00Z-cccc',
    problem: null,
    headlines: [
      { topology: evil, meanWait: 16.1, p95Wait: 30.6, makespan: 34.6, errors: 0, requests: 200 },
      { topology: 'dead', meanWait: null, p95Wait: null, makespan: null, errors: 4, requests: 4 },
    ],
    machine: { loadAverage: 3.25, cpus: 2 },
  };
  const html = buildIndexPage([entry]);
  assert.ok(!html.includes('<img'), 'a topology name is text');
  assert.match(html, /<td>16\.1s<\/td><td>30\.6s<\/td><td>34\.6s<\/td>/);
  assert.match(html, /3\.25 on 2 cores/);
  assert.match(html, /class="bad">no request succeeded \(dead\)/, 'worse than its passed gate');
  const failed = buildIndexPage([{ ...entry, headlines: [], gate: 'failed' }]);
  assert.match(failed, /class="bad">gate failed/);
  assert.doesNotMatch(failed, /class="ok"/, 'a failed gate never shows as ok');
});

test('the header never shows only a green "complete" for a failed gate or a run that served nothing, and names the machine load', () => {
  const summary = runSummary([topologySummary('sync', [0, 1])], 'demo');
  summary.environment.loadAverage = [5.5, 3, 2];
  const failedGate = { passed: false } as Parameters<typeof runBadges>[1];
  const badges = (gate: Parameters<typeof runBadges>[1]) =>
    runBadges(summary, gate).map(String).join(' ');
  assert.match(badges(failedGate), /badge bad">gate failed/);
  assert.doesNotMatch(badges(failedGate), /badge ok/);
  assert.match(badges(null), /badge ok">complete</);
  const dead = runSummary([{ ...topologySummary('dead', [0]), errors: 4, requests: 4 }], 'demo');
  assert.match(
    runBadges(dead, null).map(String).join(' '),
    /badge bad">no request succeeded: dead/,
  );
  const html = buildReportPage({
    summary,
    scenario: { name: 'demo' },
    charts: [],
    gate: null,
    notes: [],
    assets: { vega: '', vegaLite: '', vegaEmbed: '' },
  });
  const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
  assert.match(header, /Machine: load average 5\.50 at the start on \d+ cores/);
  assert.match(
    html,
    /<section id="scenario"><h2>Scenario<\/h2><details><summary>/,
    'the JSON folded away',
  );
});
