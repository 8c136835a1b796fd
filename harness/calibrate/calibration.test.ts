import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  acceptRaceChoice,
  CALIBRATION_METHOD,
  type Calibration,
  type Machine,
  neutralConfiguration,
  type PathCalibration,
  parseCalibration,
  pathsOf,
  racePathOf,
  threadsStickiness,
} from './calibration.js';
import {
  calibrationFor,
  readCalibrationFile,
  readRunCalibration,
  SHIPPED_CALIBRATION,
  shippedCalibrationFiles,
} from './calibration-file.js';
import { readRaceFit, SHIPPED_RACE_FIT, shippedRaceFitFiles } from './race-fit-file.js';
import { neutralTopology } from './run-calibration.js';

const here: Machine = {
  hostname: 'a',
  platform: 'linux x64',
  cpus: 2,
  cpuModel: 'Test CPU',
  node: 'v20.0.0',
};

const entry = (stickiness: number, replicas: number): PathCalibration => ({
  stickiness,
  measuredHerfindahl: 0.6,
  modelHerfindahl: 0.6,
  uniformHerfindahl: 0.35,
  maxHerfindahl: 1,
  bound: 'inside',
  configuration: {
    workers: 3,
    threads: 2,
    replicas,
    users: 48 * replicas,
    serviceMs: 150,
    bursts: 2,
  },
  shares: [[[40, 8, 0]], [[1, 2, 45]]],
  errors: 0,
  measuredAt: '2026-11-21T06:00:00.000Z',
});

const calibration: Calibration = {
  schemaVersion: 1,
  machine: here,
  method: CALIBRATION_METHOD,
  servers: { 'gunicorn-gthread': { direct: entry(0.94, 1), balanced: entry(0.8, 4) } },
};

test('a calibration round-trips through JSON and a broken one says where', () => {
  const parsed = parseCalibration(JSON.parse(JSON.stringify(calibration)));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.calibration, calibration);
  const broken = parseCalibration({ ...calibration, schemaVersion: 2 });
  assert.ok(!broken.ok);
  assert.match(broken.message, /schemaVersion/);
});

test('the model takes the calibrated stickiness of the server and path that applies', () => {
  const loaded = { state: 'loaded', file: 'reports/calibration.json', calibration } as const;
  const direct = acceptRaceChoice('gunicorn-gthread', 1, loaded, here);
  assert.equal(direct.source, 'calibration');
  assert.equal(direct.stickiness, 0.94);
  assert.match(direct.note, /direct connections/);
  // Calibrated at 0.8 on 4 replicas: on 2, 0.8^(2/4) = 0.8944; on 8, 0.8^2 = 0.64.
  const two = acceptRaceChoice('gunicorn-gthread', 2, loaded, { ...here, hostname: 'b' });
  assert.ok(Math.abs(two.stickiness - Math.sqrt(0.8)) < 1e-12);
  assert.match(two.note, /balanced connections/);
  assert.match(two.note, /0\.800\^\(2\/4\) = 0\.894/);
  const eight = acceptRaceChoice('gunicorn-gthread', 8, loaded, here);
  assert.ok(Math.abs(eight.stickiness - 0.64) < 1e-12);
});

test("gunicorn gthread's stickiness falls with its threads: runs of accepts inversely proportional", () => {
  const loaded = { state: 'loaded', file: 'reports/calibration.json', calibration } as const;
  // Calibrated with 2 threads at 0.94: with 4, 1 - 0.06 x 4/2 = 0.88; with 3, 0.91.
  const four = acceptRaceChoice('gunicorn-gthread', 1, loaded, here, { threads: 4 });
  assert.ok(Math.abs(four.stickiness - 0.88) < 1e-12, `${four.stickiness}`);
  assert.match(
    four.note,
    /with 4 threads a worker \(calibrated with 2\) 1 - \(1 - 0\.940\) x 4\/2 = 0\.880/,
  );
  assert.ok(
    Math.abs(
      acceptRaceChoice('gunicorn-gthread', 1, loaded, here, { threads: 3 }).stickiness - 0.91,
    ) < 1e-12,
  );
  // Behind the balancer only the replicas' scaling: 0.8^(2/4), whatever the threads.
  const balanced = acceptRaceChoice('gunicorn-gthread', 2, loaded, here, { threads: 4 });
  assert.ok(Math.abs(balanced.stickiness - Math.sqrt(0.8)) < 1e-12);
  // As many threads as calibrated, or fewer (not measured): the calibrated stickiness.
  for (const threads of [1, 2])
    assert.equal(
      acceptRaceChoice('gunicorn-gthread', 1, loaded, here, { threads }).stickiness,
      0.94,
    );
  // Never below the uniform race, and no such term for other servers.
  assert.equal(threadsStickiness(0.94, 2, 100), 0);
  const uvicorn = { ...calibration, servers: { uvicorn: { direct: entry(0.94, 1) } } };
  const other = { state: 'loaded', file: 'c.json', calibration: uvicorn } as const;
  assert.equal(acceptRaceChoice('uvicorn', 1, other, here, { threads: 40 }).stickiness, 0.94);
});

