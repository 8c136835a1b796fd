import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeTemporaryFilesSync, StagedFile, writeFileAtomic } from './atomic-write.js';
import { createRunDir, latestRun, markLatest, runId } from './run-dir.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-results-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a reader sees the old or the new file, never half of one', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'summary.json');
  const versions = ['a', 'b', 'c', 'd'].map((c) => c.repeat(2_000_000));
  await writeFileAtomic(path, versions[0] as string);
  let reads = 0;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const text = await readFile(path, 'utf8');
      assert.ok(versions.includes(text), `read ${text.length} bytes that are no complete version`);
      reads++;
    }
  })();
  for (let round = 0; round < 5; round++) for (const v of versions) await writeFileAtomic(path, v);
  writing = false;
  await reader;
  assert.ok(reads > 0);
  assert.deepEqual((await readdir(dir)).sort(), ['summary.json'], 'no temporary file is left');
});

test('a failed write leaves the old content and no temporary file', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x.json'), 'x'));
  assert.deepEqual(await readdir(dir), []);
});

test('an exit hook that runs mid-write leaves no temporary file, even one not yet opened', async (t) => {
  // An uncaught exception's hook can run while a write's first step is still on the thread pool;
  // the process then exits. The temporary file must exist (and be removed by the hook) from the
  // call on, and the write must not create it again afterwards.
  const dir = await tempDir(t);
  // Keep the thread pool's four threads busy, so that any file operation the write hands to the
  // pool is still waiting when the hook runs.
  const busy = Array.from(
    { length: 4 },
    () => new Promise((resolve) => pbkdf2('p', 's', 300_000, 32, 'sha256', resolve)),
  );
  const writing = writeFileAtomic(join(dir, 'report.html'), 'x'.repeat(1_000_000)).then(
    () => 'written',
    (error: NodeJS.ErrnoException) => error.code,
  );
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 1);
  removeTemporaryFilesSync();
  await Promise.all(busy);
  assert.equal(await writing, 'ENOENT', 'the write stops: its temporary file is gone');
  assert.deepEqual(await readdir(dir), [], 'nothing left, nothing half written under its name');
});

test('a staged file appears under its name only when committed', async (t) => {
  const dir = await tempDir(t);
  const file = new StagedFile(join(dir, 'requests.ndjson'));
  await file.append('{"a":1}\n');
  await file.append('{"a":2}\n');
  assert.equal(existsSync(file.path), false);
  await file.commit();
  assert.equal(await readFile(file.path, 'utf8'), '{"a":1}\n{"a":2}\n');
  assert.equal(existsSync(file.partialPath), false);
});

test('run ids sort by time and latest points at the newest run', async (t) => {
  const root = await tempDir(t);
  const first = runId(new Date('2026-01-02T03:04:05.678Z'), 'ab12');
  const second = runId(new Date('2026-01-02T03:04:06.000Z'), 'cd34');
  assert.equal(first, '2026-01-02T03-04-05Z-ab12');
  assert.ok(first < second);
  await createRunDir(root, 's', first);
  await markLatest(root, 's', first);
  await createRunDir(root, 's', second);
  await markLatest(root, 's', second);
  assert.equal(await readlink(join(root, 's', 'latest')), second);
  assert.equal(await latestRun(root, 's'), join(root, 's', second));
});
