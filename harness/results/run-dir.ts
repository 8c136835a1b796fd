import { constants } from 'node:fs';
import { access, mkdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ReportsDirError } from '../errors.js';

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
  await makeDirectories(dir);
  return dir;
}

/**
 * `mkdir -p`, one directory at a time. Node's `mkdir(path, { recursive: true })` never returns
 * for a path under /proc (libuv retries the ENOENT that creating there gives, 800 times a second:
 * `--reports-dir /proc/x` hung, ignoring signals, until killed; issue 17); here the first
 * directory that cannot be made ends it with the system's error.
 */
export async function makeDirectories(path: string): Promise<void> {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    try {
      if (!(await stat(dir)).isDirectory())
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
          code: 'ENOTDIR',
        });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.push(dir);
      const parent = dirname(dir);
      if (parent === dir) throw error;
      dir = parent;
    }
  }
  for (const each of missing.reverse()) {
    try {
      await mkdir(each);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Makes the reports directory if it is missing and checks that it can be written, before a run
 * starts anything: a directory that cannot hold a run is refused at once, named, with the
 * system's reason.
 */
export async function ensureReportsDir(
  reportsRoot: string,
  option = '--reports-dir',
): Promise<void> {
  try {
    await makeDirectories(reportsRoot);
    await access(reportsRoot, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ReportsDirError(`cannot write to the reports directory ${reportsRoot} (${code})`, {
      fix: `give ${option} a directory you can write to, or create it first`,
      cause: error,
    });
  }
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
