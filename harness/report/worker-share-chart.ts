import type { TopLevelSpec } from 'vega-lite';
import type { WorkerShares } from '../model/worker-shares.js';
import { sampleSize, VEGA_LITE_SCHEMA } from './chart-text.js';
import { measuredPredictedColor } from './figures-chart.js';

/**
 * Each worker's share of the requests, measured against predicted, with an even share marked:
 * bars far from the line show imbalance (a gthread worker that accepted more than its part, a
 * replica the balancer favoured). The predicted bar is the model's mean share over its runs with
 * a 5-95% whisker (issue 17): one simulated run's split of a random race says little.
 */

export interface Served {
  replica: number | null;
  worker: number | null;
}

export interface ShareRow {
  worker: string;
  replica: number;
  workerIndex: number;
  source: 'measured' | 'predicted';
  /** Requests served; for the model's mean over runs, null (a share has no one count). */
  count: number | null;
  share: number;
  /** The 5th and 95th percentile of the share across the model's runs, when over several. */
  p5?: number;
  p95?: number;
}

/** Requests per worker of every replica, zeros included; requests with no worker are skipped. */
export function workerShares(
  served: readonly Served[],
  replicas: number,
  workers: number,
  source: ShareRow['source'],
): ShareRow[] {
  const counts = new Map<string, number>();
  let total = 0;
  for (const s of served) {
    if (s.replica === null || s.worker === null) continue;
    const key = `${s.replica}/${s.worker}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total++;
  }
  const rows: ShareRow[] = [];
  for (let r = 0; r < replicas; r++) {
    for (let w = 0; w < workers; w++) {
      const count = counts.get(`${r}/${w}`) ?? 0;
      rows.push({
        worker: workerLabel(r, w),
        replica: r,
        workerIndex: w,
        source,
        count,
        share: total === 0 ? 0 : count / total,
      });
    }
  }
  return rows;
}

export const workerLabel = (replica: number, worker: number): string => `r${replica} w${worker}`;

/** The model's mean share of each worker over its runs, as chart rows with their band. */
export function modelShareRows(shares: WorkerShares): ShareRow[] {
  return shares.workers.map((w) => ({
    worker: workerLabel(w.replica, w.worker),
    replica: w.replica,
    workerIndex: w.worker,
    source: 'predicted',
    count: null,
    share: w.mean,
    ...(shares.replications > 1 ? { p5: w.p5, p95: w.p95 } : {}),
  }));
}

export interface WorkerShareInput {
  topology: string;
  replicas: number;
  workers: number;
  measured: readonly Served[];
  /**
   * The model's shares over its runs (summary.json predicted.workerShare); when absent (runs
   * from before it was kept) the chart falls back on `predicted`, the one run kept per request.
   */
  modelShares?: WorkerShares;
  predicted: readonly Served[];
}

const percent = (x: number): string => `${Number((x * 100).toPrecision(3))}%`;

export function workerShareSpec(input: WorkerShareInput): TopLevelSpec {
  const measured = workerShares(input.measured, input.replicas, input.workers, 'measured');
  const fromRuns = input.modelShares !== undefined && input.modelShares.replications > 0;
  const predicted =
    fromRuns && input.modelShares !== undefined
      ? modelShareRows(input.modelShares)
      : workerShares(input.predicted, input.replicas, input.workers, 'predicted');
  const nMeasured = measured.reduce((a, r) => a + (r.count ?? 0), 0);
  const slots = input.replicas * input.workers;
  const even = slots === 0 ? 0 : 1 / slots;
  const order = measured.map((r) => r.worker);
  const runs = input.modelShares?.replications ?? 1;
  const banded = predicted.filter((r) => r.p5 !== undefined);
  const modelText = fromRuns
    ? runs > 1
      ? `predicted: the model's mean share over ${runs} simulated runs, its whiskers the 5th to 95th percentile across runs`
      : 'predicted: the model (its split does not vary from run to run)'
    : `predicted: one simulated run of ${predicted.reduce((a, r) => a + (r.count ?? 0), 0)} requests (this run kept no mean over runs)`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${input.topology}: share of requests per worker`,
      subtitle: [
        `${sampleSize(nMeasured)} measured over ${slots} worker processes (replica r, worker w); ${modelText}`,
        `dashed line: an even share, 1 / ${slots} = ${percent(even)}`,
      ],
    },
    width: Math.max(240, Math.min(900, slots * 26)),
    height: 200,
    layer: [
      {
        data: { values: [...measured, ...predicted] },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: {
            field: 'worker',
            type: 'nominal',
            sort: order,
            title: 'worker process (replica r, worker w)',
            axis: { labelAngle: slots > 12 ? -90 : 0 },
          },
          xOffset: { field: 'source', type: 'nominal', sort: ['measured', 'predicted'] },
          y: {
            field: 'share',
            type: 'quantitative',
            title: 'share of requests',
            axis: { format: '.0%' },
          },
          color: measuredPredictedColor(
            'source',
            { measured: 'measured', predicted: 'predicted' },
            'top',
          ),
          tooltip: [
            { field: 'worker', type: 'nominal', title: 'worker process' },
            { field: 'source', type: 'nominal' },
            { field: 'share', type: 'quantitative', format: '.1%', title: 'share of requests' },
            { field: 'count', type: 'quantitative', title: 'requests served' },
            { field: 'p5', type: 'quantitative', format: '.1%', title: 'model: 5th percentile' },
            { field: 'p95', type: 'quantitative', format: '.1%', title: 'model: 95th percentile' },
          ],
        },
      },
      ...(banded.length === 0
        ? []
        : [
            {
              data: { values: banded },
              mark: { type: 'rule' as const, color: '#222', tooltip: true },
              encoding: {
                x: { field: 'worker', type: 'nominal' as const, sort: order },
                xOffset: {
                  field: 'source',
                  type: 'nominal' as const,
                  sort: ['measured', 'predicted'],
                },
                y: { field: 'p5', type: 'quantitative' as const },
                y2: { field: 'p95' },
                tooltip: [
                  { field: 'worker', type: 'nominal' as const, title: 'worker process' },
                  {
                    field: 'p5',
                    type: 'quantitative' as const,
                    format: '.1%',
                    title: 'model: 5th percentile',
                  },
                  {
                    field: 'p95',
                    type: 'quantitative' as const,
                    format: '.1%',
                    title: 'model: 95th percentile',
                  },
                ],
              },
            },
          ]),
      {
        data: { values: [{ even }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#555', tooltip: true },
        encoding: {
          y: { field: 'even', type: 'quantitative' },
          tooltip: [{ field: 'even', type: 'quantitative', format: '.1%', title: 'even share' }],
        },
      },
    ],
  };
}
