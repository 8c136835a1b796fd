import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * The commit a checkout is at, read from its `.git` files rather than by running
 * `git rev-parse HEAD`: spawning git cost 80-190 ms of every command's start on a busy machine
 * (issue 17's goal: `model` answers in under 1 s). Handles what a clone and `git worktree add`
 * leave: `.git` as a directory or as a `gitdir:` file, a worktree's `commondir`, a detached HEAD,
 * a branch in loose refs or in packed-refs. Anything else (a ref backend it does not know, no
 * repository at all) gives null, and the caller may ask git itself.
 */

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The git directory of the checkout at `root`, and the common one that holds shared refs. */
function gitDirs(root: string): { dir: string; common: string } | null {
  const dotGit = join(root, '.git');
  const file = read(dotGit);
  let dir = dotGit;
  if (file !== null) {
    const match = /^gitdir:\s*(.+)$/m.exec(file);
    if (match === null) return null;
    const target = (match[1] as string).trim();
    dir = isAbsolute(target) ? target : join(root, target);
  }
  const commondir = read(join(dir, 'commondir'))?.trim();
  const common =
    commondir === undefined ? dir : isAbsolute(commondir) ? commondir : join(dir, commondir);
  return { dir, common };
}

function packedRef(common: string, ref: string): string | null {
  const packed = read(join(common, 'packed-refs'));
  if (packed === null) return null;
  for (const line of packed.split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha !== undefined && SHA.test(sha)) return sha;
  }
  return null;
}

/** The full commit id HEAD points at, or null when it cannot be read from the files. */
export function readCommit(root: string): string | null {
  const dirs = gitDirs(root);
  if (dirs === null) return null;
  const head = read(join(dirs.dir, 'HEAD'))?.trim();
  if (head === undefined) return null;
  if (SHA.test(head)) return head;
  const match = /^ref:\s*(\S+)$/.exec(head);
  if (match === null) return null;
  const ref = match[1] as string;
  // A worktree's own refs (HEAD-like ones) live in its dir, branches in the common one.
  for (const dir of [dirs.dir, dirs.common]) {
    const loose = read(join(dir, ref))?.trim();
    if (loose !== undefined && SHA.test(loose)) return loose;
  }
  return packedRef(dirs.common, ref);
}
