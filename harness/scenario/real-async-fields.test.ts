import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_REAL_LIFECYCLE, serverCommand } from '../../targets/real/command.js';
import type { RealServerConfig } from '../../targets/real/protocol.js';
import { modelTopologyOf } from '../model/server-kinds.js';
import { withEmulatedTwins } from '../run/twins.js';
import { validateScenario } from './validate.js';

/**
 * The async-capacity and sse-fanout fields on the real ASGI kinds (uvicorn, gunicorn-uvicorn):
 * `handler` and `threadPool` as the emulated async worker takes them, `registry` for the bundled
 * FastAPI app's event streams; through validation, the model's mapping, the emulated twin and
 * the server's command line.
 */

const burst = {
  load: { executor: 'burst', users: 200 },
  service: { time: '1s' },
};

function topologiesOf(topologies: object[], extra: object = {}) {
  const result = validateScenario({ ...burst, ...extra, topologies }, 'x.json', 'x');
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.scenario.topologies;
}

function problemsOf(topologies: object[], extra: object = {}): string[] {
  const result = validateScenario({ ...burst, ...extra, topologies }, 'x.json', 'x');
  assert.ok(!result.ok, 'expected the file to be refused');
  return result.issues.map((i) => `${i.path}: ${i.message}`);
}

test('handler on the uvicorn kinds decides endpoint and asyncWorker; threadPool is threads', () => {
  const [await_, def, blocking, cpu, plain] = topologiesOf([
    { name: 'a', kind: 'uvicorn', workers: 2, handler: 'await', claimedConcurrency: 200 },
    { name: 'd', kind: 'gunicorn-uvicorn', workers: 2, handler: 'def', threadPool: 40 },
    { name: 'b', kind: 'uvicorn', workers: 2, handler: 'blocking' },
    { name: 'c', kind: 'gunicorn-uvicorn', workers: 2, handler: 'cpu', endpoint: 'async' },
    { name: 'p', kind: 'uvicorn', workers: 2, threads: 8 },
  ]);
  assert.equal(await_?.endpoint, 'async');
  assert.deepEqual(await_?.asyncWorker, { handler: 'await', threadPool: 40 });
  assert.equal(await_?.claimedConcurrency, 200);
  assert.equal(def?.endpoint, 'def');
  assert.equal(def?.threads, 40);
  assert.deepEqual(def?.asyncWorker, { handler: 'def', threadPool: 40 });
  assert.equal(blocking?.endpoint, 'async');
  assert.equal(cpu?.asyncWorker?.handler, 'cpu');
  // Without `handler` a file means what it meant before: no asyncWorker, endpoint def.
  assert.equal(plain?.asyncWorker, undefined);
  assert.equal(plain?.endpoint, 'def');
  assert.equal(plain?.threads, 8);
});

test('handler and threadPool are refused where they mean nothing, or say two things', () => {
  const problems = problemsOf([
    { name: 's', kind: 'gunicorn-sync', workers: 2, handler: 'await' },
    { name: 'm', kind: 'uvicorn', handler: 'blocking', endpoint: 'def' },
    { name: 't', kind: 'uvicorn', handler: 'def', threadPool: 8, threads: 8 },
    { name: 'p', kind: 'gunicorn-uvicorn', handler: 'await', threadPool: 8 },
  ]);
  const at = (path: string) => problems.filter((p) => p.startsWith(`${path}:`));
  assert.equal(at('topologies[0].handler').length, 1, problems.join('\n'));
  assert.match(
    at('topologies[1].endpoint')[0] ?? '',
    /handler "blocking" is written as an async def/,
  );
  assert.match(at('topologies[2].threadPool')[0] ?? '', /"threads" is already the thread pool/);
  assert.equal(at('topologies[3].threadPool').length, 1, problems.join('\n'));
});

test('the model gives a real handler the slots the emulated async worker has', () => {
  const [await_, def, blocking, cpu] = topologiesOf([
    { name: 'a', kind: 'uvicorn', workers: 2, handler: 'await' },
    { name: 'd', kind: 'uvicorn', workers: 2, handler: 'def', threadPool: 40 },
    { name: 'b', kind: 'uvicorn', workers: 2, handler: 'blocking' },
    { name: 'c', kind: 'gunicorn-uvicorn', workers: 2, handler: 'cpu' },
  ]);
  const threads = (t: typeof await_) =>
    modelTopologyOf(t as NonNullable<typeof t>, { users: 200, work: 'sleep' }).threads;
  assert.equal(threads(await_), 200);
  assert.equal(threads(def), 40);
  // Whatever the load's work: the handler blocks the event loop.
  assert.equal(threads(blocking), 1);
  assert.equal(threads(cpu), 1);
});

