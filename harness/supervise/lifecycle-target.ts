import { join } from 'node:path';
import type { LifecycleConfig } from '../../targets/lifecycle-config.js';
import { packageRoot } from '../../targets/package-root.js';
import type { TopologySpec } from '../scenario/types.js';
import type { RunningTarget, Supervisor } from './supervisor.js';

/**
 * From a topology's lifecycle (scenario seconds) to what its arbiter is started with (real
 * milliseconds), and the shared resource a cold start's workers initialise from.
 */

/**
 * How often gunicorn's master checks its workers: its loop sleeps up to 1 s between rounds
 * (arbiter.py sleep()), here 1 scenario second.
 */
export const MASTER_CHECK_INTERVAL = 1;

export function lifecycleConfig(
  topology: TopologySpec,
  timeScale: number,
  resource: RunningTarget | undefined,
): LifecycleConfig | undefined {
  const l = topology.lifecycle;
  if (l === undefined) return undefined;
  const ms = (seconds: number): number => seconds * timeScale * 1000;
  return {
    maxRequests: l.maxRequests,
    maxRequestsJitter: l.maxRequestsJitter,
    appLoadMs: ms(l.appLoadTime),
    preload: l.preload,
    timeoutMs: ms(l.timeout),
    checkMs: ms(MASTER_CHECK_INTERVAL),
    announce: l.loadStarts,
    init:
      l.init === null || resource === undefined
        ? null
        : { ms: ms(l.init.time), mode: l.init.mode, resourcePort: resource.port },
  };
}

/** Starts the shared resource of a topology whose workers do start-up work; none otherwise. */
export async function startInitResource(
  topology: TopologySpec,
  supervisor: Supervisor,
  host: string,
  readyTimeoutMs: number,
): Promise<RunningTarget | undefined> {
  const init = topology.lifecycle?.init;
  if (init === undefined || init === null) return undefined;
  return supervisor.start({
    label: `${topology.name} init resource`,
    entry: join(packageRoot(), 'dist', 'targets', 'init-resource.js'),
    config: { host, port: 0, capacity: init.capacity },
    readyTimeoutMs,
  });
}
