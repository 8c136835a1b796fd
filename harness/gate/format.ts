import { formatSeconds } from '../scenario/duration.js';
import type { ValueKind } from './threshold.js';

/** A gate figure as text, in the unit its threshold is written in. */
export function describeValue(value: number, kind: ValueKind | 'seconds'): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? 'infinite' : '-infinite';
  switch (kind) {
    case 'scenario-seconds':
    case 'seconds':
      return formatSeconds(value);
    case 'real-ms':
      return `${Number(value.toPrecision(3))}ms real`;
    case 'fraction':
      return `${Number((value * 100).toPrecision(3))}%`;
    case 'count':
      return String(value);
  }
}
