import { StartLateError } from '../errors.js';
import { monotonicAt, START_TOLERANCE_MS } from './start-at.js';

/**
 * A shard's start on this machine's clocks (the I/O edge of start-at.ts): the --start-at wall
 * instant is turned into a monotonic one when the load is set up and asks for its start, and
 * the load's actual time zero is read back on the wall clock. Both clocks are read in pairs,
 * one right after the other, so the conversion's own error is that of two clock reads.
 */
export class ShardStart {
  constructor(
    private readonly startAtMs: number | null,
    /** The clocks read: this machine's wall and monotonic ones (tests give their own). */
    private readonly clocks: { wallMs(): number; monoNs(): bigint } = {
      wallMs: () => Date.now(),
      monoNs: () => process.hrtime.bigint(),
    },
  ) {}

  /** For the load (LoadContext.startAt): the monotonic instant of --start-at, or now if past. */
  readonly startAt = async (): Promise<bigint> => {
    const wallNow = this.clocks.wallMs();
    const monoNow = this.clocks.monoNs();
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
    const wallNow = this.clocks.wallMs();
    const monoNow = this.clocks.monoNs();
    const actualStartWallMs = wallNow - Number(monoNow - startNs) / 1e6;
    return {
      startAt,
      actualStartWallMs,
      startLatenessMs: this.startAtMs === null ? null : actualStartWallMs - this.startAtMs,
      startMonotonicNs: startNs.toString(),
    };
  }
}

/**
 * The error of a shard whose load started later than --start-at by more than the tolerance
 * (it was set up too late: it started at once, and its results are kept); undefined otherwise.
 */
export function lateStartError(latenessMs: number | null): StartLateError | undefined {
  if (latenessMs === null || latenessMs <= START_TOLERANCE_MS) return undefined;
  return new StartLateError(
    `the load started ${Math.round(latenessMs)} ms after --start-at (tolerance ${START_TOLERANCE_MS} ms): it was set up too late to start with the other shards`,
    {
      fix: 'give a --start-at further ahead, leaving time for every shard to start and set up; its results are kept',
    },
  );
}
