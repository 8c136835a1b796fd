import { z } from 'zod';
import { isAsgiKind, isRealKind } from '../../targets/real/protocol.js';
import {
  type ParseResult,
  parseThreshold,
  parseThresholdKey,
  type Threshold,
} from '../gate/threshold.js';
import { executorOf } from '../load/executors/registry.js';
import {
  BALANCER_MODES,
  BALANCER_POLICIES,
  ENDPOINTS,
  SERVER_KINDS,
  SERVICE_DISTRIBUTIONS,
  TOPOLOGY_KINDS,
  WORK_KINDS,
} from '../vocabulary.js';
import {
  APP_FIELD_HELP,
  checkAppFields,
  fanoutSchema,
  jobsSchema,
  registrySchema,
  schedulerSchema,
} from './app-schema.js';
import { Clock } from './clock.js';
import { formatSeconds } from './duration.js';
import { count, duration, limitDuration } from './fields.js';
import { LIFECYCLE_FIELD_HELP, LIFECYCLE_FIELDS, lifecycleProblems } from './lifecycle-schema.js';
import { LOAD_FIELD_HELP, loadDuration, loadSchema } from './load-schema.js';
import {
  OWN_APP_FIELD_HELP,
  OWN_APP_FIELDS,
  ownAppProblems,
  wholeSecondProblems,
} from './own-app-schema.js';
import { REQUEST_FIELD_HELP, REQUEST_FIELDS } from './request-schema.js';
import { checkTargetUrl } from './target-url.js';

/**
 * The scenario file format (JSON). scenarios/README.md is its reference; FIELD_HELP below is
 * what error messages quote, and a test keeps the two in step.
 */

/** The lists of kinds, policies and distributions are the shared vocabulary's (harness/vocabulary.ts). */
export { BALANCER_POLICIES, SERVER_KINDS, SERVICE_DISTRIBUTIONS, TOPOLOGY_KINDS, WORK_KINDS };

/** Most measured service times an empirical distribution may list. */
export const MAX_SERVICE_SAMPLES = 100_000;

/**
 * Backlog each real server passes to listen(): Werkzeug 128, gunicorn `--backlog` 2048, uvicorn
 * `--backlog` 2048.
 */
export const DEFAULT_BACKLOG = {
  'flask-dev': 128,
  sync: 2048,
  gthread: 2048,
  async: 2048,
  werkzeug: 128,
  'gunicorn-sync': 2048,
  'gunicorn-gthread': 2048,
  'gunicorn-uvicorn': 2048,
  uvicorn: 2048,
} as const;

/** Threads a uvicorn worker runs plain `def` endpoints on: anyio's default thread limiter. */
export const ASGI_THREAD_POOL = 40;

/** Bursts a scenario may repeat per topology. */
export const MAX_REPEAT = 50;

/** Limits that keep every run bounded whatever a file asks for (MAX_USERS: harness/vocabulary.ts). */
export const MAX_PROCESSES = 400;
/**
 * The longest limits a file may set (seconds): a day for the run (real time) and for one request
 * (scenario time, so at most 10 real days at timeScale 10). Beyond these a limit would be no
 * bound at all, and Node's timers, which hold at most 2^31 - 1 ms (24.8 days), would fire at once.
 */
export const MAX_RUN_TIMEOUT = 24 * 3600;
export const MAX_REQUEST_TIMEOUT = 24 * 3600;
export const MAX_START_TIMEOUT = 3600;
/**
 * The smallest time scale a run may use. Time compression multiplies the apparatus's own costs
 * (DESIGN.md, "Measuring honestly"): at 0.1 a real millisecond is 10 ms of scenario time and
 * contest-200 read a few per cent of "model error"; at 0.01 it is 100 ms, and below that the
 * apparatus, not the servers, decides the waits.
 */
export const MIN_TIME_SCALE = 0.01;
/** Real seconds a target may take from its start until it answers GET /health. */
export const DEFAULT_START_TIMEOUT = 60;

/** A time scale: real seconds per scenario second, from MIN_TIME_SCALE to 10. */
const timeScaleField = z
  .number()
  .gt(0)
  .max(10)
  .superRefine((scale, ctx) => {
    // Zero and below are refused by gt(0) already.
    if (scale > 0 && scale < MIN_TIME_SCALE)
      ctx.addIssue({
        code: 'custom',
        message: `at timeScale ${scale} each real millisecond the apparatus spends (connecting, sending, relaying) counts as ${formatSeconds(new Clock(scale).fromRealMs(1))} of scenario time, more than the measurement can carry`,
        params: {
          fix: `use a timeScale of ${MIN_TIME_SCALE} or more (real seconds per scenario second)`,
        },
      });
  });

