import type { ServiceDefaults } from '../../targets/protocol.js';
import type { HaproxyConfig, RealKind, RealServerConfig } from '../../targets/real/protocol.js';
import type { TopologySpec } from '../scenario/types.js';
import type { RealServerTools } from './real-servers.js';
import {
  compiledTarget,
  instanceConfig,
  type StartedTopology,
  TARGET_HOST,
  waitUntilAnswering,
} from './start-topology.js';
import type { RunningTarget, Supervisor } from './supervisor.js';

/** Starts haproxy in front of running replicas, through its launcher (targets/real/haproxy.ts). */
export function startHaproxy(
  topology: Pick<TopologySpec, 'name' | 'port' | 'balancer'>,
  replicas: readonly RunningTarget[],
  options: Pick<
    RealStartOptions,
    'supervisor' | 'readyTimeoutMs' | 'tools' | 'idleTimeoutMs' | 'connections'
  >,
): Promise<RunningTarget> {
  const config: HaproxyConfig = {
    host: TARGET_HOST,
    port: topology.port,
    backlog: 4096,
    policy: topology.balancer,
    backends: replicas.map((r) => ({ host: TARGET_HOST, port: r.port })),
    idleTimeoutMs: options.idleTimeoutMs,
    maxConnections: options.connections + 64,
    haproxy: options.tools.haproxy,
  };
  return options.supervisor.start({
    label: `${topology.name} haproxy`,
    entry: compiledTarget('real/haproxy'),
    config,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}

export interface RealStartOptions {
  supervisor: Supervisor;
  timeScale: number;
  service: ServiceDefaults;
  readyTimeoutMs: number;
  tools: RealServerTools;
  /** Real milliseconds a connection may sit idle in haproxy (the request timeout). */
  idleTimeoutMs: number;
  /** Most connections the load opens at once: haproxy's maxconn (with room for probes). */
  connections: number;
}

/**
 * Starts a real-server topology: each replica through a launcher (targets/real/server.ts), and
 * haproxy in front of them when there are several (targets/real/haproxy.ts), each launcher a
 * target of the supervisor like any emulated one, so the same stop, crash and interrupt paths
 * cover them. Resolves when every worker has loaded the app and GET /health answers through
 * the entry point.
 */
export async function startRealTopology(
  topology: TopologySpec & { kind: RealKind },
  options: RealStartOptions,
): Promise<StartedTopology> {
  const { supervisor } = options;
  const behindBalancer = topology.replicas > 1;
  const replicas = await Promise.all(
    Array.from({ length: topology.replicas }, (_, replica) => {
      const config: RealServerConfig = {
        ...instanceConfig(topology, replica, options, topology.kind === 'werkzeug'),
        kind: topology.kind,
        endpoint: topology.endpoint ?? 'def',
        python: options.tools.python,
      };
      return supervisor.start({
        label: `${topology.name} replica ${replica} (${topology.kind})`,
        entry: compiledTarget('real/server'),
        config,
        readyTimeoutMs: options.readyTimeoutMs,
      });
    }),
  );
  const balancer = behindBalancer ? await startHaproxy(topology, replicas, options) : undefined;
  const entry = balancer ?? (replicas[0] as RunningTarget);
  await Promise.all(
    [...replicas, ...(balancer ? [balancer] : [])].map((t) =>
      waitUntilAnswering(t, options.readyTimeoutMs),
    ),
  );
  return { origin: `http://${TARGET_HOST}:${entry.port}`, replicas, balancer };
}
