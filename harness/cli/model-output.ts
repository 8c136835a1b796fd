import { UNLIMITED_CONNECTIONS } from '../model/deployment.js';
import type { GoalCondition } from '../model/goal.js';
import type { GoalSearch } from '../model/goal-search.js';
import type { PlannedTopology } from '../model/planner-input.js';
import type { Spread } from '../model/predict.js';
import { describeService } from '../model/service-syntax.js';
import type { UslFit, UslPoint } from '../model/usl.js';
import { uslThroughput } from '../model/usl.js';
import {
  METHOD_NAMES,
  type MethodId,
  WHAT_IF_FIGURES,
  type WhatIfFigure,
  type WhatIfInput,
  type WhatIfResult,
} from '../model/what-if.js';
import { pad } from '../report/columns.js';
import { formatSeconds } from '../scenario/duration.js';

/**
 * What `npm run model` prints: the text for a terminal and the JSON for --json, built from the
 * model's results. Pure: returns strings and plain objects, the command writes them.
 */

const LABELS: Record<WhatIfFigure, string> = {
  count: 'served',
  meanWait: 'mean wait',
  p50Wait: 'p50 wait',
  p95Wait: 'p95 wait',
  p99Wait: 'p99 wait',
  maxWait: 'max wait',
  makespan: 'makespan',
  throughput: 'throughput',
  utilisation: 'utilisation',
  failed: 'failed',
};

