import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../targets/package-root.js';
import {
  ERROR_CLASSES,
  HarnessError,
  ResultsWriteError,
  RunAbortedError,
  ScenarioInvalidError,
} from './errors.js';
import { ExitCode } from './exit-codes.js';

function instance(cls: (typeof ERROR_CLASSES)[number]): HarnessError {
  if (cls === ScenarioInvalidError)
    return new ScenarioInvalidError('x.json', [{ path: 'a', message: 'b', fix: 'c' }]);
  if (cls === RunAbortedError) return new RunAbortedError('SIGINT');
  return new (cls as new (message: string) => HarnessError)('message');
}

test('every error class has its name, a stable unique code and a documented exit code', async () => {
  const readme = await readFile(join(packageRoot(), 'README.md'), 'utf8');
  const codes = new Set<string>();
  const exitCodes = new Set<number>(Object.values(ExitCode));
  for (const cls of ERROR_CLASSES) {
    const error = instance(cls);
    assert.ok(error instanceof HarnessError && error instanceof Error);
    assert.equal(error.name, cls.name);
    assert.match(error.code, /^E_[A-Z_]+$/);
    assert.ok(!codes.has(error.code), `duplicate code ${error.code}`);
    codes.add(error.code);
    assert.ok(exitCodes.has(error.exitCode), `${error.code} exits with an undocumented code`);
    assert.ok(readme.includes(`\`${error.code}\``), `README.md does not list ${error.code}`);
  }
  for (const code of exitCodes) {
    assert.match(
      readme,
      new RegExp(`^\\| ${code}\\s+\\|`, 'm'),
      `README.md does not list exit code ${code}`,
    );
  }
});

test('a cause is kept and the fix is carried', () => {
  const cause = new Error('disk full');
  const error = new ResultsWriteError('cannot write', { fix: 'free space', cause });
  assert.equal(error.cause, cause);
  assert.equal(error.fix, 'free space');
});

test("the README's error table lists exactly errors.ts's codes (and the launcher's), each with its exit code", async () => {
  const readme = await readFile(join(packageRoot(), 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Error codes\n');
  assert.ok(start >= 0, 'the README has an "## Error codes" section');
  const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = new Map(
    [...table.matchAll(/^\| `(E_[A-Z_]+)` +\| (\d+) +\|/gm)].map((m) => [
      m[1] as string,
      Number(m[2]),
    ]),
  );
  // The launcher (harness/cli/launch.mjs, plain JavaScript) refuses a missing or stale build
  // before any module of errors.ts loads: its two codes exit 104 there.
  const launcher = await readFile(join(packageRoot(), 'harness', 'cli', 'build-state.mjs'), 'utf8');
  const expected = new Map<string, number>([
    ['E_BUILD_MISSING', ExitCode.InvalidInput],
    ['E_BUILD_STALE', ExitCode.InvalidInput],
  ]);
  for (const code of expected.keys()) assert.ok(launcher.includes(`error ${code}:`), code);
  for (const cls of ERROR_CLASSES) {
    const error = instance(cls);
    expected.set(error.code, error.exitCode);
  }
  assert.deepEqual(
    [...rows].sort(([a], [b]) => a.localeCompare(b)),
    [...expected].sort(([a], [b]) => a.localeCompare(b)),
    "the README's rows (code, exit), then errors.ts's",
  );
});
