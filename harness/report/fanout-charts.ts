import type { TopLevelSpec } from 'vega-lite';
import type { DeliveryRecord, FanoutFigures } from '../results/fanout-figures.js';
import { sampleSize, VEGA_LITE_SCHEMA } from './chart-text.js';
import { CHART_LIMITS, thin } from './thin.js';
import { workerLabel } from './worker-share-chart.js';

/**
 * Charts of server-sent events: the share of clients each event reached against the model, the
 * clients each worker held (which decides what an in-memory registry reaches), and the delivery
 * latency (real milliseconds, not scaled).
 */

export interface FanoutChartsInput {
  topologies: Array<{ name: string; figures: FanoutFigures }>;
}

export function shareSpec(input: FanoutChartsInput): TopLevelSpec {
  const names = input.topologies.map((t) => t.name);
  const points = input.topologies.flatMap((t) =>
    t.figures.perEvent.map((e) => ({
      topology: t.name,
      event: e.event,
      share: e.share,
      expected: e.expected,
      publisher: e.publisher,
    })),
  );
  const model = input.topologies.map((t) => ({
    topology: t.name,
    share: t.figures.predicted.share,
  }));
  const events = Math.max(0, ...input.topologies.map((t) => t.figures.events));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Share of clients each event reached',
      subtitle: [
        `${events} events per topology, each meant for every client; dashed: the model for clients spread evenly`,
      ],
    },
    width: 480,
    height: 240,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x: { field: 'event', type: 'ordinal', title: 'event' },
          y: {
            field: 'share',
            type: 'quantitative',
            title: 'clients that received it',
            axis: { format: '%' },
            scale: { domain: [0, 1] },
          },
          color: { field: 'topology', type: 'nominal', sort: names, legend: { orient: 'top' } },
          tooltip: [
            { field: 'topology', type: 'nominal' },
            { field: 'event', type: 'ordinal' },
            { field: 'publisher', type: 'nominal', title: 'published by' },
            { field: 'share', type: 'quantitative', format: '.1%', title: 'reached' },
            {
              field: 'expected',
              type: 'quantitative',
              format: '.1%',
              title: 'allowed by where the clients are',
            },
          ],
        },
      },
      {
        data: { values: model },
        mark: { type: 'rule', strokeDash: [4, 3], tooltip: true },
        encoding: {
          y: { field: 'share', type: 'quantitative' },
          color: { field: 'topology', type: 'nominal', sort: names },
          tooltip: [
            { field: 'topology', type: 'nominal' },
            { field: 'share', type: 'quantitative', format: '.1%', title: 'model' },
          ],
        },
      },
    ],
  };
}

export function clientsPerWorkerSpec(input: FanoutChartsInput): TopLevelSpec {
  const names = input.topologies.map((t) => t.name);
  const bars = input.topologies.flatMap((t) =>
    t.figures.clientsPerWorker.map((c) => ({
      topology: t.name,
      worker: workerLabel(c.replica, c.worker),
      clients: c.clients,
    })),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Event-stream clients held by each worker',
      subtitle: [
        'a registry in memory reaches only the clients of the worker that takes the publish',
      ],
    },
    width: 360,
    height: 220,
    data: { values: bars },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'worker', type: 'nominal', title: 'worker process (replica r, worker w)' },
      xOffset: { field: 'topology', type: 'nominal', sort: names },
      y: { field: 'clients', type: 'quantitative', title: 'clients' },
      color: { field: 'topology', type: 'nominal', sort: names, legend: { orient: 'top' } },
      tooltip: [
        { field: 'topology', type: 'nominal' },
        { field: 'worker', type: 'nominal' },
        { field: 'clients', type: 'quantitative' },
      ],
    },
  };
}

export function latencySpec(
  topologies: readonly string[],
  deliveries: readonly DeliveryRecord[],
): TopLevelSpec {
  const counts: string[] = [];
  let stride = 1;
  const points = topologies.flatMap((name) => {
    const sorted = deliveries
      .filter((d) => d.topology === name && d.latencyMs !== null)
      .map((d) => d.latencyMs as number)
      .sort((a, b) => a - b);
    const n = sorted.length;
    counts.push(`${name} ${sampleSize(n)}`);
    const thinned = thin(
      sorted.map((latency, i) => ({ topology: name, latency, fraction: (i + 1) / n })),
      CHART_LIMITS.seriesPoints,
    );
    stride = Math.max(stride, thinned.stride);
    return thinned.items;
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Delivery latency',
      subtitle: [
        `publish (the publishing worker handled it) to receipt, every delivery made: ${counts.join(', ')}${stride > 1 ? `; drawn through 1 in every ${stride}` : ''}`,
        'real milliseconds: the bus and the streams, which the time scale does not stretch',
      ],
    },
    width: 480,
    height: 220,
    data: { values: points },
    mark: { type: 'line', interpolate: 'step-after', tooltip: true },
    encoding: {
      x: { field: 'latency', type: 'quantitative', title: 'latency (ms, real time)' },
      y: {
        field: 'fraction',
        type: 'quantitative',
        title: 'deliveries at most this late',
        axis: { format: '%' },
        scale: { domain: [0, 1] },
      },
      color: {
        field: 'topology',
        type: 'nominal',
        sort: [...topologies],
        legend: { orient: 'top' },
      },
      tooltip: [
        { field: 'topology', type: 'nominal' },
        { field: 'latency', type: 'quantitative', format: '.3~f', title: 'latency (ms)' },
        { field: 'fraction', type: 'quantitative', format: '.1%' },
      ],
    },
  };
}
