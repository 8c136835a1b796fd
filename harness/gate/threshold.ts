import { UNIT_SECONDS } from '../scenario/duration.js';

/**
 * Thresholds in k6's vocabulary (k6 docs, "Thresholds"): a metric key, optionally tagged with one
 * topology as k6 tags a metric, and conditions that must hold for the run to pass.
 *
 *   key        := metric [ "{topology:" name "}" ]
 *   metric     := "wait" | "makespan" | "errors" | "model_error" | "dispatch_spread"
 *               | "job_runs" | "job_gap" | "event_reach" | "event_latency"
 *   condition  := aggregate ws operator ws value
 *   aggregate  := "mean" | "avg" | "min" | "med" | "max" | "p(" percent ")"
 *               | "rate" | "count" | "value"
 *   percent    := a number from 0 to 100, e.g. 95 or 99.9
 *   operator   := "<" | "<=" | ">" | ">=" | "==" | "!="
 *   value      := number [ ws unit ]
 *   unit       := "us" | "µs" | "ms" | "s" | "m" | "min" | "h"   (durations)
 *               | "%"                                           (rate, model_error)
 *   ws         := zero or more spaces
 *
 * On the command line a threshold is `key=condition`, e.g. `wait{topology:sync-4-x3}=p(95)<5s`.
 * Which aggregates each metric has, and the unit of a bare number, are in METRICS below.
 * "p(95)<5s" passes while the 95th percentile wait is below 5 scenario seconds.
 */

