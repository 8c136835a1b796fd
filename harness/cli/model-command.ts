import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { OptionError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { ArrivalPlan } from '../model/arrivals.js';
import { parseGoal } from '../model/goal.js';
import { searchGoal, VARIABLES, type Variable } from '../model/goal-search.js';
import { parseServiceSpec } from '../model/service-syntax.js';
import type { ServiceDistribution } from '../model/service-time.js';
import { DEFAULT_BEHAVIOUR, type ModelTopology } from '../model/simulate.js';
import { fitUsl, parseSweep } from '../model/usl.js';
import { plannedRequests, type WhatIfInput, whatIf, whatIfProblems } from '../model/what-if.js';
import { formatSeconds, parseDuration } from '../scenario/duration.js';
import { BALANCER_POLICIES, SERVER_KINDS, WORK_KINDS } from '../scenario/schema.js';
import type { CliIo } from './io.js';
import {
  goalSearchJson,
  questionOf,
  renderGoalSearch,
  renderUsl,
  renderWhatIf,
  uslJson,
  whatIfJson,
} from './model-output.js';
import { positiveNumber, wholeNumber } from './options.js';

/** Requests one what-if may simulate, over all its runs: about 10 to 20 s on a laptop core. */
export const SIMULATION_BUDGET = 20_000_000;
/** Largest burst: the closed form keeps one wait per request. */
export const MAX_MODEL_USERS = 1_000_000;
const DEFAULT_REPLICATIONS = { burst: 200, open: 20 } as const;

function stickinessArg(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1) || value.trim() === '')
    throw new InvalidArgumentError(`expected a probability from 0 to 1, got "${value}"`);
  return n;
}

interface ModelOptions {
  kind: (typeof SERVER_KINDS)[number];
  workers: number;
  threads: number;
  replicas: number;
  balancer: (typeof BALANCER_POLICIES)[number];
  workerConnections: number;
  users?: number;
  rate?: number;
  duration?: number;
  arrivals: 'poisson' | 'constant';
  service?: ServiceDistribution;
  work: (typeof WORK_KINDS)[number];
  cores?: number;
  maxRequests: number;
  maxRequestsJitter: number;
  restartTime: number;
  timeout: number;
  stickiness: number;
  seed: number;
  replications?: number;
  goal?: string;
  vary: Variable;
  max: number;
  usl?: string;
  json?: boolean;
}

function durationArg(name: string) {
  return (value: string): number => {
    const seconds = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
    if (seconds === undefined)
      throw new InvalidArgumentError(`expected a duration such as 2s, 150ms or 1.5m for ${name}`);
    return seconds;
  };
}

