/**
 * The Universal Scalability Law (N. J. Gunther, Guerrilla Capacity Planning, Springer, 2007,
 * ch. 4; "A simple capacity model of massively parallel transaction systems", CMG 1993):
 * throughput at concurrency N is
 *
 *   X(N) = λN / (1 + σ(N − 1) + κN(N − 1))
 *
 * λ the throughput of one, σ the contention (the serial fraction, Amdahl's law when κ = 0), κ the
 * coherency cost (pairwise crosstalk, which makes throughput fall past a peak). The peak is at
 *
 *   N* = √((1 − σ) / κ)      (infinite when κ = 0: throughput only levels off, at λ/σ)
 *
 * Fitting: Levenberg-Marquardt least squares on the throughputs themselves, so each measured
 * point weighs the same in the units it was measured in. Gunther's linearisation (x = N − 1,
 * y = N/C(N) − 1 with C(N) = X(N)/X(1), then y = κx² + (σ + κ)x by least squares through the
 * origin) needs a measurement at N = 1 and lets the noise of X(1) bend every point, so it only
 * gives the starting values here. σ and κ are kept at or above 0 (a projection after each step),
 * as the law's physical reading requires.
 */

export interface UslParameters {
  /** Throughput of one (requests per second at N = 1). */
  lambda: number;
  /** Contention, 0 to 1. */
  sigma: number;
  /** Coherency, 0 or more. */
  kappa: number;
}

export interface UslPoint {
  concurrency: number;
  throughput: number;
}

export interface UslFit extends UslParameters {
  /** N*, the concurrency of peak throughput; Infinity when κ = 0. */
  peakConcurrency: number;
  /** X(N*), or λ/σ as N grows without bound when κ = 0 (Infinity when σ = 0 too). */
  peakThroughput: number;
  /** 1 − SSE / SST of the fitted throughputs. */
  rSquared: number;
  /** Levenberg-Marquardt iterations taken. */
  iterations: number;
  points: number;
}

export function uslThroughput(p: UslParameters, n: number): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

export function uslPeak(p: UslParameters): { concurrency: number; throughput: number } {
  if (p.kappa <= 0) {
    return {
      concurrency: Number.POSITIVE_INFINITY,
      throughput: p.sigma > 0 ? p.lambda / p.sigma : Number.POSITIVE_INFINITY,
    };
  }
  const concurrency = Math.sqrt(Math.max(0, 1 - p.sigma) / p.kappa);
  return { concurrency, throughput: uslThroughput(p, concurrency) };
}

/** Fits λ, σ, κ to at least three points at different concurrencies. */
export function fitUsl(points: readonly UslPoint[]): UslFit {
  const usable = points.filter(
    (p) => Number.isFinite(p.concurrency) && p.concurrency >= 1 && p.throughput > 0,
  );
  if (new Set(usable.map((p) => p.concurrency)).size < 3)
    throw new RangeError(
      'the USL fit needs throughput measured at three or more different concurrencies (each >= 1, throughput > 0)',
    );
  const n = usable.map((p) => p.concurrency);
  const x = usable.map((p) => p.throughput);
  let params = linearisedStart(n, x);
  let sse = sumSquares(params, n, x);
  let mu = 1e-3;
  let iterations = 0;
  for (; iterations < 500; iterations++) {
    // Normal equations J'J δ = J'r for the residuals r = X − f.
    const jtj = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const jtr = [0, 0, 0];
    for (let i = 0; i < n.length; i++) {
      const ni = n[i] as number;
      const d = 1 + params.sigma * (ni - 1) + params.kappa * ni * (ni - 1);
      const f = (params.lambda * ni) / d;
      const g = [ni / d, (-params.lambda * ni * (ni - 1)) / (d * d), (-f * ni * (ni - 1)) / d];
      const r = (x[i] as number) - f;
      for (let a = 0; a < 3; a++) {
        jtr[a] = (jtr[a] as number) + (g[a] as number) * r;
        for (let b = 0; b < 3; b++)
          jtj[a * 3 + b] = (jtj[a * 3 + b] as number) + (g[a] as number) * (g[b] as number);
      }
    }
    let improved = false;
    while (mu < 1e12) {
      const m = jtj.slice();
      for (let a = 0; a < 3; a++) m[a * 4] = (m[a * 4] as number) * (1 + mu) + 1e-300;
      const step = solve3(m, jtr);
      const candidate: UslParameters = {
        lambda: Math.max(params.lambda + (step[0] as number), 1e-12 * params.lambda),
        sigma: Math.min(1, Math.max(0, params.sigma + (step[1] as number))),
        kappa: Math.max(0, params.kappa + (step[2] as number)),
      };
      const candidateSse = sumSquares(candidate, n, x);
      if (candidateSse < sse) {
        const gain = (sse - candidateSse) / Math.max(sse, 1e-300);
        params = candidate;
        sse = candidateSse;
        mu = Math.max(mu / 10, 1e-12);
        improved = gain > 1e-14;
        break;
      }
      mu *= 10;
    }
    if (!improved) break;
  }
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const sst = x.reduce((s, v) => s + (v - mean) ** 2, 0);
  const peak = uslPeak(params);
  return {
    ...params,
    peakConcurrency: peak.concurrency,
    peakThroughput: peak.throughput,
    rSquared: sst === 0 ? 1 : 1 - sse / sst,
    iterations,
    points: usable.length,
  };
}

