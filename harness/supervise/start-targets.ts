import type { ServiceDefaults } from '../../targets/protocol.js';
import { isRealKind } from '../../targets/real/protocol.js';
import type { EmulatedTopologySpec, TopologySpec } from '../scenario/types.js';
import { realServerTools } from './real-servers.js';
import { startHaproxy, startRealTopology } from './start-real-topology.js';
import {
  type StartedTopology,
  type StartOptions,
  startTopology,
  TARGET_HOST,
  waitUntilAnswering,
} from './start-topology.js';
import type { Supervisor } from './supervisor.js';

export interface TargetsOptions {
  supervisor: Supervisor;
  timeScale: number;
  service: ServiceDefaults;
  readyTimeoutMs: number;
  /** Real milliseconds a request may take (haproxy's idle timeouts follow it). */
  requestTimeoutMs: number;
  /** Most connections the load opens at once. */
  connections: number;
  /** What each replica's app does beside serving (scheduled job, event streams; on the real kinds the bundled app's job and, for the ASGI kinds, its event streams). */
  app?: StartOptions['app'];
  /** Aborts the wait for emulated targets to be ready (Ctrl-C during start-up). */
  signal?: AbortSignal;
}

/** A topology the harness reaches: the servers it started, or a URL someone else runs. */
export type Targets =
  | (StartedTopology & { external: false })
  | { external: true; origin: string; path: string };

/**
 * Starts what a topology needs: nothing for a topology given by `url`, launchers for real
 * servers (and haproxy), the emulated targets otherwise.
 */
export async function startTargets(
  topology: TopologySpec,
  options: TargetsOptions,
): Promise<Targets> {
  if (topology.url !== undefined) {
    const url = new URL(topology.url);
    return { external: true, origin: url.origin, path: `${url.pathname}${url.search}` };
  }
  const { kind } = topology;
  if (isRealKind(kind)) {
    const started = await startRealTopology(
      { ...topology, kind },
      {
        supervisor: options.supervisor,
        timeScale: options.timeScale,
        service: options.service,
        readyTimeoutMs: options.readyTimeoutMs,
        tools: realServerTools(),
        // Idle connections wait in haproxy as long as a request may: a burst's last requests
        // sit quietly in a server's queue until their turn.
        idleTimeoutMs: options.requestTimeoutMs + 10_000,
        connections: options.connections,
        ...(options.app === undefined ? {} : { app: options.app }),
      },
    );
    return { ...started, external: false };
  }
  const viaHaproxy = topology.balancerServer === 'haproxy' && topology.replicas > 1;
  const started = await startTopology({ ...topology, kind } as EmulatedTopologySpec, {
    supervisor: options.supervisor,
    timeScale: options.timeScale,
    service: options.service,
    readyTimeoutMs: options.readyTimeoutMs,
    noBalancer: viaHaproxy,
    ...(options.app === undefined ? {} : { app: options.app }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!viaHaproxy) return { ...started, external: false };
  const balancer = await startHaproxy(topology, started.replicas, {
    supervisor: options.supervisor,
    readyTimeoutMs: options.readyTimeoutMs,
    tools: realServerTools(),
    idleTimeoutMs: options.requestTimeoutMs + 10_000,
    connections: options.connections,
  });
  await waitUntilAnswering(balancer, options.readyTimeoutMs);
  return {
    origin: `http://${TARGET_HOST}:${balancer.port}`,
    replicas: started.replicas,
    balancer,
    external: false,
  };
}
