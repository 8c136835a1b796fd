/**
 * Entry point: one worker process under an arbiter, accepting for itself from the listening
 * socket it inherited at INHERITED_LISTEN_FD, as a gunicorn sync or gthread worker does.
 */
import { startApp } from './app/start-app.js';
import { bindToParent, tell } from './lifecycle.js';
import { readConfig, type WorkerConfig } from './protocol.js';
import { runSyncLoop } from './sync-loop.js';
import { runThreadedLoop } from './threaded-loop.js';

const config = readConfig<WorkerConfig>(process.argv);
bindToParent(() => process.exit(0));
const identity = { replica: config.replica, worker: config.worker };
startApp(config.app, identity);
if (config.kind === 'sync') {
  runSyncLoop(config.fd, identity, config.service);
} else {
  runThreadedLoop(config.fd, identity, config.service, {
    threads: config.threads,
    workerConnections: config.workerConnections,
    keepAliveMs: config.keepAliveMs,
  });
}
tell({ type: 'worker-ready', worker: config.worker, pid: process.pid });
