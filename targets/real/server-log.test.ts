import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerLine, signalName } from './server-log.js';
import { WorkerSlots } from './worker-slots.js';

/** Lines as gunicorn 20.1 and uvicorn 0.17 (through uvicorn_main.py's layout) print them. */
const GUNICORN = [
  '[2026-12-02 13:16:52 +0000] [19929] [INFO] Starting gunicorn 20.1.0',
  '[2026-12-02 13:16:52 +0000] [19929] [INFO] Listening at: http://127.0.0.1:37847 (19929)',
  '[2026-12-02 13:16:52 +0000] [19940] [INFO] Booting worker with pid: 19940',
  '[2026-12-02 13:16:53 +0000] [19941] [INFO] Booting worker with pid: 19941',
  'harness:worker-ready pid=19940',
  'harness:worker-ready pid=19941',
  '[2026-12-02 13:16:55 +0000] [19941] [INFO] Autorestarting worker after current request.',
  '[2026-12-02 13:16:56 +0000] [19941] [INFO] Worker exiting (pid: 19941)',
  '[2026-12-02 13:16:58 +0000] [20005] [INFO] Booting worker with pid: 20005',
  'harness:worker-ready pid=20005',
  '[2026-12-02 13:17:00 +0000] [19929] [CRITICAL] WORKER TIMEOUT (pid:19940)',
  '[2026-12-02 13:17:00 +0000] [19940] [INFO] Worker exiting (pid: 19940)',
  '[2026-12-02 13:17:01 +0000] [19929] [WARNING] Worker with pid 20005 was terminated due to signal 9',
];

test("gunicorn's and uvicorn's lines, and the harness's markers, read as events", () => {
  assert.deepEqual(parseServerLine(GUNICORN[0] as string), {
    type: 'server',
    name: 'gunicorn',
    version: '20.1.0',
  });
  // The master has started and listens: where a load that starts on listening begins.
  assert.deepEqual(parseServerLine(GUNICORN[1] as string), { type: 'listening' });
  assert.deepEqual(parseServerLine(GUNICORN[2] as string), { type: 'boot', pid: 19940 });
  assert.deepEqual(parseServerLine(GUNICORN[6] as string), { type: 'recycling', pid: 19941 });
  assert.deepEqual(parseServerLine(GUNICORN[10] as string), { type: 'timeout', pid: 19940 });
  assert.deepEqual(parseServerLine(GUNICORN[12] as string), {
    type: 'killed',
    pid: 20005,
    signal: 'SIGKILL',
  });
  // gunicorn 21 and later say it in words.
  assert.deepEqual(
    parseServerLine('[x] [1] [ERROR] Worker (pid:77) was sent SIGKILL! Perhaps out of memory?'),
    { type: 'killed', pid: 77, signal: 'SIGKILL' },
  );
  assert.deepEqual(
    parseServerLine('[2026-12-02 13:18:32,911] [22229] [INFO] Started server process [22229]'),
    {
      type: 'boot',
      pid: 22229,
    },
  );
  assert.deepEqual(parseServerLine('[t] [22229] [INFO] Finished server process [22229]'), {
    type: 'exit',
    pid: 22229,
  });
  assert.deepEqual(parseServerLine('harness:server uvicorn 0.17.6'), {
    type: 'server',
    name: 'uvicorn',
    version: '0.17.6',
  });
  assert.deepEqual(parseServerLine("harness:app-error module No module named 'shop'"), {
    type: 'app-error',
    kind: 'module',
    message: "No module named 'shop'",
  });
  assert.equal(parseServerLine('harness:app-error unheard-of x'), null);
  assert.equal(parseServerLine('Traceback (most recent call last):'), null);
  assert.equal(signalName('15'), 'SIGTERM');
  assert.equal(signalName('31'), 'signal 31');
});

test("a log becomes the arbiter's messages: slots reused, each exit with its reason", () => {
  const slots = new WorkerSlots(true);
  const messages = GUNICORN.flatMap((line, i) => {
    const event = parseServerLine(line);
    return event === null ? [] : slots.take(event, 1_000 * i, false);
  });
  assert.deepEqual(
    messages.map((m) => [m.type, 'worker' in m ? m.worker : -1, 'pid' in m ? m.pid : -1]),
    [
      ['worker-spawn', 0, 19940],
      ['worker-spawn', 1, 19941],
      ['worker-ready', 0, 19940],
      ['worker-ready', 1, 19941],
      ['worker-exit', 1, 19941],
      ['worker-spawn', 1, 20005],
      ['worker-ready', 1, 20005],
      ['worker-exit', 0, 19940],
      ['worker-exit', 1, 20005],
    ],
  );
  const exits = messages.filter((m) => m.type === 'worker-exit');
  assert.deepEqual(
    exits.map((m) => (m.type === 'worker-exit' ? [m.reason, m.signal, m.atUs] : [])),
    [
      ['max-requests', null, 7_000],
      ['timeout', null, 11_000],
      ['crash', 'SIGKILL', 12_000],
    ],
  );
  assert.deepEqual(slots.readyPids, [19940, 19941, 20005]);
  assert.deepEqual(slots.live, []);
});

test('an exit of its own accord is a recycle only where workers recycle; none while stopping', () => {
  const recycling = new WorkerSlots(true);
  recycling.take({ type: 'ready', pid: 5 }, 0, false);
  const [exit] = recycling.take({ type: 'exit', pid: 5 }, 10, false);
  assert.ok(exit?.type === 'worker-exit' && exit.reason === 'max-requests');
  const plain = new WorkerSlots(false);
  plain.take({ type: 'boot', pid: 6 }, 0, false);
  const [crash] = plain.take({ type: 'exit', pid: 6 }, 10, false);
  assert.ok(crash?.type === 'worker-exit' && crash.reason === 'crash');
  const stopping = new WorkerSlots(true);
  stopping.take({ type: 'boot', pid: 7 }, 0, false);
  const [stopped] = stopping.take({ type: 'exit', pid: 7 }, 10, true);
  assert.ok(stopped?.type === 'worker-exit' && stopped.reason === undefined);
  // A second line about the same exit reports nothing more.
  assert.deepEqual(stopping.take({ type: 'killed', pid: 7, signal: 'SIGKILL' }, 11, true), []);
});

test("the bundled app's start-up marker becomes worker-initialised, for a worker it knows", () => {
  assert.deepEqual(parseServerLine('harness:worker-initialised pid=42 skipped=1'), {
    type: 'initialised',
    pid: 42,
    skipped: true,
  });
  assert.equal(parseServerLine('harness:worker-initialised pid=42 skipped=2'), null);
  const slots = new WorkerSlots(false);
  const lines = [
    '[2026-12-02 13:16:52 +0000] [40] [INFO] Booting worker with pid: 41',
    '[2026-12-02 13:16:52 +0000] [40] [INFO] Booting worker with pid: 42',
    'harness:worker-initialised pid=42 skipped=0',
    'harness:worker-initialised pid=99 skipped=0',
  ];
  const messages = lines.flatMap((line) => {
    const event = parseServerLine(line);
    return event === null ? [] : slots.take(event, 5, false);
  });
  assert.deepEqual(messages.at(-1), {
    type: 'worker-initialised',
    worker: 1,
    pid: 42,
    atUs: 5,
    skipped: false,
  });
  assert.equal(messages.length, 3);
});
