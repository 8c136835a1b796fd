import { z } from 'zod';
import { ELECTIONS, REGISTRIES } from '../../targets/app/protocol.js';
import { Clock } from './clock.js';
import { count, duration } from './fields.js';

/**
 * The scenario fields for deployment failures that are correctness, not queueing (issue 6):
 * `jobs` (a scheduled job, and who runs it: topologies' `scheduler`) and `fanout` (server-sent
 * events published to every client: topologies' `registry`). scenarios/README.md documents
 * every field; APP_FIELD_HELP is what errors quote.
 */

/** Defaults of the scheduler's election timing, in scenario seconds. */
export const SCHEDULER_DEFAULTS = {
  /** How long a lease lasts after it was taken or renewed. */
  lease: 30,
  /** Its holder renews it this often: a third of the lease, a common choice. */
  renewShare: 1 / 3,
  /** A worker that does not lead tries to become the leader this often. */
  retry: 5,
} as const;

export const FANOUT_DEFAULTS = { interval: 1, grace: 2 } as const;

/** The least real time a scheduler's timers may be asked for: below it, timers are all noise. */
export const MIN_REAL_TIMER_S = 0.01;

export const schedulerSchema = z
  .strictObject({
    election: z.enum(ELECTIONS),
    lease: duration.optional(),
    renew: duration.optional(),
    retry: duration.optional(),
  })
  .superRefine((s, ctx) => {
    const only = (field: 'lease' | 'renew' | 'retry', allowed: string[]): void => {
      if (s[field] !== undefined && !allowed.includes(s.election))
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `"${field}" does not apply to the election "${s.election}"`,
          params: { fix: `remove "${field}", or use "election": "${allowed.join('" or "')}"` },
        });
    };
    only('lease', ['lease']);
    only('renew', ['lease']);
    only('retry', ['file-lock', 'lease']);
    const lease = s.lease ?? SCHEDULER_DEFAULTS.lease;
    if (s.election === 'lease' && s.renew !== undefined && s.renew >= lease)
      ctx.addIssue({
        code: 'custom',
        path: ['renew'],
        message: `the holder must renew before its lease runs out (renew ${s.renew} s, lease ${lease} s)`,
        params: { fix: 'make "renew" shorter than "lease", e.g. a third of it' },
      });
    for (const field of ['lease', 'renew', 'retry'] as const)
      if (s[field] === 0)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'must be above 0',
          params: { fix: 'give a duration such as "5s"' },
        });
  });

export const jobsSchema = z.strictObject({
  interval: duration,
  duration,
  killLeaderAt: duration.optional(),
});

export const fanoutSchema = z.strictObject({
  clients: count(1, 2_000),
  events: count(1, 1_000),
  interval: duration.default(FANOUT_DEFAULTS.interval),
  grace: duration.default(FANOUT_DEFAULTS.grace),
});

export const registrySchema = z.enum(REGISTRIES);

interface CheckedTopology {
  kind: string;
  workers: number;
  /** Absent for kinds whose default depends on the kind (the ASGI servers' thread pool). */
  threads?: number | undefined;
  replicas: number;
  scheduler?: unknown;
  registry?: unknown;
  handler?: string | undefined;
  /** A user's own app on a real kind (own-app-schema.ts). */
  app?: unknown;
}

interface CheckedScenario {
  timeScale: number;
  jobs?: z.output<typeof jobsSchema> | undefined;
  fanout?: z.output<typeof fanoutSchema> | undefined;
  topologies: CheckedTopology[];
  limits: { runTimeout: number };
}

/**
 * Checks across fields: a `scheduler` on every topology exactly when the scenario has `jobs`, a
 * `registry` exactly when it has `fanout`, kinds that can run them, and timings that fit.
 */
