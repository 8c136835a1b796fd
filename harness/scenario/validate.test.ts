import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { thresholdsDocument } from '../gate/threshold.js';
import { formatSeconds, parseDuration } from './duration.js';
import { FIELD_HELP } from './schema.js';
import { closest, validateScenario } from './validate.js';

const minimal = {
  load: { executor: 'burst', users: 10 },
  service: { time: '2s' },
  topologies: [{ name: 'one', kind: 'sync', workers: 2 }],
};

test('a minimal scenario gets every default', () => {
  const result = validateScenario(minimal, 'x.json', 'x');
  assert.ok(result.ok);
  const { scenario } = result;
  assert.equal(scenario.name, 'x');
  assert.equal(scenario.timeScale, 1);
  assert.deepEqual(scenario.service, { time: 2, work: 'sleep', distribution: 'constant' });
  assert.deepEqual(scenario.limits, { runTimeout: 600, requestTimeout: 600 });
  assert.deepEqual(scenario.model, { seed: 1, replications: 200 });
  const [t] = scenario.topologies;
  assert.equal(t?.threads, 1);
  assert.equal(t?.replicas, 1);
  assert.equal(t?.balancer, 'round-robin');
  assert.equal(t?.balancerMode, 'tcp');
  assert.equal(t?.workerConnections, 1000);
  assert.equal(t?.backlog, 2048);
  assert.equal(t?.keepAlive, 2);
});

