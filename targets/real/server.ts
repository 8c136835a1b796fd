/**
 * Entry point: launches one real server instance (a replica) for the harness. It opens the
 * listening socket (127.0.0.1, the topology's backlog), starts the server on it as descriptor
 * 3, waits until every worker has loaded the app (each prints `harness:worker-ready pid=N`),
 * then reports ready with the workers' pids and the servers' versions. It exits when the server
 * does, so that the harness sees a crash; on stop it stops the server.
 *
 * Everything the server prints is its log: kept line by line in `logFile` (the run directory),
 * and read (server-log.ts) into the worker lifecycle messages the emulated arbiter sends
 * (worker-slots.ts), stamped when this launcher reads each line. A server that fails before it
 * is ready is reported with what failed (start-failure.ts) and its last lines.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { bindToParent, listenOrExit, tell } from '../lifecycle.js';
import { monotonicUs } from '../lifecycle-config.js';
import { packageRoot } from '../package-root.js';
import { readConfig, type ServerVersion } from '../protocol.js';
import { type LaunchedChild, launch, stopChild } from './child.js';
import { serverCommand } from './command.js';
import type { RealServerConfig } from './protocol.js';
import { type AppErrorKind, isMarker, parseServerLine } from './server-log.js';
import { startFailure } from './start-failure.js';
import { WorkerSlots } from './worker-slots.js';

const config = readConfig<RealServerConfig>(process.argv);
/** Processes that announce themselves: one per worker (Werkzeug's one process included). */
const expected = config.kind === 'werkzeug' ? 1 : config.workers;
/** After the app reported a load error, how long the server may take to log it and exit. */
const APP_ERROR_GRACE_MS = 1_500;

const log = config.logFile === undefined ? undefined : openSync(config.logFile, 'a');
const writeLog = (line: string): void => {
  if (log === undefined) return;
  try {
    writeSync(log, `${line}\n`);
  } catch {
    // A full disk loses log lines, not the run.
  }
};

let launched: LaunchedChild | undefined;
let stopping = false;
bindToParent(() => {
  stopping = true;
  if (launched === undefined) process.exit(0);
  stopChild(launched);
});
process.on('exit', () => {
  if (log !== undefined) closeSync(log);
});

const listening = listenOrExit(config.host, config.port, config.backlog);
const slots = new WorkerSlots(config.lifecycle.maxRequests > 0);
const servers: ServerVersion[] = [];
let ready = false;
let appError: { kind: AppErrorKind; message: string } | undefined;
let failed = false;

const command = serverCommand(config, join(packageRoot(), 'targets', 'python'));
launched = launch(command, listening.fd, (line) => {
  writeLog(line);
  const event = parseServerLine(line);
  if (!isMarker(line)) console.error(line);
  if (event === null) return;
  if (event.type === 'server') {
    if (!servers.some((s) => s.name === event.name))
      servers.push({ name: event.name, version: event.version });
    return;
  }
  if (event.type === 'app-error') {
    appError ??= { kind: event.kind, message: event.message };
    // uvicorn's supervisor outlives a worker that failed to load: do not wait for it.
    setTimeout(() => fail('the app failed to load'), APP_ERROR_GRACE_MS).unref();
    return;
  }
  // loadStarts "listening": the load starts once gunicorn's master has started and says it
  // listens (it has read its configuration and imported what that imports), while its
  // workers boot: a cold start.
  if (event.type === 'listening' && !ready && config.startup?.loadStarts === 'listening') {
    reportReady();
    return;
  }
  for (const message of slots.take(event, monotonicUs(), stopping)) {
    if (ready) tell(message);
  }
  if (!ready && slots.readyPids.length >= expected) reportReady();
});
const child = launched;

function reportReady(): void {
  ready = true;
  tell({
    type: 'ready',
    port: listening.port,
    pid: launched?.child.pid ?? -1,
    workerPids: slots.readyPids,
    servers,
  });
}

function fail(how: string): void {
  if (ready || failed) return;
  failed = true;
  tell(startFailure(config, how, appError, child.output));
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  process.exit(1);
}

void child.exited.then((how) => {
  if (!ready) fail(how);
  console.error(`${config.kind} replica ${config.replica} ${how}`);
  process.exit(1);
});
