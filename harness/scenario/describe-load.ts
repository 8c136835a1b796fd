import { formatSeconds } from './duration.js';
import type { LoadSpec } from './types.js';

/** A load in a few words, for tables, progress and reports: "200 users at once". Pure. */
export function describeLoad(load: LoadSpec): string {
  const rate = (r: number): string => `${Number(r.toPrecision(4))}/s`;
  switch (load.executor) {
    case 'burst':
      return `${load.users} users at once${load.connections === 'warm' ? ' (connections opened beforehand)' : ''}`;
    case 'constant-arrival-rate':
      return `${load.arrivals === 'poisson' ? 'Poisson' : 'evenly spaced'} arrivals at ${rate(load.rate)} for ${formatSeconds(load.duration)}`;
    case 'ramping-arrival-rate':
      return `${load.arrivals === 'poisson' ? 'Poisson' : 'evenly spaced'} arrivals ramping from ${rate(load.startRate)} through ${load.stages
        .map((s) => `${rate(s.target)} over ${formatSeconds(s.duration)}`)
        .join(', ')}`;
    case 'closed-users': {
      const bound =
        load.iterations === null
          ? `for ${formatSeconds(load.duration ?? 0)}`
          : `${load.iterations} requests each`;
      return `${load.users} closed users, ${load.think} think time ${formatSeconds(load.thinkTime)}, ${bound}`;
    }
    case 'throughput':
      return `as many requests as served over ${load.connections} connections${load.pipelining > 1 ? ` (pipelining ${load.pipelining})` : ''} for ${formatSeconds(load.duration)}`;
  }
}
