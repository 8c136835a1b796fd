import type { TopLevelSpec } from 'vega-lite';
import type { RequestRecord } from '../results/request-record.js';
import {
  SECONDS_FORMAT,
  sampleSize,
  timeAxisTitle,
  timeScaleNote,
  VEGA_LITE_SCHEMA,
} from './chart-text.js';
import { CHART_LIMITS, thin } from './thin.js';

/**
 * Every request of a topology on one time axis: grey bars while it was queued, split where the
 * server accepted its connection (light: waiting in the kernel's accept queue or the balancer;
 * dark: accepted, queued inside the server, as in a busy gthread worker), then a bar while it was
 * served (handler start to end), coloured by the worker that served it. One panel per replica; inside it, one row per request, ordered by
 * worker, thread and handler start, so a thread's requests follow one another down the panel.
 *
 *   replica 0  ░░░░░░░▓▓▓          request served by worker 0 thread 0
 *              ░░░░░░░░░░▓▓▓       the next one on the same thread
 *   replica 1  ...
 */

export interface TimelineSegment {
  replica: string;
  rank: number;
  index: number;
  segment: string;
  from: number;
  to: number;
  worker: number | null;
  thread: number | null;
  wait: number | null;
  status: string;
}

export const QUEUED = 'queued';
export const BEFORE_ACCEPT = 'queued, not yet accepted';
export const IN_SERVER = 'queued, accepted by the server';
export const FAILED = 'failed (until it failed)';

const WORKER_COLORS = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#b279a2',
  '#e45756',
  '#72b7b2',
  '#eeca3b',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

const served = (worker: number): string => `served by worker ${worker}`;

/** Bars for each request: queued and served, or queued until it failed. */
export function timelineSegments(records: readonly RequestRecord[]): TimelineSegment[] {
  const byReplica = new Map<string, RequestRecord[]>();
  for (const r of records) {
    const key = r.replica === null ? 'not served' : `replica ${r.replica}`;
    const list = byReplica.get(key) ?? [];
    list.push(r);
    byReplica.set(key, list);
  }
  const order = (v: number | null): number => v ?? Number.POSITIVE_INFINITY;
  const segments: TimelineSegment[] = [];
  for (const [replica, list] of byReplica) {
    list.sort(
      (a, b) =>
        order(a.worker) - order(b.worker) ||
        order(a.thread) - order(b.thread) ||
        order(a.handlerStart) - order(b.handlerStart) ||
        a.index - b.index,
    );
    list.forEach((r, rank) => {
      const common = {
        replica,
        rank,
        index: r.index,
        worker: r.worker,
        thread: r.thread,
        wait: r.wait,
        status: r.error === null ? String(r.status ?? '') : `${r.error}: ${r.errorMessage ?? ''}`,
      };
      if (r.handlerStart !== null) {
        if (r.accepted !== null && r.accepted > r.intendedStart && r.accepted < r.handlerStart) {
          segments.push({
            ...common,
            segment: BEFORE_ACCEPT,
            from: r.intendedStart,
            to: r.accepted,
          });
          segments.push({ ...common, segment: IN_SERVER, from: r.accepted, to: r.handlerStart });
        } else {
          segments.push({ ...common, segment: QUEUED, from: r.intendedStart, to: r.handlerStart });
        }
        if (r.handlerEnd !== null) {
          segments.push({
            ...common,
            segment: served(r.worker ?? 0),
            from: r.handlerStart,
            to: r.handlerEnd,
          });
        }
      } else {
        const end = r.complete ?? r.written ?? r.connected;
        if (end !== null)
          segments.push({ ...common, segment: FAILED, from: r.intendedStart, to: end });
      }
    });
  }
  return segments;
}

export interface TimelineInput {
  topology: string;
  timeScale: number;
  workers: number;
  records: readonly RequestRecord[];
}

export function timelineSpec(input: TimelineInput): TopLevelSpec {
  const n = input.records.length;
  const shown = thin(
    [...input.records].sort((a, b) => a.index - b.index),
    CHART_LIMITS.timelineRequests,
  );
  const segments = timelineSegments(shown.items);
  const workers = Array.from({ length: input.workers }, (_, w) => served(w));
  const present = new Set(segments.map((s) => s.segment));
  const waiting = [
    [BEFORE_ACCEPT, '#e3e3e3'],
    [IN_SERVER, '#a9a9a9'],
    [QUEUED, '#cfcfcf'],
  ].filter(([name]) => present.has(name as string));
  const failed = present.has(FAILED) ? [[FAILED, '#d62728']] : [];
  const domain = [...waiting.map(([n]) => n), ...workers, ...failed.map(([n]) => n)] as string[];
  const range = [
    ...waiting.map(([, c]) => c),
    ...workers.map((_, w) => WORKER_COLORS[w % WORKER_COLORS.length]),
    ...failed.map(([, c]) => c),
  ] as string[];
  const rows = shown.items.length;
  const step = Math.max(1, Math.min(6, Math.floor(900 / Math.max(1, rows))));
  const thinned =
    shown.stride > 1 ? `; 1 in every ${shown.stride} requests shown (${rows} of ${n})` : '';
  const replicas = [...new Set(segments.map((s) => s.replica))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${input.topology}: every request, queued and served`,
      subtitle: [
        `${sampleSize(n)} requests; one row per request, by replica, worker and thread${thinned}`,
        timeScaleNote(input.timeScale),
      ],
    },
    data: { values: segments },
    facet: {
      row: {
        field: 'replica',
        type: 'nominal',
        sort: replicas,
        title: null,
        header: { labelAngle: 0, labelAlign: 'left' },
      },
    },
    spec: {
      width: 900,
      height: { step },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: {
          field: 'rank',
          type: 'ordinal',
          title: 'requests',
          axis: { labels: false, ticks: false, domain: false },
        },
        x: {
          field: 'from',
          type: 'quantitative',
          title: timeAxisTitle('time since the burst started', input.timeScale),
        },
        x2: { field: 'to' },
        color: {
          field: 'segment',
          type: 'nominal',
          title: null,
          scale: { domain, range },
          legend: { orient: 'top', columns: 6 },
        },
        tooltip: [
          { field: 'index', type: 'quantitative', title: 'request' },
          { field: 'segment', type: 'nominal', title: 'bar' },
          { field: 'replica', type: 'nominal' },
          { field: 'worker', type: 'quantitative' },
          { field: 'thread', type: 'quantitative' },
          {
            field: 'from',
            type: 'quantitative',
            format: SECONDS_FORMAT,
            title: timeAxisTitle('from', input.timeScale),
          },
          {
            field: 'to',
            type: 'quantitative',
            format: SECONDS_FORMAT,
            title: timeAxisTitle('to', input.timeScale),
          },
          {
            field: 'wait',
            type: 'quantitative',
            format: SECONDS_FORMAT,
            title: timeAxisTitle('wait', input.timeScale),
          },
          { field: 'status', type: 'nominal' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
