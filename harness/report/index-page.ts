import { escapeHtml } from './escape.js';

/**
 * reports/index.html: every run under the reports directory, newest first within each scenario,
 * with links to its report and files. Pure: returns the page as a string.
 */

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
}

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
table { border-collapse: collapse; background: #fff; font-size: .92rem; width: 100%; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
.ok { color: #1e6b1a; } .bad { color: #9b1c1c; } .warn { color: #7a5a00; }
`;

const link = (href: string, text: string): string =>
  `<a href="${escapeHtml(encodeURI(href))}">${escapeHtml(text)}</a>`;

export function buildIndexPage(entries: readonly IndexEntry[]): string {
  const sorted = [...entries].sort(
    (a, b) => a.scenario.localeCompare(b.scenario) || b.runId.localeCompare(a.runId),
  );
  const rows = sorted.map((e) => {
    const state =
      e.problem !== null
        ? `<span class="bad">unreadable: ${escapeHtml(e.problem)}</span>`
        : e.complete
          ? '<span class="ok">complete</span>'
          : '<span class="warn">incomplete</span>';
    const gate =
      e.gate === null ? '' : `<span class="${e.gate === 'passed' ? 'ok' : 'bad'}">${e.gate}</span>`;
    const links = [
      e.hasReport ? link(`${e.href}/report.html`, 'report') : 'no report',
      link(`${e.href}/summary.json`, 'summary.json'),
    ].join(' · ');
    return `<tr><td>${escapeHtml(e.scenario)}</td><td>${escapeHtml(e.runId)}</td><td>${escapeHtml(e.startedAt ?? '')}</td><td>${state}</td><td>${gate}</td><td>${escapeHtml(e.topologies.join(', '))}</td><td>${links}</td></tr>`;
  });
  return `<!doctype html>
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
<p>${entries.length} run${entries.length === 1 ? '' : 's'}, newest first within each scenario. Rebuilt whenever a report is written.</p>
<table>
<tr><th>scenario</th><th>run</th><th>started (UTC)</th><th>state</th><th>gate</th><th>topologies</th><th>files</th></tr>
${rows.join('\n')}
</table>
</main>
</body>
</html>
`;
}
