import { parseDuration } from '../scenario/duration.js';
import { WAIT_FIGURES } from '../stats/waits.js';
import type { WhatIfFigure } from './what-if.js';

/**
 * Goals for `npm run model -- --goal <goal>`: short declarative conditions on the what-if
 * figures, k6-style. Grammar (whitespace between tokens is ignored):
 *
 *   goal       := condition (("," | "&&") condition)*
 *   condition  := figure op value
 *   figure     := "meanWait" | "p50Wait" | "p95Wait" | "p99Wait" | "maxWait" | "makespan"
 *               | "throughput" | "utilisation" | "failed"
 *               | alias: "avg" | "mean" -> meanWait, "med" | "p50" | "p(50)" -> p50Wait,
 *                 "p95" | "p(95)" -> p95Wait, "p99" | "p(99)" -> p99Wait, "max" -> maxWait,
 *                 "utilization" -> utilisation
 *   op         := "<" | "<=" | ">" | ">="
 *   value      := for waits and makespan, a duration: "5s", "250ms", "1.5m", or bare seconds
 *                 for throughput, requests per second: "40" or "40/s"
 *                 for utilisation, a fraction or a percentage: "0.8" or "80%"
 *                 for failed, a number of requests: "0"
 *
 * Examples: "p95Wait<5s", "p(99) <= 30s && makespan < 2m", "utilisation<80%, maxWait<1m".
 */

export type GoalOp = '<' | '<=' | '>' | '>=';

export interface GoalCondition {
  figure: WhatIfFigure;
  op: GoalOp;
  /** In the figure's unit: seconds, requests per second, a fraction, or requests. */
  value: number;
  /** The condition as written, for messages. */
  text: string;
}

const ALIASES: Record<string, WhatIfFigure> = {
  meanwait: 'meanWait',
  avg: 'meanWait',
  mean: 'meanWait',
  p50wait: 'p50Wait',
  med: 'p50Wait',
  'p(50)': 'p50Wait',
  p50: 'p50Wait',
  p95wait: 'p95Wait',
  'p(95)': 'p95Wait',
  p95: 'p95Wait',
  p99wait: 'p99Wait',
  'p(99)': 'p99Wait',
  p99: 'p99Wait',
  maxwait: 'maxWait',
  max: 'maxWait',
  makespan: 'makespan',
  throughput: 'throughput',
  utilisation: 'utilisation',
  utilization: 'utilisation',
  failed: 'failed',
};

const TIME_FIGURES = new Set<WhatIfFigure>(WAIT_FIGURES);

export function parseGoal(
  text: string,
): { ok: true; conditions: GoalCondition[] } | { ok: false; message: string } {
  const parts = text
    .split(/,|&&/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0)
    return { ok: false, message: 'the goal is empty; write e.g. "p95Wait<5s"' };
  const conditions: GoalCondition[] = [];
  for (const part of parts) {
    const match = /^([A-Za-z0-9()]+)\s*(<=|>=|<|>)\s*(.+)$/.exec(part);
    if (match === null)
      return {
        ok: false,
        message: `"${part}" is not a condition; write <figure><op><value>, e.g. "p95Wait<5s"`,
      };
    const [, name, op, raw] = match as unknown as [string, string, GoalOp, string];
    const figure = ALIASES[name.toLowerCase()];
    if (figure === undefined)
      return {
        ok: false,
        message: `"${name}" is not a figure; use meanWait, p50Wait, p95Wait, p99Wait, maxWait, makespan, throughput, utilisation or failed`,
      };
    const value = parseValue(figure, raw.trim());
    if (value === undefined)
      return {
        ok: false,
        message: `"${raw.trim()}" is not a value for ${figure}: ${unitHint(figure)}`,
      };
    conditions.push({ figure, op, value, text: part });
  }
  return { ok: true, conditions };
}

function parseValue(figure: WhatIfFigure, raw: string): number | undefined {
  if (TIME_FIGURES.has(figure)) {
    if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
    return parseDuration(raw);
  }
  if (figure === 'throughput') {
    const m = /^(\d+(?:\.\d+)?)\s*(?:\/s)?$/.exec(raw);
    return m === null ? undefined : Number(m[1]);
  }
  if (figure === 'utilisation') {
    const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(raw);
    if (m === null) return undefined;
    const v = Number(m[1]) / (m[2] === '%' ? 100 : 1);
    return v <= 1 ? v : undefined;
  }
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function unitHint(figure: WhatIfFigure): string {
  if (TIME_FIGURES.has(figure)) return 'a duration such as 5s or 250ms';
  if (figure === 'throughput') return 'requests per second such as 40 or 40/s';
  if (figure === 'utilisation') return 'a fraction such as 0.8 or a percentage such as 80%';
  return 'a whole number of requests';
}

/** Conditions the figures fail; empty when the goal is met. */
export function unmetConditions(
  conditions: readonly GoalCondition[],
  figures: Readonly<Record<WhatIfFigure, number>>,
): GoalCondition[] {
  return conditions.filter((c) => !holds(c, figures[c.figure]));
}

/** NaN meets no condition. */
function holds(c: GoalCondition, v: number): boolean {
  switch (c.op) {
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
  }
}