export function checkAppFields(s: CheckedScenario, ctx: z.RefinementCtx): void {
  const clock = new Clock(s.timeScale);
  const issue = (path: Array<string | number>, message: string, fix: string): void =>
    ctx.addIssue({ code: 'custom', path, message, params: { fix } });
  s.topologies.forEach((t, i) => {
    if (s.jobs !== undefined && t.scheduler === undefined)
      issue(
        ['topologies', i, 'scheduler'],
        'is required when the scenario has "jobs"',
        'add e.g. { "election": "none" }, { "election": "file-lock" } or { "election": "lease" }',
      );
    if (s.jobs === undefined && t.scheduler !== undefined)
      issue(
        ['topologies', i, 'scheduler'],
        'a scheduler needs the scenario\'s "jobs" (its interval and duration)',
        'add "jobs": { "interval": "10s", "duration": "90s" } at the top level, or remove "scheduler"',
      );
    if (t.scheduler !== undefined && (t.kind === 'flask-dev' || t.kind === 'werkzeug'))
      issue(
        ['topologies', i, 'kind'],
        'the scheduled job runs in gunicorn-like worker processes',
        'use kind "sync" or "gthread" (real: a gunicorn kind or "uvicorn")',
      );
    // The bundled real apps start APScheduler (targets/python/harness_apps/jobs.py); a user's
    // own app schedules its jobs itself and writes no runs file.
    if (t.scheduler !== undefined && t.app !== undefined)
      issue(
        ['topologies', i, 'scheduler'],
        "is the bundled app's scheduled job; your own app's jobs are not observed",
        'remove "scheduler", or remove "app" to run the bundled app',
      );
    if (s.fanout !== undefined && t.registry === undefined)
      issue(
        ['topologies', i, 'registry'],
        'is required when the scenario has "fanout"',
        'add "registry": "memory" or "registry": "redis"',
      );
    if (s.fanout === undefined && t.registry !== undefined)
      issue(
        ['topologies', i, 'registry'],
        'a client registry needs the scenario\'s "fanout" (its clients and events)',
        'add "fanout": { "clients": 40, "events": 20 } at the top level, or remove "registry"',
      );
    const perWorker = t.threads ?? 1;
    const threaded = t.kind === 'gthread' || (t.kind === 'sync' && perWorker > 1);
    // An async worker (emulated, or the real uvicorn kinds' FastAPI app) holds a stream in a
    // task of its event loop, not a thread: any number of clients fit.
    const evented =
      t.kind === 'uvicorn' ||
      t.kind === 'gunicorn-uvicorn' ||
      (t.kind === 'async' && (t.handler ?? 'await') === 'await');
    if (t.registry !== undefined && t.app !== undefined)
      issue(
        ['topologies', i, 'registry'],
        'the event streams are those of the bundled app, not of your own app',
        'remove "registry", or remove "app"',
      );
    if (t.registry !== undefined && !threaded && !evented)
      issue(
        ['topologies', i, 'kind'],
        "an event stream holds its worker for as long as the client listens, so a sync worker or Flask's dev server would serve one client and nothing else",
        'use kind "gthread" with more threads per worker than clients it will hold, kind "async" with handler "await", or (real) "uvicorn" or "gunicorn-uvicorn"',
      );
    if (s.fanout !== undefined && t.registry !== undefined && threaded) {
      const slots = t.workers * t.replicas;
      const threads = slots * perWorker;
      if (threads < s.fanout.clients + slots)
        issue(
          ['topologies', i, 'threads'],
          `${s.fanout.clients} clients each hold a thread, and each worker needs one more for a publish; ${slots} workers x ${perWorker} threads = ${threads}`,
          `give at least ${Math.ceil((s.fanout.clients + slots) / slots)} threads per worker (more: clients do not spread evenly over workers)`,
        );
    }
  });
  if (s.jobs !== undefined) {
    const { jobs } = s;
    if (clock.realSeconds(jobs.interval) < MIN_REAL_TIMER_S)
      issue(
        ['jobs', 'interval'],
        `runs as ${clock.realMs(jobs.interval).toFixed(1)} real ms, too short for timers to keep`,
        `raise the interval or timeScale so that interval x timeScale is at least ${MIN_REAL_TIMER_S * 1e3} ms`,
      );
    if (jobs.duration < jobs.interval)
      issue(['jobs', 'duration'], 'is shorter than one interval', 'observe several intervals');
    if (jobs.killLeaderAt !== undefined && jobs.killLeaderAt >= jobs.duration)
      issue(
        ['jobs', 'killLeaderAt'],
        `is not within the observation (duration ${jobs.duration} s)`,
        'kill the leader before the end of "duration", leaving time for a takeover',
      );
    if (clock.realSeconds(jobs.duration) > s.limits.runTimeout)
      issue(
        ['jobs', 'duration'],
        `lasts ${clock.realSeconds(jobs.duration).toFixed(1)} real seconds, beyond limits.runTimeout`,
        'shorten it, lower timeScale, or raise limits.runTimeout',
      );
  }
  if (s.fanout !== undefined) {
    const f = s.fanout;
    const lasts = clock.realSeconds(f.events * f.interval + f.grace);
    if (lasts > s.limits.runTimeout)
      issue(
        ['fanout', 'events'],
        `the events take ${lasts.toFixed(1)} real seconds, beyond limits.runTimeout`,
        'publish fewer events, shorten the interval, or lower timeScale',
      );
  }
}

export const APP_FIELD_HELP: Record<string, string> = {
  jobs: 'an object such as { "interval": "10s", "duration": "90s", "killLeaderAt": "40s" }: a scheduled job observed in every topology',
  'jobs.interval':
    'a duration in scenario time: the job runs every interval (on the clock, cron style)',
  'jobs.duration': 'a duration in scenario time: how long the job runs are observed',
  'jobs.killLeaderAt':
    'a duration in scenario time within "duration": when the worker that ran the job last is killed (SIGKILL)',
  fanout:
    'an object such as { "clients": 40, "events": 20, "interval": "1s", "grace": "2s" }: server-sent events published to every client',
  'fanout.clients':
    'a whole number from 1 to 2000: event-stream clients connected before the first event',
  'fanout.events': 'a whole number from 1 to 1000: events published, one per interval',
  'fanout.interval': 'a duration in scenario time between two events (default "1s")',
  'fanout.grace':
    'a duration in scenario time the clients keep listening after the last event (default "2s")',
  'topologies[].scheduler':
    'an object such as { "election": "lease", "lease": "30s", "renew": "10s", "retry": "5s" }: who runs the scheduled job',
  'topologies[].scheduler.election': `one of ${ELECTIONS.map((e) => `"${e}"`).join(', ')}`,
  'topologies[].scheduler.lease':
    'a duration in scenario time: how long a lease lasts (default "30s")',
  'topologies[].scheduler.renew':
    'a duration in scenario time shorter than the lease: how often its holder renews it (default a third of the lease)',
  'topologies[].scheduler.retry':
    'a duration in scenario time: how often a worker that does not lead tries to (default "5s")',
  'topologies[].registry': `one of ${REGISTRIES.map((r) => `"${r}"`).join(', ')}: where the event-stream clients are known`,
};
