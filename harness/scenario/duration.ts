/**
 * Durations as users write them: a number of seconds, or a string with a unit.
 *
 *   duration := number | /^\s*(\d+(\.\d+)?)\s*(us|µs|ms|s|m|min|h)\s*$/
 *
 * Returns seconds, or undefined when the text is not a duration.
 */
/** Seconds per unit of every duration unit the harness reads (scenarios, options, thresholds). */
export const UNIT_SECONDS: Record<string, number> = {
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
};

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|m|h)\s*$/;

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = PATTERN.exec(value);
  if (match === null) return undefined;
  const [, amount, unit] = match;
  const scale = unit === undefined ? undefined : UNIT_SECONDS[unit];
  if (amount === undefined || scale === undefined) return undefined;
  return Number(amount) * scale;
}

/**
 * Seconds as a short human string with three significant digits: 0.0123 -> "12.3ms", 2 -> "2s",
 * 134 -> "2m14s". Rounding never shows a unit at its next unit's size: 0.9996 -> "1s", not
 * "1000ms", and 299.97 -> "5m0s", not "4m60s".
 */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || Number.isNaN(seconds)) return 'n/a';
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const abs = Math.abs(seconds);
  // Below a nanosecond is floating-point dust (a difference of two equal sums): 0µs.
  if (abs < 1e-9) return '0µs';
  const micros = roundTo3(abs * 1e6);
  if (micros < 1000) return `${sign}${micros}µs`;
  const millis = roundTo3(abs * 1e3);
  if (millis < 1000) return `${sign}${millis}ms`;
  const whole = roundTo3(abs);
  if (whole < 60) return `${sign}${whole}s`;
  // Minutes and seconds, the seconds to a tenth, split after rounding.
  const tenths = Math.round(abs * 10);
  const minutes = Math.floor(tenths / 600);
  return `${sign}${minutes}m${(tenths - minutes * 600) / 10}s`;
}

function roundTo3(value: number): number {
  return Number(value.toPrecision(3));
}
