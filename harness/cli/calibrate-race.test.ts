import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { spawnCli } from '../test-support/spawn-cli.js';

/**
 * `calibrate --race-sweep` / `--sweep-from`, end to end on a sweep measured before (three of the
 * shipped sweep's gunicorn gthread configurations): the out-of-sample table, the verdict and the
 * fit it stores. Measuring a sweep needs the real servers and minutes; fitting one does not.
 */
async function subsetSweep(dir: string): Promise<string> {
  const shipped = JSON.parse(
    await readFile(join(packageRoot(), 'harness/calibrate/shipped-race-sweep.json'), 'utf8'),
  );
  const keep = ['gg-3x2-48-100ms', 'gg-3x3-150-300ms', 'gg-3x2-r2-96-100ms', 'uv-3-48-100ms'];
  const file = join(dir, 'sweep.json');
  await writeFile(
    file,
    JSON.stringify({
      measuredAt: shipped.measuredAt,
      bursts: shipped.bursts,
      configurations: shipped.configurations.filter((c: { name: string }) => keep.includes(c.name)),
    }),
  );
  return file;
}

test('--sweep-from prints the out-of-sample table and stores the fit where it wins', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'calibrate-race-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sweep = await subsetSweep(dir);
  const json = await spawnCli([
    'calibrate',
    '--sweep-from',
    sweep,
    '--server',
    'gunicorn-gthread',
    '--reports-dir',
    dir,
    '--json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  // --server kept gunicorn gthread's three: each predicted from the other two.
  assert.deepEqual(
    result.rows.map((r: { name: string }) => r.name),
    ['gg-3x2-48-100ms', 'gg-3x3-150-300ms', 'gg-3x2-r2-96-100ms'],
  );
  for (const row of result.rows) {
    assert.ok(row.measured.meanWait > 0);
    assert.ok(row.mechanism.meanWait > 0 && row.sticky.meanWait > 0);
  }
  assert.equal(result.verdicts.length, 1);
  assert.equal(result.verdicts[0].server, 'gunicorn-gthread');
  const stored = JSON.parse(await readFile(join(dir, 'race-mechanism.json'), 'utf8'));
  assert.deepEqual(stored, result.fit);
  // Stored only where the mechanism won, fitted on all three then.
  assert.equal(stored.servers['gunicorn-gthread'] === undefined, !result.verdicts[0].better);
  if (result.verdicts[0].better)
    assert.equal(stored.servers['gunicorn-gthread'].fittedOn.length, 3);
  assert.match(json.stderr, /written: .*race-mechanism\.json/);
});

test('--sweep-from a file that is not a sweep exits 104 with the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'calibrate-race-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  await writeFile(bad, '{"hello": 1}');
  const notSweep = await spawnCli(['calibrate', '--sweep-from', bad, '--reports-dir', dir]);
  assert.equal(notSweep.code, 104);
  assert.match(notSweep.stderr, /not a race sweep/);
  const missing = await spawnCli([
    'calibrate',
    '--sweep-from',
    join(dir, 'none.json'),
    '--reports-dir',
    dir,
  ]);
  assert.equal(missing.code, 104);
  assert.match(missing.stderr, /fix: give a race-sweep\.json/);
});

test('--help documents the race sweep', async () => {
  const help = await spawnCli(['calibrate', '--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--race-sweep', '--sweep-bursts <n>', '--sweep-from <file>'])
    assert.ok(help.stdout.includes(flag), flag);
  assert.match(help.stdout, /out of sample/);
});

test("servers the sweep did not measure keep this machine's earlier fit", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'calibrate-race-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const machine = {
    hostname: hostname(),
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
  const uvicorn = { returnTime: 0.02, wakeTime: 0.5, spacing: 0.0003, fittedOn: ['earlier'] };
  await writeFile(
    join(dir, 'race-mechanism.json'),
    JSON.stringify({
      schemaVersion: 1,
      machine,
      measuredAt: '2026-12-01T00:00:00.000Z',
      objective: 'shares',
      servers: { uvicorn },
    }),
  );
  const sweep = await subsetSweep(dir);
  const run = await spawnCli([
    'calibrate',
    '--sweep-from',
    sweep,
    '--server',
    'gunicorn-gthread',
    '--reports-dir',
    dir,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /gunicorn-gthread: mean absolute error out of sample/);
  const stored = JSON.parse(await readFile(join(dir, 'race-mechanism.json'), 'utf8'));
  assert.deepEqual(stored.servers.uvicorn, uvicorn);
});