test('a real ASGI topology with a handler or a registry gets an emulated async twin', () => {
  const withHandler = topologiesOf([
    { name: 'b', kind: 'uvicorn', workers: 2, handler: 'blocking', claimedConcurrency: 200 },
    { name: 'plain', kind: 'uvicorn', workers: 2 },
  ]);
  const withRegistry = topologiesOf(
    [{ name: 'r', kind: 'gunicorn-uvicorn', workers: 4, replicas: 2, registry: 'redis' }],
    {
      load: { executor: 'constant-arrival-rate', rate: 1, duration: '10s' },
      fanout: { clients: 8, events: 2 },
    },
  );
  const out = withEmulatedTwins([...withHandler, ...withRegistry], true);
  assert.deepEqual(
    out.map((t) => [t.name, t.kind, t.twinOf ?? null]),
    [
      ['b', 'uvicorn', null],
      ['b (emulated)', 'async', 'b'],
      // As before: a uvicorn topology that sets neither has no emulated counterpart.
      ['plain', 'uvicorn', null],
      ['r', 'gunicorn-uvicorn', null],
      ['r (emulated)', 'async', 'r'],
    ],
  );
  const [, b, , , r] = out;
  assert.deepEqual(b?.asyncWorker, { handler: 'blocking', threadPool: 40 });
  assert.equal(b?.threads, 1);
  assert.equal(b?.claimedConcurrency, 200);
  assert.equal(r?.registry, 'redis');
  assert.equal(r?.balancerServer, 'haproxy');
});

test('registry on the real uvicorn kinds is accepted; with your own app it is refused', () => {
  const fanout = {
    load: { executor: 'constant-arrival-rate', rate: 1, duration: '10s' },
    fanout: { clients: 8, events: 2 },
  };
  const [u] = topologiesOf(
    [{ name: 'u', kind: 'uvicorn', workers: 2, registry: 'memory' }],
    fanout,
  );
  assert.equal(u?.registry, 'memory');
  const problems = problemsOf(
    [
      { name: 's', kind: 'gunicorn-sync', workers: 2, registry: 'memory' },
      { name: 'a', kind: 'async', workers: 2, handler: 'blocking', registry: 'memory' },
    ],
    fanout,
  );
  assert.ok(
    problems.some((p) => p.startsWith('topologies[0].kind:')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('topologies[1].kind:')),
    problems.join('\n'),
  );
});

const real: RealServerConfig = {
  kind: 'uvicorn',
  replica: 0,
  host: '127.0.0.1',
  port: 0,
  backlog: 2048,
  workers: 2,
  threads: 40,
  workerConnections: 1000,
  keepAliveMs: 2000,
  endpoint: 'async',
  service: { work: 'sleep', ms: 20 },
  python: '/usr/bin/python3',
  lifecycle: DEFAULT_REAL_LIFECYCLE,
};

test("the server's environment carries the handler and the event streams' registry", () => {
  const plain = serverCommand(real, '/p').env;
  assert.equal(plain.HARNESS_HANDLER, undefined);
  assert.equal(plain.HARNESS_SSE_REGISTRY, undefined);
  const env = serverCommand(
    {
      ...real,
      kind: 'gunicorn-uvicorn',
      handler: 'blocking',
      sse: { registry: 'redis', redis: { host: '127.0.0.1', port: 6390, channel: 'c' } },
    },
    '/p',
  ).env;
  assert.equal(env.HARNESS_HANDLER, 'blocking');
  assert.equal(env.HARNESS_ENDPOINT, 'async');
  assert.equal(env.HARNESS_SSE_REGISTRY, 'redis');
  assert.equal(env.HARNESS_REDIS, '127.0.0.1:6390');
  assert.equal(env.HARNESS_SSE_CHANNEL, 'c');
  const memory = serverCommand({ ...real, sse: { registry: 'memory' } }, '/p').env;
  assert.equal(memory.HARNESS_SSE_REGISTRY, 'memory');
  assert.equal(memory.HARNESS_REDIS, undefined);
});
