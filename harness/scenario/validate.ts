import type { z } from 'zod';
import { isAsgiKind, isRealKind } from '../../targets/real/protocol.js';
import type { InputIssue } from '../errors.js';
import { normaliseApp, normaliseScheduler } from './app-normalise.js';
import { asyncWorkerOf, lifecycleOf } from './lifecycle-schema.js';
import { ownAppParts } from './own-app-schema.js';
import { requestOf } from './request-schema.js';
import {
  ASGI_THREAD_POOL,
  DEFAULT_BACKLOG,
  FIELD_HELP,
  type ParsedScenario,
  sampleMean,
  scenarioSchema,
} from './schema.js';
import type { Scenario, ServiceSpec, TopologySpec } from './types.js';

export type Validation = { ok: true; scenario: Scenario } | { ok: false; issues: InputIssue[] };

/**
 * Checks a parsed JSON value against the scenario format and returns either the scenario, with
 * defaults applied and durations in seconds, or every problem found, each with its field path
 * and a fix. Pure: `source` is only recorded, and names the scenario when the file does not.
 */
export function validateScenario(raw: unknown, source: string, fallbackName: string): Validation {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success)
    return { ok: false, issues: result.error.issues.map((issue) => toInputIssue(issue, raw)) };
  return { ok: true, scenario: normalise(result.data, source, fallbackName) };
}

function normalise(parsed: ParsedScenario, source: string, fallbackName: string): Scenario {
  const topologies: TopologySpec[] = parsed.topologies.map((t) => {
    const asgi = isRealKind(t.kind) && isAsgiKind(t.kind);
    // The real ASGI kinds' def thread pool is their `threads`; `threadPool` says the same.
    const threads = t.threads ?? (asgi ? (t.threadPool ?? ASGI_THREAD_POOL) : 1);
    const spec: TopologySpec = {
      ...optionalParts(t),
      name: t.name,
      // gunicorn/config.py: "If you try to use the sync worker type and set the threads setting
      // to more than 1, the gthread worker type will be used instead."
      kind: t.kind === 'sync' && threads > 1 ? 'gthread' : t.kind,
      declaredKind: t.kind,
      workers: t.workers,
      threads,
      replicas: t.replicas,
      balancer: t.balancer,
      balancerMode: t.balancerMode,
      workerConnections: t.workerConnections,
      backlog: t.backlog ?? DEFAULT_BACKLOG[t.kind],
      keepAlive: t.keepAlive,
      port: t.port,
      ...normaliseScheduler(t),
    };
    if (asgi)
      spec.endpoint =
        t.endpoint ?? (t.handler === undefined || t.handler === 'def' ? 'def' : 'async');
    if (t.url !== undefined) spec.url = t.url;
    if (t.repeat !== undefined) spec.repeat = t.repeat;
    if (t.timeScale !== undefined) spec.timeScale = t.timeScale;
    return { ...spec, ...ownAppParts(t, source) };
  });
  const { time, work, distribution, cv, samples } = parsed.service;
  const service: ServiceSpec = { time: time ?? sampleMean(samples ?? []), work, distribution };
  if (cv !== undefined) service.cv = cv;
  if (samples !== undefined) service.samples = samples;
  return {
    name: parsed.name ?? fallbackName,
    description: parsed.description,
    source,
    timeScale: parsed.timeScale,
    repeat: parsed.repeat,
    compareEmulated: parsed.compareEmulated,
    expectErrors: parsed.expectErrors,
    load: parsed.load,
    service,
    topologies,
    limits: {
      runTimeout: parsed.limits.runTimeout,
      requestTimeout: parsed.limits.requestTimeout,
      ...(parsed.limits.startTimeout === undefined
        ? {}
        : { startTimeout: parsed.limits.startTimeout }),
    },
    model: parsed.model,
    // Parsed once by the schema; validation succeeded, so every one parsed.
    thresholds: parsed.thresholds.flatMap((e) => (e.parsed?.ok ? [e.parsed.value] : [])),
    ...normaliseApp(parsed),
    ...(parsed.request === undefined ? {} : { request: requestOf(parsed.request) }),
  };
}

