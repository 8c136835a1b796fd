import {
  FIDELITY_SLACK_REAL_MS,
  type FidelityRow,
  loadText,
  noEmulatedText,
} from '../results/fidelity.js';
import type { RunSummary } from '../results/summary.js';
import { formatSeconds } from '../scenario/duration.js';
import { columns, judgedCell, mark } from './columns.js';
import { html } from './html.js';

/**
 * The fidelity table for the terminal and for the report: per real-server topology, real
 * against emulated against predicted on mean, p95 and max wait and makespan, each error against
 * the real servers and the bound it must stay within. Pure.
 *
 *   gthread-4x2-x3 (gunicorn-gthread)  mean of 5 bursts; emulated: gthread-4x2-x3 (emulated)
 *               real     emulated  error    predicted  error    bound
 *   mean wait   7.52s    7.80s     +3.7% ✓  7.31s      -2.8% ✓  ±10%
 */

const LABEL: Record<string, string> = {
  meanWait: 'mean wait',
  p95Wait: 'p95 wait',
  maxWait: 'max wait',
  makespan: 'makespan',
};

const seconds = (v: number | null): string =>
  v === null ? 'n/a' : Number.isFinite(v) ? formatSeconds(v) : 'n/a';
const pct = (v: number | null): string =>
  v === null || !Number.isFinite(v) ? 'n/a' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;

export function renderFidelityText(rows: readonly FidelityRow[]): string[] {
  if (rows.length === 0) return [];
  const lines = [
    'Fidelity: real servers against the emulation and the model (error = (x - real) / real;',
    `bounds: 10% on mean wait and makespan, 15% on p95 and max wait, or ${FIDELITY_SLACK_REAL_MS} ms real whatever the ratio).`,
    '',
  ];
  for (const row of rows) {
    lines.push(
      `${row.topology} (${row.kind})   ${loadText(row)}; emulated: ${row.emulated ?? noEmulatedText(row.noEmulated)}   ${row.withinBounds ? 'within bounds' : 'OUTSIDE BOUNDS'}`,
    );
    const line = columns([12, 9, 10, 12, 11, 12, 7], '  ');
    lines.push(line(['', 'real', 'emulated', 'error', 'predicted', 'error', 'bound']));
    for (const c of row.cells)
      lines.push(
        line([
          LABEL[c.figure] ?? c.figure,
          seconds(c.real),
          seconds(c.emulated),
          c.emulated === null ? '' : `${pct(c.emulatedError)}${mark(c.emulatedWithin)}`,
          seconds(c.predicted),
          `${pct(c.predictedError)}${mark(c.predictedWithin)}`,
          `±${(c.bound * 100).toFixed(0)}%`,
        ]),
      );
    for (const note of row.notes) lines.push(`  why: ${note}`);
    lines.push('');
  }
  return lines;
}

export function renderFidelityHtml(summary: RunSummary): string {
  const rows = summary.fidelity ?? [];
  if (rows.length === 0) return '';
  const head = html`<tr><th class="text">topology</th><th class="text">figure</th><th>real</th><th>emulated</th><th>emulated error</th><th>predicted</th><th>model error</th><th>bound</th></tr>`;
  const body = rows.map((row) => {
    const cells = row.cells.map(
      (c, i) =>
        html`<tr>${i === 0 ? html`<td rowspan="${row.cells.length}" class="text"><strong>${row.topology}</strong><br><small>${row.kind}; ${loadText(row)}; emulated: ${row.emulated ?? noEmulatedText(row.noEmulated)}</small></td>` : ''}<td class="text">${LABEL[c.figure] ?? c.figure}</td><td>${seconds(c.real)}</td><td>${seconds(c.emulated)}</td>${judgedCell(c.emulatedWithin, c.emulated === null ? '' : pct(c.emulatedError))}<td>${seconds(c.predicted)}</td>${judgedCell(c.predictedWithin, pct(c.predictedError))}<td>±${(c.bound * 100).toFixed(0)}%</td></tr>`,
    );
    const notes =
      row.notes.length === 0
        ? ''
        : html`<tr><td colspan="8" class="text"><ul class="notes">${row.notes.map((n) => html`<li>${n}</li>`)}</ul></td></tr>`;
    return [cells, notes];
  });
  return String(
    html`<section id="fidelity"><h2>Fidelity: real servers, emulation and model</h2><p class="lede">Each real-server topology beside its emulated counterpart (same shape and load, run on the same machine minutes apart) and the model. Error = (x − real) / real; bounds: 10% on mean wait and makespan, 15% on p95 and max wait, or a difference under ${FIDELITY_SLACK_REAL_MS} ms real whatever the ratio (the apparatus alone moves a wait by that much). Where a bound is missed, the notes give what the measurements show.</p><table>${head}${body}</table></section>`,
  );
}
