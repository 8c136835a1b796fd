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

/** Seconds as a short human string: 0.0123 -> "12.3ms", 2 -> "2s", 134 -> "2m14s". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || Number.isNaN(seconds)) return 'n/a';
  if (!Number.isFinite(seconds)) return String(seconds);
  const abs = Math.abs(seconds);
  if (abs < 1e-3) return `${round(seconds * 1e6)}µs`;
  if (abs < 1) return `${round(seconds * 1e3)}ms`;
  if (abs < 60) return `${round(seconds)}s`;
  const minutes = Math.floor(abs / 60);
  return `${seconds < 0 ? '-' : ''}${minutes}m${round(abs - minutes * 60)}s`;
}

function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}
