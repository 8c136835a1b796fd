import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { open, rename, rm, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary files being written now, so that an exit hook can remove them (see below). */
const pending = new Set<string>();

/**
 * For exit hooks (a second Ctrl-C, an uncaught exception), where nothing asynchronous runs:
 * removes the temporary files of atomic writes that were under way. The final files were never
 * touched, so nothing else needs undoing. After SIGKILL no hook runs; a leftover is named
 * `.<name>.<pid>.<hex>.tmp`, never a result file's own name.
 */
export function removeTemporaryFilesSync(): void {
  for (const temporary of pending) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Best effort: the process is exiting.
    }
  }
  pending.clear();
}

/**
 * Writes `data` to `path` so that no reader ever sees half a file: into a temporary file in the
 * same directory, flushed to disk, then renamed over `path` (rename is atomic within a file
 * system). On failure the temporary file is removed and `path` keeps its old content.
 *
 * The temporary file is created synchronously, then opened without O_CREAT: created on the
 * thread pool, it could appear just after an exit hook (an uncaught exception) had removed the
 * pending ones, and be left behind; opened without O_CREAT, a removed one is never made again.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  pending.add(temporary);
  try {
    closeSync(openSync(temporary, 'wx', 0o644));
    handle = await open(temporary, 'r+');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  } finally {
    pending.delete(temporary);
  }
}

/**
 * A file written in parts that appears under its final name only when complete: parts go to
 * `<name>.partial`, and commit() renames it into place. Used for requests.ndjson, which grows
 * topology by topology. A part that fails to be written (a full disk) is cut off again, so the
 * file holds whole parts only and what was appended before stays readable.
 */
export class StagedFile {
  readonly path: string;
  readonly partialPath: string;
  private started = false;
  /** Bytes of the parts written and flushed so far. */
  private size = 0;

  constructor(path: string) {
    this.path = path;
    this.partialPath = `${path}.partial`;
  }

  async append(data: string): Promise<void> {
    const handle = await open(this.partialPath, this.started ? 'a' : 'w', 0o644);
    this.started = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
      this.size += Buffer.byteLength(data);
    } catch (error) {
      await truncate(this.partialPath, this.size).catch(() => {});
      throw error;
    } finally {
      await handle.close();
    }
  }

  async commit(): Promise<void> {
    if (!this.started) await this.append('');
    await rename(this.partialPath, this.path);
  }
}
