/**
 * Entry point: an emulated Flask development server run with `threaded=False`
 * (`app.run(threaded=False)`; Werkzeug's run_simple). One process, one request at a time; while
 * it serves, it does not accept, so connections wait in the kernel's listen queue, whose backlog
 * Werkzeug sets to 128 (werkzeug/serving.py, BaseWSGIServer.request_queue_size).
 */
import { bindToParent, listenOrExit, tell } from './lifecycle.js';
import { readConfig, type ServerConfig } from './protocol.js';
import { runSyncLoop } from './sync-loop.js';
import { warmUpServing } from './warm-up.js';

const config = readConfig<ServerConfig>(process.argv);
bindToParent(() => process.exit(0));
// Node's first-use compilation of the serving code is paid before the server listens, not on
// its first requests (warm-up.ts).
await warmUpServing({ replica: config.replica, worker: 0 }, config.service);
const listening = listenOrExit(config.host, config.port, config.backlog);
runSyncLoop(listening.fd, { replica: config.replica, worker: 0 }, config.service);
tell({ type: 'ready', port: listening.port, pid: process.pid, workerPids: [process.pid] });
