/**
 * A fixed-size log-linear histogram of non-negative values (seconds), for quantiles of streams too
 * long to keep: 10,000,000 simulated waits fit in the same ~70 KB as ten.
 *
 * Buckets follow the value's binary floating-point form, as HdrHistogram does with its
 * sub-buckets: the exponent and the top SUB_BITS bits of the mantissa pick the bucket, so every
 * power-of-two range [2^e, 2^(e+1)) is cut into 2^SUB_BITS equal buckets. A bucket is at most
 * 2^-SUB_BITS of its lower bound wide; reporting its midpoint is within 2^-(SUB_BITS+1) = 0.39%
 * of any value in it. Values below 2^-30 s (about 1 ns) count as 0; values at or above 2^40 s land
 * in the last bucket (the exact maximum is kept by the caller).
 *
 *   value bits:  [sign 1][exponent 11][mantissa 52]
 *   bucket key:   ───────  exponent ── top 7 ──     (high 32-bit word >>> 13)
 */
export const SUB_BITS = 7;
const MIN_EXPONENT = -30;
const MAX_EXPONENT = 40;
const SHIFT = 20 - SUB_BITS;
const BUCKETS = (MAX_EXPONENT - MIN_EXPONENT) << SUB_BITS;

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function keyOf(value: number): number {
  scratch[0] = value;
  return (words[HIGH] as number) >>> SHIFT;
}

const FIRST_KEY = keyOf(2 ** MIN_EXPONENT);
const SMALLEST = 2 ** MIN_EXPONENT;
const LARGEST = 2 ** MAX_EXPONENT;

function lowerBound(bucket: number): number {
  words[HIGH] = (bucket + FIRST_KEY) << SHIFT;
  words[1 - HIGH] = 0;
  return scratch[0] as number;
}

export class LogHistogram {
  /** counts[0] holds the zeros; counts[1 + b] bucket b. */
  private readonly counts = new Float64Array(BUCKETS + 1);
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(value: number): void {
    this.total++;
    if (value < SMALLEST) {
      this.counts[0] = (this.counts[0] as number) + 1;
      return;
    }
    const b = value >= LARGEST ? BUCKETS - 1 : keyOf(value) - FIRST_KEY;
    this.counts[1 + b] = (this.counts[1 + b] as number) + 1;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LogHistogram): void {
    for (let i = 0; i < this.counts.length; i++)
      this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.total += other.total;
  }

  /**
   * The value of order statistic k (0-based) as the midpoint of its bucket; 0 for the zeros.
   * k must be below count.
   */
  orderStatistic(k: number): number {
    let seen = this.counts[0] as number;
    if (k < seen) return 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[1 + b] as number;
      if (k < seen) return (lowerBound(b) + lowerBound(b + 1)) / 2;
    }
    return LARGEST;
  }

  /**
   * The p-quantile with the same definition as the exact figures (type 7: linear interpolation
   * between order statistics at (n − 1)·p), each order statistic read as its bucket's midpoint.
   * NaN when empty.
   */
  quantile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const h = (this.total - 1) * p;
    const lo = Math.floor(h);
    const a = this.orderStatistic(lo);
    if (h === lo) return a;
    const b = this.orderStatistic(lo + 1);
    return a + (h - lo) * (b - a);
  }
}
