import { delimiter, join } from 'node:path';
import type {
  HaproxyConfig,
  OwnApp,
  RealAppStartup,
  RealLifecycle,
  RealServerConfig,
} from './protocol.js';

/**
 * The command lines that start each real server and haproxy. Pure: paths in, argv out, so that
 * a test can read exactly what runs. Every server gets the listening socket the launcher opened
 * as descriptor 3 and never binds one itself, so ports are never raced for and the backlog is
 * the harness's.
 */

export interface Command {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** The working directory; absent: the launcher's. */
  cwd?: string;
}

/** Python modules, relative to targets/python (the PYTHONPATH every server runs with). */
const WSGI_APP = 'harness_apps.flask_app:app';
const ASGI_APP = 'harness_apps.fastapi_app:app';
/** The user's app, imported and wrapped by targets/python/harness_servers/own_app.py. */
const OWN_APP = 'harness_servers.own_app:app';

/** gunicorn takes --keep-alive in whole seconds; 0 would turn keep-alive off altogether. */
export function keepAliveSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** What the launcher passes when a topology sets none of the lifecycle fields. */
export const DEFAULT_REAL_LIFECYCLE: RealLifecycle = {
  maxRequests: 0,
  maxRequestsJitter: 0,
  preload: false,
  // No per-request kill: the emulation has none by default, and a long burst must not trip it.
  timeoutS: 0,
  // Stopping a server at the end of a run takes at most this long.
  gracefulTimeoutS: 1,
  limitConcurrency: null,
};

/** The environment that tells own_app.py which app to load and how. */
function ownAppEnv(app: OwnApp, pythonRoot: string): Record<string, string> {
  return {
    ...app.env,
    // The app's directory first, as `gunicorn --chdir` and `uvicorn --app-dir` put it; the
    // harness's modules last, so that none of them shadows one of the app's.
    PYTHONPATH: [app.dir, ...app.pythonPath, pythonRoot].join(delimiter),
    HARNESS_APP: app.module,
    HARNESS_APP_FACTORY: app.factory ? '1' : '0',
    HARNESS_APP_INTERFACE: app.interface,
    HARNESS_APP_TIMING: app.timing ? '1' : '0',
    ...(app.config === undefined ? {} : { HARNESS_USER_CONFIG: app.config }),
  };
}

/**
 * The environment that tells the bundled app its start-up and scheduled job
 * (targets/python/harness_apps/startup.py and jobs.py). Only the variables that do something.
 */
export function startupEnv(startup: RealAppStartup): Record<string, string> {
  return {
    ...(startup.appLoadMs > 0 ? { HARNESS_APP_LOAD_MS: String(startup.appLoadMs) } : {}),
    ...(startup.init === null ? {} : { HARNESS_INIT: JSON.stringify(startup.init) }),
    ...(startup.scheduler === undefined
      ? {}
      : { HARNESS_SCHEDULER: JSON.stringify(startup.scheduler) }),
  };
}

export function serverCommand(config: RealServerConfig, pythonRoot: string): Command {
  const { app } = config;
  const life = config.lifecycle;
  const base: Record<string, string> = {
    PYTHONPATH: pythonRoot,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    HARNESS_LIFECYCLE: '1',
    HARNESS_REPLICA: String(config.replica),
    HARNESS_DEFAULT_MS: String(config.service.ms),
    HARNESS_DEFAULT_WORK: config.service.work,
  };
  const env = app === undefined ? base : { ...base, ...ownAppEnv(app, pythonRoot) };
  if (config.startup !== undefined) Object.assign(env, startupEnv(config.startup));
  const where = app === undefined ? {} : { cwd: app.dir };
  const python = config.python;
  switch (config.kind) {
    case 'werkzeug':
      return {
        file: python,
        args: ['-m', 'harness_servers.werkzeug_main', '--fd', '3'],
        env,
        ...where,
      };
    case 'uvicorn': {
      const args = [
        '-m',
        'harness_servers.uvicorn_main',
        '--fd',
        '3',
        '--workers',
        String(config.workers),
        '--app',
        app === undefined ? ASGI_APP : OWN_APP,
        '--backlog',
        String(config.backlog),
        '--keep-alive',
        String(config.keepAliveMs / 1000),
      ];
      if (life.maxRequests > 0) args.push('--limit-max-requests', String(life.maxRequests));
      if (life.limitConcurrency !== null)
        args.push('--limit-concurrency', String(life.limitConcurrency));
      // uvicorn's own options, parsed by uvicorn's own command-line parser.
      if (app !== undefined && app.serverArgs.length > 0) args.push('--', ...app.serverArgs);
      return {
        file: python,
        args,
        env: {
          ...env,
          ...asgiEnv(config),
          HARNESS_ANNOUNCE: 'app',
        },
        ...where,
      };
    }
    case 'gunicorn-sync':
    case 'gunicorn-gthread':
    case 'gunicorn-uvicorn': {
      const workerClass = {
        'gunicorn-sync': 'sync',
        'gunicorn-gthread': 'gthread',
        'gunicorn-uvicorn': 'uvicorn.workers.UvicornWorker',
      }[config.kind];
      const args = [
        '-m',
        'gunicorn',
        '--config',
        join(pythonRoot, 'harness_servers', 'gunicorn_conf.py'),
        '--bind',
        'fd://3',
        '--workers',
        String(config.workers),
        '--worker-class',
        workerClass,
        '--backlog',
        String(config.backlog),
        '--keep-alive',
        String(keepAliveSeconds(config.keepAliveMs)),
        '--timeout',
        String(life.timeoutS),
        '--graceful-timeout',
        String(life.gracefulTimeoutS),
        // info: gunicorn logs each worker's boot and exit, which the launcher reads
        // (server-log.ts).
        '--log-level',
        'info',
      ];
      if (config.kind === 'gunicorn-gthread')
        args.push(
          '--threads',
          String(config.threads),
          '--worker-connections',
          String(config.workerConnections),
        );
      if (life.maxRequests > 0)
        args.push(
          '--max-requests',
          String(life.maxRequests),
          '--max-requests-jitter',
          String(life.maxRequestsJitter),
        );
      if (life.preload) args.push('--preload');
      if (app !== undefined) args.push(...app.serverArgs);
      args.push(
        app !== undefined ? OWN_APP : config.kind === 'gunicorn-uvicorn' ? ASGI_APP : WSGI_APP,
      );
      const extra: Record<string, string> =
        config.kind === 'gunicorn-uvicorn' ? asgiEnv(config) : {};
      return { file: python, args, env: { ...env, ...extra }, ...where };
    }
  }
}

