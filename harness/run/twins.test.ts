import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopologySpec } from '../scenario/types.js';
import { withEmulatedTwins } from './twins.js';

const t = (
  name: string,
  kind: TopologySpec['kind'],
  extra: Partial<TopologySpec> = {},
): TopologySpec => ({
  name,
  kind,
  declaredKind: kind,
  workers: 4,
  threads: 2,
  replicas: 3,
  balancer: 'least-connections',
  workerConnections: 1000,
  backlog: kind === 'werkzeug' ? 128 : 2048,
  keepAlive: 2,
  port: 0,
  ...extra,
});

test('each real topology is followed by its emulated counterpart of the same shape', () => {
  const out = withEmulatedTwins(
    [
      t('g', 'gunicorn-gthread'),
      t('w', 'werkzeug'),
      t('u', 'uvicorn'),
      t('e', 'sync'),
      t('x', 'gunicorn-sync', { url: 'http://127.0.0.1:1/' }),
    ],
    true,
  );
  assert.deepEqual(
    out.map((x) => [x.name, x.kind, x.twinOf ?? null]),
    [
      ['g', 'gunicorn-gthread', null],
      ['g (emulated)', 'gthread', 'g'],
      ['w', 'werkzeug', null],
      ['w (emulated)', 'flask-dev', 'w'],
      ['u', 'uvicorn', null],
      ['e', 'sync', null],
      ['x', 'gunicorn-sync', null],
    ],
  );
  const twin = out[1] as TopologySpec;
  assert.equal(twin.workers, 4);
  assert.equal(twin.threads, 2);
  assert.equal(twin.replicas, 3);
  assert.equal(twin.balancer, 'least-connections');
  // Behind haproxy, the real topology's balancer, so that the servers alone are compared.
  assert.equal(twin.balancerServer, 'haproxy');
  const single = withEmulatedTwins([t('one', 'gunicorn-sync', { replicas: 1 })], true)[1];
  assert.equal(single?.balancerServer, undefined);
  assert.equal(out[3]?.backlog, 128);
  assert.equal(withEmulatedTwins([t('g', 'gunicorn-gthread')], false).length, 1);
});

test('the twin carries the lifecycle and the scheduled job of the real topology', () => {
  const lifecycle = {
    maxRequests: 200,
    maxRequestsJitter: 0,
    appLoadTime: 4,
    preload: false,
    timeout: 8,
    init: { time: 6, mode: 'every-worker' as const, capacity: 2 },
    loadStarts: 'listening' as const,
  };
  const scheduler = { election: 'lease' as const, lease: 10, renew: 3, retry: 2 };
  const [, twin] = withEmulatedTwins(
    [t('g', 'gunicorn-sync', { replicas: 2, lifecycle, scheduler })],
    true,
  );
  assert.equal(twin?.kind, 'sync');
  assert.deepEqual(twin?.lifecycle, lifecycle);
  assert.deepEqual(twin?.scheduler, scheduler);
});

test('gunicorn with uvicorn workers that recycle has emulated async workers as its twin', () => {
  const lifecycle = {
    maxRequests: 200,
    maxRequestsJitter: 50,
    appLoadTime: 4,
    preload: false,
    timeout: 0,
    init: null,
    loadStarts: 'ready' as const,
  };
  const [, twin] = withEmulatedTwins(
    [t('u', 'gunicorn-uvicorn', { workers: 4, threads: 40, endpoint: 'def', lifecycle })],
    true,
  );
  assert.equal(twin?.kind, 'async');
  assert.deepEqual(twin?.lifecycle, lifecycle);
  assert.deepEqual(twin?.asyncWorker, { handler: 'def', threadPool: 40 });
  assert.equal(twin?.threads, 1);
  // A plain uvicorn topology (no life of its own, no handler) still has no counterpart.
  assert.equal(withEmulatedTwins([t('p', 'gunicorn-uvicorn', { workers: 2 })], true).length, 1);
});
