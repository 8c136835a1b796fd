import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Client } from 'undici';
import { type EventStreamClient, openEventStream } from '../../harness/observe/sse-client.js';
import { waitForSubscribers } from '../../harness/observe/subscribers.js';
import { descendants, isAlive } from '../../harness/supervise/process-tree.js';
import { findProgram } from '../../harness/supervise/programs.js';
import { startRedis } from '../../harness/supervise/start-redis.js';
import { startTopology, TARGET_HOST } from '../../harness/supervise/start-topology.js';
import { type RunningTarget, Supervisor } from '../../harness/supervise/supervisor.js';
import { testTopologySpec } from '../test-support/fixtures.js';
import type { EventPayload, SseConfig } from './protocol.js';

/**
 * Server-sent events in real gthread workers: what an in-memory client registry reaches, what a
 * Redis bus reaches, and the Redis server the harness runs for it. Checks are on who received
 * which event, which does not depend on the machine's speed.
 *
 * The Redis tests need Debian's redis-server: without it they are skipped loudly on a
 * developer's machine and fail under CI (.ci/run installs it).
 */

const skipRedis =
  findProgram('redis-server') === undefined && process.env.CI === undefined
    ? 'redis-server is not installed (apt-get install -y redis-server): the Redis tests are skipped'
    : false;
if (skipRedis) console.warn(`\n*** ${skipRedis} ***\n`);

const CHANNEL = 'test:events';

async function startSse(
  t: { after(fn: () => Promise<void>): void },
  shape: { workers: number; replicas: number },
  sse: (redis: RunningTarget | undefined) => SseConfig,
  withRedis = false,
) {
  const supervisor = new Supervisor();
  t.after(() => supervisor.stopAll());
  const redis = withRedis ? await startRedis(supervisor, 'test redis', 20_000) : undefined;
  const started = await startTopology(
    testTopologySpec({ name: 'sse', kind: 'gthread', threads: 16, backlog: 128, ...shape }),
    {
      supervisor,
      timeScale: 1,
      service: { work: 'sleep', ms: 1 },
      readyTimeoutMs: 30_000,
      app: () => ({ sse: sse(redis) }),
    },
  );
  const streams: EventStreamClient[] = [];
  t.after(async () => {
    await Promise.all(streams.map((s) => s.close()));
  });
  const signal = new AbortController().signal;
  for (let i = 0; i < 12; i++)
    streams.push(await openEventStream({ origin: started.origin, timeoutMs: 10_000, signal }));
  return { started, streams, redis, signal };
}

async function publish(
  origin: string,
  id: number,
): Promise<{ replica: number; worker: number; body: Record<string, unknown> }> {
  const client = new Client(origin, { pipelining: 0 });
  try {
    const response = await client.request({ path: `/publish?id=${id}`, method: 'POST' });
    const body = (await response.body.json()) as Record<string, unknown> & {
      publisher: { replica: number; worker: number };
    };
    assert.equal(response.statusCode, 200);
    return { ...body.publisher, body };
  } finally {
    await client.close();
  }
}

