import type { RunSummary, TopologySummary } from '../results/summary.js';
import { formatSeconds } from '../scenario/duration.js';
import { type Html, html, rawHtml } from './html.js';
import { comparisonSentence, setupFindings } from './setup-findings.js';

/**
 * The report section that compares the setups of a run in plain words (issue 6): a table of the
 * worker-life figures (restarts, time short of workers, boots) or of handlers at once against
 * the claim, measured beside the model, then the findings as sentences. Empty for runs that
 * have neither. Pure: returns HTML, every run string escaped.
 */

const s = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'n/a' : formatSeconds(x);
const n1 = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'n/a' : String(Number(x.toFixed(1)));
const pair = (m: string, p: string | null): Html =>
  p === null ? html`${m}` : html`${m} <small>(model ${p})</small>`;

/** Boot columns (first and all serving, killed booting) only when some topology boots under load. */
function bootsUnderLoad(topologies: readonly TopologySummary[]): boolean {
  return topologies.some(
    (t) =>
      t.lifecycle?.loadStarts === 'listening' || (t.workerLife?.measured.killedBooting ?? 0) > 0,
  );
}

function lifeTable(topologies: readonly TopologySummary[]): string {
  const boots = bootsUnderLoad(topologies);
  const BOOT_COLUMNS = new Set([3, 4, 5]);
  const rows = topologies.flatMap((t) => {
    const life = t.workerLife;
    if (life === undefined) return [];
    const m = life.measured;
    const p = life.predicted;
    const cells = [
      pair(String(m.restarts), p === null ? null : n1(p.restarts)),
      pair(s(m.timeBelowFull), p === null ? null : s(p.timeBelowFull)),
      pair(s(m.timeAtZero), p === null ? null : s(p.timeAtZero)),
      pair(s(m.firstServing), p === null ? null : s(p.firstServing)),
      pair(s(m.allServing), p === null ? null : s(p.allServing)),
      pair(String(m.killedBooting), p === null ? null : n1(p.killedBooting)),
      pair(`${m.degraded.requests}`, p === null ? null : n1(p.degraded.requests)),
      pair(s(m.degraded.p95Wait), p === null ? null : s(p.degraded.p95Wait)),
      m.delayed === null ? 'n/a' : String(m.delayed),
      `${t.errors} / ${t.requests}`,
      t.load === null ? 'n/a' : s(t.load.latency.p95),
    ].filter((_, i) => boots || !BOOT_COLUMNS.has(i));
    return [html`<tr><td class="text">${t.name}</td>${cells.map((c) => html`<td>${c}</td>`)}</tr>`];
  });
  if (rows.length === 0) return '';
  const head = [
    'setup',
    'worker exits',
    'fewer workers serving',
    'no worker serving',
    'first serving',
    'all serving',
    'killed booting',
    'requests while short',
    'their p95 wait',
    'delayed',
    'failed',
    'p95 latency',
  ].filter((_, i) => boots || !BOOT_COLUMNS.has(i - 1));
  return String(
    html`<table class="setups"><tr>${head.map((h, i) => (i === 0 ? html`<th class="text">${h}</th>` : html`<th>${h}</th>`))}</tr>${rows}</table>`,
  );
}

function handlersTable(topologies: readonly TopologySummary[]): string {
  const rows = topologies.flatMap((t) => {
    const h = t.handlersAtOnce;
    if (h === undefined || (t.kind !== 'async' && h.claimed === null)) return [];
    const style = t.kind === 'async' ? (t.asyncWorker?.handler ?? 'await') : t.kind;
    const cells = [
      style,
      h.claimed === null ? 'n/a' : String(h.claimed),
      String(h.modelLimit),
      pair(
        h.measured === null ? 'n/a' : String(h.measured),
        h.predicted === null ? null : String(h.predicted),
      ),
      pair(s(t.measured.p95Wait), s(t.predicted.p95Wait)),
      pair(s(t.measured.maxWait), s(t.predicted.maxWait)),
      pair(s(t.measured.makespan), s(t.predicted.makespan)),
      `${t.errors} / ${t.requests}`,
    ];
    return [
      html`<tr><td class="text">${t.name}</td>${cells.map((c, i) => (i === 0 ? html`<td class="text">${c}</td>` : html`<td>${c}</td>`))}</tr>`,
    ];
  });
  if (rows.length === 0) return '';
  const head = [
    'setup',
    'handler',
    'claimed at once',
    'model limit',
    'most at once',
    'p95 wait',
    'max wait',
    'makespan',
    'failed',
  ];
  return String(
    html`<table class="setups"><tr>${head.map((h, i) => (i < 2 ? html`<th class="text">${h}</th>` : html`<th>${h}</th>`))}</tr>${rows}</table>`,
  );
}

export function setupsSection(summary: RunSummary): string {
  const findings = setupFindings(summary);
  if (findings.length === 0) return '';
  const comparison = comparisonSentence(summary);
  const list = findings.map(
    (f) => html`<li><strong>${f.topology}</strong>: ${f.sentences.join(' ')}</li>`,
  );
  return String(
    html`<section id="setups"><h2>The setups compared</h2><p class="lede">Measured in this run, with the model's figures in brackets (its mean over its simulated runs); times in scenario seconds.</p>${rawHtml(lifeTable(summary.topologies))}${rawHtml(handlersTable(summary.topologies))}<ul class="findings">${list}</ul>${comparison === null ? '' : html`<p>${comparison}</p>`}</section>`,
  );
}
