import { ResultsWriteError } from '../errors.js';

/**
 * Runs one write of a run's results and reports any failure (a full disk, a directory that went
 * away, permissions) as E_RESULTS_WRITE naming the file, so that a run ends with exit code 103
 * and a message, never with an internal error. The writers themselves (atomic-write.ts) leave
 * what was written before intact.
 */
export async function resultsWrite<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ResultsWriteError) throw error;
    throw new ResultsWriteError(`cannot write ${file}: ${(error as Error).message}`, {
      fix: 'free space on the disk or give another --reports-dir; the files written before are intact',
      cause: error,
    });
  }
}
