import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestRecord } from '../results/request-record.js';

/**
 * The dispatch spread of a burst sent by several processes on one machine: real ms from the
 * first request written, by any of them, to the last. Each run directory's records give their
 * `written` instants in scenario seconds from that run's own time zero, and its summary gives
 * where that time zero fell on the machine's wall clock (`shard.actualStartWallMs`, or, for a
 * single run, 0 with one process only) and the time scale; all processes here read one wall
 * clock, so the instants compare. Only for runs that keep their records.
 */
export async function dispatchSpreadAcross(runDirs: readonly string[]): Promise<number> {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const dir of runDirs) {
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as {
      timeScale: number;
      shard?: { actualStartWallMs: number | null };
    };
    const zero = summary.shard?.actualStartWallMs ?? 0;
    if (runDirs.length > 1 && summary.shard?.actualStartWallMs == null)
      throw new Error(
        `${dir}: no shard start on the wall clock, so its instants cannot be compared`,
      );
    const text = await readFile(join(dir, 'requests.ndjson'), 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as RequestRecord;
      if (record.written === null) continue;
      const at = zero + record.written * summary.timeScale * 1000;
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
  }
  if (!Number.isFinite(first)) throw new Error(`no request written in ${runDirs.join(', ')}`);
  return last - first;
}