const topology = z
  .strictObject({
    name: z.string().trim().min(1).max(80),
    kind: z.enum(TOPOLOGY_KINDS),
    workers: count(1, 64).default(1),
    threads: count(1, 256).optional(),
    replicas: count(1, 32).default(1),
    balancer: z.enum(BALANCER_POLICIES).default('round-robin'),
    balancerMode: z.enum(BALANCER_MODES).default('tcp'),
    workerConnections: count(1, 100_000).default(1000),
    backlog: count(1, 65_535).optional(),
    keepAlive: duration.default(2),
    port: count(0, 65_535).default(0),
    scheduler: schedulerSchema.optional(),
    registry: registrySchema.optional(),
    endpoint: z.enum(ENDPOINTS).optional(),
    url: z.string().max(2000).optional(),
    repeat: count(1, MAX_REPEAT).optional(),
    timeScale: timeScaleField.optional(),
    ...LIFECYCLE_FIELDS,
    ...OWN_APP_FIELDS,
  })
  .superRefine((t, ctx) => {
    for (const issue of ownAppProblems(t))
      ctx.addIssue({
        code: 'custom',
        path: issue.path,
        message: issue.message,
        params: { fix: issue.fix },
      });
    for (const issue of lifecycleProblems(t))
      ctx.addIssue({
        code: 'custom',
        path: [issue.path],
        message: issue.message,
        params: { fix: issue.fix },
      });
    const single = t.kind === 'flask-dev' || t.kind === 'werkzeug';
    if (single && t.workers > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['workers'],
        message: `${t.kind} is one process serving one request at a time`,
        params: {
          fix: `remove "workers", or use kind "${t.kind === 'werkzeug' ? 'gunicorn-sync' : 'sync'}" for several worker processes`,
        },
      });
    }
    if (single && (t.threads ?? 1) > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['threads'],
        message: `${t.kind} here is the server run with threaded=False`,
        params: {
          fix: `remove "threads", or use kind "${t.kind === 'werkzeug' ? 'gunicorn-gthread' : 'gthread'}" for a threaded server`,
        },
      });
    }
    if (t.kind === 'gunicorn-sync' && (t.threads ?? 1) > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['threads'],
        message: 'gunicorn runs the sync worker with threads above 1 as gthread',
        params: { fix: 'use kind "gunicorn-gthread", or remove "threads"' },
      });
    }
    if (t.endpoint !== undefined && !(isRealKind(t.kind) && isAsgiKind(t.kind))) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: `"endpoint" describes the ASGI app of the uvicorn kinds, not "${t.kind}"`,
        params: { fix: 'remove "endpoint", or use kind "uvicorn" or "gunicorn-uvicorn"' },
      });
    }
    if (t.url !== undefined) {
      const problem = checkTargetUrl(t.url);
      if (problem !== null)
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: problem.message,
          params: { fix: problem.fix },
        });
      if (t.port !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['port'],
          message: 'a topology given by "url" is not started by the harness, so it has no port',
          params: { fix: 'remove "port", or remove "url" to have the harness start the servers' },
        });
    }
    if (t.replicas === 1 && t.balancer !== 'round-robin') {
      ctx.addIssue({
        code: 'custom',
        path: ['balancer'],
        message: 'a balancer needs more than one replica',
        params: { fix: 'set "replicas" to 2 or more, or remove "balancer"' },
      });
    }
    if (t.replicas === 1 && t.balancerMode !== 'tcp') {
      ctx.addIssue({
        code: 'custom',
        path: ['balancerMode'],
        message: 'a balancer needs more than one replica (one replica is reached directly)',
        params: { fix: 'set "replicas" to 2 or more, or remove "balancerMode"' },
      });
    }
  });

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .trim()
      .min(1)
      .max(80)
      .regex(/^[A-Za-z0-9._-]+$/)
      .optional(),
    description: z.string().max(2000).default(''),
    timeScale: timeScaleField.default(1),
    repeat: count(1, MAX_REPEAT).default(1),
    compareEmulated: z.boolean().default(false),
    expectErrors: z.boolean().default(false),
    load: loadSchema,
    service: z
      .strictObject({
        time: duration.optional(),
        work: z.enum(WORK_KINDS).default('sleep'),
        distribution: z.enum(SERVICE_DISTRIBUTIONS).default('constant'),
        cv: z.number().min(0).max(100).optional(),
        samples: z.array(duration).min(1).max(MAX_SERVICE_SAMPLES).optional(),
      })
      .superRefine((service, ctx) => {
        const empirical = service.distribution === 'empirical';
        if (!empirical && service.time === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['time'],
            message: 'is required',
            params: { fix: 'give the mean service time, such as "2s"' },
          });
        if (empirical && service.samples === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['samples'],
            message: 'an empirical distribution needs its samples',
            params: { fix: 'list measured service times, such as ["1.2s", "0.8s", "4s"]' },
          });
        if (empirical && service.time !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['time'],
            message: 'an empirical distribution takes its mean from its samples',
            params: { fix: 'remove "time", or use another distribution' },
          });
        if (!empirical && service.samples !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['samples'],
            message: `"samples" belongs to the empirical distribution, not "${service.distribution}"`,
            params: { fix: 'remove "samples", or set "distribution": "empirical"' },
          });
        if (service.distribution === 'lognormal' && service.cv === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['cv'],
            message: 'a lognormal distribution needs its coefficient of variation',
            params: { fix: 'add "cv", the standard deviation over the mean, such as 1.5' },
          });
        if (service.distribution !== 'lognormal' && service.cv !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['cv'],
            message: `"cv" belongs to the lognormal distribution, not "${service.distribution}"`,
            params: { fix: 'remove "cv", or set "distribution": "lognormal"' },
          });
        if (empirical && service.samples?.every((x) => x === 0))
          ctx.addIssue({
            code: 'custom',
            path: ['samples'],
            message: 'every sample is 0',
            params: { fix: 'list the service times measured, at least one above 0' },
          });
      }),
    topologies: z.array(topology).min(1).max(20),
    limits: z
      .strictObject({
        runTimeout: limitDuration(MAX_RUN_TIMEOUT, '24h').default(600),
        requestTimeout: limitDuration(MAX_REQUEST_TIMEOUT, '24h').default(600),
        startTimeout: limitDuration(MAX_START_TIMEOUT, '1h').optional(),
      })
      .default({ runTimeout: 600, requestTimeout: 600 }),
    model: z
      .strictObject({
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1)
          .default(1),
        replications: count(1, 10_000).default(200),
      })
      .default({ seed: 1, replications: 200 }),
    thresholds: z
      // An empty list is refused in the transform, so that the other thresholds still parse and
      // every problem is reported at once.
      .record(z.string(), z.array(z.string()).max(20))
      .default({})
      .transform(parseThresholdEntries),
    jobs: jobsSchema.optional(),
    fanout: fanoutSchema.optional(),
    ...REQUEST_FIELDS,
  })
  .superRefine((s, ctx) => {
    checkAppFields(s, ctx);
    for (const issue of wholeSecondProblems(s.topologies, s.timeScale))
      ctx.addIssue({
        code: 'custom',
        path: issue.path,
        message: issue.message,
        params: { fix: issue.fix },
      });
    checkThresholds(s.thresholds, new Set(s.topologies.map((t) => t.name)), ctx);
    const seen = new Map<string, number>();
    s.topologies.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['topologies', i, 'name'],
          message: `"${t.name}" is already the name of topologies[${first}]`,
          params: { fix: 'give every topology its own name' },
        });
      } else seen.set(t.name, i);
      const processes = processesOf(t);
      if (processes > MAX_PROCESSES) {
        ctx.addIssue({
          code: 'custom',
          path: ['topologies', i, 'replicas'],
          message: `this topology needs ${processes} processes; the limit is ${MAX_PROCESSES}`,
          params: { fix: 'use fewer replicas or workers' },
        });
      }
    });
    if (!executorOf(s.load).repeats) {
      const repeated = s.repeat > 1 ? ['repeat'] : [];
      s.topologies.forEach((t, i) => {
        if ((t.repeat ?? 1) > 1) repeated.push(`topologies[${i}].repeat`);
      });
      for (const path of repeated) {
        ctx.addIssue({
          code: 'custom',
          path:
            path === 'repeat'
              ? ['repeat']
              : ['topologies', Number(path.slice(11, path.indexOf(']'))), 'repeat'],
          message: `repeats are bursts; this load is "${s.load.executor}"`,
          params: { fix: 'remove "repeat", or lengthen the load instead' },
        });
      }
    }
    const lasts = loadDuration(s.load);
    // Each topology runs at its own time scale where it has one: the longest real load and the
    // shortest real service time are the ones to judge.
    const scales = [s.timeScale, ...s.topologies.flatMap((t) => t.timeScale ?? [])];
    const slowest = new Clock(Math.max(...scales));
    if (lasts !== null && slowest.realSeconds(lasts) > s.limits.runTimeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['load', 'duration'],
        message: `the load lasts ${slowest.realSeconds(lasts).toFixed(1)} real seconds, beyond limits.runTimeout (${s.limits.runTimeout} s)`,
        params: { fix: 'shorten the load, lower timeScale, or raise limits.runTimeout' },
      });
    }
    const meanService = s.service.time ?? sampleMean(s.service.samples ?? []);
    const fastest = new Clock(Math.min(...scales));
    if (fastest.realMs(meanService) < 1 && meanService > 0) {
      const own = s.topologies.findIndex((t) => t.timeScale === fastest.timeScale);
      ctx.addIssue({
        code: 'custom',
        path:
          fastest.timeScale === s.timeScale || own < 0
            ? ['timeScale']
            : ['topologies', own, 'timeScale'],
        message: `the service time runs as ${fastest.realMs(meanService).toFixed(3)} real ms, too short to emulate faithfully`,
        params: { fix: 'raise timeScale so that service.time x timeScale is at least 1ms' },
      });
    }
  });