export function formatFigure(figure: WhatIfFigure, value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (figure === 'count' || figure === 'failed') return String(Math.round(value));
  if (figure === 'throughput') return `${Number(value.toPrecision(3))}/s`;
  if (figure === 'utilisation') return `${(value * 100).toFixed(1)}%`;
  return formatSeconds(value);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Everything the user asked, as the model understood it (after defaults), for --json. */
export interface Question {
  kind: string;
  declaredKind: string;
  workers: number;
  threads: number;
  replicas: number;
  balancer: string;
  /** `http`: the balancer reuses kept-alive connections (harness/model/README.md); `tcp` not. */
  balancerMode: string;
  workerConnections: number;
  load: WhatIfInput['arrivals'];
  service: WhatIfInput['service'];
  work: string;
  cores: number;
  maxRequests: number;
  maxRequestsJitter: number;
  restartTime: number;
  timeout: number;
  seed: number;
  replications: number;
}

export function questionOf(input: WhatIfInput, declaredKind: string): Question {
  const { topology: t, behaviour: b } = input;
  return {
    kind: t.kind,
    declaredKind,
    workers: t.workers,
    threads: t.threads,
    replicas: t.replicas,
    balancer: t.balancer,
    balancerMode: b.reuse === undefined ? 'tcp' : 'http',
    workerConnections: t.workerConnections,
    load: input.arrivals,
    service: input.service,
    work: b.work,
    cores: b.cores,
    maxRequests: b.maxRequests,
    maxRequestsJitter: b.maxRequestsJitter,
    restartTime: b.restartTime,
    timeout: b.timeout,
    seed: input.seed,
    replications: input.replications,
  };
}

export function describeQuestion(input: WhatIfInput, declaredKind: string): string[] {
  const { topology: t, arrivals: a, behaviour: b } = input;
  const unlimited = t.kind === 'gthread' && t.workerConnections >= UNLIMITED_CONNECTIONS;
  // An async worker whose handlers hold its loop: one at a time, the next taken when idle.
  const loopHeld =
    declaredKind !== t.kind && t.kind === 'gthread' && t.threads === 1 && t.workerConnections === 1;
  const named = unlimited
    ? `${declaredKind} (modelled as workers that accept without limit)`
    : loopHeld
      ? `${declaredKind} (modelled as workers that accept only when idle)`
      : `${t.kind}${declaredKind !== t.kind ? ` (declared ${declaredKind})` : ''}`;
  const threads = t.kind === 'gthread' ? t.threads : 1;
  const slot = unlimited || loopHeld ? 'handler slot' : 'thread';
  const mode =
    b.reuse === undefined
      ? ''
      : `, HTTP mode (reused connections kept alive ${formatSeconds(b.reuse.keepAlive)})`;
  const balancer = t.replicas > 1 ? `, ${t.balancer}${mode}` : '';
  const connections =
    t.kind === 'gthread' && !unlimited && !loopHeld && t.workerConnections !== 1000
      ? `, worker_connections ${t.workerConnections}`
      : '';
  const load =
    a.kind === 'burst'
      ? `burst of ${a.users} requests at once`
      : a.kind === 'stages'
        ? `${a.process} arrivals ramping from ${a.startRate}/s through ${a.stages.map((s) => `${s.target}/s over ${formatSeconds(s.duration)}`).join(', ')}`
        : `${a.kind === 'poisson' ? 'Poisson' : 'constant-rate'} arrivals at ${a.rate}/s for ${formatSeconds(a.duration)}`;
  const extras: string[] = [];
  if (b.work === 'cpu') extras.push(`${plural(b.cores, 'core')}`);
  if (b.maxRequests > 0)
    extras.push(
      `--max-requests ${b.maxRequests}${b.maxRequestsJitter > 0 ? ` (+${b.maxRequestsJitter} jitter)` : ''}, restart ${formatSeconds(b.restartTime)}`,
    );
  if (b.timeout > 0) extras.push(`--timeout ${formatSeconds(b.timeout)}`);
  return [
    `${named}: ${plural(t.workers, 'worker')} x ${plural(threads, slot)} x ${plural(t.replicas, 'replica')} = ${t.workers * threads * t.replicas} concurrent${balancer}${connections}`,
    `load: ${load}; service ${describeService(input.service)} (${b.work}${extras.length > 0 ? `; ${extras.join('; ')}` : ''})`,
  ];
}

function methodText(method: MethodId, result: WhatIfResult): string {
  if (method !== 'simulation') return method;
  return result.replications === 1
    ? 'simulation, 1 run'
    : `simulation, mean of ${result.replications} runs`;
}

export function renderWhatIf(
  input: WhatIfInput,
  declaredKind: string,
  result: WhatIfResult,
): string {
  const lines = describeQuestion(input, declaredKind);
  if (result.backOfEnvelope !== null && input.arrivals.kind === 'burst') {
    const t = input.topology;
    const concurrency = t.workers * (t.kind === 'gthread' ? t.threads : 1) * t.replicas;
    lines.push(
      `back-of-envelope: ${input.arrivals.users} / ${concurrency} x service = ${formatSeconds(result.backOfEnvelope)} (what the usual arithmetic says the last user waits)`,
    );
  }
  lines.push('');
  const widths = { figure: 14, value: 11, band: 22 };
  const band = bandOf(result);
  lines.push(
    `${pad('figure', widths.figure)}${pad('mean', widths.value)}${pad('band (p5..p95)', widths.band)}method`,
  );
  for (const f of WHAT_IF_FIGURES) {
    const b = band[f];
    const bandText =
      b.p5 === b.p95 ? '(none)' : `${formatFigure(f, b.p5)}..${formatFigure(f, b.p95)}`;
    lines.push(
      `${pad(LABELS[f], widths.figure)}${pad(formatFigure(f, result.figures[f]), widths.value)}${pad(bandText, widths.band)}${methodText(result.methods[f], result)}`,
    );
  }
  lines.push(
    '',
    result.replications > 1
      ? `Each figure is the mean over ${result.replications} simulated runs; the band is where one run (one burst) lands 90% of the time.`
      : 'Nothing here varies from run to run in the model: the band is the figure itself.',
  );
  lines.push('', 'Waits are queue time: handler start minus arrival, in seconds.');
  if (!result.exactQuantiles)
    lines.push(
      'Quantiles of long runs come from a log histogram, within 0.39% of the exact value.',
    );
  if (result.checks.length > 0) {
    lines.push('', 'checks (another method beside the reported figure):');
    for (const c of result.checks) {
      const value = c.figure === 'meanInSystem' ? c.value.toPrecision(4) : formatSeconds(c.value);
      const reported =
        c.figure === 'meanInSystem' ? c.reported.toPrecision(4) : formatSeconds(c.reported);
      lines.push(
        `  ${c.name}: ${value} vs ${reported} reported (${signedPercent(c.relativeDifference)}); ${c.note}`,
      );
    }
  }
  if (result.notes.length > 0) {
    lines.push('', 'notes:');
    for (const n of result.notes) lines.push(`  - ${n}`);
  }
  const used = new Set(Object.values(result.methods));
  lines.push('', 'methods:');
  for (const m of used) {
    const detail =
      m === 'simulation'
        ? ` (seed ${input.seed}, ${plural(result.replications, 'run')}, ${result.simulatedRequests.toLocaleString('en-US')} requests simulated)`
        : '';
    lines.push(`  ${m}: ${METHOD_NAMES[m]}${detail}`);
  }
  return lines.join('\n');
}

function signedPercent(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const p = x * 100;
  return `${p >= 0 ? '+' : ''}${Math.abs(p) < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/**
 * For every figure, the 5th and 95th percentile over the simulated runs: where one run (one
 * burst) lands 90% of the time. A figure nothing random moves has the band of its own value.
 */
export function bandOf(result: WhatIfResult): Record<WhatIfFigure, Spread> {
  const out = {} as Record<WhatIfFigure, Spread>;
  for (const f of WHAT_IF_FIGURES)
    out[f] = result.spread?.[f] ?? { p5: result.figures[f], p95: result.figures[f] };
  return out;
}

/** The JSON of a what-if: the figures at the top level with summary.json's names. */
export function whatIfJson(question: Question, result: WhatIfResult): Record<string, unknown> {
  return {
    question,
    ...result.figures,
    methods: result.methods,
    band: bandOf(result),
    ...(result.spread === undefined ? {} : { spread: result.spread }),
    replications: result.replications,
    simulatedRequests: result.simulatedRequests,
    exactQuantiles: result.exactQuantiles,
    backOfEnvelope: result.backOfEnvelope,
    checks: result.checks,
    notes: result.notes,
  };
}

/** One topology of the planner's answer: the what-if with its name and its mapping notes. */
export function renderPlanned(
  planned: PlannedTopology,
  result: WhatIfResult,
  named: boolean,
): string {
  const text = renderWhatIf(planned.input, planned.declaredKind, {
    ...result,
    notes: [...planned.notes, ...result.notes],
  });
  return named ? `== ${planned.name} ==\n${text}` : text;
}

export function plannedJson(
  planned: PlannedTopology,
  result: WhatIfResult,
): Record<string, unknown> {
  return {
    name: planned.name,
    ...whatIfJson(questionOf(planned.input, planned.declaredKind), {
      ...result,
      notes: [...planned.notes, ...result.notes],
    }),
  };
}

export function renderGoalSearch(
  input: WhatIfInput,
  declaredKind: string,
  goalText: string,
  conditions: readonly GoalCondition[],
  search: GoalSearch,
  max: number,
): string {
  const lines = describeQuestion(input, declaredKind);
  lines[0] = `${lines[0]} (${search.vary} varied)`;
  lines.push('', `goal: ${goalText}; trying ${search.vary} = 1, 2, ... up to ${max}`, '');
  const columns: WhatIfFigure[] = [];
  for (const f of [
    ...conditions.map((c) => c.figure),
    'meanWait',
    'p95Wait',
    'maxWait',
    'makespan',
  ] as WhatIfFigure[])
    if (!columns.includes(f)) columns.push(f);
  const width = 11;
  lines.push(
    `${pad(search.vary, 10)}${columns.map((f) => pad(LABELS[f], width)).join('')}${pad('met', 5)}method`,
  );
  for (const point of search.curve) {
    const methods = new Set(columns.map((f) => point.result.methods[f]));
    lines.push(
      `${pad(String(point.value), 10)}${columns.map((f) => pad(formatFigure(f, point.result.figures[f]), width)).join('')}${pad(point.met ? 'yes' : 'no', 5)}${[...methods].map((m) => methodText(m, point.result)).join(' + ')}`,
    );
  }
  lines.push('');
  lines.push(
    search.found === null
      ? `no ${search.vary} count up to ${max} meets the goal; raise --max or change the topology`
      : `smallest ${search.vary} meeting the goal: ${search.found}`,
  );
  return lines.join('\n');
}

export function goalSearchJson(
  question: Question,
  goalText: string,
  conditions: readonly GoalCondition[],
  search: GoalSearch,
): Record<string, unknown> {
  return {
    question,
    goal: goalText,
    conditions: conditions.map(({ figure, op, value }) => ({ figure, op, value })),
    vary: search.vary,
    found: search.found,
    curve: search.curve.map((p) => ({
      [search.vary]: p.value,
      met: p.met,
      ...p.result.figures,
      methods: p.result.methods,
      replications: p.result.replications,
    })),
  };
}

export function renderUsl(points: readonly UslPoint[], fit: UslFit, source: string): string {
  const peak = Number.isFinite(fit.peakConcurrency)
    ? `peak throughput ${fit.peakThroughput.toPrecision(4)}/s at concurrency N* = ${fit.peakConcurrency.toPrecision(4)}`
    : `no peak (κ = 0): throughput levels off at λ/σ = ${fit.peakThroughput.toPrecision(4)}/s`;
  const lines = [
    `Universal Scalability Law fit to ${fit.points} points from ${source}`,
    `  X(N) = λN / (1 + σ(N − 1) + κN(N − 1))`,
    `  λ = ${fit.lambda.toPrecision(5)}/s (throughput of one)   σ = ${fit.sigma.toPrecision(4)} (contention)   κ = ${fit.kappa.toPrecision(4)} (coherency)`,
    `  ${peak}`,
    `  R² = ${fit.rSquared.toFixed(4)} (Levenberg-Marquardt, ${fit.iterations} iterations)`,
    '',
    `${pad('N', 10)}${pad('measured', 14)}${pad('fitted', 14)}residual`,
  ];
  for (const p of points) {
    const fitted = uslThroughput(fit, p.concurrency);
    lines.push(
      `${pad(String(p.concurrency), 10)}${pad(p.throughput.toPrecision(5), 14)}${pad(fitted.toPrecision(5), 14)}${signedPercent((p.throughput - fitted) / fitted)}`,
    );
  }
  return lines.join('\n');
}

export function uslJson(points: readonly UslPoint[], fit: UslFit): Record<string, unknown> {
  return {
    ...fit,
    fitted: points.map((p) => ({
      concurrency: p.concurrency,
      measured: p.throughput,
      fitted: uslThroughput(fit, p.concurrency),
    })),
  };
}