export const METRIC_NAMES = [
  'wait',
  'makespan',
  'errors',
  'model_error',
  'dispatch_spread',
  'job_runs',
  'job_gap',
  'event_reach',
  'event_latency',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const OPERATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

export type Aggregate =
  | { kind: 'mean' }
  | { kind: 'min' }
  | { kind: 'max' }
  | { kind: 'percentile'; p: number }
  | { kind: 'rate' }
  | { kind: 'count' }
  | { kind: 'value' };

/**
 * What a threshold's number means: a duration in scenario seconds, a duration in real
 * milliseconds, a fraction (0.01 = 1%), or a count of requests.
 */
export type ValueKind = 'scenario-seconds' | 'real-ms' | 'fraction' | 'count';

interface MetricInfo {
  /** Aggregates the metric has, by the name a user writes. */
  aggregates: readonly string[];
  /** What the condition's number is, given the aggregate. */
  valueKind: (aggregate: Aggregate['kind']) => ValueKind;
  /** One line for error messages and --help. */
  meaning: string;
}

export const METRICS: Record<MetricName, MetricInfo> = {
  wait: {
    aggregates: ['mean', 'avg', 'min', 'med', 'max', 'p(N)'],
    valueKind: () => 'scenario-seconds',
    meaning:
      'queue time of each request that succeeded (handler start minus intended start), scenario seconds',
  },
  makespan: {
    aggregates: ['max', 'value'],
    valueKind: () => 'scenario-seconds',
    meaning: 'from the burst start to the end of the last response, scenario seconds',
  },
  errors: {
    aggregates: ['rate', 'count'],
    valueKind: (a) => (a === 'count' ? 'count' : 'fraction'),
    meaning: 'failed requests: rate (failed / sent, a fraction or %) or count',
  },
  model_error: {
    aggregates: ['max', 'mean', 'avg'],
    valueKind: () => 'fraction',
    meaning:
      '|predicted - measured| / measured of mean wait, p95 wait, max wait and makespan; max or mean of the four',
  },
  dispatch_spread: {
    aggregates: ['max', 'value'],
    valueKind: () => 'real-ms',
    meaning: 'real time between the first and the last request written; a bare number is ms',
  },
  job_runs: {
    aggregates: ['max', 'min'],
    valueKind: () => 'count',
    meaning:
      'runs of the scheduled job in one slot (scenarios with "jobs"): max over the slots (above 1: duplicates), min (0: a slot nobody ran)',
  },
  job_gap: {
    aggregates: ['value', 'max'],
    valueKind: () => 'scenario-seconds',
    meaning:
      'scenario seconds between the last run before the leader was killed and the first run after it (scenarios with "jobs.killLeaderAt")',
  },
  event_reach: {
    aggregates: ['min', 'mean', 'avg', 'max'],
    valueKind: () => 'fraction',
    meaning: 'share of the clients each event reached (scenarios with "fanout"), a fraction or %',
  },
  event_latency: {
    aggregates: ['mean', 'avg', 'med', 'max', 'p(N)'],
    valueKind: () => 'real-ms',
    meaning:
      'real milliseconds from the publish to each receipt (scenarios with "fanout"); percentiles p(50), p(95), p(99); a bare number is ms',
  },
};

export interface Threshold {
  /** The key as written: `wait` or `wait{topology:sync-4-x3}`. */
  key: string;
  metric: MetricName;
  /** The one topology it applies to, or null for every topology. */
  topology: string | null;
  /** The condition as written: `p(95)<5s`. */
  condition: string;
  aggregate: Aggregate;
  operator: Operator;
  /** The limit in the metric's unit (see ValueKind). */
  value: number;
  valueKind: ValueKind;
  /** The key and condition exactly as the file or the command line wrote them. */
  source: { key: string; condition: string };
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string; fix: string };

const KEY = /^([a-z_]+)(?:\{topology:(.+)\})?$/s;
const CONDITION =
  /^\s*(mean|avg|min|med|max|rate|count|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(us|µs|ms|s|min|m|h|%)?\s*$/;

const DURATION_SECONDS = UNIT_SECONDS;

export const GRAMMAR_HINT =
  'write a condition such as "p(95)<5s", "max<20s", "mean<2s", "rate<0.01" or "max<10ms"';

/** Parses a threshold key: `wait`, or `wait{topology:sync-4-x3}`. */
export function parseThresholdKey(
  key: string,
): ParseResult<{ metric: MetricName; topology: string | null }> {
  const match = KEY.exec(key);
  const metric = match?.[1];
  if (match === null || metric === undefined || !isMetric(metric)) {
    return {
      ok: false,
      message: `"${key}" is not a threshold metric`,
      fix: `use one of ${METRIC_NAMES.map((m) => `"${m}"`).join(', ')}, optionally tagged as "wait{topology:NAME}"`,
    };
  }
  return { ok: true, value: { metric, topology: match[2] ?? null } };
}

/** Parses one condition of a metric key. Pure; the grammar is at the top of this file. */
export function parseThreshold(key: string, condition: string): ParseResult<Threshold> {
  const parsedKey = parseThresholdKey(key);
  if (!parsedKey.ok) return parsedKey;
  const { metric, topology } = parsedKey.value;
  const info = METRICS[metric];
  const match = CONDITION.exec(condition);
  if (match === null) {
    return {
      ok: false,
      message: `"${condition}" is not a threshold condition`,
      fix: `${GRAMMAR_HINT} (aggregate, operator, value)`,
    };
  }
  const [, name = '', percent, operator = '<', number = '', unit] = match;
  const aggregate = toAggregate(name, percent);
  const written = name.startsWith('p(') ? 'p(N)' : name;
  if (!info.aggregates.includes(written)) {
    return {
      ok: false,
      message: `${metric} has no aggregate "${name}"`,
      fix: `use ${info.aggregates.map((a) => `"${a}"`).join(', ')} for ${metric} (${info.meaning})`,
    };
  }
  if (aggregate.kind === 'percentile' && (aggregate.p < 0 || aggregate.p > 100)) {
    return {
      ok: false,
      message: `p(${aggregate.p}) is out of range`,
      fix: 'use p(N) with N from 0 to 100',
    };
  }
  const valueKind = info.valueKind(aggregate.kind);
  const value = toValue(Number(number), unit, valueKind);
  if (!value.ok) {
    return { ok: false, message: `"${condition}": ${value.message}`, fix: value.fix };
  }
  return {
    ok: true,
    value: {
      key,
      metric,
      topology,
      condition: condition.trim(),
      aggregate,
      operator: operator as Operator,
      value: value.value,
      valueKind,
      source: { key, condition },
    },
  };
}

/**
 * Parses a command-line threshold, `key=condition`: `wait=p(95)<5s` or
 * `wait{topology:sync-4-x3}=max<20s`. The key ends at the first "=" (after a topology tag's "}").
 */
export function parseThresholdOption(text: string): ParseResult<Threshold> {
  const split = splitThresholdOption(text);
  return split.ok ? parseThreshold(split.value.key, split.value.condition) : split;
}

/** `key=condition` into its two texts, unparsed: they join a scenario's thresholds as written. */
export function splitThresholdOption(
  text: string,
): ParseResult<{ key: string; condition: string }> {
  const match = /^([a-z_]+(?:\{topology:.+?\})?)=(.*)$/s.exec(text);
  if (match === null) {
    return {
      ok: false,
      message: `"${text}" is not of the form metric=condition`,
      fix: 'write it as --threshold "wait=p(95)<5s" or --threshold "wait{topology:NAME}=max<20s"',
    };
  }
  return { ok: true, value: { key: match[1] as string, condition: match[2] as string } };
}

/**
 * Parsed thresholds back to the form a scenario file writes them in (metric key -> conditions as
 * written), for scenario.json: each Threshold keeps its source text beside its parsed value.
 */
export function thresholdsDocument(thresholds: readonly Threshold[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of thresholds)
    out[t.source.key] = [...(out[t.source.key] ?? []), t.source.condition];
  return out;
}

function isMetric(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

function toAggregate(name: string, percent: string | undefined): Aggregate {
  if (percent !== undefined) return { kind: 'percentile', p: Number(percent) };
  switch (name) {
    case 'avg':
    case 'mean':
      return { kind: 'mean' };
    case 'med':
      return { kind: 'percentile', p: 50 };
    case 'min':
      return { kind: 'min' };
    case 'max':
      return { kind: 'max' };
    case 'rate':
      return { kind: 'rate' };
    case 'count':
      return { kind: 'count' };
    default:
      return { kind: 'value' };
  }
}

function toValue(n: number, unit: string | undefined, kind: ValueKind): ParseResult<number> {
  if (!Number.isFinite(n))
    return { ok: false, message: 'the value is not a number', fix: GRAMMAR_HINT };
  switch (kind) {
    case 'scenario-seconds':
    case 'real-ms': {
      if (unit === '%') {
        return {
          ok: false,
          message: 'a duration cannot be a percentage',
          fix: 'give a duration such as 5s, 500ms or 2m',
        };
      }
      if (unit === undefined) return { ok: true, value: n };
      const seconds = n * (DURATION_SECONDS[unit] ?? 1);
      return { ok: true, value: kind === 'real-ms' ? seconds * 1000 : seconds };
    }
    case 'fraction':
      if (unit !== undefined && unit !== '%') {
        return {
          ok: false,
          message: `a rate or relative error has no unit "${unit}"`,
          fix: 'give a fraction such as 0.01 or a percentage such as 1%',
        };
      }
      return { ok: true, value: unit === '%' ? n / 100 : n };
    case 'count':
      if (unit !== undefined || !Number.isInteger(n)) {
        return {
          ok: false,
          message: 'a count is a whole number without a unit',
          fix: 'give a whole number of requests, such as count<1',
        };
      }
      return { ok: true, value: n };
  }
}

/** True when `observed` satisfies the threshold's condition. */
export function holds(observed: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

/** The aggregate as a user writes it: `p(95)`, `mean`, `rate`. */
export function aggregateLabel(aggregate: Aggregate): string {
  return aggregate.kind === 'percentile' ? `p(${aggregate.p})` : aggregate.kind;
}
