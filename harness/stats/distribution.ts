/**
 * Count, mean, median, tail percentiles and maximum of a set of durations, in the unit the
 * holder names (recorder: real microseconds; load figures: scenario seconds; event fan-out: real
 * milliseconds).
 */
export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
