/**
 * One start for every shard (issue 18): `--start-at <instant>` names a wall-clock instant; each
 * shard prepares as usual (its connections), then waits until that instant on its own wall clock
 * and starts the load. Pure parsing and arithmetic here; the clocks are read by the caller.
 *
 * The wall clock (Date.now) is what machines agree on (NTP); the load itself is timed on the
 * monotonic clock, so the instant is converted once, just before the wait:
 *
 *   monotonic start = monotonic now + (start instant − wall now)
 */

/** A start this late (real ms, by this machine's wall clock) still goes ahead, its lateness recorded. */
export const START_TOLERANCE_MS = 500;

/** Latest start instant accepted: a day ahead (a typo in a date should not hang a job). */
export const MAX_START_AHEAD_MS = 24 * 3600 * 1000;

export type StartAtParse = { ok: true; value: number } | { ok: false; message: string };

/**
 * Parses an instant: epoch milliseconds (digits only), or ISO 8601 with a date, a time and a
 * zone (`Z` or `+01:00`); a time without a zone is refused, since shards may not share one.
 */
export function parseStartAt(text: string): StartAtParse {
  const trimmed = text.trim();
  if (/^\d{10,16}$/.test(trimmed)) return { ok: true, value: Number(trimmed) };
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.exec(
    trimmed,
  );
  if (iso === null)
    return {
      ok: false,
      message: `expected an instant as ISO 8601 with a zone (2026-12-02T23:00:00Z) or epoch milliseconds, got "${text}"`,
    };
  const value = Date.parse(trimmed);
  if (!Number.isFinite(value))
    return { ok: false, message: `"${text}" is not a real date and time` };
  return { ok: true, value };
}

/** How the shard's start went against the instant it was given, by its own clocks. */
export type StartCheck =
  | { ok: true; waitMs: number }
  | { ok: false; reason: 'late'; lateMs: number }
  | { ok: false; reason: 'far'; aheadMs: number };

/** Whether a shard ready at `wallNowMs` may start at `startAtMs`: late beyond the tolerance is refused. */
export function checkStart(startAtMs: number, wallNowMs: number): StartCheck {
  const aheadMs = startAtMs - wallNowMs;
  if (aheadMs < -START_TOLERANCE_MS) return { ok: false, reason: 'late', lateMs: -aheadMs };
  if (aheadMs > MAX_START_AHEAD_MS) return { ok: false, reason: 'far', aheadMs };
  return { ok: true, waitMs: Math.max(0, aheadMs) };
}

/** The monotonic instant (ns) that corresponds to wall instant `startAtMs`, given both clocks now. */
export function monotonicAt(startAtMs: number, wallNowMs: number, monoNowNs: bigint): bigint {
  return monoNowNs + BigInt(Math.round((startAtMs - wallNowMs) * 1e6));
}
