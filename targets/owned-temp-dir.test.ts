import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeOwnedTempDir, sweepOrphans } from './owned-temp-dir.js';

test("a temporary directory whose maker died is swept; a live maker's is kept", () => {
  const prefix = `harness-owned-test-${process.pid}`;
  // A pid that surely ran and ended: a child that has exited.
  const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
  const orphan = join(tmpdir(), `${prefix}-${dead}-abc`);
  mkdirSync(join(orphan, 'inside'), { recursive: true });
  const mine = makeOwnedTempDir(prefix);
  try {
    assert.ok(!existsSync(orphan), "the dead maker's directory was kept");
    assert.ok(existsSync(mine));
    assert.match(mine, new RegExp(`${prefix}-${process.pid}-`));
    sweepOrphans(prefix);
    assert.ok(existsSync(mine), "a live maker's directory was removed");
  } finally {
    rmSync(mine, { recursive: true, force: true });
    rmSync(orphan, { recursive: true, force: true });
  }
});
