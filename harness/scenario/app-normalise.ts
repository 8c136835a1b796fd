import type { z } from 'zod';
import {
  type fanoutSchema,
  type jobsSchema,
  SCHEDULER_DEFAULTS,
  type schedulerSchema,
} from './app-schema.js';
import type { Registry, Scenario, TopologySpec } from './types.js';

/** A topology's `scheduler` and `registry` with defaults applied, to spread into the topology. */
export function normaliseScheduler(t: {
  scheduler?: z.output<typeof schedulerSchema> | undefined;
  registry?: Registry | undefined;
}): Pick<TopologySpec, 'scheduler' | 'registry'> {
  const out: Pick<TopologySpec, 'scheduler' | 'registry'> = {};
  if (t.scheduler !== undefined) {
    const lease = t.scheduler.lease ?? SCHEDULER_DEFAULTS.lease;
    out.scheduler = {
      election: t.scheduler.election,
      lease,
      renew: t.scheduler.renew ?? lease * SCHEDULER_DEFAULTS.renewShare,
      retry: t.scheduler.retry ?? SCHEDULER_DEFAULTS.retry,
    };
  }
  if (t.registry !== undefined) out.registry = t.registry;
  return out;
}

/** The scenario's `jobs` and `fanout`, to spread into the scenario. */
export function normaliseApp(parsed: {
  jobs?: z.output<typeof jobsSchema> | undefined;
  fanout?: z.output<typeof fanoutSchema> | undefined;
}): Pick<Scenario, 'jobs' | 'fanout'> {
  const out: Pick<Scenario, 'jobs' | 'fanout'> = {};
  if (parsed.jobs !== undefined)
    out.jobs = { ...parsed.jobs, killLeaderAt: parsed.jobs.killLeaderAt ?? null };
  if (parsed.fanout !== undefined) out.fanout = { ...parsed.fanout };
  return out;
}
