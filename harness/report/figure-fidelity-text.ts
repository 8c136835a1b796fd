import {
  type FigureCell,
  type FigureFidelityRow,
  formatFigure,
} from '../results/figure-fidelity.js';
import type { RunSummary } from '../results/summary.js';
import { columns, judgedCell, mark } from './columns.js';
import { html } from './html.js';

/**
 * The scenario-figure fidelity table (results/figure-fidelity.ts) for the terminal and the
 * report: per real-server topology, each lifecycle or jobs figure real, emulated and predicted,
 * with ok / OUT against its tolerance. Pure.
 *
 *   mr-sync-200 (gunicorn-sync)   emulated: mr-sync-200 (emulated)   within bounds
 *                                      real      emulated   predicted  tolerance
 *   workers recycled (max-requests)   5         5 ok       5 ok       ±25% or ±1
 */

function tolerance(c: FigureCell): string {
  const parts = [
    c.tolerance.relative > 0 ? `±${(c.tolerance.relative * 100).toFixed(0)}%` : null,
    c.tolerance.absolute > 0 ? `±${formatFigure(c.tolerance.absolute, c.unit)}` : null,
  ].filter((x): x is string => x !== null);
  return parts.length === 0 ? 'exact' : parts.join(' or ');
}

function predictedText(c: FigureCell): string {
  return c.predictedRange === undefined
    ? formatFigure(c.predicted, c.unit)
    : `${formatFigure(c.predictedRange.min, c.unit)}-${formatFigure(c.predictedRange.max, c.unit)}`;
}

export function renderFigureFidelityText(rows: readonly FigureFidelityRow[]): string[] {
  if (rows.length === 0) return [];
  const lines = [
    'Scenario figures: real servers (from their own logs) against the emulation and the model;',
    "ok / OUT against each figure's tolerance; n/a where a side has no such figure.",
    '',
  ];
  const line = columns([36, 12, 14, 16, 12], '  ');
  for (const row of rows) {
    lines.push(
      `${row.topology} (${row.kind})   emulated: ${row.emulated ?? 'none'}   ${row.withinBounds ? 'within bounds' : 'OUTSIDE BOUNDS'}`,
    );
    lines.push(line(['', 'real', 'emulated', 'predicted', 'tolerance']));
    for (const c of row.cells)
      lines.push(
        line([
          c.label,
          formatFigure(c.real, c.unit),
          `${formatFigure(c.emulated, c.unit)}${mark(c.emulatedWithin)}`,
          `${predictedText(c)}${mark(c.predictedWithin)}`,
          tolerance(c),
        ]),
      );
    for (const note of row.notes) lines.push(`  why: ${note}`);
    lines.push('');
  }
  return lines;
}

export function renderFigureFidelityHtml(summary: RunSummary): string {
  const rows = summary.figureFidelity ?? [];
  if (rows.length === 0) return '';
  const head = html`<tr><th class="text">topology</th><th class="text">figure</th><th>real</th><th>emulated</th><th>predicted</th><th>tolerance</th></tr>`;
  const body = rows.map((row) => {
    const cells = row.cells.map(
      (c, i) =>
        html`<tr>${i === 0 ? html`<td rowspan="${row.cells.length}" class="text"><strong>${row.topology}</strong><br><small>${row.kind}; emulated: ${row.emulated ?? 'none'}</small></td>` : ''}<td class="text">${c.label}${c.source === undefined ? '' : html`<br><small>${c.source}</small>`}</td><td>${formatFigure(c.real, c.unit)}</td>${judgedCell(c.emulatedWithin, formatFigure(c.emulated, c.unit))}${judgedCell(c.predictedWithin, predictedText(c))}<td>${tolerance(c)}</td></tr>`,
    );
    const notes =
      row.notes.length === 0
        ? ''
        : html`<tr><td colspan="6" class="text"><ul class="notes">${row.notes.map((n) => html`<li>${n}</li>`)}</ul></td></tr>`;
    return [cells, notes];
  });
  return String(
    html`<section id="figure-fidelity"><h2>Scenario figures: real servers, emulation and model</h2><p class="lede">The figures this scenario is about, counted on the real servers from their own logs and the jobs they recorded, beside the emulated counterpart and the model, each judged against its tolerance.</p><table>${head}${body}</table></section>`,
  );
}
