import type { RequestSpec } from '../scenario/types.js';
import type { PathSpec } from './executor.js';
import type { RequestShape } from './raw-request.js';

/**
 * Several paths drawn by weight (the scenario's `request.paths`): request `index` takes the path
 * its own uniform draw falls on, so that every run, every thread and every repeat of a burst
 * sends the same path for the same request. The draw is a hash of the seed and the index
 * (splitmix32's finaliser), not a stream, because threads take interleaved shares of the indices.
 */

export interface WeightedPaths {
  kind: 'weighted';
  paths: ReadonlyArray<{ path: string; weight: number }>;
  seed: number;
}

/** A uniform number in [0, 1) from (seed, index), the same on every call. */
export function drawAt(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z / 2 ** 32;
}

export function weightedPaths(spec: WeightedPaths): (index: number) => string {
  const total = spec.paths.reduce((sum, p) => sum + p.weight, 0);
  const bounds: number[] = [];
  let running = 0;
  for (const p of spec.paths) {
    running += p.weight / total;
    bounds.push(running);
  }
  const last = spec.paths[spec.paths.length - 1]?.path ?? '/';
  if (spec.paths.length === 1) return () => last;
  return (index) => {
    const u = drawAt(spec.seed, index);
    const k = bounds.findIndex((b) => u < b);
    return spec.paths[k]?.path ?? last;
  };
}

/**
 * The paths and the request shape of a load to a user's app or a URL: the scenario's `request`
 * (its paths, or `fallbackPath` when it gives none: the URL's own path, "/" for an app), its
 * weighted paths drawn with `seed`.
 */
export function requestPlan(
  spec: RequestSpec | undefined,
  fallbackPath: string,
  seed: number,
): { paths: PathSpec; request?: RequestShape } {
  const paths: PathSpec =
    spec?.paths === undefined || spec.paths.length === 0
      ? { kind: 'fixed', path: fallbackPath }
      : spec.paths.length === 1
        ? { kind: 'fixed', path: spec.paths[0]?.path ?? fallbackPath }
        : { kind: 'weighted', paths: spec.paths, seed };
  if (spec === undefined) return { paths };
  const { method, headers, body, success } = spec;
  return { paths, request: { method, headers, body, success } };
}