/**
 * Processes a topology runs: per replica one for Flask's and Werkzeug's server, otherwise a
 * master (arbiter) and its workers; real servers add their launcher per replica; a balancer
 * (and its launcher for haproxy) when there are several replicas. None for a given URL.
 */
function processesOf(t: {
  kind: string;
  workers: number;
  replicas: number;
  url?: string | undefined;
  maxRequests: number;
  timeout: number;
  init?: unknown;
}): number {
  if (t.url !== undefined) return 0;
  const real = isRealKind(t.kind);
  const single = t.kind === 'flask-dev' || t.kind === 'werkzeug';
  // Emulated arbiters keep a spare process per worker when workers recycle or can be killed.
  const spares = !real && (t.maxRequests > 0 || t.timeout > 0) ? t.workers : 0;
  const perReplica = (single ? 1 : t.workers + spares + 1) + (real ? 1 : 0);
  const balancer = t.replicas > 1 ? (real ? 2 : 1) : 0;
  return t.replicas * perReplica + balancer + (t.init === undefined ? 0 : 1);
}

export function sampleMean(samples: readonly number[]): number {
  return samples.length === 0 ? 0 : samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

/** One condition of a scenario's thresholds, parsed once; problems are reported by checkThresholds. */
export interface ThresholdEntry {
  key: string;
  index: number;
  /** Null for a metric given no condition at all. */
  parsed: ParseResult<Threshold> | null;
}

/**
 * Parses every condition once (the one parser, harness/gate/threshold.ts); a metric with no
 * condition keeps an entry without one, for checkThresholds to refuse with the others.
 */
function parseThresholdEntries(thresholds: Record<string, string[]>): ThresholdEntry[] {
  return Object.entries(thresholds).flatMap(([key, conditions]): ThresholdEntry[] =>
    conditions.length === 0
      ? [{ key, index: -1, parsed: null }]
      : conditions.map((condition, index) => ({
          key,
          index,
          parsed: parseThreshold(key, condition),
        })),
  );
}

/** Every threshold key and condition must parse, and a topology tag must name a topology. */
function checkThresholds(
  entries: readonly ThresholdEntry[],
  topologies: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): void {
  const keys = new Set(entries.map((e) => e.key));
  for (const key of keys) {
    const parsedKey = parseThresholdKey(key);
    if (!parsedKey.ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', key],
        message: parsedKey.message,
        params: { fix: parsedKey.fix },
      });
      continue;
    }
    const tagged = parsedKey.value.topology;
    if (tagged !== null && !topologies.has(tagged)) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', key],
        message: `no topology is named "${tagged}"`,
        params: { fix: `tag one of ${[...topologies].map((n) => `"${n}"`).join(', ')}` },
      });
    }
    for (const { index, parsed } of entries.filter((e) => e.key === key)) {
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', key],
          message: 'has no condition',
          params: { fix: 'give 1 to 20 conditions, such as ["p(95)<5s"], or remove the metric' },
        });
      } else if (!parsed.ok) {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', key, index],
          message: parsed.message,
          params: { fix: parsed.fix },
        });
      }
    }
  }
}

