import type { RunSummary } from '../results/summary.js';

/**
 * A merged run of N shards set beside the single-process run of the same plan (issue 18: "the
 * merged result of N shards equals the single-process run of the same plan figure by figure where
 * that is exact"). Exact: requests sent, completed and failed, and the count of every histogram.
 * Not exact, but close on the same target: the waits, which depend on the order in which the
 * target happened to take the requests and on each process's timing; they are compared within
 * a tolerance of `relative` of the single run's figure plus `absolute` seconds. Pure.
 */

export interface ComparisonRow {
  figure: string;
  single: number | null;
  merged: number | null;
  /** 'exact' rows must be equal; 'close' rows within the tolerance. */
  kind: 'exact' | 'close';
  ok: boolean;
}

const HISTOGRAMS = ['latency', 'latencyUncorrected', 'wait', 'waitUncorrected'] as const;
const WAITS = ['meanWait', 'p50Wait', 'p95Wait', 'maxWait'] as const;

export function compareWithSingle(
  single: RunSummary,
  merged: RunSummary,
  tolerance: { relative: number; absolute: number },
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const exact = (figure: string, a: number | null | undefined, b: number | null | undefined) =>
    rows.push({
      figure,
      single: a ?? null,
      merged: b ?? null,
      kind: 'exact',
      ok: a === b && a !== undefined,
    });
  const close = (figure: string, a: number | null | undefined, b: number | null | undefined) =>
    rows.push({
      figure,
      single: a ?? null,
      merged: b ?? null,
      kind: 'close',
      ok:
        typeof a === 'number' &&
        typeof b === 'number' &&
        Math.abs(a - b) <= tolerance.relative * Math.abs(a) + tolerance.absolute,
    });
  for (const s of single.topologies) {
    const m = merged.topologies.find((t) => t.name === s.name);
    const name = s.name;
    exact(`${name} requests measured`, s.measured.count, m?.measured.count);
    exact(`${name} errors`, s.errors, m?.errors);
    exact(`${name} load sent`, s.load?.sent, m?.load?.sent);
    exact(`${name} load completed`, s.load?.completed, m?.load?.completed);
    exact(`${name} load failed`, s.load?.failed, m?.load?.failed);
    for (const h of HISTOGRAMS)
      exact(`${name} histogram ${h} count`, s.load?.[h].count, m?.load?.[h].count);
    for (const w of WAITS) close(`${name} ${w} (s)`, s.measured[w], m?.measured[w]);
  }
  return rows;
}

/** The rows as an aligned table, for a test's failure message or a script's output. */
export function renderComparison(rows: readonly ComparisonRow[]): string {
  const width = Math.max(...rows.map((r) => r.figure.length));
  const show = (v: number | null) =>
    v === null ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(4);
  return rows
    .map(
      (r) =>
        `${r.figure.padEnd(width)}  single ${show(r.single).padStart(9)}  merged ${show(r.merged).padStart(9)}  ${r.kind} ${r.ok ? 'ok' : 'DIFFERS'}`,
    )
    .join('\n');
}
