import { LogHistogram } from './log-histogram.js';
import { summarizeWaits, type WaitStats } from './waits.js';

/**
 * Wait figures computed as the waits stream by, in bounded memory. The mean and the maximum are
 * exact. Quantiles are exact (type 7, as summarizeWaits) while at most `exactLimit` waits have
 * been added, which keeps short runs comparable figure for figure with measured ones; past that
 * the buffer is dropped and quantiles come from a LogHistogram, within 0.39% of the exact value.
 *
 * Memory: exactLimit x 8 bytes (512 KB at the default) plus the histogram's ~70 KB, however
 * many waits are added. The histogram is made only when the buffer overflows (from the buffered
 * waits, then every later one): a short run, such as each of the planner's 200 simulated bursts,
 * never pays for its allocation, which was a quarter of `npm run model`'s time (issue 14).
 */
export const DEFAULT_EXACT_LIMIT = 65_536;

export class WaitAccumulator {
  private n = 0;
  private sum = 0;
  private largest = Number.NEGATIVE_INFINITY;
  private buffer: Float64Array | undefined;
  /** Present once the buffer is dropped (or from the start when exactLimit is 0). */
  private histogram: LogHistogram | undefined;
  private readonly exactLimit: number;

  constructor(exactLimit = DEFAULT_EXACT_LIMIT) {
    this.exactLimit = exactLimit;
    this.buffer = exactLimit > 0 ? new Float64Array(Math.min(exactLimit, 1024)) : undefined;
    if (this.buffer === undefined) this.histogram = new LogHistogram();
  }

  get count(): number {
    return this.n;
  }

  /** True while the quantiles are exact order statistics. */
  get exact(): boolean {
    return this.buffer !== undefined || this.n === 0;
  }

  add(wait: number): void {
    const buffer = this.buffer;
    if (buffer !== undefined) {
      if (this.n < buffer.length) buffer[this.n] = wait;
      else if (this.n < this.exactLimit) {
        const grown = new Float64Array(Math.min(this.exactLimit, buffer.length * 2));
        grown.set(buffer);
        grown[this.n] = wait;
        this.buffer = grown;
      } else {
        const histogram = new LogHistogram();
        for (let i = 0; i < this.n; i++) histogram.record(buffer[i] as number);
        this.histogram = histogram;
        this.buffer = undefined;
      }
    }
    this.n++;
    this.sum += wait;
    if (wait > this.largest) this.largest = wait;
    this.histogram?.record(wait);
  }

  /** The figures so far; `makespan` is the caller's (the accumulator sees waits only). */
  stats(makespan: number): WaitStats {
    const histogram = this.histogram;
    if (this.buffer !== undefined || this.n === 0 || histogram === undefined)
      return summarizeWaits((this.buffer ?? new Float64Array(0)).subarray(0, this.n), makespan);
    return {
      count: this.n,
      meanWait: this.sum / this.n,
      p50Wait: Math.min(histogram.quantile(0.5), this.largest),
      p95Wait: Math.min(histogram.quantile(0.95), this.largest),
      p99Wait: Math.min(histogram.quantile(0.99), this.largest),
      maxWait: this.largest,
      makespan,
    };
  }
}