export type ScenarioFile = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;

/**
 * What each field means and what a valid value looks like, keyed by path with array indices as
 * []. Error messages quote it as the fix.
 */
export const FIELD_HELP: Record<string, string> = {
  $schema: 'an optional path to a JSON schema, for editors; ignored by the harness',
  name: 'letters, digits, ".", "_" or "-"; defaults to the file name',
  description: 'free text shown in the report',
  timeScale: `a number from ${MIN_TIME_SCALE} to 10: real seconds per scenario second, e.g. 0.1`,
  repeat: `a whole number of bursts from 1 to ${MAX_REPEAT} sent to each topology, one after another; figures are their mean`,
  compareEmulated:
    'true to also run the emulated counterpart of each real-server topology and give the fidelity table',
  expectErrors:
    'true when a topology may fail every request (a scenario that reproduces an outage); false (the default) fails such a run with E_NO_SUCCESS',
  ...LOAD_FIELD_HELP,
  service: 'an object such as { "time": "2s", "work": "sleep" }',
  'service.time':
    'a duration in scenario time, such as "2s", "150ms" or 2: the mean service time (omit it for "empirical")',
  'service.work': '"sleep" (waits on I/O) or "cpu" (burns CPU time)',
  'service.distribution': `one of ${SERVICE_DISTRIBUTIONS.map((k) => `"${k}"`).join(', ')} (default "constant")`,
  'service.cv':
    'a number from 0 to 100: the coefficient of variation (standard deviation / mean) of a lognormal distribution',
  'service.samples': `a list of 1 to ${MAX_SERVICE_SAMPLES} durations, measured service times to draw from (empirical)`,
  topologies: 'a list of 1 to 20 topology objects',
  'topologies[]': 'an object such as { "name": "sync-4", "kind": "sync", "workers": 4 }',
  'topologies[].name': 'a unique name of 1 to 80 characters',
  'topologies[].kind': `one of ${TOPOLOGY_KINDS.map((k) => `"${k}"`).join(', ')}`,
  'topologies[].workers':
    'a whole number of worker processes from 1 to 64 (gunicorn --workers, uvicorn --workers)',
  'topologies[].threads': `a whole number of threads per worker from 1 to 256 (gunicorn --threads; for the uvicorn kinds the thread pool of "def" endpoints, default ${ASGI_THREAD_POOL})`,
  'topologies[].replicas': 'a whole number of server instances behind the balancer, 1 to 32',
  'topologies[].balancer': `one of ${BALANCER_POLICIES.map((k) => `"${k}"`).join(', ')}`,
  'topologies[].balancerMode': `one of ${BALANCER_MODES.map((k) => `"${k}"`).join(', ')}: "tcp" (the default) gives each user connection its own server connection (haproxy mode tcp); "http" relays requests over kept-alive server connections, a pool per replica that grows on demand (haproxy mode http with http-reuse, as Envoy, nginx and ingresses do)`,
  'topologies[].workerConnections':
    'a whole number from 1 to 100000 (gunicorn --worker-connections, default 1000)',
  'topologies[].backlog':
    'a whole number from 1 to 65535: the listen() backlog (default 128 for flask-dev, 2048 for gunicorn)',
  'topologies[].keepAlive': 'a duration in scenario time (gunicorn --keep-alive, default "2s")',
  'topologies[].port': 'a port from 0 to 65535 on 127.0.0.1; 0 (the default) picks a free one',
  'topologies[].endpoint':
    '"def" (the default: a plain function, run in the thread pool) or "async" (async def): how the uvicorn kinds\' /work is written, or for your own app (`app`) how the endpoint the requests hit is written, which the model needs',
  'topologies[].timeScale': `a number from ${MIN_TIME_SCALE} to 10: this topology's own real seconds per scenario second, overriding the scenario's "timeScale" (--time-scale overrides both)`,
  'topologies[].repeat': `a whole number of bursts from 1 to ${MAX_REPEAT} for this topology, overriding the scenario's "repeat"`,
  'topologies[].url':
    'an http:// URL of a server already running, such as "http://127.0.0.1:8000/work"; the harness starts nothing and sends the load there',
  ...LIFECYCLE_FIELD_HELP,
  ...OWN_APP_FIELD_HELP,
  ...REQUEST_FIELD_HELP,
  limits:
    'an object such as { "runTimeout": "10m", "requestTimeout": "10m", "startTimeout": "60s" }',
  'limits.runTimeout':
    'a duration in real time above 0 and at most "24h" after which the run stops itself, such as "10m"',
  'limits.requestTimeout':
    'a duration in scenario time above 0 and at most "24h" after which a request counts as timed out',
  'limits.startTimeout':
    'a duration in real time above 0 and at most "1h" that each target may take to start and answer (default "60s")',
  model: 'an object such as { "seed": 1, "replications": 200 }',
  'model.seed': 'a whole number from 0 to 4294967295 seeding the simulation',
  'model.replications': 'a whole number of simulation runs from 1 to 10000',
  ...APP_FIELD_HELP,
  thresholds:
    'an object of metric keys and condition lists, such as { "wait": ["p(95)<5s", "max<20s"], "errors": ["rate<0.01"] } (see "Thresholds" in scenarios/README.md)',
};
