import { formatSeconds } from '../scenario/duration.js';
import { type Html, html } from './html.js';

/**
 * reports/index.html: every run under the reports directory, newest first within each scenario,
 * with its verdict, the machine's load when it started, each topology's headline figures, and
 * links to its report and files. Pure: returns the page as a string; every value reaches it
 * through the `html` template, escaped.
 */

/** A topology's headline figures in the index: scenario seconds, requests. */
export interface IndexHeadline {
  topology: string;
  meanWait: number | null;
  p95Wait: number | null;
  makespan: number | null;
  errors: number;
  requests: number;
}

export interface IndexEntry {
  scenario: string;
  runId: string;
  startedAt: string | null;
  complete: boolean;
  topologies: string[];
  /** "passed" or "failed" when the run had a gate. */
  gate: 'passed' | 'failed' | null;
  hasReport: boolean;
  /** The run directory relative to the index, with "/" separators. */
  href: string;
  /** Set when the run directory could not be read: the reason. */
  problem: string | null;
  /** Each topology's headline figures (absent for runs listed before the index showed them). */
  headlines?: IndexHeadline[];
  /** The 1-minute load average and the cores when the run started, if recorded. */
  machine?: { loadAverage: number | null; cpus: number | null };
}

/** The run's verdict, worst first: unreadable, a failed gate, no request served, incomplete. */
export function verdictOf(e: IndexEntry): { text: string; tone: 'ok' | 'bad' | 'warn' } {
  if (e.problem !== null) return { text: `unreadable: ${e.problem}`, tone: 'bad' };
  if (e.gate === 'failed') return { text: 'gate failed', tone: 'bad' };
  const dead = (e.headlines ?? []).filter((h) => h.requests > 0 && h.errors >= h.requests);
  if (dead.length > 0)
    return {
      text: `no request succeeded (${dead.map((h) => h.topology).join(', ')})`,
      tone: 'bad',
    };
  if (!e.complete) return { text: 'incomplete', tone: 'warn' };
  if (e.gate === 'passed') return { text: 'gate passed', tone: 'ok' };
  return { text: 'complete, no gate', tone: 'ok' };
}

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
table { border-collapse: collapse; background: #fff; font-size: .92rem; width: 100%; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.figures { padding: 0; }
td.figures table { border: 0; font-size: .85rem; }
td.figures td, td.figures th { border: 0; border-bottom: 1px solid #eee; text-align: right; }
td.figures td:first-child, td.figures th:first-child { text-align: left; }
.ok { color: #1e6b1a; } .bad { color: #9b1c1c; } .warn { color: #7a5a00; }
`;

const link = (href: string, text: string): Html => html`<a href="${encodeURI(href)}">${text}</a>`;

function figures(headlines: readonly IndexHeadline[]): Html {
  if (headlines.length === 0) return html``;
  return html`<table><tr><th>topology</th><th>mean wait</th><th>p95 wait</th><th>makespan</th><th>errors</th></tr>${headlines.map(
    (h) =>
      html`<tr><td>${h.topology}</td><td>${formatSeconds(h.meanWait)}</td><td>${formatSeconds(h.p95Wait)}</td><td>${formatSeconds(h.makespan)}</td><td class="${h.errors > 0 ? 'bad' : ''}">${h.errors} / ${h.requests}</td></tr>`,
  )}</table>`;
}

function machine(e: IndexEntry): string {
  const load = e.machine?.loadAverage;
  if (load === null || load === undefined) return 'n/a';
  const cpus = e.machine?.cpus;
  return cpus === null || cpus === undefined
    ? load.toFixed(2)
    : `${load.toFixed(2)} on ${cpus} core${cpus === 1 ? '' : 's'}`;
}

export function buildIndexPage(entries: readonly IndexEntry[]): string {
  const sorted = [...entries].sort(
    (a, b) => a.scenario.localeCompare(b.scenario) || b.runId.localeCompare(a.runId),
  );
  const rows = sorted.map((e) => {
    const verdict = verdictOf(e);
    const links = [
      e.hasReport ? link(`${e.href}/report.html`, 'report') : html`no report`,
      html` · `,
      link(`${e.href}/summary.json`, 'summary.json'),
    ];
    const headlines = e.headlines ?? [];
    return html`<tr><td>${e.scenario}</td><td>${e.runId}<br><small>${e.startedAt ?? ''}</small></td><td><span class="${verdict.tone}">${verdict.text}</span></td><td>${machine(e)}</td><td class="figures">${headlines.length > 0 ? figures(headlines) : e.topologies.join(', ')}</td><td>${links}</td></tr>`;
  });
  return String(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Capacity harness runs</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Runs</h1>
<p>${entries.length} run${entries.length === 1 ? '' : 's'}, newest first within each scenario. Waits and makespans are scenario seconds; load is the machine's 1-minute load average when the run started (a shared machine makes figures noisier). Rebuilt whenever a report is written.</p>
<table>
<tr><th>scenario</th><th>run (started, UTC)</th><th>verdict</th><th>load</th><th>headline figures</th><th>files</th></tr>
${rows.map((r) => html`${r}\n`)}
</table>
</main>
</body>
</html>
`);
}
