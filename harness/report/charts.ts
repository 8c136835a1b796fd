import type { TopLevelSpec } from 'vega-lite';
import type { PredictedRecord } from '../results/predicted-record.js';
import type { RequestRecord } from '../results/request-record.js';
import {
  type RunSummary,
  sharedTimeScale,
  type TopologySummary,
  timeScaleOf,
} from '../results/summary.js';
import { describeLoad } from '../scenario/describe-load.js';
import { loadRequests } from '../scenario/load-schema.js';
import { figuresSpec } from './figures-chart.js';
import { handlersAtOnceSpec } from './handlers-chart.js';
import { compareOverTimeSpec, overTimeSpec } from './over-time-chart.js';
import { timelineSpec } from './timeline-chart.js';
import { waitEcdfSpec } from './wait-ecdf-chart.js';
import { waitingSpec } from './waiting-chart.js';
import type { WhatIfPoint } from './what-if.js';
import { whatIfSpec } from './what-if-chart.js';
import { workerShareSpec } from './worker-share-chart.js';

/**
 * The report's charts in page order: two for the whole run, then four per topology. Pure: takes
 * the run's data, returns the Vega-Lite specs with the ids the page places them under.
 */

export interface Chart {
  id: string;
  /** The topology it belongs to, or null for a chart of the whole run. */
  topology: string | null;
  /** The id of the page section that places it, when not the figures or a topology's. */
  section?: string;
  spec: TopLevelSpec;
}

export interface ChartData {
  summary: RunSummary;
  requests: readonly RequestRecord[];
  /** Null when the run stored no prediction per request (predicted.ndjson is missing). */
  predicted: readonly PredictedRecord[] | null;
  whatIf: readonly WhatIfPoint[];
  model: { seed: number };
}

export function buildCharts(data: ChartData): Chart[] {
  const { summary } = data;
  const charts: Chart[] = [
    { id: 'figures', topology: null, spec: figuresSpec(summary) },
    {
      id: 'what-if',
      topology: null,
      spec: whatIfSpec({
        points: data.whatIf,
        measured: summary.topologies
          .filter((t) => t.measured.count > 0 && Number.isFinite(t.measured.p95Wait))
          .map((t) => ({
            topology: t.name,
            replicas: t.replicas,
            p95Wait: t.measured.p95Wait,
            n: t.measured.count,
          })),
        load: describeLoad(summary.load),
        requests: loadRequests(summary.load) ?? 0,
        timeScale: sharedTimeScale(summary, summary.topologies),
        seed: data.model.seed,
      }),
    },
  ];
  charts.push(...lifecycleRunCharts(summary));
  summary.topologies.forEach((t, i) => {
    charts.push(...topologyCharts(t, `t${i}`, data));
    charts.push(...lifecycleTopologyCharts(t, `t${i}`, summary, data));
  });
  return charts;
}

/**
 * Issue 6's run charts: the setups over time (loads that last, not bursts), and handlers at
 * once against the claim (async workers, or a topology with a claimed concurrency).
 */
function lifecycleRunCharts(summary: RunSummary): Chart[] {
  const out: Chart[] = [];
  const lasting = summary.load.executor !== 'burst';
  const overTime = summary.topologies.flatMap((t) =>
    t.overTime === undefined
      ? []
      : [
          {
            name: t.name,
            overTime: t.overTime,
            requests: t.requests,
            ...(t.timeScale === undefined ? {} : { timeScale: t.timeScale }),
          },
        ],
  );
  if (lasting && overTime.length > 1)
    out.push({
      id: 'over-time',
      topology: null,
      spec: compareOverTimeSpec({
        timeScale: sharedTimeScale(summary, overTime),
        topologies: overTime,
      }),
    });
  const claims = summary.topologies.filter(
    (t) =>
      t.handlersAtOnce !== undefined && (t.kind === 'async' || t.handlersAtOnce.claimed !== null),
  );
  if (claims.length > 0)
    out.push({
      id: 'handlers-at-once',
      topology: null,
      spec: handlersAtOnceSpec({ timeScale: sharedTimeScale(summary, claims), topologies: claims }),
    });
  return out;
}

function lifecycleTopologyCharts(
  t: TopologySummary,
  prefix: string,
  summary: RunSummary,
  data: ChartData,
): Chart[] {
  if (t.overTime === undefined || summary.load.executor === 'burst') return [];
  return [
    {
      id: `${prefix}-over-time`,
      topology: t.name,
      spec: overTimeSpec({
        topology: t.name,
        timeScale: timeScaleOf(summary, t),
        overTime: t.overTime,
        measuredCount: t.requests,
        predictedCount: (data.predicted ?? []).filter((r) => r.topology === t.name).length,
      }),
    },
  ];
}

function topologyCharts(t: TopologySummary, prefix: string, data: ChartData): Chart[] {
  const all = data.requests.filter((r) => r.topology === t.name);
  // Repeated bursts: the timeline, waiting and worker charts show the first; the ECDF pools all.
  const requests = all.filter((r) => (r.burst ?? 0) === 0);
  const predicted = (data.predicted ?? []).filter((r) => r.topology === t.name);
  const timeScale = timeScaleOf(data.summary, t);
  const ok = all.filter((r) => r.error === null && r.wait !== null);
  const started = requests.filter((r) => r.handlerStart !== null);
  const predictedStarted = predicted.filter((r) => r.handlerStart !== null);
  return [
    {
      id: `${prefix}-ecdf`,
      topology: t.name,
      spec: waitEcdfSpec({
        topology: t.name,
        timeScale,
        measured: ok.map((r) => r.wait as number),
        predicted: predictedStarted.map((r) => r.wait as number),
      }),
    },
    {
      id: `${prefix}-timeline`,
      topology: t.name,
      spec: timelineSpec({ topology: t.name, timeScale, workers: t.workers, records: requests }),
    },
    {
      id: `${prefix}-waiting`,
      topology: t.name,
      spec: waitingSpec({
        topology: t.name,
        timeScale,
        measured: started.map((r) => ({
          arrive: r.intendedStart,
          start: r.handlerStart as number,
        })),
        predicted: predictedStarted.map((r) => ({
          arrive: r.intendedStart,
          start: r.handlerStart as number,
        })),
        measuredFailed: requests.length - started.length,
      }),
    },
    {
      id: `${prefix}-workers`,
      topology: t.name,
      spec: workerShareSpec({
        topology: t.name,
        replicas: t.replicas,
        workers: t.workers,
        measured: requests.filter((r) => r.error === null),
        ...(t.predicted.workerShare === undefined ? {} : { modelShares: t.predicted.workerShare }),
        predicted: predictedStarted,
      }),
    },
  ];
}
