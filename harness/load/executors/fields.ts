import { z } from 'zod';
import { count, duration } from '../../scenario/fields.js';
import { ARRIVAL_PROCESSES, RECORD_MODES } from '../../vocabulary.js';

/** Fields the executors' schemas share (scenarios/README.md, "load"). */
export const recording = {
  /** Worker threads generating the load (1: the harness's own thread). */
  threads: count(1, 16).default(1),
  record: z.enum(['auto', ...RECORD_MODES]).default('auto'),
  requestsFile: z.boolean().optional(),
};

export const arrivals = z.enum(ARRIVAL_PROCESSES).default('regular');
export const rate = z.number().min(0).max(1_000_000);
export const timeUnit = duration.default(1);
export const maxConnections = count(1, 60_000).default(10_000);

/** Requests per second as a few significant figures: "1.6/s". */
export function describeRate(r: number): string {
  return `${Number(r.toPrecision(4))}/s`;
}

/** Requests a constant rate sends over a duration, the first at 0 (arrivals.ts counts alike). */
export function requestsAtRate(rate: number, duration: number): number {
  return Math.floor(rate * duration + 1e-9) + 1;
}
