import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../../targets/app/protocol.js';
import type { ServiceDefaults } from '../../targets/protocol.js';
import { DEFAULT_REAL_LIFECYCLE } from '../../targets/real/command.js';
import type {
  HaproxyConfig,
  OwnApp,
  RealKind,
  RealLifecycle,
  RealServerConfig,
} from '../../targets/real/protocol.js';
import type { TopologySpec } from '../scenario/types.js';
import type { RealServerTools } from './real-servers.js';
import {
  compiledTarget,
  type HealthProbe,
  instanceConfig,
  type StartedTopology,
  TARGET_HOST,
  waitUntilAnswering,
} from './start-topology.js';
import type { RunningTarget, Supervisor } from './supervisor.js';

/** Starts haproxy in front of running replicas, through its launcher (targets/real/haproxy.ts). */
export function startHaproxy(
  topology: Pick<TopologySpec, 'name' | 'port' | 'balancer' | 'app'>,
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
    ...(topology.app === undefined ? {} : { healthPath: topology.app.health ?? '/' }),
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
  /** What each replica's app does beside serving: the ASGI kinds run its event streams. */
  app?: (replica: number) => AppConfig | undefined;
}

/** The event streams of a replica's app, for the bundled FastAPI app (harness_apps/sse.py). */
function sseOf(app: AppConfig | undefined): Pick<RealServerConfig, 'sse'> {
  return app?.sse === undefined ? {} : { sse: app.sse };
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
  const app = topology.app === undefined ? undefined : absoluteApp(topology.app);
  const logDir = supervisor.logDir;
  if (logDir !== undefined) mkdirSync(logDir, { recursive: true });
  const replicas = await Promise.all(
    Array.from({ length: topology.replicas }, (_, replica) => {
      const config: RealServerConfig = {
        ...instanceConfig(topology, replica, options, topology.kind === 'werkzeug'),
        kind: topology.kind,
        endpoint: topology.endpoint ?? 'def',
        ...(topology.asyncWorker === undefined ? {} : { handler: topology.asyncWorker.handler }),
        ...sseOf(options.app?.(replica)),
        python: app?.python ?? options.tools.python,
        lifecycle: realLifecycle(topology, options.timeScale),
        ...(app === undefined ? {} : { app }),
        ...(logDir === undefined
          ? {}
          : { logFile: join(logDir, serverLogName(topology.name, replica)) }),
      };
      return supervisor.start({
        // Ending in "replica N": the lifecycle watch reads the replica from it.
        label: `${topology.name} (${topology.kind}) replica ${replica}`,
        entry: compiledTarget('real/server'),
        config,
        readyTimeoutMs: options.readyTimeoutMs,
      });
    }),
  );
  const balancer = behindBalancer ? await startHaproxy(topology, replicas, options) : undefined;
  const entry = balancer ?? (replicas[0] as RunningTarget);
  const probe = app === undefined ? undefined : healthProbe(app);
  await Promise.all(
    [...replicas, ...(balancer ? [balancer] : [])].map((t) =>
      waitUntilAnswering(t, options.readyTimeoutMs, undefined, probe),
    ),
  );
  return { origin: `http://${TARGET_HOST}:${entry.port}`, replicas, balancer };
}

/**
 * The real server's own options for a worker's life, from the topology's fields (the same ones
 * the emulated kinds take) in real seconds: gunicorn takes --timeout and --graceful-timeout in
 * whole seconds, which validation has made sure they are.
 */
export function realLifecycle(topology: TopologySpec, timeScale: number): RealLifecycle {
  const l = topology.lifecycle;
  return {
    maxRequests: l?.maxRequests ?? 0,
    maxRequestsJitter: l?.maxRequestsJitter ?? 0,
    preload: l?.preload ?? false,
    timeoutS: Math.round((l?.timeout ?? 0) * timeScale),
    gracefulTimeoutS:
      topology.gracefulTimeout === undefined
        ? DEFAULT_REAL_LIFECYCLE.gracefulTimeoutS
        : Math.round(topology.gracefulTimeout * timeScale),
    limitConcurrency: topology.limitConcurrency ?? null,
  };
}

/** The app with every path absolute: the server runs in the app's directory. */
export function absoluteApp(app: OwnApp): OwnApp {
  const out: OwnApp = {
    ...app,
    dir: resolve(app.dir),
    pythonPath: app.pythonPath.map((p) => resolve(p)),
  };
  const python = app.python;
  if (python?.includes('/')) out.python = resolve(python);
  if (app.config !== undefined) out.config = resolve(app.config);
  return out;
}

/** What the readiness probe asks the user's app, and which answers say it serves. */
export function healthProbe(app: OwnApp): HealthProbe {
  return app.health === null
    ? { path: '/', answers: (status) => status < 500, field: '"app.health"' }
    : {
        path: app.health,
        answers: (status) => status >= 200 && status < 400,
        field: '"app.health"',
      };
}

/** The run directory's folder of real servers' logs. */
export const SERVER_LOG_DIR = 'server-logs';

/** The file a replica's server log is kept in: `<topology>-replica-<n>.log`. */
export function serverLogName(topology: string, replica: number): string {
  return `${topology.replace(/[^A-Za-z0-9._-]+/g, '_')}-replica-${replica}.log`;
}
