import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimingHeaders } from '../../targets/instrument.js';
import { sentUsOf } from '../observe/fanout-observer.js';
import { fanoutSource } from './fanout-figure-source.js';
import { type FanoutFigures, fanoutFigures } from './fanout-figures.js';
import { figureFidelityRow } from './figure-fidelity.js';
import { handlersAtOnceSource } from './handlers-figure-source.js';
import { appCounted, type HandlersAtOnce } from './lifecycle-summary.js';
import { summarizeFigureFidelity } from './scenario-figures.js';
import type { TopologySummary } from './summary.js';

/** The app's own count of requests in handlers, and the async-capacity and sse-fanout figures. */

test('X-Handlers-At-Once is read into the server side; a value below 1 or not a number is not', () => {
  assert.equal(parseTimingHeaders({ 'x-handlers-at-once': '37' }).handlersAtOnce, 37);
  assert.equal(parseTimingHeaders({ 'x-handlers-at-once': '0' }).handlersAtOnce, undefined);
  assert.equal(parseTimingHeaders({ 'x-handlers-at-once': 'many' }).handlersAtOnce, undefined);
  assert.equal(parseTimingHeaders({}).handlersAtOnce, undefined);
});

test("the app's count: each worker process's most, summed over the processes", () => {
  const r = (replica: number, pid: number, n?: number) => ({
    replica,
    pid,
    ...(n === undefined ? {} : { handlersAtOnce: n }),
  });
  const counted = appCounted([r(0, 10, 1), r(0, 10, 3), r(0, 11, 2), r(1, 10, 5), r(0, 11)]);
  assert.deepEqual(counted, {
    total: 10,
    perProcess: [
      { replica: 1, pid: 10, most: 5 },
      { replica: 0, pid: 10, most: 3 },
      { replica: 0, pid: 11, most: 2 },
    ],
  });
  // Another server that sends no such header: nothing counted, not zero.
  assert.equal(appCounted([r(0, 10)]), null);
});

const handlers = (h: Partial<HandlersAtOnce>): HandlersAtOnce => ({
  measured: 2,
  predicted: 2,
  modelLimit: 2,
  claimed: 200,
  ...h,
});

const topo = (
  name: string,
  kind: string,
  twinOf: string | null,
  parts: Partial<TopologySummary>,
): TopologySummary => ({ name, kind, twinOf, url: null, ...parts }) as unknown as TopologySummary;

test('async capacity: the most in handlers at once, real beside emulated and predicted', () => {
  const real = topo('b', 'uvicorn', null, {
    handlersAtOnce: handlers({
      measured: 149,
      predicted: 200,
      appCounted: { total: 168, perProcess: [] },
    }),
  });
  const twin = topo('b (emulated)', 'async', 'b', { handlersAtOnce: handlers({ measured: 56 }) });
  const figures = handlersAtOnceSource(real, twin);
  assert.deepEqual(
    figures.map((f) => [f.figure, f.real, f.emulated, f.predicted]),
    [
      ['handlersAtOnce', 149, 56, 200],
      ['handlersAtOnceApp', 168, null, 200],
    ],
  );
  const row = figureFidelityRow({ topology: 'b', kind: 'uvicorn', emulated: twin.name, figures });
  // 56 against 149 is outside 25%; 200 against 168 is within (|32| <= 42).
  assert.deepEqual(
    row.cells.map((c) => [c.emulatedWithin, c.predictedWithin]),
    [
      [false, false],
      [null, true],
    ],
  );
  // A topology that neither claims nor sets a handler has no such figure.
  assert.deepEqual(
    handlersAtOnceSource(
      topo('p', 'uvicorn', null, { handlersAtOnce: handlers({ claimed: null }) }),
      null,
    ),
    [],
  );
});

const latency = (p50: number) => ({
  count: 96,
  mean: p50,
  p50,
  p95: p50 * 3,
  p99: p50 * 4,
  max: p50 * 5,
});

const fanout = (share: number, reachedAll: number, p50: number, written = 1): FanoutFigures =>
  ({
    registry: 'memory',
    events: 20,
    share: { mean: share, min: share, max: share },
    reachedAll,
    latencyMs: latency(p50),
    latencyParts: { toWrite: latency(written), toReceive: latency(p50 - written) },
    predicted: { share: 0.125, note: '', shareGivenSpread: 0.1 },
  }) as unknown as FanoutFigures;

