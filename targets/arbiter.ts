/**
 * Entry point: an emulated gunicorn master (the arbiter). It opens the listening socket, forks
 * `workers` worker processes that all accept from it (gunicorn/arbiter.py `spawn_worker`), and
 * forks a replacement whenever a worker exits while the server is meant to be running. It serves
 * nothing itself. gunicorn runs the sync worker class with threads > 1 as gthread; the harness
 * resolves that before it starts an arbiter.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bindToParent, listenOrExit, tell } from './lifecycle.js';
import { forkEnv } from './parent-pid.js';
import {
  INHERITED_LISTEN_FD,
  isTargetMessage,
  readConfig,
  type ServerConfig,
  type WorkerConfig,
} from './protocol.js';

const config = readConfig<ServerConfig>(process.argv);
const workerEntry = fileURLToPath(new URL('./worker.js', import.meta.url));
const workers = new Map<number, ChildProcess>();
let stopping = false;
let announced = false;

bindToParent(() => {
  stopping = true;
  for (const child of workers.values()) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of workers.values()) child.kill('SIGKILL');
    process.exit(0);
  }, 2_000);
  const check = setInterval(() => {
    if (
      [...workers.values()].every((child) => child.exitCode !== null || child.signalCode !== null)
    ) {
      clearTimeout(deadline);
      clearInterval(check);
      process.exit(0);
    }
  }, 10);
});

const listening = listenOrExit(config.host, config.port, config.backlog);

const ready = new Set<number>();

function spawnWorker(worker: number): void {
  const workerConfig: WorkerConfig = {
    kind: config.kind === 'sync' ? 'sync' : 'gthread',
    replica: config.replica,
    worker,
    threads: config.threads,
    workerConnections: config.workerConnections,
    keepAliveMs: config.keepAliveMs,
    service: config.service,
    fd: INHERITED_LISTEN_FD,
    ...(config.app === undefined ? {} : { app: config.app }),
  };
  // stdio[3] puts the listening socket at descriptor 3 in the worker.
  const child = fork(workerEntry, [JSON.stringify(workerConfig)], {
    stdio: ['ignore', 'inherit', 'inherit', listening.fd, 'ipc'],
    execArgv: process.execArgv,
    env: forkEnv(),
  });
  workers.set(worker, child);
  child.on('message', (message) => {
    if (!isTargetMessage(message) || message.type !== 'worker-ready') return;
    ready.add(worker);
    tell(message);
    if (!announced && ready.size === config.workers) {
      announced = true;
      const workerPids = [...workers.values()].map((c) => c.pid ?? -1);
      tell({ type: 'ready', port: listening.port, pid: process.pid, workerPids });
    }
  });
  child.on('exit', (code, signal) => {
    ready.delete(worker);
    tell({ type: 'worker-exit', worker, pid: child.pid ?? -1, code, signal });
    if (!stopping) spawnWorker(worker);
  });
}

for (let worker = 0; worker < config.workers; worker++) spawnWorker(worker);
