import type { TopLevelSpec } from 'vega-lite';
import type { JobRecord, JobsFigures } from '../results/jobs-figures.js';
import {
  type ChartTimeScale,
  SECONDS_FORMAT,
  timeAxisTitle,
  timeScaleNote,
  VEGA_LITE_SCHEMA,
} from './chart-text.js';
import { workerLabel } from './worker-share-chart.js';

/**
 * Charts of the scheduled job: who ran it when, one row per worker process slot (a killed
 * worker's replacement takes its row), with the kill marked; and the runs in every slot of each
 * topology beside what its election allows.
 *
 *   r0 w0  ●    ●    ●    ✕         ●    ●      runs of replica 0, worker 0
 *   r0 w1                      ▲    ●    ●      a follower that became leader
 */

export interface JobsTimelineInput {
  topology: string;
  timeScale: number;
  replicas: number;
  workers: number;
  records: readonly JobRecord[];
  figures: JobsFigures;
}

export function jobsTimelineSpec(input: JobsTimelineInput): TopLevelSpec {
  const rows: string[] = [];
  for (let r = 0; r < input.replicas; r++)
    for (let w = 0; w < input.workers; w++) rows.push(workerLabel(r, w));
  const { figures } = input;
  const points = input.records
    .filter((e) => e.at >= 0 && e.at <= figures.duration)
    .map((e) => ({
      worker: workerLabel(e.replica, e.worker),
      at: e.at,
      what:
        e.type === 'run' ? 'ran the job' : e.type === 'leader' ? 'became leader' : 'lost the lead',
      pid: e.pid,
    }));
  const kill = figures.kill;
  const runs = points.filter((p) => p.what === 'ran the job').length;
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 60, tooltip: true },
      encoding: {
        x: {
          field: 'at',
          type: 'quantitative',
          title: timeAxisTitle('time since the topology was ready', input.timeScale),
          scale: { domain: [0, figures.duration] },
        },
        y: {
          field: 'worker',
          type: 'nominal',
          sort: rows,
          scale: { domain: rows },
          title: 'worker process (replica r, worker w)',
        },
        shape: {
          field: 'what',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['ran the job', 'became leader', 'lost the lead'],
            range: ['circle', 'triangle-up', 'triangle-down'],
          },
          legend: { orient: 'top' },
        },
        color: {
          field: 'what',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['ran the job', 'became leader', 'lost the lead'],
            range: ['#4c78a8', '#54a24b', '#e45756'],
          },
          legend: { orient: 'top' },
        },
        tooltip: [
          { field: 'worker', type: 'nominal', title: 'worker process' },
          { field: 'pid', type: 'quantitative', title: 'pid' },
          { field: 'what', type: 'nominal' },
          { field: 'at', type: 'quantitative', format: SECONDS_FORMAT, title: 'at (scenario s)' },
        ],
      },
    },
  ];
  if (kill !== null) {
    layers.push({
      data: {
        values: [
          {
            at: kill.at,
            label: `killed ${workerLabel(kill.replica, kill.worker)} (pid ${kill.pid})`,
          },
        ],
      },
      layer: [
        {
          mark: { type: 'rule', color: '#9b1c1c', strokeDash: [4, 3], tooltip: true },
          encoding: {
            x: { field: 'at', type: 'quantitative' },
            tooltip: [
              { field: 'label', type: 'nominal', title: 'kill' },
              {
                field: 'at',
                type: 'quantitative',
                format: SECONDS_FORMAT,
                title: 'at (scenario s)',
              },
            ],
          },
        },
        {
          mark: {
            type: 'text',
            align: 'left',
            dx: 4,
            dy: -4,
            baseline: 'bottom',
            color: '#9b1c1c',
            y: 0,
          },
          encoding: { x: { field: 'at', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${input.topology}: who ran the job`,
      subtitle: [
        `${runs} runs over ${figures.slots} slots of ${figures.interval} s; one row per worker process (a killed worker's replacement keeps its row)`,
        timeScaleNote(input.timeScale),
      ],
    },
    width: 720,
    height: Math.max(80, rows.length * 18),
    layer: layers,
  };
}

export interface RunsPerSlotInput {
  timeScale: ChartTimeScale;
  topologies: Array<{ name: string; figures: JobsFigures }>;
}

/** Runs in each slot, per topology, against the runs its election allows (dashed). */
export function runsPerSlotSpec(input: RunsPerSlotInput): TopLevelSpec {
  const bars = input.topologies.flatMap((t) =>
    t.figures.perSlot.map((s, i) => ({ topology: t.name, slot: i + 1, at: s.slot, runs: s.runs })),
  );
  const model = input.topologies.map((t) => ({
    topology: t.name,
    runs: t.figures.predicted.runsPerSlot,
  }));
  const names = input.topologies.map((t) => t.name);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Runs of the job in each slot',
      subtitle: [
        'one run per slot is wanted; dashed: the runs per slot the election allows (the model)',
        timeScaleNote(input.timeScale),
      ],
    },
    width: 480,
    height: 220,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: {
            field: 'slot',
            type: 'ordinal',
            title: 'slot (1 = the first after the topology was ready)',
          },
          xOffset: { field: 'topology', type: 'nominal', sort: names },
          y: { field: 'runs', type: 'quantitative', title: 'runs of the job' },
          color: { field: 'topology', type: 'nominal', sort: names, legend: { orient: 'top' } },
          tooltip: [
            { field: 'topology', type: 'nominal' },
            { field: 'slot', type: 'ordinal' },
            { field: 'at', type: 'quantitative', format: SECONDS_FORMAT, title: 'at (scenario s)' },
            { field: 'runs', type: 'quantitative' },
          ],
        },
      },
      {
        data: { values: model },
        mark: { type: 'rule', strokeDash: [4, 3], tooltip: true },
        encoding: {
          y: { field: 'runs', type: 'quantitative' },
          color: { field: 'topology', type: 'nominal', sort: names },
          tooltip: [
            { field: 'topology', type: 'nominal' },
            { field: 'runs', type: 'quantitative', title: 'model: runs per slot' },
          ],
        },
      },
    ],
  };
}
