import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { packageRoot } from '../../targets/package-root.js';
import { type ChildOutput, childOutput } from '../supervise/child-output.js';
import { DEFAULT_PYTHON } from '../supervise/real-servers.js';
import type { LabHost, NetnsLab } from './lab.js';

/**
 * Processes inside a network-namespace lab (lab.ts): the harness's CLI as a shard host runs it,
 * and a real gunicorn as the target host serves it. `ip netns exec` execs the command, so each
 * child's pid is the program's own, and stopping it by pid stops the program.
 */

/** How a harness process in a lab ended, with what it printed. */
export type LabFinished = ChildOutput;

/** A harness process running in a lab, and the promise of how it ends. */
export interface LabProcess {
  child: ChildProcess;
  pid: number;
  done: Promise<LabFinished>;
}

/** The built CLI, as the npm scripts run it (after launch.mjs's build check). */
const mainScript = (): string => join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');

/**
 * Starts `main.js args` inside `host`'s namespace, as a user runs the CLI, with
 * `env` added and `preload` modules loaded first (node --import: the fault fixture).
 */
export function startCliIn(
  lab: NetnsLab,
  host: LabHost,
  args: readonly string[],
  options: { env?: Record<string, string>; preload?: readonly string[] } = {},
): LabProcess {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', module]);
  const command = lab.exec(host, process.execPath, [
    '--enable-source-maps',
    ...preload,
    mainScript(),
    ...args,
  ]);
  const child = spawn(command.file, command.args, {
    cwd: packageRoot(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, pid: child.pid as number, done: childOutput(child) };
}

/** An HTTP GET from inside `host`'s namespace: the status, or the error's code. */
export function fetchFrom(lab: NetnsLab, host: LabHost, url: string): string {
  const command = lab.exec(host, process.execPath, [
    '-e',
    `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(2000) }).then(r => console.log(r.status), e => console.log(e.cause?.code ?? e.name))`,
  ]);
  const run = spawnSync(command.file, command.args, { encoding: 'utf8', timeout: 10_000 });
  return (run.stdout ?? '').trim();
}

export interface LabGunicorn {
  /** http://<target address>:<port> */
  origin: string;
  /** gunicorn's version, as `gunicorn --version` prints it. */
  version: string;
  /** Stops gunicorn (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Real gunicorn (Debian's, as `npm run setup` installs it) serving the harness's instrumented
 * Flask app (targets/python/harness_apps/flask_app.py: GET /work?ms=N sleeps N ms) with `workers`
 * sync workers on the target's address; resolves once a shard host gets 200 from /health.
 */
export async function startGunicornIn(
  lab: NetnsLab,
  options: {
    workers: number;
    port?: number;
    /** A file gunicorn appends `<client address> <path>` to for every request it serves. */
    accessLog?: string;
  },
): Promise<LabGunicorn> {
  const python = process.env.HARNESS_PYTHON || DEFAULT_PYTHON;
  const pythonRoot = join(packageRoot(), 'targets', 'python');
  const port = options.port ?? 8000;
  const version = spawnSync(python, ['-m', 'gunicorn', '--version'], { encoding: 'utf8' });
  const command = lab.exec(lab.target, python, [
    '-m',
    'gunicorn',
    '--bind',
    `${lab.target.address}:${port}`,
    '--workers',
    String(options.workers),
    '--worker-class',
    'sync',
    '--backlog',
    '2048',
    '--timeout',
    '0',
    '--graceful-timeout',
    '1',
    ...(options.accessLog === undefined
      ? []
      : ['--access-logfile', options.accessLog, '--access-logformat', '%(h)s %(U)s']),
    'harness_apps.flask_app:app',
  ]);
  const child = spawn(command.file, command.args, {
    cwd: pythonRoot,
    env: { ...process.env, PYTHONPATH: pythonRoot },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d) => {
    log = `${log}${d}`.slice(-4000);
  });
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const origin = `http://${lab.target.address}:${port}`;
  const probe = lab.shards[0];
  if (probe === undefined) throw new Error('the lab has no shard host to probe the target from');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gunicorn exited (${child.exitCode}):\n${log}`);
    if (fetchFrom(lab, probe, `${origin}/health`) === '200') break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gunicorn did not answer ${origin}/health within 30 s:\n${log}`);
    }
    await delay(200);
  }
  return { origin, version: `${version.stdout}${version.stderr}`.trim(), stop };
}
