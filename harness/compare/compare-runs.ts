import type { RunSummary, TopologySummary } from '../results/summary.js';

/**
 * Two finished runs side by side (`npm run compare <before> <after>`): every figure of every
 * topology both ran (matched by name), its value in each, and the change, absolute and relative.
 * Like autocannon-compare and k6 users' before/after tables, for a pull request. Pure.
 */

/** Which way is better for a figure; `none` for figures that describe, not judge (the model). */
export type Better = 'lower' | 'higher' | 'none';

export interface FigureSpec {
  key: string;
  label: string;
  unit: 'seconds' | 'fraction' | 'count' | 'per-second' | 'ms';
  better: Better;
  of(t: TopologySummary): number | null;
}

const finite = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

const measured =
  (key: 'meanWait' | 'p50Wait' | 'p95Wait' | 'p99Wait' | 'maxWait' | 'makespan') =>
  (t: TopologySummary): number | null =>
    t.measured.count === 0 ? null : finite(t.measured[key]);

/** Every figure compared, in the order the tables list them. */
export const COMPARE_FIGURES: readonly FigureSpec[] = [
  {
    key: 'meanWait',
    label: 'mean wait',
    unit: 'seconds',
    better: 'lower',
    of: measured('meanWait'),
  },
  { key: 'p50Wait', label: 'p50 wait', unit: 'seconds', better: 'lower', of: measured('p50Wait') },
  { key: 'p95Wait', label: 'p95 wait', unit: 'seconds', better: 'lower', of: measured('p95Wait') },
  { key: 'p99Wait', label: 'p99 wait', unit: 'seconds', better: 'lower', of: measured('p99Wait') },
  { key: 'maxWait', label: 'max wait', unit: 'seconds', better: 'lower', of: measured('maxWait') },
  {
    key: 'makespan',
    label: 'makespan',
    unit: 'seconds',
    better: 'lower',
    of: measured('makespan'),
  },
  {
    key: 'throughput',
    label: 'throughput',
    unit: 'per-second',
    better: 'higher',
    of: (t) => finite(t.load?.throughput),
  },
  {
    key: 'p95Latency',
    label: 'p95 latency',
    unit: 'seconds',
    better: 'lower',
    of: (t) => finite(t.load?.latency?.p95),
  },
  { key: 'requests', label: 'requests', unit: 'count', better: 'none', of: (t) => t.requests },
  {
    key: 'errorRate',
    label: 'error rate',
    unit: 'fraction',
    better: 'lower',
    of: (t) => (t.requests === 0 ? null : t.errors / t.requests),
  },
  {
    key: 'dispatchSpread',
    label: 'dispatch spread',
    unit: 'ms',
    better: 'lower',
    of: (t) => finite(t.dispatchSpreadMs),
  },
  {
    key: 'predictedP95Wait',
    label: 'model p95 wait',
    unit: 'seconds',
    better: 'none',
    of: (t) => finite(t.predicted?.p95Wait),
  },
  {
    key: 'modelErrorP95',
    label: 'model error, p95',
    unit: 'fraction',
    better: 'none',
    of: (t) => finite(t.predictionError?.p95Wait),
  },
];

export const COMPARE_FIGURE_KEYS = COMPARE_FIGURES.map((f) => f.key);

export interface CompareRow {
  topology: string;
  figure: string;
  label: string;
  unit: FigureSpec['unit'];
  better: Better;
  before: number | null;
  after: number | null;
  /** after - before, in the figure's unit; null when either is missing. */
  change: number | null;
  /** (after - before) / |before|; null when either is missing or before is 0. */
  relative: number | null;
  /** Whether the change is for the better, the worse, or neither (or unknown). */
  verdict: 'better' | 'worse' | 'same' | 'n/a';
}

export interface RunHeading {
  scenario: string;
  runId: string;
  complete: boolean;
  timeScale: number;
  loadAverage: number[] | null;
  commit: string | null;
}

export interface Comparison {
  before: RunHeading;
  after: RunHeading;
  rows: CompareRow[];
  /** What a reader should know: different scenarios or time scales, topologies in one only. */
  warnings: string[];
}

function heading(run: RunSummary): RunHeading {
  return {
    scenario: run.scenario,
    runId: run.runId,
    complete: run.complete,
    timeScale: run.timeScale,
    loadAverage: run.environment?.loadAverage ?? null,
    commit: run.environment?.commit ?? null,
  };
}

function verdictOf(better: Better, change: number | null): CompareRow['verdict'] {
  if (change === null) return 'n/a';
  if (change === 0 || better === 'none') return 'same';
  return change < 0 === (better === 'lower') ? 'better' : 'worse';
}

/** What a topology ran, in words: kind, workers x threads x replicas, and a URL if given. */
function shapeOf(t: TopologySummary): string {
  const url = t.url ?? null;
  return `${t.kind} ${t.workers} x ${t.threads} x ${t.replicas}${url === null ? '' : ` at ${url}`}`;
}

export function compareRuns(before: RunSummary, after: RunSummary): Comparison {
  const warnings: string[] = [];
  if (before.scenario !== after.scenario)
    warnings.push(
      `different scenarios: "${before.scenario}" before, "${after.scenario}" after; topologies are matched by name`,
    );
  if (before.timeScale !== after.timeScale)
    warnings.push(
      `different time scales: ${before.timeScale} before, ${after.timeScale} after; the harness's own costs weigh differently`,
    );
  for (const [name, run] of [
    ['before', before],
    ['after', after],
  ] as const)
    if (!run.complete)
      warnings.push(`the ${name} run is incomplete; its figures cover what it measured`);
  if (before.runId === after.runId && before.startedAt === after.startedAt)
    warnings.push(`the same run (${after.runId}) before and after: every change is 0`);
  const rows: CompareRow[] = [];
  for (const now of after.topologies) {
    const then = before.topologies.find((t) => t.name === now.name);
    if (then === undefined) {
      warnings.push(`topology "${now.name}" ran only after; not compared`);
      continue;
    }
    // A name is only a name: the same one may stand for another server or another shape.
    const was = shapeOf(then);
    const is = shapeOf(now);
    if (was !== is)
      warnings.push(
        `topology "${now.name}" is not the same deployment: ${was} before, ${is} after; its changes compare different servers`,
      );
    for (const spec of COMPARE_FIGURES) {
      const b = spec.of(then);
      const a = spec.of(now);
      const change = a === null || b === null ? null : a - b;
      rows.push({
        topology: now.name,
        figure: spec.key,
        label: spec.label,
        unit: spec.unit,
        better: spec.better,
        before: b,
        after: a,
        change,
        relative: change === null || b === 0 || b === null ? null : change / Math.abs(b),
        verdict: verdictOf(spec.better, change),
      });
    }
  }
  for (const then of before.topologies)
    if (!after.topologies.some((t) => t.name === then.name))
      warnings.push(`topology "${then.name}" ran only before; not compared`);
  return { before: heading(before), after: heading(after), rows, warnings };
}
