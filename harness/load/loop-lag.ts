import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How late this process's event loop ran timers, in milliseconds. */
export interface LoopLag {
  mean: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

/**
 * Starts measuring how late the event loop runs (a 1 ms timer's lateness, Node's
 * monitorEventLoopDelay); `stop()` returns the figures. For tests of the load generator on a
 * shared machine: a request can be written no earlier than the loop gets round to it, so a
 * tolerance on lateness or on the operational laws is this lag plus the stated one, measured in
 * the same run rather than guessed (issue 17: another process busy on a core made an open loop's
 * median lateness 33-50 ms, and closed users' N = X(R + Z) miss by 5-30%).
 */
export function measureLoopLag(): { stop(): LoopLag } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
      return {
        mean: ms(histogram.mean),
        p50: ms(histogram.percentile(50)),
        p75: ms(histogram.percentile(75)),
        p95: ms(histogram.percentile(95)),
        max: ms(histogram.max),
      };
    },
  };
}
