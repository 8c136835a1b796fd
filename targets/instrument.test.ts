import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerTiming, parseTimingHeaders, timingHeaders } from './instrument.js';

test('the headers a target writes are read back exactly', () => {
  const headers = timingHeaders(
    { acceptedNs: 5_000_000_123_456n, startNs: 5_000_812_525_858n, endNs: 5_002_812_639_000n },
    { replica: 2, worker: 1, thread: 0, pid: 4321 },
  );
  assert.equal(headers['server-timing'], 'queue;dur=812.402, app;dur=2000.113');
  const side = parseTimingHeaders(headers);
  assert.deepEqual(side.servedBy, { replica: 2, worker: 1, thread: 0, pid: 4321 });
  assert.equal(side.queueMs, 812.402);
  assert.equal(side.appMs, 2000.113);
  assert.equal(side.acceptedUs, 5_000_000_123);
  assert.equal(side.startUs, 5_000_812_525);
  assert.equal(side.endUs, 5_002_812_639);
});

test('a server that does not know its accept time leaves queue out', () => {
  const side = parseTimingHeaders(
    timingHeaders(
      { startNs: 1_000_000n, endNs: 3_000_000n },
      { replica: 0, worker: 0, thread: 0, pid: 1 },
    ),
  );
  assert.equal(side.queueMs, undefined);
  assert.equal(side.acceptedUs, undefined);
  assert.equal(side.appMs, 2);
});

test('Server-Timing parsing follows the header grammar', () => {
  const metrics = parseServerTiming(
    'cache;desc="Cache Read";dur=23.2, db;dur=53, missedCache, total;dur="7.5"',
  );
  assert.equal(metrics.get('cache'), 23.2);
  assert.equal(metrics.get('db'), 53);
  assert.equal(metrics.get('total'), 7.5);
  assert.equal(metrics.has('missedcache'), false);
  assert.deepEqual(parseTimingHeaders({}).servedBy, {});
});