function serviceArg(value: string): ServiceDistribution {
  const parsed = parseServiceSpec(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return parsed.service;
}

/** `model`: the what-if calculator. Runs no server: closed forms and simulation only. */
export function registerModelCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('model')
    .description(
      'what-if calculator: predict queue time for a topology and a load without running anything',
    )
    .addOption(new Option('--kind <kind>', 'server kind').choices(SERVER_KINDS).default('sync'))
    .option(
      '--workers <n>',
      'worker processes per replica (gunicorn --workers)',
      wholeNumber(1, 4096),
      1,
    )
    .option('--threads <n>', 'threads per worker (gunicorn --threads)', wholeNumber(1, 4096), 1)
    .option('--replicas <n>', 'replicas behind the balancer', wholeNumber(1, 4096), 1)
    .addOption(
      new Option('--balancer <policy>', 'how the balancer picks a replica')
        .choices(BALANCER_POLICIES)
        .default('round-robin'),
    )
    .option(
      '--worker-connections <n>',
      'gthread: connections a worker holds before it stops accepting (gunicorn --worker-connections)',
      wholeNumber(1, 1_000_000),
      1000,
    )
    .option(
      '--users <n>',
      'a burst: this many requests at the same instant',
      wholeNumber(1, MAX_MODEL_USERS),
    )
    .option(
      '--rate <r>',
      'open arrivals: requests per second (with --duration)',
      positiveNumber(1e9),
    )
    .option(
      '--duration <d>',
      'open arrivals: how long they come, e.g. 10m',
      durationArg('--duration'),
    )
    .addOption(
      new Option('--arrivals <process>', 'open arrivals: Poisson or evenly spaced')
        .choices(['poisson', 'constant'])
        .default('poisson'),
    )
    .option(
      '--service <spec>',
      'service time: 2s, exp:2s, lognormal:2s:cv=1.5, empirical:1s,2s,4s (required)',
      serviceArg,
    )
    .addOption(
      new Option('--work <work>', 'sleep (I/O wait) or cpu (needs a core)')
        .choices(WORK_KINDS)
        .default('sleep'),
    )
    .option(
      '--cores <n>',
      "cores for CPU-bound work (default: this machine's)",
      positiveNumber(1e6),
    )
    .option(
      '--max-requests <n>',
      'recycle a worker after this many requests (gunicorn --max-requests)',
      wholeNumber(0, 1e9),
      0,
    )
    .option(
      '--max-requests-jitter <n>',
      'plus up to this many, per worker (gunicorn --max-requests-jitter)',
      wholeNumber(0, 1e9),
      0,
    )
    .addOption(
      new Option('--restart-time <d>', 'from a worker exit to its replacement accepting')
        .argParser(durationArg('--restart-time'))
        .default(DEFAULT_BEHAVIOUR.restartTime, formatSeconds(DEFAULT_BEHAVIOUR.restartTime)),
    )
    .option(
      '--timeout <d>',
      'sync only: a request running longer fails and its worker is killed (gunicorn --timeout)',
      durationArg('--timeout'),
      0,
    )
    .option(
      '--stickiness <s>',
      "gthread: the accept race's stickiness, 0 (uniform, default) to 1; npm run calibrate measures it",
      stickinessArg,
      0,
    )
    .option('--seed <n>', 'seed of the simulation', wholeNumber(0, 2 ** 32 - 1), 1)
    .option(
      '--replications <n>',
      `simulation runs averaged where random draws matter (default ${DEFAULT_REPLICATIONS.burst} for bursts, ${DEFAULT_REPLICATIONS.open} for open arrivals)`,
      wholeNumber(1, 100_000),
    )
    .option('--goal <goal>', 'find the smallest --vary meeting this goal, e.g. "p95Wait<5s"')
    .addOption(
      new Option('--vary <what>', 'what --goal changes').choices(VARIABLES).default('replicas'),
    )
    .option('--max <n>', 'largest value --goal tries', wholeNumber(1, 4096), 64)
    .option(
      '--usl <file>',
      'fit the Universal Scalability Law to a "concurrency,throughput" sweep file',
    )
    .option('--json', 'print JSON (the figures named as in summary.json) instead of text')
    .addHelpText(
      'after',
      `
Give a burst (--users N) or open arrivals (--rate R --duration D), and --service. Examples:
  npm run model -- --kind gthread --workers 4 --threads 2 --replicas 3 --users 200 --service 2s
  npm run model -- --kind sync --workers 4 --rate 1.6 --duration 2h --service exp:2s
  npm run model -- --kind gthread --workers 4 --threads 2 --users 200 --service 2s --goal "p95Wait<5s"
  npm run model -- --usl sweep.csv
Goal grammar: <figure><op><value>, joined by "," or "&&"; figures meanWait, p50Wait, p95Wait,
p99Wait, maxWait, makespan, throughput, utilisation, failed; ops < <= > >=.
Formulas and assumptions: harness/model/README.md.
Exit codes: 0 ok, 1 internal error (a bug), 104 invalid input.`,
    )
    .action(async (options: ModelOptions) => {
      setExit(await modelCommand(options, io));
    });
}

async function modelCommand(options: ModelOptions, io: CliIo): Promise<ExitCode> {
  if (options.usl !== undefined) return await uslCommand(options.usl, options, io);
  const { input, declaredKind } = buildInput(options);
  if (options.goal !== undefined) {
    const goal = parseGoal(options.goal);
    if (!goal.ok)
      throw new OptionError(`--goal: ${goal.message}`, {
        fix: 'write e.g. --goal "p95Wait<5s" or --goal "p99Wait<30s && makespan<2m"',
      });
    if (options.vary === 'workers' && input.topology.kind === 'flask-dev')
      throw new OptionError('--vary workers: flask-dev has one process', {
        fix: 'vary replicas, or use --kind sync or gthread',
      });
    const search = searchGoal(input, goal.conditions, options.vary, options.max);
    io.stdout.write(
      options.json
        ? `${JSON.stringify(goalSearchJson(questionOf(input, declaredKind), options.goal, goal.conditions, search), null, 2)}\n`
        : `${renderGoalSearch(input, declaredKind, options.goal, goal.conditions, search, options.max)}\n`,
    );
    return ExitCode.Ok;
  }
  const result = whatIf(input);
  io.stdout.write(
    options.json
      ? `${JSON.stringify(whatIfJson(questionOf(input, declaredKind), result), null, 2)}\n`
      : `${renderWhatIf(input, declaredKind, result)}\n`,
  );
  return ExitCode.Ok;
}