function sumSquares(p: UslParameters, n: readonly number[], x: readonly number[]): number {
  let sse = 0;
  for (let i = 0; i < n.length; i++)
    sse += ((x[i] as number) - uslThroughput(p, n[i] as number)) ** 2;
  return sse;
}

/** Gunther's linearisation, with λ from the point of least concurrency. */
function linearisedStart(n: readonly number[], x: readonly number[]): UslParameters {
  let k = 0;
  for (let i = 1; i < n.length; i++) if ((n[i] as number) < (n[k] as number)) k = i;
  const lambda = (x[k] as number) / (n[k] as number);
  // y = a·u² + b·u through the origin, u = N − 1, y = λN/X − 1.
  let s4 = 0;
  let s3 = 0;
  let s2 = 0;
  let sy2 = 0;
  let sy1 = 0;
  for (let i = 0; i < n.length; i++) {
    const u = (n[i] as number) - 1;
    const y = (lambda * (n[i] as number)) / (x[i] as number) - 1;
    s4 += u ** 4;
    s3 += u ** 3;
    s2 += u ** 2;
    sy2 += y * u * u;
    sy1 += y * u;
  }
  const det = s4 * s2 - s3 * s3;
  const a = det === 0 ? 0 : (sy2 * s2 - sy1 * s3) / det;
  const b = det === 0 ? 0 : (s4 * sy1 - s3 * sy2) / det;
  const kappa = Math.max(0, a);
  return { lambda, sigma: Math.min(1, Math.max(0, b - kappa)), kappa };
}

/** Solves the 3 x 3 system m·v = r (row-major m) by Gaussian elimination with pivoting. */
function solve3(m: number[], r: number[]): number[] {
  const a = [
    [m[0], m[1], m[2], r[0]],
    [m[3], m[4], m[5], r[1]],
    [m[6], m[7], m[8], r[2]],
  ] as number[][];
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let row = col + 1; row < 3; row++)
      if (Math.abs(a[row]?.[col] as number) > Math.abs(a[pivot]?.[col] as number)) pivot = row;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const p = a[col] as number[];
    if (p[col] === 0) return [0, 0, 0];
    for (let row = col + 1; row < 3; row++) {
      const q = a[row] as number[];
      const f = (q[col] as number) / (p[col] as number);
      for (let k = col; k < 4; k++) q[k] = (q[k] as number) - f * (p[k] as number);
    }
  }
  const v = [0, 0, 0];
  for (let row = 2; row >= 0; row--) {
    const p = a[row] as number[];
    let s = p[3] as number;
    for (let k = row + 1; k < 3; k++) s -= (p[k] as number) * (v[k] as number);
    v[row] = s / (p[row] as number);
  }
  return v;
}

/**
 * A throughput sweep as text, one point per line, for `npm run model -- --usl <file>`:
 *
 *   line   := concurrency sep throughput | "#" comment | empty | a header line without digits
 *   sep    := "," | ";" | tab | spaces
 *
 * Throughput in requests per second (any unit works; λ comes out in the same). Returns the points
 * or every line that could not be read.
 */
export function parseSweep(
  text: string,
): { ok: true; points: UslPoint[] } | { ok: false; problems: string[] } {
  const points: UslPoint[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s*[,;\t]\s*|\s+/);
    if (i === 0 && !/\d/.test(line)) return;
    const [n, x] = fields.map(Number);
    if (fields.length !== 2 || !Number.isFinite(n) || !Number.isFinite(x)) {
      problems.push(`line ${i + 1}: "${line}" is not "concurrency,throughput"`);
      return;
    }
    points.push({ concurrency: n as number, throughput: x as number });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, points };
}