test('sse fanout: reach per event, reach given the spread, events reaching all, latency', () => {
  const rows = summarizeFigureFidelity([
    topo('m', 'gunicorn-uvicorn', null, { fanout: fanout(0.1, 0, 5) }),
    topo('m (emulated)', 'async', 'm', { fanout: fanout(0.136, 0, 6.8, 4) }),
  ]);
  assert.equal(rows?.length, 1);
  const cells = rows?.[0]?.cells ?? [];
  assert.deepEqual(
    cells.map((c) => [
      c.figure,
      c.real,
      c.emulated,
      c.predicted,
      c.emulatedWithin,
      c.predictedWithin,
    ]),
    [
      ['reachPerEvent', 0.1, 0.136, 0.125, true, true],
      ['reachGivenSpread', 0.1, null, 0.1, null, true],
      ['eventsReachingAll', 0, 0, 0, true, true],
      ['deliveryP50', 5, 6.8, null, true, null],
      ['toWriteP50', 1, 4, null, true, null],
      ['toReceiveP50', 4, 2.8, null, true, null],
      ['deliveryP95', 15, 20.4, null, true, null],
    ],
  );
  // Redis: the model says every event reaches every client.
  const redis = fanoutSource(
    topo('r', 'gunicorn-uvicorn', null, {
      fanout: { ...fanout(1, 20, 15), predicted: { share: 1, note: '', shareGivenSpread: 1 } },
    }),
    null,
  );
  assert.equal(redis.find((f) => f.figure === 'eventsReachingAll')?.predicted, 20);
  assert.deepEqual(fanoutSource(topo('x', 'uvicorn', null, {}), null), []);
});

test("a delivery's latency splits where the client's worker wrote the event", () => {
  const { figures, records } = fanoutFigures({
    topology: 't',
    registry: 'redis',
    workers: 1,
    replicas: 1,
    clients: [
      { replica: 0, worker: 0, failure: null },
      { replica: 0, worker: 0, failure: null },
    ],
    events: [
      {
        id: 1,
        publisher: { replica: 0, worker: 0 },
        published: 0,
        publishedUs: 1_000,
        error: null,
      },
    ],
    receipts: [
      // Written 2 ms after the publish, received 1 ms later; the other payload said nothing.
      { client: 0, event: 1, receivedUs: 4_000, received: 0.003, sentUs: 3_000 },
      { client: 1, event: 1, receivedUs: 6_000, received: 0.005 },
    ],
  });
  assert.deepEqual(
    records.map((r) => [r.latencyMs, r.writtenMs]),
    [
      [3, 2],
      [5, null],
    ],
  );
  assert.equal(figures.latencyParts.toWrite?.p50, 2);
  assert.equal(figures.latencyParts.toReceive?.p50, 1);
  assert.equal(figures.latencyParts.toWrite?.count, 1);
});

test("the worker's write instant is read from the event's payload", () => {
  assert.equal(sentUsOf('{"id":1,"sentUs":123456}'), 123456);
  assert.equal(sentUsOf('{"id":1}'), undefined);
  assert.equal(sentUsOf('not json'), undefined);
});

test('a figure outside its tolerance says what was measured about why', () => {
  const rows = summarizeFigureFidelity([
    topo('a', 'uvicorn', null, {
      dispatchSpreadMs: 804,
      handlersAtOnce: handlers({
        measured: 118,
        predicted: 200,
        appCounted: {
          total: 151,
          perProcess: [
            { replica: 0, pid: 1, most: 118 },
            { replica: 0, pid: 2, most: 33 },
          ],
        },
      }),
    }),
    topo('a (emulated)', 'async', 'a', {
      dispatchSpreadMs: 433,
      handlersAtOnce: handlers({ measured: 47 }),
    }),
  ]);
  const notes = rows?.[0]?.notes.join('\n') ?? '';
  assert.match(notes, /the burst took 804 ms real to send \(emulated 433 ms\)/);
  assert.match(notes, /the app counted 118 \+ 33 per worker process/);
  const fan = summarizeFigureFidelity([
    topo('r', 'gunicorn-uvicorn', null, {
      fanout: fanout(1, 20, 5, 2),
      measurementQuality: { otherCores: 1.6 } as NonNullable<TopologySummary['measurementQuality']>,
    }),
    topo('r (emulated)', 'async', 'r', { fanout: fanout(1, 20, 40, 3) }),
  ]);
  assert.match(
    fan?.[0]?.notes.join('\n') ?? '',
    /median split real 2\.0 ms until written \+ 3\.0 ms after, emulated 3\.0 ms until written \+ 37\.0 ms after; other processes held 1\.60 cores/,
  );
});
