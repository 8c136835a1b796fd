import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';

const isTestOnly = (file: string): boolean =>
  file.endsWith('.test.ts') || file.includes('test-support/') || file.includes('fixtures/');

test('no shipped module imports a test-support module', () => {
  const root = packageRoot();
  const files = ['harness', 'targets'].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .map((f) => join(dir, f).replaceAll('\\', '/'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !isTestOnly(f)),
  );
  assert.ok(files.length > 100, `expected the shipped sources, found ${files.length}`);
  const offenders = files.filter((f) =>
    /from '[^']*test-support\//.test(readFileSync(join(root, f), 'utf8')),
  );
  assert.deepEqual(offenders, []);
});
