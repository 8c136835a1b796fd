/**
 * Entry point: launches one real server instance (a replica) for the harness. It opens the
 * listening socket (127.0.0.1, the topology's backlog), starts the server on it as descriptor
 * 3, waits until every worker has loaded the app (each prints `harness:worker-ready pid=N`),
 * then reports ready with the workers' pids. It exits when the server does, so that the
 * harness sees a crash; on stop it stops the server.
 */
import { join } from 'node:path';
import { bindToParent, listenOrExit, tell } from '../lifecycle.js';
import { packageRoot } from '../package-root.js';
import { readConfig } from '../protocol.js';
import { failStart, type LaunchedChild, launch, stopChild } from './child.js';
import { serverCommand } from './command.js';
import type { RealServerConfig } from './protocol.js';

const config = readConfig<RealServerConfig>(process.argv);
const READY_MARK = /^harness:worker-ready pid=(\d+)$/;
/** Processes that announce themselves: one per worker (Werkzeug's one process included). */
const expected = config.kind === 'werkzeug' ? 1 : config.workers;

let launched: LaunchedChild | undefined;
bindToParent(() => {
  if (launched === undefined) process.exit(0);
  stopChild(launched);
});

const listening = listenOrExit(config.host, config.port, config.backlog);
const workerPids: number[] = [];
let ready = false;
const command = serverCommand(config, join(packageRoot(), 'targets', 'python'));
launched = launch(command, listening.fd, (line) => {
  const mark = READY_MARK.exec(line.trim());
  if (mark === null) {
    console.error(line);
    return;
  }
  const pid = Number(mark[1]);
  if (!workerPids.includes(pid)) workerPids.push(pid);
  if (!ready && workerPids.length >= expected) {
    ready = true;
    tell({ type: 'ready', port: listening.port, pid: launched?.child.pid ?? -1, workerPids });
  } else if (ready) {
    // A replacement worker (gunicorn respawns one that died).
    tell({ type: 'worker-ready', worker: workerPids.length - 1, pid });
  }
});
const child = launched;
void child.exited.then((how) => {
  if (!ready) failStart(`${config.kind} replica ${config.replica}`, how, child.output);
  console.error(`${config.kind} replica ${config.replica} ${how}`);
  process.exit(1);
});
