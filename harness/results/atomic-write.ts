import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` so that no reader ever sees half a file: into a temporary file in the
 * same directory, flushed to disk, then renamed over `path` (rename is atomic within a file
 * system). On failure the temporary file is removed and `path` keeps its old content.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temporary, 'w', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * A file written in parts that appears under its final name only when complete: parts go to
 * `<name>.partial`, and commit() renames it into place. Used for requests.ndjson, which grows
 * topology by topology.
 */
export class StagedFile {
  readonly path: string;
  readonly partialPath: string;
  private started = false;

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
    } finally {
      await handle.close();
    }
  }

  async commit(): Promise<void> {
    if (!this.started) await this.append('');
    await rename(this.partialPath, this.path);
  }
}
