/**
 * Entry point: launches haproxy in front of a topology's replicas, on a listening socket the
 * launcher opened (descriptor 3), with the configuration haproxyConfig() writes to a private
 * temporary file. Ready once a GET /health through haproxy is answered. It exits when haproxy
 * does; on stop it stops haproxy and removes the file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bindToParent, listenOrExit, tell } from '../lifecycle.js';
import { makeOwnedTempDir } from '../owned-temp-dir.js';
import { readConfig } from '../protocol.js';
import { failStart, type LaunchedChild, launch, stopChild } from './child.js';
import { fitMaxConnections, haproxyCommand, haproxyConfig } from './command.js';
import type { HaproxyConfig } from './protocol.js';

const config = readConfig<HaproxyConfig>(process.argv);
const READY_TIMEOUT_MS = 20_000;
// Named after this launcher's pid: one killed outright (the harness SIGKILLed, and this launcher
// with it by the parent-death signal) leaves its directory, which the next launcher removes.
const dir = makeOwnedTempDir('capacity-harness-haproxy');
const file = join(dir, 'haproxy.cfg');
const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);

let launched: LaunchedChild | undefined;
bindToParent(() => {
  if (launched === undefined) process.exit(0);
  stopChild(launched);
});

/** This process's soft limit of open files, which haproxy inherits; null where /proc says nothing. */
function openFileLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    if (line === null || line[1] === 'unlimited') return null;
    return Number(line[1]);
  } catch {
    return null;
  }
}

const maxConnections = fitMaxConnections(
  config.maxConnections,
  config.backends.length,
  openFileLimit(),
);
if (maxConnections < config.maxConnections)
  console.error(
    `haproxy maxconn ${maxConnections}, not ${config.maxConnections}: the open-file limit allows no more; connections beyond it wait in the listen backlog`,
  );
writeFileSync(file, haproxyConfig({ ...config, maxConnections }), { mode: 0o600 });
const listening = listenOrExit(config.host, config.port, config.backlog);
launched = launch(haproxyCommand(config, file), listening.fd, (line) => console.error(line));
const child = launched;
let ready = false;
void child.exited.then((how) => {
  if (!ready) failStart('haproxy', how, child.output);
  console.error(`haproxy ${how}`);
  process.exit(1);
});

function probe(): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: config.host,
        port: listening.port,
        path: config.healthPath ?? '/health',
        agent: false,
        timeout: 1_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

const deadline = Date.now() + READY_TIMEOUT_MS;
while (Date.now() < deadline) {
  const status = await probe();
  // A user's app may answer its probe path with any status: relayed at all is what counts.
  if (status === 200 || (config.healthPath !== undefined && status > 0 && status < 500)) {
    ready = true;
    tell({ type: 'ready', port: listening.port, pid: child.child.pid ?? -1, workerPids: [] });
    break;
  }
  await delay(20);
}
if (!ready)
  failStart('haproxy', `did not relay GET /health within ${READY_TIMEOUT_MS} ms`, child.output);
