import type { TopLevelSpec } from 'vega-lite';
import { sampleSize, VEGA_LITE_SCHEMA } from './chart-text.js';
import { measuredPredictedColor } from './figures-chart.js';

/**
 * Each worker's share of the requests, measured against predicted, with an even share marked:
 * bars far from the line show imbalance (a gthread worker that accepted more than its part, a
 * replica the balancer favoured).
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
  count: number;
  share: number;
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

export interface WorkerShareInput {
  topology: string;
  replicas: number;
  workers: number;
  measured: readonly Served[];
  predicted: readonly Served[];
}

export function workerShareSpec(input: WorkerShareInput): TopLevelSpec {
  const measured = workerShares(input.measured, input.replicas, input.workers, 'measured');
  const predicted = workerShares(input.predicted, input.replicas, input.workers, 'predicted');
  const nMeasured = measured.reduce((a, r) => a + r.count, 0);
  const nPredicted = predicted.reduce((a, r) => a + r.count, 0);
  const slots = input.replicas * input.workers;
  const even = nMeasured / slots;
  const order = measured.map((r) => r.worker);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${input.topology}: requests per worker`,
      subtitle: [
        `${sampleSize(nMeasured)} measured, ${nPredicted} predicted (one simulated run), over ${slots} worker processes (replica r, worker w)`,
        `dashed line: an even share, ${nMeasured} / ${slots} = ${Number(even.toPrecision(3))} requests`,
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
          y: { field: 'count', type: 'quantitative', title: 'requests served' },
          color: measuredPredictedColor(
            'source',
            { measured: 'measured', predicted: 'predicted' },
            'top',
          ),
          tooltip: [
            { field: 'worker', type: 'nominal', title: 'worker process' },
            { field: 'source', type: 'nominal' },
            { field: 'count', type: 'quantitative', title: 'requests served' },
            { field: 'share', type: 'quantitative', format: '.1%', title: 'share of requests' },
          ],
        },
      },
      {
        data: { values: [{ even }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#555', tooltip: true },
        encoding: {
          y: { field: 'even', type: 'quantitative' },
          tooltip: [
            { field: 'even', type: 'quantitative', format: '.3~f', title: 'even share (requests)' },
          ],
        },
      },
    ],
  };
}
