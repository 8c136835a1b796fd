import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';

const isTestOnly = (file: string): boolean =>
  file.endsWith('.test.ts') || file.includes('/test-support/') || file.includes('/fixtures/');

test('no shipped module imports a test-support module', () => {
  const root = packageRoot();
  const files = execFileSync('git', ['ls-files', 'harness', 'targets'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f.endsWith('.ts') && !isTestOnly(f));
  assert.ok(files.length > 100, `expected the shipped sources, found ${files.length}`);
  const offenders = files.filter((f) =>
    /from '[^']*test-support\//.test(readFileSync(join(root, f), 'utf8')),
  );
  assert.deepEqual(offenders, []);
});
