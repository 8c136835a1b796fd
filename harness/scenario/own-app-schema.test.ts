import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateScenario } from './validate.js';

/** The `app` and real-server fields, validated the way the emulated kinds' are. */

function scenario(topology: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    load: { executor: 'burst', users: 10 },
    service: { time: '100ms' },
    topologies: [{ name: 't', ...topology }],
    ...extra,
  };
}

function problems(topology: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const result = validateScenario(scenario(topology, extra), '/s/scenarios/x.json', 'x');
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message} | ${i.fix}`);
}

test('an app resolves against the scenario file, a factory by its "()"', () => {
  const result = validateScenario(
    scenario({
      kind: 'gunicorn-gthread',
      workers: 2,
      threads: 4,
      maxRequests: 100,
      maxRequestsJitter: 10,
      preload: true,
      timeout: 30,
      gracefulTimeout: 10,
      app: {
        module: 'shop:create_app()',
        dir: '../shop',
        pythonPath: ['src'],
        venv: '../shop/.venv',
        config: 'deploy/gunicorn.conf.py',
        env: { SHOP_DB: 'x' },
      },
    }),
    '/s/scenarios/x.json',
    'x',
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  const [t] = result.scenario.topologies;
  assert.deepEqual(t?.app, {
    module: 'shop:create_app',
    factory: true,
    interface: 'wsgi',
    dir: '/s/shop',
    pythonPath: ['/s/shop/src'],
    python: '/s/shop/.venv/bin/python',
    venv: '/s/shop/.venv',
    env: { SHOP_DB: 'x' },
    config: '/s/shop/deploy/gunicorn.conf.py',
    serverArgs: [],
    health: null,
    timing: true,
  });
  assert.equal(t?.lifecycle?.maxRequests, 100);
  assert.equal(t?.lifecycle?.preload, true);
  assert.equal(t?.gracefulTimeout, 10);
});

test('lifecycle fields pass on the real kinds that have them, and are refused elsewhere', () => {
  assert.deepEqual(problems({ kind: 'gunicorn-sync', maxRequests: 5, timeout: 2 }), []);
  assert.deepEqual(problems({ kind: 'uvicorn', maxRequests: 5, limitConcurrency: 10 }), []);
  assert.deepEqual(
    problems({ kind: 'gunicorn-uvicorn', maxRequests: 5, maxRequestsJitter: 3 }),
    [],
  );
  // The bundled app does the import-time and start-up work (harness_apps/startup.py).
  assert.deepEqual(
    problems({
      kind: 'gunicorn-sync',
      appLoadTime: '1s',
      timeout: 3,
      init: { time: '2s', mode: 'one-worker', capacity: 2 },
      loadStarts: 'listening',
    }),
    [],
  );
  assert.deepEqual(problems({ kind: 'gunicorn-uvicorn', appLoadTime: '1s', maxRequests: 5 }), []);
  assert.deepEqual(problems({ kind: 'uvicorn', appLoadTime: '1s' }), []);
  const refused = [
    [
      { kind: 'uvicorn', maxRequests: 5, maxRequestsJitter: 2 },
      /maxRequestsJitter: uvicorn has --limit-max-requests but no jitter/,
    ],
    [{ kind: 'uvicorn', timeout: 2 }, /timeout: the worker timeout is gunicorn's/],
    [{ kind: 'werkzeug', maxRequests: 5 }, /maxRequests: worker recycling/],
    [{ kind: 'uvicorn', preload: true }, /preload: "uvicorn" has no master/],
    [
      { kind: 'gunicorn-sync', appLoadTime: '1s', app: { module: 'shop.main:app' } },
      /appLoadTime: your own app loads in the time it takes/,
    ],
    [
      {
        kind: 'gunicorn-sync',
        init: { time: '2s' },
        app: { module: 'shop.main:app' },
      },
      /init: "init" is the bundled app's start-up work/,
    ],
    [{ kind: 'uvicorn', init: { time: '2s' } }, /init: start-up work is emulated/],
    [
      { kind: 'gunicorn-sync', loadStarts: 'listening', replicas: 2 },
      /loadStarts: a balancer in front of replicas/,
    ],
    [
      { kind: 'gunicorn-gthread', limitConcurrency: 3 },
      /limitConcurrency: "limitConcurrency" is uvicorn's/,
    ],
    [{ kind: 'uvicorn', gracefulTimeout: 3 }, /gracefulTimeout: "gracefulTimeout" is gunicorn's/],
    [{ kind: 'sync', gracefulTimeout: 3 }, /gracefulTimeout/],
  ] as const;
  for (const [topology, expected] of refused) {
    const found = problems(topology as Record<string, unknown>);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${JSON.stringify(topology)}: ${found.join('; ')}`,
    );
  }
  // gunicorn takes whole seconds: 1.5 s at scale 1 would run as another timeout.
  assert.match(
    problems({ kind: 'gunicorn-sync', timeout: 1.5 }).join(),
    /topologies\[0\]\.timeout: gunicorn takes --timeout in whole seconds/,
  );
  assert.deepEqual(problems({ kind: 'gunicorn-sync', timeout: 20 }, { timeScale: 0.1 }), []);
});

