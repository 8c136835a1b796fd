import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanoutFigures } from '../results/fanout-figures.js';
import { type JobRecord, jobsFigures } from '../results/jobs-figures.js';
import type { TopologySummary } from '../results/summary.js';
import { compileStrict } from '../test-support/compile-strict.js';
import { runSummary, topologySummary } from '../test-support/gate-fixtures.js';
import { observedSections } from './observed-section.js';
import { fanoutStory, jobsStory, observedLines } from './observed-text.js';
import { buildReportPage } from './page.js';
import { renderTable } from './table.js';

const evil = '<img src=x onerror="window.pwned=1">';
const run = (slot: number, replica: number, worker: number, pid: number): JobRecord => ({
  topology: evil,
  type: 'run',
  at: slot + 0.01,
  slot,
  replica,
  worker,
  pid,
});

function withJobs(name: string, election: 'none' | 'lease', records: JobRecord[]): TopologySummary {
  const t = topologySummary(name, [0, 0.1]);
  t.replicas = 2;
  t.jobs = jobsFigures({
    records,
    jobs: { interval: 10, duration: 40, killLeaderAt: 12 },
    scheduler: { election, lease: 15, renew: 5, retry: 2 },
    workers: 2,
    replicas: 2,
    firstSlot: 1,
    kill: { at: 12, pid: 1, replica: 0, worker: 0 },
    note: null,
  });
  return t;
}

function summary() {
  const every = [1, 11, 21, 31].flatMap((s) =>
    [0, 1].flatMap((r) =>
      [0, 1].map((w) => run(s, r, w, s > 11 && r === 0 && w === 0 ? 9 : 1 + r * 2 + w)),
    ),
  );
  const lease = [run(1, 0, 0, 1), run(11, 0, 0, 1), run(31, 1, 1, 4)];
  const fanout = topologySummary('memory', [0, 0.1]);
  fanout.fanout = fanoutFigures({
    topology: 'memory',
    registry: 'memory',
    workers: 2,
    replicas: 1,
    clients: [
      { replica: 0, worker: 0, failure: null },
      { replica: 0, worker: 1, failure: null },
    ],
    events: [
      { id: 1, publisher: { replica: 0, worker: 0 }, published: 0, publishedUs: 0, error: null },
    ],
    receipts: [{ client: 0, event: 1, receivedUs: 2_000, received: 0.002 }],
  }).figures;
  return {
    summary: runSummary([withJobs(evil, 'none', every), withJobs('lease', 'lease', lease), fanout]),
    jobs: [...every, ...lease.map((r) => ({ ...r, topology: 'lease' }))],
  };
}

test('the observed sections compile to Vega without a warning and place every chart once', () => {
  const { summary: s, jobs } = summary();
  const { sections, charts } = observedSections({ summary: s, jobs, deliveries: [] });
  assert.deepEqual(
    charts.map((c) => c.id),
    [
      'jobs-slots',
      'jobs-t0-timeline',
      'jobs-t1-timeline',
      'fanout-share',
      'fanout-clients',
      'fanout-latency',
    ],
  );
  for (const chart of charts) {
    assert.equal(chart.section === 'jobs' || chart.section === 'fanout', true);
    assert.deepEqual(compileStrict(chart.spec), [], chart.id);
  }
  const html = buildReportPage({
    summary: s,
    scenario: {},
    charts,
    sections,
    gate: null,
    notes: [],
    assets: { vega: '', vegaLite: '', vegaEmbed: '' },
  });
  for (const chart of charts)
    assert.equal(html.split(`data-chart="${chart.id}"`).length - 1, 1, `${chart.id} placed once`);
  assert.match(html, /<section id="jobs">/);
  assert.match(html, /<section id="fanout">/);
  assert.ok(!html.includes('<img'), 'a topology name reached the page as markup');
  assert.match(html, /deliveries\.ndjson is missing/);
});

test('the words say what each setup did, from its figures', () => {
  const { summary: s } = summary();
  const jobs = jobsStory(s).join('\n');
  assert.match(jobs, /4 runs in every slot, as the model predicts/);
  assert.match(jobs, /12 duplicate runs/);
  assert.match(jobs, /changed little: the master forked a replacement/);
  assert.match(
    jobs,
    /lease \(elected by a lease in a shared database row, 2 workers x 2 replicas\): from 0 to 1 runs per slot/,
  );
  assert.match(jobs, /its lease stayed in the row until it expired/);
  assert.match(jobs, /1 slot went without a run/);
  assert.match(jobs, /Only lease ran the job once per slot/);
  const fanout = fanoutStory(s).join('\n');
  assert.match(fanout, /an event reached 50% of the clients on average/);
  assert.match(fanout, /1 of 2 deliveries never happened/);
  assert.match(fanout, /The model's 50% is 1 \/ \(workers x replicas\)/);
  assert.deepEqual(jobsStory(runSummary([topologySummary('x', [0])])), []);
  const table = renderTable(s);
  assert.match(
    table,
    /job every 10s, no election: a scheduler in every worker: 4 runs per slot \(min 4, max 4; model 4\)/,
  );
  assert.match(table, /each reached 50% of clients on average/);
  assert.deepEqual(observedLines(topologySummary('x', [0])), []);
});