test('without a usable calibration the race is uniform, and the note says why', () => {
  const loaded = { state: 'loaded', file: 'c.json', calibration } as const;
  const cases = [
    [
      acceptRaceChoice('gunicorn-gthread', 1, { state: 'absent', file: 'c.json' }, here),
      /no c\.json/,
    ],
    [acceptRaceChoice('gthread', 1, loaded, here), /no entry for gthread/],
    [acceptRaceChoice('gunicorn-gthread', 1, loaded, { ...here, cpus: 8 }), /another machine/],
    [
      acceptRaceChoice(
        'uvicorn',
        1,
        { state: 'unusable', file: 'c.json', reason: 'not valid JSON' },
        here,
      ),
      /unusable \(not valid JSON\)/,
    ],
  ] as const;
  for (const [choice, why] of cases) {
    assert.equal(choice.source, 'uniform');
    assert.equal(choice.stickiness, 0);
    assert.match(choice.note, why);
    assert.match(choice.note, /npm run calibrate/);
  }
  const sync = acceptRaceChoice(null, 3, loaded, here);
  assert.equal(sync.source, 'not-applicable');
});

test('a shipped calibration applies on a machine like its own, and the note says whose it is', () => {
  const shipped = { state: 'shipped', file: 'shipped.json', calibration } as const;
  const choice = acceptRaceChoice('gunicorn-gthread', 2, shipped, here);
  assert.equal(choice.source, 'calibration');
  assert.ok(Math.abs(choice.stickiness - Math.sqrt(0.8)) < 1e-12);
  assert.match(choice.note, /a machine like this one \(2 x Test CPU, linux x64; 2026-11-21\)/);
  assert.match(choice.note, /shipped with the harness .*npm run calibrate/);
  const elsewhere = acceptRaceChoice('gunicorn-gthread', 2, shipped, { ...here, cpus: 8 });
  assert.equal(elsewhere.source, 'uniform');
  assert.match(elsewhere.note, /no calibration of this machine's own, and the one shipped/);
  assert.match(elsewhere.note, /another machine/);
});

test('of the shipped calibrations a run takes the one made on a machine like its own, else the first', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-calibration-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = shippedCalibrationFiles();
  assert.equal(files[0], SHIPPED_CALIBRATION());
  assert.ok(files.length >= 2, `shipped: ${files.join(', ')}`);
  const machines = await Promise.all(
    files.map(async (file) => {
      const found = await readCalibrationFile(file);
      assert.equal(found.state, 'loaded', `${file} parses`);
      return found.state === 'loaded' ? found.calibration.machine : null;
    }),
  );
  for (const [i, machine] of machines.entries()) {
    if (machine === null) continue;
    // The same kind of machine under another name and Node version: the same calibration.
    const like = { ...machine, hostname: 'elsewhere', node: 'v20.0.0' };
    const chosen = await readRunCalibration(dir, like);
    assert.equal(chosen.state, 'shipped');
    assert.equal(chosen.file, files[i]);
  }
  const other = { hostname: 'x', platform: 'linux x64', cpus: 64, cpuModel: 'Other', node: 'v20' };
  const fallback = await readRunCalibration(dir, other);
  assert.equal(
    fallback.file,
    SHIPPED_CALIBRATION(),
    'no like machine: the first, named as another',
  );
});

test("a run uses the reports directory's calibration, or else the shipped one", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-calibration-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const none = await readRunCalibration(dir);
  assert.equal(none.state, 'shipped', 'the shipped file parses');
  assert.equal(none.file, SHIPPED_CALIBRATION());
  await writeFile(join(dir, 'calibration.json'), JSON.stringify(calibration));
  const own = await readRunCalibration(dir);
  assert.equal(own.state, 'loaded');
  assert.equal(own.file, join(dir, 'calibration.json'));
  await writeFile(join(dir, 'calibration.json'), '{');
  assert.equal(
    (await readRunCalibration(dir)).state,
    'unusable',
    'a broken file of its own is reported, not replaced',
  );
});

