/**
 * Entry point: one worker process under an arbiter, accepting for itself from the listening
 * socket it inherited at INHERITED_LISTEN_FD, as a gunicorn sync or gthread worker, or a uvicorn
 * worker, does. It starts, says "forked", and waits for the arbiter to activate it (the
 * emulation's fork); then it boots (worker-boot.ts), accepts, and reports itself ready.
 */
import { startApp } from './app/start-app.js';
import { runAsyncLoop } from './async-loop.js';
import { bindToParent, tell } from './lifecycle.js';
import { monotonicUs, NO_LIFECYCLE, type WorkerControlMessage } from './lifecycle-config.js';
import { readConfig, type WorkerConfig } from './protocol.js';
import { runSyncLoop } from './sync-loop.js';
import { runThreadedLoop } from './threaded-loop.js';
import { warmUpServing } from './warm-up.js';
import { Heartbeat, initialise, loadApp, reportInitialised } from './worker-boot.js';
import type { WorkerHooks } from './worker-hooks.js';

const config = readConfig<WorkerConfig>(process.argv);
const lifecycle = config.lifecycle ?? NO_LIFECYCLE;
bindToParent(() => process.exit(0));

let activated = false;
process.on('message', (message: WorkerControlMessage) => {
  if (message?.type !== 'activate' || activated) return;
  activated = true;
  void run(message.worker, message.maxRequests).catch((error: unknown) => {
    console.error(`worker ${config.replica}/${message.worker}: ${(error as Error).message}`);
    process.exit(1);
  });
});
// Node's first-use compilation of the serving code, which a Python worker does not have, is paid
// before the process says it is forked (warm-up.ts), outside the timeline of the worker it
// becomes: not in its boot, nor on its first requests.
if (config.kind !== 'async') {
  await warmUpServing({ replica: config.replica, worker: -1 }, config.service);
}
tell({ type: 'forked', pid: process.pid });

async function run(worker: number, maxRequests: number): Promise<void> {
  await loadApp(lifecycle);
  const init = lifecycle.init;
  if (init !== null && init.mode !== 'background') {
    const { skipped } = await initialise(init);
    reportInitialised(worker, skipped, monotonicUs());
  }
  const identity = { replica: config.replica, worker };
  // The app's own work beside serving (a scheduled job, event streams), as a worker's import does.
  startApp(config.app, identity);
  const heartbeat = new Heartbeat(lifecycle.timeoutMs);
  let served = 0;
  const hooks: WorkerHooks = {
    requestStarted: () => {
      served += 1;
      return maxRequests > 0 && served >= maxRequests;
    },
    drained: () => process.exit(0),
    // Only a sync worker's notify waits for idleness; the others notify whenever their loop runs.
    idle: (idle) => heartbeat.set(idle || config.kind !== 'sync'),
  };
  if (config.kind === 'sync') {
    runSyncLoop(config.fd, identity, config.service, hooks);
  } else if (config.kind === 'async') {
    heartbeat.set(true);
    runAsyncLoop(
      config.fd,
      identity,
      config.service,
      {
        handler: config.asyncWorker?.handler ?? 'await',
        threadPool: config.asyncWorker?.threadPool ?? 40,
        keepAliveMs: config.keepAliveMs,
        backlog: config.backlog ?? 2048,
      },
      hooks,
    );
  } else {
    heartbeat.set(true);
    runThreadedLoop(
      config.fd,
      identity,
      config.service,
      {
        threads: config.threads,
        workerConnections: config.workerConnections,
        keepAliveMs: config.keepAliveMs,
      },
      hooks,
    );
  }
  tell({ type: 'worker-ready', worker, pid: process.pid, atUs: monotonicUs() });
  if (init !== null && init.mode === 'background') {
    const { skipped } = await initialise(init);
    reportInitialised(worker, skipped, monotonicUs());
  }
}
