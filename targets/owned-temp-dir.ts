import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary directories named after the process that made them
 * (`<prefix>-<pid>-XXXXXX` in the system's temporary directory), so that one left behind by a
 * process killed outright (SIGKILL, when nothing can clean up) is removed the next time any
 * process makes one with the same prefix, once its maker is gone.
 */
export function makeOwnedTempDir(prefix: string): string {
  sweepOrphans(prefix);
  return mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
}

/** Removes the directories of `prefix` whose maker no longer runs. */
export function sweepOrphans(prefix: string): void {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)-`);
  let entries: string[];
  try {
    entries = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = pattern.exec(entry);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processExists(pid)) continue;
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** Whether process `pid` exists (a zombie counts), whoever owns it. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