test('the race mechanism is judged against the stickiness a run on the machine uses', async (t) => {
  // The judgement once read the first shipped calibration (2 x AMD EPYC) on every machine, so
  // the Intel sweep's mechanism was set against the AMD machine's stickiness.
  const dir = await mkdtemp(join(tmpdir(), 'harness-calibration-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const file of shippedCalibrationFiles()) {
    const found = await readCalibrationFile(file);
    assert.equal(found.state, 'loaded');
    if (found.state !== 'loaded') continue;
    const like = { ...found.calibration.machine, hostname: 'elsewhere' };
    assert.equal((await calibrationFor(dir, like))?.file, file, `a machine like ${file}'s`);
  }
  // This machine's own calibration first, when it was made here; another machine's is passed over.
  await writeFile(join(dir, 'calibration.json'), JSON.stringify(calibration));
  const own = await calibrationFor(dir, here);
  assert.equal(own?.state, 'loaded');
  assert.equal(own?.file, join(dir, 'calibration.json'));
  const other = { hostname: 'x', platform: 'linux x64', cpus: 64, cpuModel: 'Other', node: 'v20' };
  const fallback = await calibrationFor(dir, other);
  assert.equal(fallback?.state, 'shipped', 'not the calibration made on another machine');
  assert.equal(fallback?.file, SHIPPED_CALIBRATION());
});

test('the emulated gthread behind haproxy uses its own calibration, the real servers their balanced one', () => {
  const withHaproxy: Calibration = {
    ...calibration,
    servers: {
      ...calibration.servers,
      gthread: { direct: entry(0.92, 1), balanced: entry(0.6, 4), haproxy: entry(0.81, 4) },
    },
  };
  const loaded = { state: 'loaded', file: 'c.json', calibration: withHaproxy } as const;
  assert.equal(acceptRaceChoice('gthread', 4, loaded, here).stickiness, 0.6);
  const twin = acceptRaceChoice('gthread', 4, loaded, here, { viaHaproxy: true });
  assert.equal(twin.stickiness, 0.81);
  assert.match(twin.note, /connections through haproxy/);
  assert.equal(acceptRaceChoice('gthread', 1, loaded, here, { viaHaproxy: true }).stickiness, 0.92);
  assert.equal(
    acceptRaceChoice('gunicorn-gthread', 4, loaded, here, { viaHaproxy: true }).stickiness,
    0.8,
  );
  assert.deepEqual(pathsOf('gthread', true), ['direct', 'balanced', 'haproxy']);
  assert.deepEqual(pathsOf('gthread', false), ['direct', 'balanced']);
  assert.deepEqual(pathsOf('uvicorn', true), ['direct', 'balanced']);
});

test('neutral configurations: 3 workers; one replica of 48 users, or four of 32 behind the balancer', () => {
  assert.equal(racePathOf(1), 'direct');
  assert.equal(racePathOf(10), 'balanced');
  assert.deepEqual(neutralConfiguration('gunicorn-gthread', 'balanced'), {
    workers: 3,
    threads: 2,
    replicas: 4,
    users: 128,
    serviceMs: 100,
    bursts: 20,
  });
  assert.equal(neutralConfiguration('gunicorn-gthread', 'direct').users, 48);
  assert.equal(neutralConfiguration('uvicorn', 'direct', 4).endpoint, 'def');
  assert.equal(neutralConfiguration('uvicorn', 'direct', 4).bursts, 4);
  // The emulated uvicorn worker runs the same plain def endpoint in a pool of 40 threads,
  // written as its handler style; the real ones take it as their endpoint.
  assert.equal(neutralConfiguration('async', 'direct').threads, 40);
  assert.deepEqual(neutralTopology('async', 'direct').asyncWorker, {
    handler: 'def',
    threadPool: 40,
  });
  assert.equal(neutralTopology('async', 'direct').endpoint, undefined);
  assert.equal(neutralTopology('uvicorn', 'balanced').endpoint, 'def');
  assert.equal(neutralTopology('uvicorn', 'balanced').asyncWorker, undefined);
});

test('of the shipped race fits a run takes the one made on a machine like its own, else none', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-race-fit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = shippedRaceFitFiles();
  assert.equal(files[0], SHIPPED_RACE_FIT());
  assert.ok(files.length >= 2, `shipped: ${files.join(', ')}`);
  for (const file of files) {
    const { machine } = JSON.parse(await readFile(file, 'utf8')) as { machine: Machine };
    const chosen = await readRaceFit(dir, { ...machine, hostname: 'elsewhere', node: 'v20.0.0' });
    assert.equal(chosen.state, 'shipped', `${file} parses`);
    assert.equal(chosen.state === 'shipped' ? chosen.file : null, file);
  }
  const other = { hostname: 'x', platform: 'linux x64', cpus: 64, cpuModel: 'Other', node: 'v20' };
  assert.equal((await readRaceFit(dir, other)).state, 'none');
});
