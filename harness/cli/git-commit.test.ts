import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { tempDir } from '../test-support/spawn-cli.js';
import { readCommit } from './git-commit.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

test('the commit read from .git is the one git itself names, in this checkout', (t) => {
  let fromGit: string;
  try {
    fromGit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot() }).toString().trim();
  } catch {
    t.skip('not a git checkout (a tarball): nothing to compare with');
    return;
  }
  assert.equal(readCommit(packageRoot()), fromGit);
});

test('the commit is read from every layout a clone or a worktree leaves, null from none', async (t) => {
  const root = await tempDir(t);
  assert.equal(readCommit(root), null, 'no .git: null');
  // A clone: a branch in loose refs, then only in packed-refs, then a detached HEAD.
  const clone = join(root, 'clone');
  await mkdir(join(clone, '.git', 'refs', 'heads'), { recursive: true });
  await writeFile(join(clone, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(
    join(clone, '.git', 'packed-refs'),
    `# pack-refs with: peeled\n${B} refs/heads/main\n`,
  );
  assert.equal(readCommit(clone), B, 'packed-refs');
  await writeFile(join(clone, '.git', 'refs', 'heads', 'main'), `${A}\n`);
  assert.equal(readCommit(clone), A, 'a loose ref wins over packed-refs');
  await writeFile(join(clone, '.git', 'HEAD'), `${B}\n`);
  assert.equal(readCommit(clone), B, 'detached HEAD');
  // A worktree: .git is a file naming its git dir, whose commondir holds the branches.
  const worktree = join(root, 'wt');
  const gitDir = join(clone, '.git', 'worktrees', 'wt');
  await mkdir(worktree, { recursive: true });
  await mkdir(gitDir, { recursive: true });
  await writeFile(join(worktree, '.git'), `gitdir: ${gitDir}\n`);
  await writeFile(join(gitDir, 'commondir'), '../..\n');
  await writeFile(join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
  assert.equal(readCommit(worktree), A, 'a worktree reads the common refs');
  // What it cannot read gives null (the caller then asks git): an unborn branch, garbage.
  await writeFile(join(gitDir, 'HEAD'), 'ref: refs/heads/unborn\n');
  assert.equal(readCommit(worktree), null);
  await writeFile(join(worktree, '.git'), 'not a gitdir line');
  assert.equal(readCommit(worktree), null);
});
