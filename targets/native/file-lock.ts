import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * flock(2) on an open file, from file-lock.c. The lock belongs to the open file description, so
 * it is released when the holder closes the file or dies, however it dies: what makes an
 * advisory file lock usable for electing one scheduler among processes on one host.
 */
interface Addon {
  tryLock(fd: number): boolean;
  unlock(fd: number): void;
}

let addon: Addon | undefined;

function load(): Addon {
  if (addon === undefined) {
    const require = createRequire(import.meta.url);
    const path = join(packageRoot(), 'targets', 'native', 'build', 'Release', 'file_lock.node');
    try {
      addon = require(path) as Addon;
    } catch (error) {
      throw new Error(
        `the native file lock is not built (${path}); run \`npm install\` to build it`,
        {
          cause: error,
        },
      );
    }
  }
  return addon;
}

/** flock(fd, LOCK_EX | LOCK_NB): true when this process now holds the lock, false when another does. */
export function tryLockFile(fd: number): boolean {
  return load().tryLock(fd);
}

/** flock(fd, LOCK_UN). */
export function unlockFile(fd: number): void {
  load().unlock(fd);
}