test('flask-dev listens with backlog 128 and sync with threads runs as gthread', () => {
  const result = validateScenario(
    {
      ...minimal,
      topologies: [
        { name: 'f', kind: 'flask-dev' },
        { name: 's', kind: 'sync', workers: 2, threads: 4 },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(result.ok);
  assert.equal(result.scenario.topologies[0]?.backlog, 128);
  assert.equal(result.scenario.topologies[1]?.kind, 'gthread');
  assert.equal(result.scenario.topologies[1]?.declaredKind, 'sync');
});

test('real kinds: their defaults, and what each refuses', () => {
  const ok = validateScenario(
    {
      ...minimal,
      repeat: 3,
      compareEmulated: true,
      topologies: [
        { name: 'w', kind: 'werkzeug', replicas: 3 },
        { name: 'u', kind: 'uvicorn', workers: 2, repeat: 7 },
        {
          name: 'g',
          kind: 'gunicorn-gthread',
          workers: 4,
          threads: 2,
          url: 'http://127.0.0.1:8000/work',
        },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(ok.ok);
  const [w, u, g] = ok.scenario.topologies;
  assert.equal(w?.backlog, 128);
  assert.equal(u?.threads, 40);
  assert.equal(u?.endpoint, 'def');
  assert.equal(u?.backlog, 2048);
  assert.equal(u?.repeat, 7);
  assert.equal(w?.repeat, undefined);
  assert.equal(g?.url, 'http://127.0.0.1:8000/work');
  assert.equal(g?.endpoint, undefined);
  assert.equal(ok.scenario.repeat, 3);
  assert.equal(ok.scenario.compareEmulated, true);
  const bad = validateScenario(
    {
      ...minimal,
      repeat: 0,
      topologies: [
        { name: 'w', kind: 'werkzeug', workers: 2 },
        { name: 's', kind: 'gunicorn-sync', threads: 4, endpoint: 'async' },
        { name: 'x', kind: 'sync', url: 'ftp://127.0.0.1/', port: 8000 },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(!bad.ok);
  const paths = bad.issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    'repeat',
    'topologies[0].workers',
    'topologies[1].endpoint',
    'topologies[1].threads',
    'topologies[2].port',
    'topologies[2].url',
  ]);
});

test('every problem is reported at once with its path and a fix', () => {
  const result = validateScenario(
    {
      timeScale: 'fast',
      load: { executor: 'burst', users: 0 },
      service: { time: 'two seconds' },
      topologies: [
        { name: 'a', kind: 'flask-dev', workers: 3 },
        { name: 'a', kind: 'uwsgi', wrokers: 2 },
      ],
      extra: true,
    },
    'bad.json',
    'bad',
  );
  assert.ok(!result.ok);
  const byPath = new Map(result.issues.map((i) => [i.path, i]));
  assert.match(byPath.get('timeScale')?.message ?? '', /expected number, got "fast"/);
  assert.match(byPath.get('load.users')?.message ?? '', /out of range/);
  assert.match(byPath.get('service.time')?.message ?? '', /not a duration/);
  assert.match(byPath.get('topologies[0].workers')?.fix ?? '', /kind "sync"/);
  assert.match(byPath.get('topologies[1].kind')?.fix ?? '', /"flask-dev", "sync", "gthread"/);
  assert.match(byPath.get('topologies[1]')?.fix ?? '', /"wrokers" -> "workers"/);
  assert.match(byPath.get('(top level)')?.message ?? '', /unknown field "extra"/);
  for (const issue of result.issues) assert.ok(issue.fix.length > 0, issue.path);
});

test('duplicate topology names and oversized topologies are refused', () => {
  const result = validateScenario(
    {
      ...minimal,
      topologies: [
        { name: 'a', kind: 'sync' },
        { name: 'a', kind: 'sync', workers: 64, replicas: 32 },
      ],
    },
    'x.json',
    'x',
  );
  assert.ok(!result.ok);
  const paths = result.issues.map((i) => i.path);
  assert.ok(paths.includes('topologies[1].name'));
  assert.ok(paths.includes('topologies[1].replicas'));
});

test('service distributions are checked field by field', () => {
  const withService = (service: unknown) =>
    validateScenario({ ...minimal, service }, 'x.json', 'x');
  const lognormal = withService({ time: '2s', distribution: 'lognormal', cv: 1.5 });
  assert.ok(lognormal.ok);
  assert.deepEqual(lognormal.scenario.service, {
    time: 2,
    work: 'sleep',
    distribution: 'lognormal',
    cv: 1.5,
  });
  const empirical = withService({ distribution: 'empirical', samples: ['1s', '500ms', 4.5] });
  assert.ok(empirical.ok);
  assert.equal(empirical.scenario.service.time, 2, 'time is the mean of the samples');
  assert.deepEqual(empirical.scenario.service.samples, [1, 0.5, 4.5]);
  const bad = withService({ distribution: 'lognormal', samples: ['1s'] });
  assert.ok(!bad.ok);
  const paths = bad.issues.map((i) => i.path).sort();
  assert.deepEqual(paths, ['service.cv', 'service.samples', 'service.time']);
  const wrongCv = withService({ time: '1s', distribution: 'exponential', cv: 2 });
  assert.ok(!wrongCv.ok);
  assert.match(wrongCv.issues[0]?.fix ?? '', /"distribution": "lognormal"/);
  const noSamples = withService({ distribution: 'empirical' });
  assert.ok(!noSamples.ok);
  assert.equal(noSamples.issues[0]?.path, 'service.samples');
  const unknown = withService({ time: '1s', distribution: 'gamma' });
  assert.ok(!unknown.ok);
  assert.match(unknown.issues[0]?.fix ?? '', /"lognormal"/);
});

test('durations accept numbers and units', () => {
  assert.equal(parseDuration(2), 2);
  assert.equal(parseDuration('150ms'), 0.15);
  assert.equal(parseDuration('1.5m'), 90);
  assert.equal(parseDuration('2 s'), 2);
  assert.equal(parseDuration('250us'), 0.00025);
  assert.equal(parseDuration('-1s'), undefined);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(formatSeconds(134), '2m14s');
  assert.equal(formatSeconds(0.0123), '12.3ms');
  // A difference of two equal sums is a few 1e-15 s, not 8.88e-10µs.
  assert.equal(formatSeconds(8.88e-16), '0µs');
  assert.equal(formatSeconds(-3e-12), '0µs');
  assert.equal(formatSeconds(2e-6), '2µs');
});

test('formatSeconds never shows a unit at the size of the next one', () => {
  assert.equal(formatSeconds(299.97), '5m0s');
  assert.equal(formatSeconds(299.9), '4m59.9s');
  assert.equal(formatSeconds(0.9996), '1s');
  assert.equal(formatSeconds(0.00099996), '1ms');
  assert.equal(formatSeconds(59.96), '1m0s');
  assert.equal(formatSeconds(-134), '-2m14s');
  assert.equal(formatSeconds(0), '0µs');
  assert.equal(formatSeconds(null), 'n/a');
});

test('typos find their field', () => {
  assert.equal(closest('wrokers', ['workers', 'threads']), 'workers');
  assert.equal(closest('balancr', ['balancer', 'backlog']), 'balancer');
  assert.equal(closest('zzz', ['workers']), undefined);
});

test('the scenario reference documents every field', async () => {
  const reference = await readFile(join(packageRoot(), 'scenarios', 'README.md'), 'utf8');
  for (const field of Object.keys(FIELD_HELP)) {
    const leaf = field.slice(field.lastIndexOf('.') + 1).replace('[]', '');
    assert.ok(
      reference.includes(`\`${leaf}\``),
      `scenarios/README.md does not mention \`${leaf}\``,
    );
  }
});

test('every built-in scenario is valid', async () => {
  const { listScenarios, loadScenario } = await import('./load.js');
  const names = await listScenarios();
  assert.ok(names.includes('contest-200'));
  for (const name of names) await loadScenario(name);
});

test('thresholds are kept as written and every malformed one is named', () => {
  const good = validateScenario(
    {
      ...minimal,
      thresholds: { wait: ['p(95)<5s', 'max<20s'], 'makespan{topology:one}': ['max<25s'] },
    },
    'x.json',
    'x',
  );
  assert.ok(good.ok);
  assert.deepEqual(thresholdsDocument(good.scenario.thresholds ?? []), {
    wait: ['p(95)<5s', 'max<20s'],
    'makespan{topology:one}': ['max<25s'],
  });
  const bad = validateScenario(
    {
      ...minimal,
      thresholds: {
        wait: ['p(95)<5s', 'p95<5s'],
        latency: ['max<1s'],
        'wait{topology:nope}': ['max<1s'],
        errors: [],
      },
    },
    'x.json',
    'x',
  );
  assert.ok(!bad.ok);
  const byPath = new Map(bad.issues.map((i) => [i.path, i]));
  assert.match(byPath.get('thresholds.wait[1]')?.message ?? '', /"p95<5s" is not a threshold/);
  assert.match(byPath.get('thresholds.latency')?.message ?? '', /not a threshold metric/);
  assert.match(byPath.get('thresholds.wait{topology:nope}')?.fix ?? '', /"one"/);
  assert.ok(byPath.has('thresholds.errors'), 'an empty list is refused');
  assert.equal(bad.issues.length, 4);
});

test('every executor normalises its rates and durations to scenario seconds', () => {
  const load = (l: object) => {
    const r = validateScenario({ ...minimal, load: l }, 'x.json', 'x');
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    return r.scenario.load;
  };
  assert.deepEqual(load({ executor: 'burst', users: 5 }), {
    executor: 'burst',
    users: 5,
    connections: 'new',
    threads: 1,
    record: 'requests',
    requestsFile: true,
  });
  const rate = load({
    executor: 'constant-arrival-rate',
    rate: 120,
    timeUnit: '1m',
    duration: '2m',
  });
  assert.equal(rate.executor === 'constant-arrival-rate' && rate.rate, 2);
  assert.equal(rate.executor === 'constant-arrival-rate' && rate.arrivals, 'regular');
  const ramp = load({
    executor: 'ramping-arrival-rate',
    stages: [{ target: 60, duration: '30s' }],
    timeUnit: '1m',
  });
  assert.deepEqual(ramp.executor === 'ramping-arrival-rate' && ramp.stages, [
    { target: 1, duration: 30 },
  ]);
  const closed = load({ executor: 'closed-users', users: 3, thinkTime: '1s', duration: '1m' });
  assert.equal(closed.executor === 'closed-users' && closed.iterations, null);
  assert.equal(closed.record, 'histograms', 'an unbounded count keeps histograms');
  const big = load({ executor: 'constant-arrival-rate', rate: 1000, duration: '5m' });
  assert.equal(big.record, 'histograms', '300001 planned requests are more than 200000');
});

test('load problems are reported with their fields', () => {
  const issues = (l: object, extra: object = {}) => {
    const r = validateScenario({ ...minimal, load: l, ...extra }, 'x.json', 'x');
    assert.ok(!r.ok);
    return r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  };
  assert.match(
    issues({ executor: 'closed-users', users: 2 }),
    /load.iterations: closed users need either/,
  );
  assert.match(
    issues({ executor: 'closed-users', users: 2, iterations: 3, duration: '1s' }),
    /not both or neither/,
  );
  assert.match(issues({ executor: 'constant-arrival-rate', rate: 0, duration: '1s' }), /load.rate/);
  assert.match(
    issues({ executor: 'constant-arrival-rate', rate: 100000, duration: '1h' }),
    /plans 360000001 requests; the limit is 10000000/,
  );
  assert.match(issues({ executor: 'warp', users: 2 }), /load.executor/);
  assert.match(issues({ executor: 'throughput', connections: 4 }), /load.duration/);
  assert.match(
    issues(
      { executor: 'constant-arrival-rate', rate: 1, duration: '1h' },
      { limits: { runTimeout: '1m' } },
    ),
    /beyond limits.runTimeout/,
  );
});

test('balancerMode: "http" takes a balancer, so more than one replica; other words are refused', () => {
  const topology = (extra: object) => ({
    ...minimal,
    topologies: [{ name: 'one', kind: 'gthread', workers: 2, threads: 2, ...extra }],
  });
  const http = validateScenario(topology({ replicas: 3, balancerMode: 'http' }), 'x.json', 'x');
  assert.ok(http.ok);
  assert.equal(http.scenario.topologies[0]?.balancerMode, 'http');
  const alone = validateScenario(topology({ balancerMode: 'http' }), 'x.json', 'x');
  assert.ok(!alone.ok);
  assert.match(
    JSON.stringify(alone.issues),
    /topologies\[0\]\.balancerMode.*more than one replica/,
  );
  const word = validateScenario(topology({ replicas: 2, balancerMode: 'h2' }), 'x.json', 'x');
  assert.ok(!word.ok);
  const [issue] = word.issues;
  assert.equal(issue?.path, 'topologies[0].balancerMode');
  assert.match(issue?.fix ?? '', /one of "tcp", "http"/);
});
