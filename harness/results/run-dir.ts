import { mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Runs are written to `<reportsRoot>/<scenario>/<run-id>/`, and `<reportsRoot>/<scenario>/latest`
 * is a symbolic link to the newest run's directory. The run id is the UTC start time, sortable,
 * with a suffix that keeps two runs in the same second apart.
 */
export function runId(startedAt: Date, suffix: string): string {
  return `${startedAt
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z')}-${suffix}`;
}

export async function createRunDir(
  reportsRoot: string,
  scenario: string,
  id: string,
): Promise<string> {
  const dir = join(reportsRoot, scenario, id);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Points `latest` at the run, replacing any older link atomically (symlink, then rename). */
export async function markLatest(reportsRoot: string, scenario: string, id: string): Promise<void> {
  const link = join(reportsRoot, scenario, 'latest');
  const temporary = `${link}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await symlink(id, temporary);
  await rename(temporary, link);
}

/** The run directory `latest` points at, if any. */
export async function latestRun(
  reportsRoot: string,
  scenario: string,
): Promise<string | undefined> {
  try {
    return join(reportsRoot, scenario, await readlink(join(reportsRoot, scenario, 'latest')));
  } catch {
    return undefined;
  }
}
