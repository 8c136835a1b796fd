import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * Waits until `expected` connections subscribe to `channel` (PUBSUB NUMSUB), so that no event is
 * published before every worker listens. Resolves with the count seen last; it is below
 * `expected` when the time ran out.
 */
export async function waitForSubscribers(
  options: { host: string; port: number; channel: string },
  expected: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<number> {
  const client = new Redis({
    host: options.host,
    port: options.port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  client.on('error', () => {});
  let seen = 0;
  try {
    await client.connect();
    const deadline = Date.now() + timeoutMs;
    while (!signal.aborted) {
      const reply = (await client.call('PUBSUB', 'NUMSUB', options.channel)) as [string, number];
      seen = Number(reply[1]);
      if (seen >= expected || Date.now() > deadline) break;
      await sleep(20);
    }
    return seen;
  } finally {
    client.disconnect();
  }
}