/** Checks the options together and builds the question, or throws every problem at once. */
function buildInput(options: ModelOptions): { input: WhatIfInput; declaredKind: string } {
  const problems: Array<{ option: string; message: string; fix: string }> = [];
  const open = options.rate !== undefined || options.duration !== undefined;
  if (options.users !== undefined && open)
    problems.push({
      option: '--users',
      message: 'a burst (--users) and open arrivals (--rate, --duration) exclude each other',
      fix: 'keep --users for a burst, or --rate and --duration for a steady stream',
    });
  if (options.users === undefined && !open)
    problems.push({
      option: '--users',
      message: 'no load given',
      fix: 'add --users N for a burst, or --rate R --duration D for open arrivals',
    });
  if (open && (options.rate === undefined || options.duration === undefined))
    problems.push({
      option: options.rate === undefined ? '--rate' : '--duration',
      message: 'open arrivals need both --rate and --duration',
      fix: 'add the missing one, e.g. --rate 5 --duration 1h',
    });
  if (open && options.duration === 0)
    problems.push({ option: '--duration', message: 'must be above 0', fix: 'e.g. --duration 1h' });
  if (options.service === undefined)
    problems.push({
      option: '--service',
      message: 'no service time given',
      fix: 'add e.g. --service 2s, --service exp:2s or --service lognormal:2s:cv=1.5',
    });
  // gunicorn runs the sync worker with threads > 1 as gthread (gunicorn/config.py).
  const kind = options.kind === 'sync' && options.threads > 1 ? 'gthread' : options.kind;
  const topology: ModelTopology = {
    kind,
    workers: options.workers,
    threads: options.threads,
    replicas: options.replicas,
    balancer: options.balancer,
    workerConnections: options.workerConnections,
  };
  const arrivals: ArrivalPlan =
    options.users !== undefined
      ? { kind: 'burst', users: options.users }
      : { kind: options.arrivals, rate: options.rate ?? 1, duration: options.duration ?? 1 };
  const input: WhatIfInput = {
    topology,
    arrivals,
    service: options.service ?? { kind: 'constant', mean: 1 },
    behaviour: {
      work: options.work,
      cores: options.cores ?? cpus().length,
      maxRequests: options.maxRequests,
      maxRequestsJitter: options.maxRequestsJitter,
      restartTime: options.restartTime,
      timeout: options.timeout,
      stickiness: options.stickiness,
    },
    seed: options.seed,
    replications:
      options.replications ??
      (arrivals.kind === 'burst' ? DEFAULT_REPLICATIONS.burst : DEFAULT_REPLICATIONS.open),
  };
  const loadProblems = problems.length;
  for (const issue of whatIfProblems(input))
    problems.push({
      option: `--${issue.field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      message: issue.message,
      fix: issue.fix,
    });
  if (loadProblems === 0) {
    // Default replications shrink to fit the budget; asked-for ones are the user's to lower.
    const once = plannedRequests({ ...input, replications: 1 });
    if (options.replications === undefined && plannedRequests(input) > SIMULATION_BUDGET)
      input.replications = Math.max(1, Math.floor(SIMULATION_BUDGET / Math.max(1, once)));
    const planned = plannedRequests(input);
    if (planned > SIMULATION_BUDGET)
      problems.push({
        option:
          options.replications !== undefined && once <= SIMULATION_BUDGET
            ? '--replications'
            : open
              ? '--duration'
              : '--users',
        message: `this would simulate about ${Math.round(planned).toLocaleString('en-US')} requests; the limit is ${SIMULATION_BUDGET.toLocaleString('en-US')}`,
        fix:
          once <= SIMULATION_BUDGET
            ? `use --replications ${Math.max(1, Math.floor(SIMULATION_BUDGET / once))} or fewer`
            : 'shorten --duration or lower --rate: a few hundred thousand requests give steady figures',
      });
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.option}: ${p.message}\n    fix: ${p.fix}`);
    throw new OptionError(
      `${problems.length === 1 ? '1 problem' : `${problems.length} problems`} with the options:\n${lines.join('\n')}`,
      { fix: 'npm run model -- --help lists every option' },
    );
  }
  return { input, declaredKind: options.kind };
}

async function uslCommand(file: string, options: ModelOptions, io: CliIo): Promise<ExitCode> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OptionError(`--usl ${file}: cannot read ${path} (${(error as Error).message})`, {
      fix: 'give a text file with one "concurrency,throughput" pair per line',
      cause: error,
    });
  }
  const sweep = parseSweep(text);
  if (!sweep.ok)
    throw new OptionError(`--usl ${file}: ${sweep.problems.join('; ')}`, {
      fix: 'one "concurrency,throughput" pair per line; lines starting with # are ignored',
    });
  let fit: ReturnType<typeof fitUsl>;
  try {
    fit = fitUsl(sweep.points);
  } catch (error) {
    throw new OptionError(`--usl ${file}: ${(error as Error).message}`, {
      fix: 'measure throughput at three or more concurrencies, e.g. 1, 2, 4, 8, 16',
      cause: error,
    });
  }
  io.stdout.write(
    options.json
      ? `${JSON.stringify(uslJson(sweep.points, fit), null, 2)}\n`
      : `${renderUsl(sweep.points, fit, file)}\n`,
  );
  return ExitCode.Ok;
}
