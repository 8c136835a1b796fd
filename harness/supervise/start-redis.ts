import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import type { RedisTargetConfig } from '../../targets/redis.js';
import { requirePrograms } from './programs.js';
import { TARGET_HOST } from './start-topology.js';
import type { RunningTarget, Supervisor } from './supervisor.js';

/**
 * Starts Debian's redis-server as a target of `supervisor` (targets/redis.ts): on a free loopback
 * port, with no persistence, stopped with every other target by supervisor.stopAll(). Resolves
 * once it answers PING; `port` is where it listens and `workerPids` holds the server's pid.
 */
export async function startRedis(
  supervisor: Supervisor,
  label: string,
  readyTimeoutMs: number,
): Promise<RunningTarget> {
  requirePrograms(['redis-server', 'setpriv']);
  const config: RedisTargetConfig = { host: TARGET_HOST, readyTimeoutMs };
  return supervisor.start({
    label,
    entry: join(packageRoot(), 'dist', 'targets', 'redis.js'),
    config,
    readyTimeoutMs: readyTimeoutMs + 5_000,
  });
}
