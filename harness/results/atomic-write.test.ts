import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StagedFile, writeFileAtomic } from './atomic-write.js';
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