test('every mistake in an app is named with its field and a fix', () => {
  const app = { module: 'shop.main:app' };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ kind: 'sync', app }, /topologies\[0\]\.kind: "sync" is an emulated server/],
    [
      { kind: 'uvicorn', app: { module: 'shop.main' } },
      /app\.module: "shop\.main" is not module:attribute/,
    ],
    [
      { kind: 'uvicorn', app: { ...app, interface: 'wsgi' } },
      /app\.interface: kind "uvicorn" serves ASGI apps/,
    ],
    [
      { kind: 'gunicorn-sync', app: { ...app, python: '/x', venv: '/y' } },
      /app\.venv: "python" and "venv" both/,
    ],
    [
      { kind: 'uvicorn', app: { ...app, config: 'g.py' } },
      /app\.config: a gunicorn\.conf\.py configures gunicorn/,
    ],
    [
      { kind: 'gunicorn-gthread', app: { ...app, serverArgs: ['--workers=3'] } },
      /app\.serverArgs\[0\]: --workers is set by the topology's "workers" \| remove --workers and set "workers" instead/,
    ],
    [
      { kind: 'gunicorn-gthread', app: { ...app, serverArgs: ['-k', 'gevent'] } },
      /-k is set by the topology's "kind"/,
    ],
    [
      { kind: 'uvicorn', app: { ...app, serverArgs: ['--reload'] } },
      /--reload is not passed on to the server \| remove --reload: there is nothing to reload/,
    ],
    [
      { kind: 'werkzeug', app: { ...app, serverArgs: ['--x'] } },
      /app\.serverArgs: the harness runs Werkzeug/,
    ],
    [
      { kind: 'gunicorn-sync', app: { ...app, env: { HARNESS_REPLICA: '1' } } },
      /app\.env\.HARNESS_REPLICA: HARNESS_REPLICA is the harness's own/,
    ],
    [
      { kind: 'gunicorn-sync', app: { ...app, env: { PYTHONPATH: 'x' } } },
      /list the directories in "app\.pythonPath"/,
    ],
    [
      { kind: 'gunicorn-sync', app: { ...app, health: 'health' } },
      /app\.health: "health" is not a path/,
    ],
    [
      { kind: 'gunicorn-sync', url: 'http://127.0.0.1:1/', app },
      /url: a topology either starts your app/,
    ],
    [{ kind: 'gunicorn-sync', app: { ...app, modul: 'x' } }, /unknown field "modul"/],
  ];
  for (const [topology, expected] of cases) {
    const found = problems(topology);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${JSON.stringify(topology)}: ${found.join('; ')}`,
    );
  }
});

test("a scenario's request: paths with weights, a JSON body, success statuses", () => {
  const result = validateScenario(
    scenario(
      { kind: 'gunicorn-sync', app: { module: 'shop.main:app' } },
      {
        request: {
          method: 'POST',
          paths: [{ path: '/orders', weight: 3 }, { path: '/orders?rush=1' }],
          headers: { authorization: 'Bearer t' },
          json: { item: 1 },
          success: [201, '3xx'],
        },
      },
    ),
    '/s/x.json',
    'x',
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  assert.deepEqual(result.scenario.request, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: '{"item":1}',
    success: [
      [201, 201],
      [300, 399],
    ],
    paths: [
      { path: '/orders', weight: 3 },
      { path: '/orders?rush=1', weight: 1 },
    ],
  });
  const bad = (request: Record<string, unknown>) =>
    problems({ kind: 'gunicorn-sync' }, { request }).join('; ');
  assert.match(
    bad({ path: '/a', paths: [{ path: '/b' }] }),
    /request\.paths: "path" and "paths" both/,
  );
  assert.match(bad({ body: 'x' }), /request\.method: a GET request has no body/);
  assert.match(
    bad({ method: 'POST', body: 'x', json: {} }),
    /request\.json: "body" and "json" both/,
  );
  assert.match(bad({ path: 'orders' }), /request\.path/);
  assert.match(
    bad({ headers: { Host: 'x' } }),
    /request\.headers: Host is set by the load generator/,
  );
  assert.match(bad({ success: ['2xy'] }), /request\.success/);
});
