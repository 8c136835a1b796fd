import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateScenario } from '../scenario/validate.js';
import { runScenarioOk } from '../test-support/spawn-cli.js';

/**
 * Issue 6's scenario fields, from the file to the report: validation of every field with its
 * fix, and a small run end to end whose summary holds the worker-life figures, windows and
 * handlers at once, measured beside the model, and whose report and terminal compare the setups.
 */

const base = {
  load: { executor: 'burst', users: 4 },
  service: { time: '100ms' },
};

test('lifecycle fields are kept in seconds, and absent when every one has its default', () => {
  const result = validateScenario(
    {
      ...base,
      topologies: [
        { name: 'plain', kind: 'sync', workers: 2 },
        {
          name: 'recycled',
          kind: 'sync',
          workers: 2,
          maxRequests: 200,
          maxRequestsJitter: 50,
          appLoadTime: '4s',
          preload: true,
          timeout: '30s',
          init: { time: '6s', capacity: 2 },
          loadStarts: 'listening',
        },
        { name: 'pool', kind: 'async', workers: 2, handler: 'def', claimedConcurrency: 200 },
        { name: 'await', kind: 'async' },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(result.ok);
  const [plain, recycled, pool, awaiting] = result.scenario.topologies;
  assert.equal(plain?.lifecycle, undefined);
  assert.equal(plain?.asyncWorker, undefined);
  assert.deepEqual(recycled?.lifecycle, {
    maxRequests: 200,
    maxRequestsJitter: 50,
    appLoadTime: 4,
    preload: true,
    timeout: 30,
    init: { time: 6, mode: 'every-worker', capacity: 2 },
    loadStarts: 'listening',
  });
  assert.deepEqual(pool?.asyncWorker, { handler: 'def', threadPool: 40 });
  assert.equal(pool?.claimedConcurrency, 200);
  assert.deepEqual(awaiting?.asyncWorker, { handler: 'await', threadPool: 40 });
  assert.equal(awaiting?.backlog, 2048);
});

test('combinations the emulation does not cover are refused, each with its field and fix', () => {
  const result = validateScenario(
    {
      ...base,
      topologies: [
        { name: 'a', kind: 'flask-dev', maxRequests: 10, timeout: '5s' },
        { name: 'b', kind: 'sync', workers: 2, maxRequestsJitter: 5, handler: 'def' },
        { name: 'c', kind: 'async', threads: 4, threadPool: 10, maxRequests: 5 },
        { name: 'd', kind: 'sync', replicas: 2, loadStarts: 'listening' },
        { name: 'e', kind: 'async', init: { time: '1s' } },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(!result.ok);
  const paths = result.issues.map((i) => i.path);
  for (const expected of [
    'topologies[0].maxRequests',
    'topologies[0].timeout',
    'topologies[1].maxRequestsJitter',
    'topologies[1].handler',
    'topologies[2].threads',
    'topologies[2].threadPool',
    'topologies[3].loadStarts',
    'topologies[4].init',
  ])
    assert.ok(paths.includes(expected), `no issue at ${expected}: ${paths.join(', ')}`);
  // Async workers recycle as gunicorn's uvicorn worker class does (targets/async-loop.ts).
  assert.ok(!paths.includes('topologies[2].maxRequests'), paths.join(', '));
  for (const issue of result.issues) assert.ok(issue.fix.length > 0);
});

test('a recycling and an async topology run end to end: figures, report section, terminal', async (t) => {
  const { latest, stdout } = await runScenarioOk(t, {
    name: 'x',
    timeScale: 0.5,
    load: { executor: 'constant-arrival-rate', rate: 20, duration: '6s' },
    service: { time: '50ms' },
    topologies: [
      { name: 'recycled', kind: 'sync', workers: 2, maxRequests: 20, appLoadTime: '1s' },
      {
        name: 'pool',
        kind: 'async',
        workers: 1,
        handler: 'def',
        threadPool: 2,
        claimedConcurrency: 100,
      },
    ],
    limits: { runTimeout: '2m', requestTimeout: '20s' },
    model: { replications: 5 },
  });
  const summary = JSON.parse(await readFile(join(latest, 'summary.json'), 'utf8'));
  const [recycled, pool] = summary.topologies;
  // 120 requests over two workers recycled every 20: about six exits, measured and predicted.
  const life = recycled.workerLife;
  assert.ok(life.measured.restarts >= 3, `measured ${life.measured.restarts} restarts`);
  assert.ok(life.predicted.restarts >= 3, `predicted ${life.predicted.restarts} restarts`);
  assert.equal(life.measured.exitsByReason['max-requests'], life.measured.restarts);
  assert.ok(life.measured.timeBelowFull > 0);
  assert.ok(recycled.workerEvents.some((e: { kind: string }) => e.kind === 'exit'));
  assert.equal(recycled.lifecycle.maxRequests, 20);
  assert.ok(recycled.overTime.measured.length > 0);
  assert.ok(recycled.overTime.predicted.length > 0);
  // The async worker's pool of 2 caps its handlers at 2, against a claim of 100.
  assert.ok(pool.handlersAtOnce.measured <= 2);
  assert.equal(pool.handlersAtOnce.modelLimit, 2);
  assert.equal(pool.handlersAtOnce.claimed, 100);
  assert.match(stdout, /The setups compared/);
  assert.match(stdout, /workers? recycled after max-requests/);
  assert.match(stdout, /the claim of 100 is/);
  const html = await readFile(join(latest, 'report.html'), 'utf8');
  assert.match(html, /<section id="setups">/);
  assert.match(html, /"t0-over-time"/);
  assert.match(html, /"handlers-at-once"/);
});
