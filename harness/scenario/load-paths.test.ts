import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScenarioNotFoundError } from '../errors.js';
import { tempDir } from '../test-support/spawn-cli.js';
import { loadScenario } from './load.js';

test('a scenario path that is there but cannot be read says why, not "not found"', async (t) => {
  const dir = await tempDir(t);
  // Two links pointing at each other: every open fails with ELOOP.
  await symlink(join(dir, 'b.json'), join(dir, 'a.json'));
  await symlink(join(dir, 'a.json'), join(dir, 'b.json'));
  await assert.rejects(loadScenario(join(dir, 'a.json')), (error: unknown) => {
    assert.ok(error instanceof ScenarioNotFoundError);
    assert.match(
      error.message,
      /cannot be read \(.*a\.json: its symbolic links form a loop \(ELOOP\)\)/,
    );
    assert.match(error.fix ?? '', /point the link at the scenario file itself/);
    return true;
  });
  // A file where the path needs a directory.
  await writeFile(join(dir, 'plain'), '{}');
  await assert.rejects(loadScenario(join(dir, 'plain', 'x.json')), (error: unknown) => {
    assert.ok(error instanceof ScenarioNotFoundError);
    assert.match(error.message, /a part of the path is a file, not a directory \(ENOTDIR\)/);
    return true;
  });
  // A path that is not there at all is still "not found", with the built-in names.
  await assert.rejects(loadScenario(join(dir, 'none.json')), /not found .*no such file/);
});
