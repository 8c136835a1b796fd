/**
 * Keeps a chart drawable when a run has many requests: at most `max` items, every k-th one,
 * always keeping the first and the last (the extremes of a sorted series). Charts that thin say
 * so in their subtitle with the stride.
 */
export function thin<T>(items: readonly T[], max: number): { items: T[]; stride: number } {
  if (items.length <= max || max < 2) return { items: [...items], stride: 1 };
  const stride = Math.ceil((items.length - 1) / (max - 1));
  const kept: T[] = [];
  for (let i = 0; i < items.length - 1; i += stride) kept.push(items[i] as T);
  kept.push(items[items.length - 1] as T);
  return { items: kept, stride };
}

/** Points per series and requests per timeline above which charts thin their data. */
export const CHART_LIMITS = { seriesPoints: 2000, timelineRequests: 3000 } as const;
