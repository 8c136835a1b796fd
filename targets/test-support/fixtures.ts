import { join } from 'node:path';
import type { Client } from 'undici';
import type { EmulatedTopologySpec, TopologySpec } from '../../harness/scenario/types.js';
import {
  type StartedTopology,
  startTopology,
  TARGET_HOST,
} from '../../harness/supervise/start-topology.js';
import { Supervisor } from '../../harness/supervise/supervisor.js';
import { parseTimingHeaders, type ServerSide } from '../instrument.js';
import { packageRoot } from '../package-root.js';

/** Test support: a topology with defaults, started on free ports, stopped by `stop()`. */
/** A whole topology for tests from the fields they care about: one replica of one worker, one thread. */
export function testTopologySpec(
  spec: Partial<TopologySpec> & Pick<EmulatedTopologySpec, 'kind'>,
): EmulatedTopologySpec {
  return {
    name: 'test',
    declaredKind: spec.kind,
    workers: 1,
    threads: 1,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: spec.kind === 'flask-dev' ? 128 : 2048,
    keepAlive: 2,
    port: 0,
    ...spec,
  };
}

export async function startTestTopology(
  spec: Partial<TopologySpec> & Pick<EmulatedTopologySpec, 'kind'>,
  work: 'sleep' | 'cpu' = 'sleep',
): Promise<StartedTopology & { supervisor: Supervisor; stop(): Promise<void> }> {
  const supervisor = new Supervisor();
  const topology = testTopologySpec(spec);
  try {
    const started = await startTopology(topology, {
      supervisor,
      timeScale: 1,
      service: { work, ms: 10 },
      readyTimeoutMs: 30_000,
    });
    return { ...started, supervisor, stop: () => supervisor.stopAll() };
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
}

/** Greatest number of handler intervals [start, end) open at one instant. */
export function maxOverlap(intervals: ReadonlyArray<{ start: number; end: number }>): number {
  const edges = intervals.flatMap((i) => [
    [i.start, 1],
    [i.end, -1],
  ]);
  edges.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let open = 0;
  let most = 0;
  for (const [, delta] of edges) {
    open += delta as number;
    most = Math.max(most, open);
  }
  return most;
}

/** One GET on a keep-alive connection of `client`, with the server's side parsed. */
export async function get(
  client: Client,
  path: string,
): Promise<{ status: number; server: ServerSide }> {
  const response = await client.request({ path, method: 'GET' });
  await response.body.dump();
  return { status: response.statusCode, server: parseTimingHeaders(response.headers) };
}

/** Test support: the minimal reference target (targets/minimal.ts), stopped after the test. */
export async function startMinimalTarget(t: {
  after(fn: () => Promise<void>): void;
}): Promise<string> {
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const target = await supervisor.start({
    label: 'minimal',
    entry: join(packageRoot(), 'dist', 'targets', 'minimal.js'),
    config: { host: TARGET_HOST, port: 0 },
    readyTimeoutMs: 20_000,
  });
  return `http://${TARGET_HOST}:${target.port}`;
}
