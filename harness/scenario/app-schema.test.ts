import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateScenario } from './validate.js';

const base = {
  load: { executor: 'constant-arrival-rate', rate: 1, duration: '10s' },
  service: { time: '100ms' },
};

test('jobs and schedulers get their defaults, durations in seconds', () => {
  const result = validateScenario(
    {
      ...base,
      jobs: { interval: '10s', duration: '1m', killLeaderAt: '42s' },
      topologies: [
        { name: 'none', kind: 'sync', workers: 2, scheduler: { election: 'none' } },
        { name: 'lease', kind: 'sync', workers: 2, scheduler: { election: 'lease', lease: '9s' } },
        { name: 'lock', kind: 'sync', workers: 2, scheduler: { election: 'file-lock' } },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  const { scenario } = result;
  assert.deepEqual(scenario.jobs, { interval: 10, duration: 60, killLeaderAt: 42 });
  assert.deepEqual(scenario.topologies[1]?.scheduler, {
    election: 'lease',
    lease: 9,
    renew: 3,
    retry: 5,
  });
  assert.equal(scenario.topologies[2]?.scheduler?.election, 'file-lock');
  assert.equal(scenario.fanout, undefined);
});

test('fanout and registries get their defaults', () => {
  const result = validateScenario(
    {
      ...base,
      fanout: { clients: 10, events: 5 },
      topologies: [
        { name: 'm', kind: 'gthread', workers: 2, threads: 8, registry: 'memory' },
        { name: 'r', kind: 'sync', workers: 2, threads: 8, registry: 'redis' },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  assert.deepEqual(result.scenario.fanout, { clients: 10, events: 5, interval: 1, grace: 2 });
  assert.equal(result.scenario.topologies[1]?.registry, 'redis');
  assert.equal(result.scenario.topologies[1]?.kind, 'gthread');
});

test('every problem with jobs, fanout, schedulers and registries is listed at once, by field', () => {
  const result = validateScenario(
    {
      ...base,
      timeScale: 0.001,
      jobs: { interval: '5s', duration: '20s', killLeaderAt: '30s' },
      fanout: { clients: 40, events: 5 },
      topologies: [
        { name: 'a', kind: 'sync', workers: 2, registry: 'memory' },
        {
          name: 'b',
          kind: 'flask-dev',
          scheduler: { election: 'none', lease: '10s' },
          registry: 'redis',
        },
        {
          name: 'c',
          kind: 'gthread',
          workers: 2,
          threads: 4,
          scheduler: { election: 'lease', lease: '10s', renew: '10s' },
          registry: 'redis',
        },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(!result.ok);
  const paths = result.issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    'jobs.interval',
    'jobs.killLeaderAt',
    // The service time's own check: 100 ms at this scale is 0.1 ms real.
    'timeScale',
    // The time scale's own: below 0.01 the apparatus's milliseconds swamp the measurement.
    'timeScale',
    'topologies[0].kind',
    'topologies[0].scheduler',
    'topologies[1].kind',
    'topologies[1].kind',
    'topologies[1].scheduler.lease',
    'topologies[2].scheduler.renew',
    'topologies[2].threads',
  ]);
  for (const issue of result.issues) assert.ok(issue.fix.length > 0, issue.path);
});

test('a scheduler without jobs and a registry without fanout are refused', () => {
  const result = validateScenario(
    {
      ...base,
      topologies: [
        {
          name: 'a',
          kind: 'gthread',
          threads: 8,
          scheduler: { election: 'none' },
          registry: 'memory',
        },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(!result.ok);
  assert.deepEqual(result.issues.map((i) => i.path).sort(), [
    'topologies[0].registry',
    'topologies[0].scheduler',
  ]);
});

test('a scheduler runs on the real gunicorn kinds and uvicorn with the bundled app only', () => {
  const check = (topology: Record<string, unknown>) => {
    const result = validateScenario(
      {
        ...base,
        timeScale: 0.1,
        jobs: { interval: '10s', duration: '10s' },
        topologies: [{ name: 't', workers: 2, scheduler: { election: 'lease' }, ...topology }],
      },
      '/s/x.json',
      'x',
    );
    return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
  };
  assert.deepEqual(check({ kind: 'gunicorn-sync', replicas: 2 }), []);
  assert.deepEqual(check({ kind: 'gunicorn-gthread' }), []);
  assert.deepEqual(check({ kind: 'uvicorn' }), []);
  assert.match(
    check({ kind: 'werkzeug', workers: 1 }).join(),
    /topologies\[0\]\.kind: the scheduled job runs in gunicorn-like worker processes/,
  );
  assert.match(
    check({ kind: 'gunicorn-sync', app: { module: 'shop:app' } }).join(),
    /topologies\[0\]\.scheduler: is the bundled app's scheduled job/,
  );
});