/**
 * haproxy's configuration for a topology's replicas. `mode tcp` (the default): one server
 * connection per client connection, chosen when the client connects, as the emulated balancer's
 * native relay does. `mode http` (a topology's `balancerMode: "http"`): a replica is chosen per
 * request, and requests go over idle server connections kept alive from earlier ones, new ones
 * opened only when none is idle, as Envoy, nginx and ingresses do. `http-reuse always`:
 * haproxy's default `safe` sends the first request of every client connection over a new server
 * connection, and each of the harness's users sends one request on its own connection, so
 * nothing would be reused. Idle server connections live until the server closes them (its
 * keep-alive) or haproxy's `pool-purge-delay` (5 s) trims them. `balance random(1)`: one draw, a uniform pick (haproxy's plain
 * `random` draws two servers and takes the less loaded). One thread: the emulated balancer is
 * one event loop too, and on a 2-core machine a second thread would take a core from the
 * servers.
 */
export function haproxyConfig(config: HaproxyConfig): string {
  const balance = {
    'round-robin': 'roundrobin',
    random: 'random(1)',
    'least-connections': 'leastconn',
  }[config.policy];
  const idle = `${Math.max(1, Math.ceil(config.idleTimeoutMs))}ms`;
  return [
    'global',
    '  nbthread 1',
    `  maxconn ${config.maxConnections}`,
    'defaults',
    ...(config.mode === 'http'
      ? [
          '  mode http',
          '  option http-keep-alive',
          '  http-reuse always',
          `  timeout http-keep-alive ${idle}`,
        ]
      : ['  mode tcp']),
    '  timeout connect 10s',
    `  timeout client ${idle}`,
    `  timeout server ${idle}`,
    'frontend harness',
    `  bind fd@3 backlog ${config.backlog}`,
    `  maxconn ${config.maxConnections}`,
    '  default_backend replicas',
    'backend replicas',
    `  balance ${balance}`,
    ...config.backends.map((b, i) => `  server replica${i} ${b.host}:${b.port}`),
    '',
  ].join('\n');
}

/**
 * Descriptors haproxy keeps beside its two per connection: listeners, pollers, its log and one
 * per server for checks (haproxy 2.6 asked for 2 x maxconn + 14 with two servers and one listener).
 */
const HAPROXY_FD_RESERVE = 64;

/**
 * The `maxconn` haproxy can start with under a limit of `fdLimit` open files: at most what was
 * asked, and no more than the descriptors allow (two per connection, HAPROXY_FD_RESERVE and one
 * per server besides). Beyond it haproxy refuses to start ("Cannot raise FD limit"); capped, it
 * leaves the connections beyond maxconn waiting in its listen backlog, as a deployment's haproxy
 * under the same limit would. Pure; null `fdLimit` (unknown) leaves the figure as asked.
 */
export function fitMaxConnections(wanted: number, servers: number, fdLimit: number | null): number {
  if (fdLimit === null || !Number.isFinite(fdLimit)) return wanted;
  const room = Math.floor((fdLimit - HAPROXY_FD_RESERVE - servers) / 2);
  return Math.max(1, Math.min(wanted, room));
}

export function haproxyCommand(config: HaproxyConfig, configFile: string): Command {
  return { file: config.haproxy, args: ['-db', '-f', configFile], env: {} };
}

/** Runs `command` under setpriv so that the kernel kills it when its launcher dies. */
export function withParentDeathSignal(command: Command): Command {
  return {
    file: 'setpriv',
    args: ['--pdeathsig', 'SIGKILL', '--', command.file, ...command.args],
    env: command.env,
    ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
  };
}

/** How the bundled FastAPI app writes /work, and its def thread pool. */
function asgiEnv(config: RealServerConfig): Record<string, string> {
  return {
    HARNESS_ENDPOINT: config.endpoint,
    HARNESS_THREADS: String(config.threads),
    ...(config.handler === undefined ? {} : { HARNESS_HANDLER: config.handler }),
    ...(config.sse === undefined ? {} : { HARNESS_SSE_REGISTRY: config.sse.registry }),
    ...(config.sse?.redis === undefined
      ? {}
      : {
          HARNESS_REDIS: `${config.sse.redis.host}:${config.sse.redis.port}`,
          HARNESS_SSE_CHANNEL: config.sse.redis.channel,
        }),
  };
}
