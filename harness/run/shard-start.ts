import { monotonicAt } from './start-at.js';

/**
 * A shard's start on this machine's clocks (the I/O edge of start-at.ts): the --start-at wall
 * instant is turned into a monotonic one when the load is set up and asks for its start, and
 * the load's actual time zero is read back on the wall clock. Both clocks are read in pairs,
 * one right after the other, so the conversion's own error is that of two clock reads.
 */
export class ShardStart {
  constructor(private readonly startAtMs: number | null) {}

  /** For the load (LoadContext.startAt): the monotonic instant of --start-at, or now if past. */
  readonly startAt = async (): Promise<bigint> => {
    const wallNow = Date.now();
    const monoNow = process.hrtime.bigint();
    if (this.startAtMs === null) return monoNow;
    const at = monotonicAt(this.startAtMs, wallNow, monoNow);
    return at > monoNow ? at : monoNow;
  };

  /** Whether the load should wait for an instant (--start-at given). */
  get waits(): boolean {
    return this.startAtMs !== null;
  }

  /** The load's time zero (monotonic ns) on the wall clock, and its lateness against --start-at. */
  facts(startNs: bigint | undefined): {
    startAt: string | null;
    actualStartWallMs: number | null;
    startLatenessMs: number | null;
    startMonotonicNs: string | null;
  } {
    const startAt = this.startAtMs === null ? null : new Date(this.startAtMs).toISOString();
    if (startNs === undefined)
      return { startAt, actualStartWallMs: null, startLatenessMs: null, startMonotonicNs: null };
    const wallNow = Date.now();
    const monoNow = process.hrtime.bigint();
    const actualStartWallMs = wallNow - Number(monoNow - startNs) / 1e6;
    return {
      startAt,
      actualStartWallMs,
      startLatenessMs: this.startAtMs === null ? null : actualStartWallMs - this.startAtMs,
      startMonotonicNs: startNs.toString(),
    };
  }
}