/** The clients that received event `id` (by index), waiting until `expected` did or 2 s passed. */
async function receivers(
  streams: readonly EventStreamClient[],
  id: number,
  expected: number,
): Promise<number[]> {
  const got = () =>
    streams.flatMap((s, i) =>
      s.receipts.some((r) => r.event.lastEventId === String(id)) ? [i] : [],
    );
  const deadline = Date.now() + 2_000;
  while (got().length < expected && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  // A little longer, so that a delivery that should not happen has had its chance to.
  await new Promise((r) => setTimeout(r, 100));
  return got();
}

test('an in-memory registry reaches only the clients of the worker that took the publish', async (t) => {
  const { started, streams } = await startSse(t, { workers: 2, replicas: 2 }, () => ({
    registry: 'memory',
  }));
  const workerOf = streams.map((s) => `${s.servedBy.replica}/${s.servedBy.worker}`);
  const reachedWorkers = new Set<string>();
  for (let id = 1; id <= 8; id++) {
    const publisher = await publish(started.origin, id);
    const own = workerOf.flatMap((w, i) =>
      w === `${publisher.replica}/${publisher.worker}` ? [i] : [],
    );
    assert.equal(publisher.body.delivered, own.length);
    assert.deepEqual(await receivers(streams, id, own.length), own, `event ${id}`);
    reachedWorkers.add(`${publisher.replica}/${publisher.worker}`);
    // What a client received names the worker that wrote it: always the publisher.
    for (const i of own) {
      const receipt = streams[i]?.receipts.find((r) => r.event.lastEventId === String(id));
      const payload = JSON.parse(receipt?.event.data ?? '{}') as EventPayload;
      assert.deepEqual(
        [payload.via.replica, payload.via.worker],
        [publisher.replica, publisher.worker],
      );
    }
  }
  // The balancer alternates replicas, so publishes came through at least two workers.
  assert.ok(reachedWorkers.size >= 2, `publishes all went through ${[...reachedWorkers]}`);
});

test('a Redis bus reaches every client of every worker and replica', {
  skip: skipRedis,
}, async (t) => {
  const { started, streams, redis, signal } = await startSse(
    t,
    { workers: 2, replicas: 2 },
    (r) => ({
      registry: 'redis',
      redis: { host: TARGET_HOST, port: r?.port ?? 0, channel: CHANNEL },
    }),
    true,
  );
  const port = redis?.port ?? 0;
  assert.equal(
    await waitForSubscribers({ host: TARGET_HOST, port, channel: CHANNEL }, 4, 10_000, signal),
    4,
  );
  const everyone = streams.map((_, i) => i);
  for (let id = 1; id <= 4; id++) {
    const publisher = await publish(started.origin, id);
    assert.equal(publisher.body.subscribers, 4, 'every worker subscribes to the channel');
    assert.deepEqual(await receivers(streams, id, streams.length), everyone, `event ${id}`);
    for (const s of streams) {
      const payload = JSON.parse(
        s.receipts.find((r) => r.event.lastEventId === String(id))?.event.data ?? '{}',
      ) as EventPayload;
      // Each client got it from its own worker, which heard it on the bus.
      assert.deepEqual(
        [payload.via.replica, payload.via.worker],
        [s.servedBy.replica, s.servedBy.worker],
      );
      assert.deepEqual(
        [payload.publisher.replica, payload.publisher.worker],
        [publisher.replica, publisher.worker],
      );
    }
  }
});

test("the harness's redis-server keeps nothing on disk and is gone after stopAll", {
  skip: skipRedis,
}, async () => {
  const supervisor = new Supervisor();
  let server: number | undefined;
  let wrapper: number | undefined;
  let dir: string | undefined;
  try {
    const redis = await startRedis(supervisor, 'test redis', 20_000);
    wrapper = redis.pid;
    server = redis.workerPids[0];
    assert.ok(server !== undefined && descendants(wrapper).includes(server));
    // Its configuration as the server reports it: no snapshots, no append-only file.
    const { Redis } = await import('ioredis');
    const r = new Redis({ host: TARGET_HOST, port: redis.port, lazyConnect: true });
    await r.connect();
    const save = (await r.config('GET', 'save')) as string[];
    const aof = (await r.config('GET', 'appendonly')) as string[];
    const dirReply = (await r.config('GET', 'dir')) as string[];
    dir = dirReply[1];
    r.disconnect();
    assert.equal(save[1], '');
    assert.equal(aof[1], 'no');
    assert.ok(dir !== undefined && existsSync(dir));
    assert.match(await readFile(`/proc/${server}/cmdline`, 'utf8'), /redis-server/);
  } finally {
    await supervisor.stopAll();
  }
  assert.ok(!isAlive(server as number), 'redis-server outlived stopAll');
  assert.ok(!isAlive(wrapper as number));
  assert.ok(!existsSync(dir as string), 'its working directory was left behind');
});