/** The lifecycle, async-worker and claim parts of a topology, present only when the file set them. */
function optionalParts(
  t: ParsedScenario['topologies'][number],
): Pick<TopologySpec, 'lifecycle' | 'asyncWorker' | 'claimedConcurrency'> {
  const lifecycle = lifecycleOf(t);
  const asyncWorker = asyncWorkerOf(t);
  return {
    ...(lifecycle === undefined ? {} : { lifecycle }),
    ...(asyncWorker === undefined ? {} : { asyncWorker }),
    ...(t.claimedConcurrency === undefined ? {} : { claimedConcurrency: t.claimedConcurrency }),
  };
}

/** `['topologies', 1, 'workers']` -> `topologies[1].workers`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** What the whole file must be, for a file that is JSON but not an object. */
const WHOLE_FILE_HELP =
  'one JSON object such as { "load": { "executor": "burst", "users": 200 }, "service": { "time": "2s" }, "topologies": [{ "name": "sync-4", "kind": "sync", "workers": 4 }] } (see scenarios/README.md)';

/**
 * The help of a field, or of the nearest field around it that has one (a threshold's metric key
 * is the user's own: `thresholds.wait` is explained by `thresholds`).
 */
function helpFor(path: ReadonlyArray<PropertyKey>): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const help = FIELD_HELP[helpKey(path.slice(0, n))];
    if (help !== undefined) return help;
  }
  return WHOLE_FILE_HELP;
}

function helpKey(path: ReadonlyArray<PropertyKey>): string {
  return formatPath(path).replace(/\[\d+\]/g, '[]');
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function toInputIssue(issue: z.core.$ZodIssue, raw: unknown): InputIssue {
  const path = formatPath(issue.path);
  const help = helpFor(issue.path);
  const expected = help === undefined ? 'see scenarios/README.md' : `use ${help}`;
  const got = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys(FIELD_HELP)
        .filter((key) => {
          const parent = helpKey(issue.path);
          const prefix = parent === '(top level)' ? '' : `${parent}.`;
          return (
            key.startsWith(prefix) && !key.slice(prefix.length).includes('.') && key !== parent
          );
        })
        .map((key) => key.slice(key.lastIndexOf('.') + 1).replace('[]', ''))
        // `topologies` and `topologies[]` name one field.
        .filter((key, i, all) => all.indexOf(key) === i);
      const fields = issue.keys.map((k) => `"${k}"`).join(', ');
      const suggestions = issue.keys
        .map((key) => [key, closest(key, known)] as const)
        .filter(([, guess]) => guess !== undefined)
        .map(([key, guess]) => `"${key}" -> "${guess}"`);
      return {
        path,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${fields}`,
        fix:
          suggestions.length > 0
            ? `rename ${suggestions.join(', ')}`
            : `remove ${fields}; the fields here are ${known.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    case 'invalid_type':
      return {
        path,
        message:
          got === undefined
            ? 'is required'
            : `expected ${issue.expected}, got ${describeValue(got)}`,
        fix: expected,
      };
    case 'invalid_value':
      return { path, message: `${describeValue(got)} is not allowed`, fix: expected };
    // A union none of whose members fits: a duration that is neither a number nor a string, or an
    // executor no member names. Said as for a single type.
    case 'invalid_union':
      return {
        path,
        message: got === undefined ? 'is required' : `${describeValue(got)} is not allowed`,
        fix: expected,
      };
    case 'too_small':
    case 'too_big':
      return {
        path,
        message: `${describeValue(got)} is out of range (${issue.message.replace(/^Too (small|big): /, '')})`,
        fix: expected,
      };
    case 'custom': {
      const params = issue.params as { fix?: string; duration?: boolean } | undefined;
      return { path, message: issue.message, fix: params?.fix ?? expected };
    }
    default:
      return { path, message: `${describeValue(got)}: ${issue.message}`, fix: expected };
  }
}

/** The known name nearest to `word` by edit distance, if it is near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = sameStem(word, candidate)
      ? 1
      : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Singular for plural and the like: "topology" for "topologies", "worker" for "workers". */
function sameStem(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  const stem = Math.min(x.length, y.length) - 1;
  return stem >= 5 && x.slice(0, stem) === y.slice(0, stem) && Math.abs(x.length - y.length) <= 2;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
