import { executorOf } from '../load/executors/registry.js';
import type { LoadSpec } from './types.js';

/** A load in a few words, for tables, progress and reports: "200 users at once". Pure. */
export function describeLoad(load: LoadSpec): string {
  return executorOf(load).describe(load);
}
