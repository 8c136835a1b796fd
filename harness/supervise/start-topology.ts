import { getMaxListeners, setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import type { AppConfig } from '../../targets/app/protocol.js';
import { packageRoot } from '../../targets/package-root.js';
import type {
  BalancerConfig,
  InstanceConfig,
  ServerConfig,
  ServiceDefaults,
} from '../../targets/protocol.js';
import { RunAbortedError, TargetNotReadyError } from '../errors.js';
import type { EmulatedTopologySpec, TopologySpec } from '../scenario/types.js';
import { lifecycleConfig, startInitResource } from './lifecycle-target.js';
import type { RunningTarget, Supervisor } from './supervisor.js';

/** Targets bind here and nowhere else. */
export const TARGET_HOST = '127.0.0.1';

export interface StartedTopology {
  /** Where the load goes: the balancer, or the only replica. */
  origin: string;
  replicas: RunningTarget[];
  balancer: RunningTarget | undefined;
}

export interface StartOptions {
  supervisor: Supervisor;
  /** Real seconds per scenario second. */
  timeScale: number;
  /** What a request does when it does not say (real milliseconds). */
  service: ServiceDefaults;
  readyTimeoutMs: number;
  /** What each replica's app does beside serving requests (scheduled job, event streams). */
  app?: (replica: number) => AppConfig | undefined;
  /**
   * Start the replicas only, even when there are several: the caller puts another balancer in
   * front (haproxy, for an emulated topology compared with a real one). The origin is then the
   * first replica's.
   */
  noBalancer?: boolean;
  /** Aborts the wait for readiness (Ctrl-C during start-up). */
  signal?: AbortSignal;
}

export function compiledTarget(name: string): string {
  return join(packageRoot(), 'dist', 'targets', `${name}.js`);
}

/**
 * Starts a topology's replicas (in parallel), then the balancer in front of them when there are
 * several, and waits until each answers GET /health. On failure the caller stops the
 * supervisor, which takes down whatever did start.
 */
export async function startTopology(
  topology: EmulatedTopologySpec,
  options: StartOptions,
): Promise<StartedTopology> {
  const { supervisor } = options;
  // Every replica and the balancer wait on the signal at once (their start, then their first
  // answer): one abort listener each, more than Node's default warning threshold of 10.
  if (options.signal !== undefined)
    setMaxListeners(
      Math.max(getMaxListeners(options.signal), topology.replicas + 10),
      options.signal,
    );
  const behindBalancer = topology.replicas > 1;
  const resource = await startInitResource(
    topology,
    supervisor,
    TARGET_HOST,
    options.readyTimeoutMs,
  );
  const lifecycle = lifecycleConfig(topology, options.timeScale, resource);
  const replicas = await Promise.all(
    Array.from({ length: topology.replicas }, (_, replica) => {
      const config: ServerConfig = {
        ...instanceConfig(topology, replica, options, topology.kind === 'flask-dev'),
        kind: topology.kind,
        ...(lifecycle === undefined ? {} : { lifecycle }),
        ...(topology.asyncWorker === undefined ? {} : { asyncWorker: topology.asyncWorker }),
      };
      const app = options.app?.(replica);
      if (app !== undefined) config.app = app;
      return supervisor.start({
        label: `${topology.name} replica ${replica}`,
        entry: compiledTarget(topology.kind === 'flask-dev' ? 'flask-dev' : 'arbiter'),
        config,
        readyTimeoutMs: options.readyTimeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    }),
  );
  let balancer: RunningTarget | undefined;
  if (behindBalancer && options.noBalancer !== true) {
    const config: BalancerConfig = {
      host: TARGET_HOST,
      port: topology.port,
      backlog: 4096,
      policy: topology.balancer,
      backends: replicas.map((r) => ({ host: TARGET_HOST, port: r.port })),
      ...(topology.balancerMode === 'http' ? { mode: 'http' as const } : {}),
    };
    balancer = await supervisor.start({
      label: `${topology.name} balancer`,
      entry: compiledTarget('balancer'),
      config,
      readyTimeoutMs: options.readyTimeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }
  const entry = balancer ?? (replicas[0] as RunningTarget);
  const origin = `http://${TARGET_HOST}:${entry.port}`;
  // A load that starts on listening must not wait for a worker to answer.
  if (lifecycle?.announce === 'listening') return { origin, replicas, balancer };
  await Promise.all(
    [...replicas, ...(balancer ? [balancer] : [])].map((t) =>
      waitUntilAnswering(t, options.readyTimeoutMs, options.signal),
    ),
  );
  return { origin, replicas, balancer };
}

/**
 * What one replica of `topology` starts with, emulated or real: loopback, its own port (or any
 * free one behind a balancer), and the scenario's sizes in real time.
 */
export function instanceConfig(
  topology: TopologySpec,
  replica: number,
  options: { timeScale: number; service: ServiceDefaults },
  singleProcess: boolean,
): InstanceConfig {
  return {
    replica,
    host: TARGET_HOST,
    port: topology.replicas > 1 ? 0 : topology.port,
    backlog: topology.backlog,
    workers: singleProcess ? 1 : topology.workers,
    threads: topology.threads,
    workerConnections: topology.workerConnections,
    keepAliveMs: topology.keepAlive * options.timeScale * 1000,
    service: options.service,
  };
}

/** What a readiness probe asks for and which statuses say the target serves. */
export interface HealthProbe {
  path: string;
  answers: (status: number) => boolean;
  /** The scenario field that sets the path, named when the probe never succeeds. */
  field?: string;
}

/** The harness's own targets: GET /health, answered 200. */
const OWN_HEALTH: HealthProbe = { path: '/health', answers: (status) => status === 200 };

/** Polls the probe (GET /health) on a fresh connection each time until it answers. */
export async function waitUntilAnswering(
  target: RunningTarget,
  timeoutMs: number,
  signal?: AbortSignal,
  probe: HealthProbe = OWN_HEALTH,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new RunAbortedError(String(signal.reason ?? 'abort'));
    try {
      const response = await request(`http://${TARGET_HOST}:${target.port}${probe.path}`, {
        reset: true,
        headersTimeout: Math.max(100, deadline - Date.now()),
        ...(signal === undefined ? {} : { signal }),
      });
      await response.body.dump();
      if (probe.answers(response.statusCode)) return;
      last = `HTTP ${response.statusCode}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(20);
  }
  throw new TargetNotReadyError(
    `${target.label} (port ${target.port}) did not answer GET ${probe.path} within ${timeoutMs} ms: ${last}`,
    {
      fix:
        probe.field === undefined
          ? 'the machine may be overloaded: run fewer replicas or workers'
          : `set ${probe.field} to a path the app answers with 2xx (or raise limits.startTimeout if it starts slowly); its server log is in the run directory`,
    },
  );
}
