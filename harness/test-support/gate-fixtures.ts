import type { RunSummary, TopologySummary } from '../results/summary.js';
import { summarizeWaits } from '../stats/waits.js';

/**
 * Summaries built by hand for the gate's and the report's tests: a topology whose measured
 * waits are given, and whose prediction is the measurement scaled by `predictedScale`.
 */
export function topologySummary(
  name: string,
  waits: number[],
  options: { errors?: number; makespan?: number; predictedScale?: number; spreadMs?: number } = {},
): TopologySummary {
  const makespan = options.makespan ?? Math.max(0, ...waits) + 1;
  const measuredStats = summarizeWaits(waits, makespan);
  const scale = options.predictedScale ?? 1;
  const predictedStats = summarizeWaits(
    waits.map((w) => w * scale),
    makespan * scale,
  );
  const errors = options.errors ?? 0;
  const rel = (p: number, m: number) => (m === 0 ? (p === 0 ? 0 : Infinity) : (p - m) / m);
  return {
    name,
    kind: 'sync',
    declaredKind: 'sync',
    workers: 2,
    threads: 1,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: 2048,
    concurrency: 2,
    status: 'complete',
    failure: null,
    requests: waits.length + errors,
    errors,
    errorsByKind: {
      refused: errors,
      reset: 0,
      timeout: 0,
      'http-5xx': 0,
      'http-4xx': 0,
      aborted: 0,
      other: 0,
    },
    dispatchSpreadMs: options.spreadMs ?? 2,
    backOfEnvelope: 10,
    predicted: {
      ...predictedStats,
      method: 'closed-form',
      replications: 1,
      note: 'test',
    },
    measured: { ...measuredStats, acceptWait: null, serverQueue: null },
    load: null,
    predictionError: {
      meanWait: rel(predictedStats.meanWait, measuredStats.meanWait),
      p50Wait: rel(predictedStats.p50Wait, measuredStats.p50Wait),
      p95Wait: rel(predictedStats.p95Wait, measuredStats.p95Wait),
      p99Wait: rel(predictedStats.p99Wait, measuredStats.p99Wait),
      maxWait: rel(predictedStats.maxWait, measuredStats.maxWait),
      makespan: rel(predictedStats.makespan, measuredStats.makespan),
    },
  };
}

export function runSummary(topologies: TopologySummary[], scenario = 'test'): RunSummary {
  return {
    schemaVersion: 1,
    scenario,
    description: '',
    source: 'test.json',
    runId: '2026-01-01T00-00-00Z-abcd',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    complete: true,
    timeScale: 0.1,
    units: { time: 'scenario seconds', dispatchSpreadMs: 'real milliseconds' },
    load: {
      executor: 'burst',
      users: 20,
      connections: 'new',
      threads: 1,
      record: 'requests',
      requestsFile: true,
    },
    service: { time: 1, work: 'sleep', distribution: 'constant' },
    environment: { node: 'v20', platform: 'linux x64', cpus: 2, cpuModel: 'cpu', commit: null },
    topologies,
  };
}
