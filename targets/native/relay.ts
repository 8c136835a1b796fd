import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { BalancerPolicy } from '../protocol.js';

/**
 * The balancer's relay in C on this process's event loop (relay.c): accepts from a listening
 * socket, opens one backend connection per client under `policy` and moves the bytes both ways
 * without JavaScript in the data path.
 */
interface Addon {
  startRelay(fd: number, hosts: string[], ports: number[], policy: number, backlog: number): void;
  relayStats(): { accepted: number; refused: number };
}

const POLICY: Record<BalancerPolicy, number> = {
  'round-robin': 0,
  random: 1,
  'least-connections': 2,
};

let addon: Addon | undefined;

function load(): Addon {
  if (addon === undefined) {
    const require = createRequire(import.meta.url);
    const path = join(packageRoot(), 'targets', 'native', 'build', 'Release', 'relay.node');
    try {
      addon = require(path) as Addon;
    } catch (error) {
      throw new Error(`the native relay is not built (${path}); run \`npm install\` to build it`, {
        cause: error,
      });
    }
  }
  return addon;
}

/** Relays every connection accepted on `listenFd` to one of `backends` (numeric addresses). */
export function startRelay(
  listenFd: number,
  backends: ReadonlyArray<{ host: string; port: number }>,
  policy: BalancerPolicy,
  backlog: number,
): void {
  load().startRelay(
    listenFd,
    backends.map((b) => b.host),
    backends.map((b) => b.port),
    POLICY[policy],
    backlog,
  );
}

/** Connections accepted and backend connections refused so far. */
export function relayStats(): { accepted: number; refused: number } {
  return load().relayStats();
}
