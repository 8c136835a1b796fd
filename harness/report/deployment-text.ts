import type { TopologySummary } from '../results/summary.js';
import { formatSeconds } from '../scenario/duration.js';

/**
 * What a topology adds to its shape, in words, for the terminal table and the report: an async
 * worker's handler style and the claim, a worker's recycling, app load, preload, timeout and
 * start-up work. Empty for a plain topology.
 */

const HANDLER_WORDS = {
  await: 'async def awaiting its I/O: no limit per worker',
  def: 'plain def in a thread pool',
  blocking: 'blocking call in async def: one at a time per worker',
  cpu: 'CPU-bound async def: one at a time per worker, needing a core',
} as const;

export function deploymentText(
  t: Pick<TopologySummary, 'kind' | 'asyncWorker' | 'lifecycle' | 'handlersAtOnce'>,
): string {
  const parts: string[] = [];
  // The real uvicorn kinds carry asyncWorker when the topology set `handler`.
  if (t.kind === 'async' || t.asyncWorker !== undefined) {
    const a = t.asyncWorker ?? { handler: 'await' as const, threadPool: 40 };
    parts.push(
      a.handler === 'def'
        ? `${HANDLER_WORDS.def} of ${a.threadPool} per worker`
        : HANDLER_WORDS[a.handler],
    );
  }
  const claimed = t.handlersAtOnce?.claimed ?? null;
  if (claimed !== null) parts.push(`claimed ${claimed} at once`);
  const l = t.lifecycle;
  if (l !== undefined) {
    if (l.maxRequests > 0)
      parts.push(
        `max-requests ${l.maxRequests}${l.maxRequestsJitter > 0 ? ` + up to ${l.maxRequestsJitter}` : ''}`,
      );
    if (l.appLoadTime > 0)
      parts.push(`app load ${formatSeconds(l.appLoadTime)}${l.preload ? ', preloaded' : ''}`);
    else if (l.preload) parts.push('preloaded');
    if (l.init !== null)
      parts.push(
        `start-up work ${formatSeconds(l.init.time)} (${l.init.mode}, resource of ${l.init.capacity})`,
      );
    if (l.timeout > 0) parts.push(`timeout ${formatSeconds(l.timeout)}`);
    if (l.loadStarts === 'listening') parts.push('load from listening');
  }
  return parts.length === 0 ? '' : `; ${parts.join(', ')}`;
}
