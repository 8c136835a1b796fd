import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../../targets/app/protocol.js';
import type { ServiceDefaults } from '../../targets/protocol.js';
import { DEFAULT_REAL_LIFECYCLE } from '../../targets/real/command.js';
import type {
  HaproxyConfig,
  OwnApp,
  RealAppStartup,
  RealKind,
  RealLifecycle,
  RealServerConfig,
} from '../../targets/real/protocol.js';
import type { TopologySpec } from '../scenario/types.js';
import { startInitResource } from './lifecycle-target.js';
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
  topology: Pick<TopologySpec, 'name' | 'port' | 'balancer' | 'balancerMode' | 'app'>,
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
    ...(topology.balancerMode === 'http' ? { mode: 'http' as const } : {}),
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
  /** What each replica's bundled app does beside serving (the scheduled job; the ASGI kinds' event streams). */
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
  // The shared resource of a cold start: the emulated workers' own (targets/init-resource.ts).
  // A user's own app is refused these fields by validation; only the bundled app takes them.
  const resource = await startInitResource(
    topology,
    supervisor,
    TARGET_HOST,
    options.readyTimeoutMs,
  );
  const listening = topology.lifecycle?.loadStarts === 'listening';
  const replicas = await Promise.all(
    Array.from({ length: topology.replicas }, (_, replica) => {
      const startup =
        app === undefined
          ? realStartup(topology, options.timeScale, resource?.port ?? null, options.app?.(replica))
          : undefined;
      const config: RealServerConfig = {
        ...instanceConfig(topology, replica, options, topology.kind === 'werkzeug'),
        kind: topology.kind,
        endpoint: topology.endpoint ?? 'def',
        ...(topology.asyncWorker === undefined ? {} : { handler: topology.asyncWorker.handler }),
        ...sseOf(options.app?.(replica)),
        python: app?.python ?? options.tools.python,
        lifecycle: realLifecycle(topology, options.timeScale),
        ...(app === undefined ? {} : { app }),
        ...(startup === undefined ? {} : { startup }),
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
  // A load that starts on listening must not wait for a worker to answer (a cold start whose
  // workers time out while booting may never answer).
  if (listening) return { origin: `http://${TARGET_HOST}:${entry.port}`, replicas, balancer };
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

/**
 * What the bundled app does while a worker starts and beside its requests (RealAppStartup), in
 * real time; undefined when the topology asks for none of it. `resourcePort`: the shared
 * resource started for `init`.
 */
export function realStartup(
  topology: TopologySpec,
  timeScale: number,
  resourcePort: number | null,
  app: AppConfig | undefined,
): RealAppStartup | undefined {
  const l = topology.lifecycle;
  const scheduler = app?.scheduler;
  if (l === undefined && scheduler === undefined) return undefined;
  const ms = (seconds: number): number => seconds * timeScale * 1000;
  const init = l?.init ?? null;
  return {
    appLoadMs: ms(l?.appLoadTime ?? 0),
    init:
      init === null || resourcePort === null
        ? null
        : { ms: ms(init.time), mode: init.mode, port: resourcePort },
    ...(scheduler === undefined ? {} : { scheduler }),
    loadStarts: l?.loadStarts ?? 'ready',
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
