import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { runBurst } from './burst.js';
import { pathsFrom } from './executor.js';
import { dispatchOptions, statusError } from './raw-request.js';
import { Recorder } from './recorder.js';
import { drawAt, requestPlan } from './request-paths.js';

test('weighted paths: each index draws the same path every time, in proportion to the weights', () => {
  const plan = requestPlan(
    {
      method: 'GET',
      headers: {},
      body: null,
      success: null,
      paths: [
        { path: '/a', weight: 3 },
        { path: '/b', weight: 1 },
      ],
    },
    '/',
    7,
  );
  const path = pathsFrom(plan.paths);
  const n = 20_000;
  let a = 0;
  for (let i = 0; i < n; i++) if (path(i) === '/a') a++;
  // Binomial(20000, 0.75): standard deviation 61; 5 of them either side.
  assert.ok(Math.abs(a - 0.75 * n) < 310, `${a} of ${n}`);
  assert.equal(path(123), pathsFrom(plan.paths)(123));
  assert.notEqual(drawAt(1, 5), drawAt(2, 5));
  assert.deepEqual(requestPlan(undefined, '/work', 1), { paths: { kind: 'fixed', path: '/work' } });
});

test('success statuses decide what counts as an error; the default is below 400', () => {
  assert.equal(statusError(404), 'http-4xx');
  assert.equal(statusError(302), null);
  const shape = {
    method: 'GET',
    headers: {},
    body: null,
    success: [
      [200, 200],
      [404, 404],
    ] as Array<[number, number]>,
  };
  assert.equal(statusError(404, shape), null);
  assert.equal(statusError(201, shape), 'http-4xx');
  assert.equal(statusError(503, shape), 'http-5xx');
  assert.deepEqual(dispatchOptions({ path: () => '/x' }, 0), { path: '/x', method: 'GET' });
});

test('a burst sends the method, headers and body the request says, and judges statuses by it', async (t) => {
  const seen: Array<{ method: string; url: string; type: string; token: string; body: string }> =
    [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: String(req.headers['content-type']),
        token: String(req.headers.authorization),
        body,
      });
      res.writeHead(req.url === '/gone' ? 404 : 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const recorder = new Recorder({ keepRequests: true });
  await runBurst(4, 'new', {
    origin: `http://127.0.0.1:${port}`,
    path: (i) => (i === 3 ? '/gone' : '/orders'),
    request: {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"item":1}',
      success: [[201, 201]],
    },
    recorder,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
  });
  assert.equal(seen.length, 4);
  for (const s of seen) {
    assert.equal(s.method, 'POST');
    assert.equal(s.type, 'application/json');
    assert.equal(s.token, 'Bearer t');
    assert.equal(s.body, '{"item":1}');
  }
  const failed = recorder.requests.filter((r) => r.error !== undefined).map((r) => r.index);
  assert.deepEqual(failed, [3]);
});
