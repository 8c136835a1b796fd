import { join } from 'node:path';
import type { HaproxyConfig, RealServerConfig } from './protocol.js';

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
}

/** Python modules, relative to targets/python (the PYTHONPATH every server runs with). */
const WSGI_APP = 'harness_apps.flask_app:app';
const ASGI_APP = 'harness_apps.fastapi_app:app';

/** gunicorn takes --keep-alive in whole seconds; 0 would turn keep-alive off altogether. */
export function keepAliveSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function serverCommand(config: RealServerConfig, pythonRoot: string): Command {
  const env: Record<string, string> = {
    PYTHONPATH: pythonRoot,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    HARNESS_LIFECYCLE: '1',
    HARNESS_REPLICA: String(config.replica),
    HARNESS_DEFAULT_MS: String(config.service.ms),
    HARNESS_DEFAULT_WORK: config.service.work,
  };
  const python = config.python;
  switch (config.kind) {
    case 'werkzeug':
      return {
        file: python,
        args: ['-m', 'harness_servers.werkzeug_main', '--fd', '3'],
        env,
      };
    case 'uvicorn':
      return {
        file: python,
        args: [
          '-m',
          'harness_servers.uvicorn_main',
          '--fd',
          '3',
          '--workers',
          String(config.workers),
          '--app',
          ASGI_APP,
          '--backlog',
          String(config.backlog),
          '--keep-alive',
          String(config.keepAliveMs / 1000),
        ],
        env: {
          ...env,
          HARNESS_ENDPOINT: config.endpoint,
          HARNESS_THREADS: String(config.threads),
          HARNESS_ANNOUNCE: 'app',
        },
      };
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
        // No per-request kill: the emulation has none, and a long burst must not trip it.
        '--timeout',
        '0',
        '--graceful-timeout',
        '1',
        '--log-level',
        'warning',
      ];
      if (config.kind === 'gunicorn-gthread')
        args.push(
          '--threads',
          String(config.threads),
          '--worker-connections',
          String(config.workerConnections),
        );
      args.push(config.kind === 'gunicorn-uvicorn' ? ASGI_APP : WSGI_APP);
      const extra: Record<string, string> =
        config.kind === 'gunicorn-uvicorn'
          ? { HARNESS_ENDPOINT: config.endpoint, HARNESS_THREADS: String(config.threads) }
          : {};
      return { file: python, args, env: { ...env, ...extra } };
    }
  }
}

/**
 * haproxy's configuration for a topology's replicas. `mode tcp`: one server connection per
 * client connection, chosen when the client connects, as the emulated balancer does; in `mode
 * http` haproxy would reuse idle server connections (`http-reuse safe`, its default), so the
 * servers would accept fewer connections than users and the accept race measured would not be
 * the one the model describes. `balance random(1)`: one draw, a uniform pick (haproxy's plain
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
    '  mode tcp',
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

export function haproxyCommand(config: HaproxyConfig, configFile: string): Command {
  return { file: config.haproxy, args: ['-db', '-f', configFile], env: {} };
}

/** Runs `command` under setpriv so that the kernel kills it when its launcher dies. */
export function withParentDeathSignal(command: Command): Command {
  return {
    file: 'setpriv',
    args: ['--pdeathsig', 'SIGKILL', '--', command.file, ...command.args],
    env: command.env,
  };
}
