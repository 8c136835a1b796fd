import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunDirInvalidError } from '../errors.js';
import { tempDir } from '../test-support/spawn-cli.js';
import { readNdjson, readRun } from './read-run.js';

test('NDJSON: a last line cut short is dropped and said; a bad line before the last is damage', () => {
  assert.deepEqual(readNdjson('{"a":1}\n{"a":2}\n', 'f'), {
    records: [{ a: 1 }, { a: 2 }],
    cut: false,
  });
  assert.deepEqual(readNdjson('{"a":1}\n{"a":2', 'f'), { records: [{ a: 1 }], cut: true });
  // A whole last line without its newline is a record, not a cut.
  assert.deepEqual(readNdjson('{"a":1}\n{"a":2}', 'f'), {
    records: [{ a: 1 }, { a: 2 }],
    cut: false,
  });
  assert.throws(
    () => readNdjson('{"a":1}\n{"a":\n{"a":3}\n', 'f'),
    (error: unknown) =>
      error instanceof RunDirInvalidError && /f:2 is not valid JSON/.test(error.message),
  );
});

test('a run whose requests.ndjson was cut mid-line still reads, with a note saying what is shown', async (t) => {
  const dir = await tempDir(t);
  const summary = { schemaVersion: 1, complete: false, finishedAt: null, topologies: [] };
  await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
  await writeFile(join(dir, 'scenario.json'), '{}');
  await writeFile(join(dir, 'requests.ndjson'), '{"index":0}\n{"index":1}\n{"ind');
  const run = await readRun(dir);
  assert.equal(run.requests.length, 2);
  assert.ok(
    run.notes.some(
      (n) =>
        n.startsWith('requests.ndjson ends in a line cut short') && n.includes('the 2 whole lines'),
    ),
    run.notes.join('\n'),
  );
});
