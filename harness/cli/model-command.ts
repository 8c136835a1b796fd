import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { packageRoot } from '../../targets/package-root.js';
import { ENDPOINTS } from '../../targets/real/protocol.js';
import { acceptRaceChoice } from '../calibrate/calibration.js';
import { readRunCalibration } from '../calibrate/calibration-file.js';
import { withRaceMechanism } from '../calibrate/race-choice.js';
import { readRaceFit } from '../calibrate/race-fit-file.js';
import { type InputIssue, OptionError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseGoal } from '../model/goal.js';
import { searchGoal, VARIABLES, type Variable } from '../model/goal-search.js';
import {
  type PlannedTopology,
  type PlannerRace,
  plannerQuestions,
} from '../model/planner-input.js';
import { acceptRaceServerOf } from '../model/server-kinds.js';
import { parseServiceSpec } from '../model/service-syntax.js';
import type { ServiceDistribution } from '../model/service-time.js';
import type { ModelIssue } from '../model/simulate.js';
import { fitUsl, parseSweep } from '../model/usl.js';
import { plannedRequests, whatIf, whatIfProblems } from '../model/what-if.js';
import { ASYNC_HANDLERS, INIT_MODES, LOAD_STARTS } from '../scenario/lifecycle-schema.js';
import { loadScenario } from '../scenario/load.js';
import { BALANCER_POLICIES, TOPOLOGY_KINDS, WORK_KINDS } from '../scenario/schema.js';
import type { Scenario, TopologySpec } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate.js';
import { BALANCER_MODES } from '../vocabulary.js';
import { describeMachine } from './environment.js';
import type { CliIo } from './io.js';
import {
  goalSearchJson,
  plannedJson,
  questionOf,
  renderGoalSearch,
  renderPlanned,
  renderUsl,
  uslJson,
} from './model-output.js';
import { collect, positiveNumber, wholeNumber } from './options.js';

/** Requests one what-if may simulate, over all its runs: about 10 to 20 s on a laptop core. */
export const SIMULATION_BUDGET = 20_000_000;
const DEFAULT_REPLICATIONS = { burst: 200, open: 20 } as const;

function stickinessArg(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1) || value.trim() === '')
    throw new InvalidArgumentError(`expected a probability from 0 to 1, got "${value}"`);
  return n;
}

/** A number; its range is the scenario schema's to check, so that both say the same. */
function numberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

/**
 * The topology flags: each is the scenario field of the same name in kebab case
 * (`--worker-connections` is `workerConnections`), given to the scenario schema unchanged.
 */
const TOPOLOGY_FLAGS = [
  'workers',
  'threads',
  'replicas',
  'balancer',
  'balancerMode',
  'keepAlive',
  'workerConnections',
  'endpoint',
  'handler',
  'threadPool',
  'maxRequests',
  'maxRequestsJitter',
  'appLoadTime',
  'preload',
  'timeout',
  'loadStarts',
] as const;
type TopologyFlag = (typeof TOPOLOGY_FLAGS)[number];

/** Flags that describe the load or the topology, which --scenario takes from its file. */
const QUESTION_FLAGS = [
  'kind',
  ...TOPOLOGY_FLAGS,
  'initTime',
  'initMode',
  'initCapacity',
  'users',
  'rate',
  'duration',
  'arrivals',
  'service',
  'work',
] as const;

interface ModelOptions {
  scenario?: string;
  only?: string[];
  kind?: (typeof TOPOLOGY_KINDS)[number];
  workers?: number;
  threads?: number;
  replicas?: number;
  balancer?: string;
  balancerMode?: string;
  keepAlive?: string;
  workerConnections?: number;
  endpoint?: string;
  handler?: string;
  threadPool?: number;
  maxRequests?: number;
  maxRequestsJitter?: number;
  appLoadTime?: string;
  preload?: boolean;
  timeout?: string;
  loadStarts?: string;
  initTime?: string;
  initMode?: string;
  initCapacity?: number;
  users?: number;
  rate?: number;
  duration?: string;
  arrivals?: 'poisson' | 'regular' | 'constant';
  service?: ServiceDistribution;
  work?: (typeof WORK_KINDS)[number];
  cores?: number;
  stickiness?: number;
  uniformRace?: boolean;
  stickyRace?: boolean;
  reportsDir?: string;
  seed?: number;
  replications?: number;
  goal?: string;
  vary: Variable;
  max: number;
  usl?: string;
  json?: boolean;
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
    .option(
      '--scenario <file>',
      "answer for a scenario file's load and topologies (a built-in name or a path)",
    )
    .option('--only <topology>', 'with --scenario: only this topology (repeatable)', collect)
    .addOption(
      new Option('--kind <kind>', 'server kind, as a scenario names it (default: sync)').choices(
        TOPOLOGY_KINDS,
      ),
    )
    .option('--workers <n>', 'worker processes per replica (gunicorn --workers)', numberArg)
    .option(
      '--threads <n>',
      'threads per worker (gunicorn --threads; uvicorn kinds: the pool of def endpoints, 40)',
      numberArg,
    )
    .option('--replicas <n>', 'replicas behind the balancer', numberArg)
    .addOption(
      new Option('--balancer <policy>', 'how the balancer picks a replica').choices(
        BALANCER_POLICIES,
      ),
    )
    .addOption(
      new Option(
        '--balancer-mode <mode>',
        'tcp: a server connection per user connection (haproxy mode tcp); http: requests over reused kept-alive connections, racing only as the pool grows (haproxy mode http, Envoy, nginx)',
      ).choices(BALANCER_MODES),
    )
    .option(
      '--keep-alive <duration>',
      'seconds the servers keep an idle connection open (gunicorn --keep-alive, 2s): how long a reused connection lives',
    )
    .option(
      '--worker-connections <n>',
      'gthread: connections a worker holds before it stops accepting (gunicorn --worker-connections, 1000)',
      numberArg,
    )
    .addOption(
      new Option(
        '--endpoint <style>',
        'uvicorn kinds: how /work is written (def or async)',
      ).choices(ENDPOINTS),
    )
    .addOption(
      new Option('--handler <style>', 'kind async: how handlers run').choices(ASYNC_HANDLERS),
    )
    .option('--thread-pool <n>', 'kind async, handler def: threads per worker (40)', numberArg)
    .option(
      '--max-requests <n>',
      'recycle a worker after this many requests (gunicorn --max-requests)',
      numberArg,
    )
    .option(
      '--max-requests-jitter <n>',
      'plus up to this many, per worker (gunicorn --max-requests-jitter)',
      numberArg,
    )
    .option(
      '--app-load-time <d>',
      'how long a new worker loads the app before it accepts (a replacement too)',
    )
    .option('--preload', 'the app is loaded once in the master (gunicorn --preload)')
    .option('--timeout <d>', 'gunicorn --timeout: sync workers fail a request running longer')
    .addOption(
      new Option(
        '--load-starts <when>',
        'the load starts once workers accept, or as the socket listens',
      ).choices(LOAD_STARTS),
    )
    .option('--init-time <d>', 'start-up work each worker does against a shared resource')
    .addOption(new Option('--init-mode <mode>', 'who does the start-up work').choices(INIT_MODES))
    .option(
      '--init-capacity <n>',
      'start-up runs the shared resource takes at full speed',
      numberArg,
    )
    .option('--users <n>', 'a burst: this many requests at the same instant', numberArg)
    .option('--rate <r>', 'open arrivals: requests per second (with --duration)', numberArg)
    .option('--duration <d>', 'open arrivals: how long they come, e.g. 10m')
    .addOption(
      new Option(
        '--arrivals <process>',
        'open arrivals: Poisson or evenly spaced ("constant" is "regular") (default: poisson)',
      ).choices(['poisson', 'regular', 'constant']),
    )
    .option(
      '--service <spec>',
      'service time: 2s, exp:2s, lognormal:2s:cv=1.5, empirical:1s,2s,4s (required)',
      serviceArg,
    )
    .addOption(
      new Option('--work <work>', 'sleep (I/O wait) or cpu (needs a core)').choices(WORK_KINDS),
    )
    .option(
      '--cores <n>',
      "cores for CPU-bound work (default: this machine's)",
      positiveNumber(1e6),
    )
    .option(
      '--uniform-race',
      'racing kinds (gthread, uvicorn): draw the accept race uniformly instead of using the calibration',
    )
    .option(
      '--sticky-race',
      "racing kinds: the calibration's one-number stickiness even where the race mechanism is fitted",
    )
    .option(
      '--stickiness <s>',
      "racing kinds: this accept-race stickiness, 0 to 1, instead of the calibration's",
      stickinessArg,
    )
    .option('--reports-dir <dir>', 'where calibration.json is looked for (default: reports/)')
    .option('--seed <n>', 'seed of the simulation (default 1)', numberArg)
    .option(
      '--replications <n>',
      `simulated runs (bursts) the figures and their band come from (default ${DEFAULT_REPLICATIONS.burst} for bursts, ${DEFAULT_REPLICATIONS.open} for open arrivals)`,
      numberArg,
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
Give a burst (--users N) or open arrivals (--rate R --duration D), and --service; or a scenario
file with --scenario. The topology flags are the scenario fields of the same names and are
checked by the same rules. Examples:
  npm run model -- --kind gthread --workers 4 --threads 2 --replicas 3 --users 200 --service 2s
  npm run model -- --kind gunicorn-uvicorn --workers 2 --endpoint async --users 200 --service 1s
  npm run model -- --kind async --workers 2 --handler def --users 200 --service 1s
  npm run model -- --kind sync --workers 4 --rate 1.6 --duration 2h --service exp:2s
  npm run model -- --scenario contest-200 --only gthread-4x2
  npm run model -- --kind gthread --workers 4 --threads 2 --users 200 --service 2s --goal "p95Wait<5s"
  npm run model -- --usl sweep.csv
For kinds whose workers race to accept (gthread, gunicorn-gthread, async, uvicorn, gunicorn-uvicorn)
the model uses the race mechanism fitted on this machine (reports/race-mechanism.json), or
this machine's one-number calibration (reports/calibration.json, from npm run calibrate), or
the ones shipped with the harness on a machine like this one, and says which; --uniform-race
draws the race uniformly. Every figure is the mean over the simulated
bursts, with the band (5th to 95th percentile) one burst may land in.
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
  const scenario = await questionScenario(options, io);
  const race = await raceChooser(options, io, scenario.timeScale);
  const planned = plannerQuestions(scenario, {
    cores: options.cores ?? cpus().length,
    race,
    ...(options.only === undefined ? {} : { only: options.only }),
  });
  const problems = planned.ok
    ? planned.topologies.flatMap((t) => whatIfProblems(t.input))
    : planned.problems;
  if (!planned.ok || problems.length > 0)
    throw new OptionError(problemText(problems.map(optionProblem)), {
      fix: 'npm run model -- --help lists every option',
    });
  const fromFlags = options.scenario === undefined;
  const questions = planned.topologies.map((t) => fitBudget(t, options, fromFlags));
  if (options.goal !== undefined) {
    const only = questions[0];
    if (questions.length !== 1 || only === undefined)
      throw new OptionError('--goal searches one topology', {
        fix: 'add --only <topology> to pick one from the scenario',
      });
    const goal = parseGoal(options.goal);
    if (!goal.ok)
      throw new OptionError(`--goal: ${goal.message}`, {
        fix: 'write e.g. --goal "p95Wait<5s" or --goal "p99Wait<30s && makespan<2m"',
      });
    const input = only.input;
    if (options.vary === 'workers' && input.topology.kind === 'flask-dev')
      throw new OptionError('--vary workers: flask-dev has one process', {
        fix: 'vary replicas, or use --kind sync or gthread',
      });
    const search = searchGoal(input, goal.conditions, options.vary, options.max);
    io.stdout.write(
      options.json
        ? `${JSON.stringify(goalSearchJson(questionOf(input, only.declaredKind), options.goal, goal.conditions, search), null, 2)}\n`
        : `${renderGoalSearch(input, only.declaredKind, options.goal, goal.conditions, search, options.max)}\n`,
    );
    return ExitCode.Ok;
  }
  const answers = questions.map((q) => ({ question: q, result: whatIf(q.input) }));
  if (options.json) {
    const each = answers.map(({ question, result }) => plannedJson(question, result));
    const body =
      each.length === 1 && fromFlags ? each[0] : { scenario: scenario.name, topologies: each };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else
    io.stdout.write(
      `${answers.map(({ question, result }) => renderPlanned(question, result, answers.length > 1)).join('\n\n')}\n`,
    );
  return ExitCode.Ok;
}

/**
 * The scenario the question is about: the --scenario file, or one written from the flags and
 * validated by the same schema, so that a flag and the field of the same name obey one rule.
 */
async function questionScenario(options: ModelOptions, io: CliIo): Promise<Scenario> {
  if (options.scenario !== undefined) {
    const given = QUESTION_FLAGS.filter((f) => options[f] !== undefined);
    if (given.length > 0)
      throw new OptionError(
        `--scenario takes the load and the topologies from its file; ${given.map(flagOf).join(', ')} would be ignored`,
        { fix: 'edit the scenario file, or drop --scenario and give the flags' },
      );
    const ref = options.scenario;
    return await loadScenario(
      isAbsolute(ref) || !/[/\\]|\.json$/.test(ref) ? ref : resolve(io.cwd, ref),
    );
  }
  if (options.only !== undefined)
    throw new OptionError('--only picks topologies of a --scenario file', {
      fix: 'add --scenario <file>, or drop --only',
    });
  const problems: InputIssue[] = [];
  const open = options.rate !== undefined || options.duration !== undefined;
  if (options.users !== undefined && open)
    problems.push({
      path: '--users',
      message: 'a burst (--users) and open arrivals (--rate, --duration) exclude each other',
      fix: 'keep --users for a burst, or --rate and --duration for a steady stream',
    });
  if (options.users === undefined && !open)
    problems.push({
      path: '--users',
      message: 'no load given',
      fix: 'add --users N for a burst, or --rate R --duration D for open arrivals',
    });
  if (open && (options.rate === undefined || options.duration === undefined))
    problems.push({
      path: options.rate === undefined ? '--rate' : '--duration',
      message: 'open arrivals need both --rate and --duration',
      fix: 'add the missing one, e.g. --rate 5 --duration 1h',
    });
  if (options.service === undefined)
    problems.push({
      path: '--service',
      message: 'no service time given',
      fix: 'add e.g. --service 2s, --service exp:2s or --service lognormal:2s:cv=1.5',
    });
  const validation = validateScenario(scenarioDocument(options), 'the command line', 'model');
  if (!validation.ok)
    for (const issue of validation.issues) {
      const path = flagOfPath(issue.path, options.users !== undefined);
      // A missing load or service is already said above, in the flags' words.
      if (problems.some((p) => p.path === path)) continue;
      problems.push({ ...issue, path });
    }
  if (problems.length > 0 || !validation.ok)
    throw new OptionError(problemText(problems), {
      fix: 'npm run model -- --help lists every option',
    });
  return validation.scenario;
}

/** The flags as a scenario document, for the scenario schema to check and complete. */
function scenarioDocument(options: ModelOptions): Record<string, unknown> {
  const topology: Record<string, unknown> = { name: 'model', kind: options.kind ?? 'sync' };
  for (const flag of TOPOLOGY_FLAGS) {
    const value = options[flag as TopologyFlag];
    if (value !== undefined) topology[flag] = value;
  }
  if (
    options.initTime !== undefined ||
    options.initMode !== undefined ||
    options.initCapacity !== undefined
  )
    topology.init = {
      ...(options.initTime === undefined ? {} : { time: options.initTime }),
      ...(options.initMode === undefined ? {} : { mode: options.initMode }),
      ...(options.initCapacity === undefined ? {} : { capacity: options.initCapacity }),
    };
  const load =
    options.users !== undefined
      ? { executor: 'burst', users: options.users }
      : {
          executor: 'constant-arrival-rate',
          rate: options.rate ?? 1,
          duration: options.duration ?? 1,
          arrivals:
            options.arrivals === 'regular' || options.arrivals === 'constant'
              ? 'regular'
              : 'poisson',
        };
  const d = options.service ?? { kind: 'constant', mean: 1 };
  const service: Record<string, unknown> = { work: options.work ?? 'sleep' };
  if (d.kind === 'empirical')
    Object.assign(service, { distribution: 'empirical', samples: d.samples });
  else
    Object.assign(service, {
      time: d.mean,
      distribution: d.kind,
      ...(d.kind === 'lognormal' ? { cv: d.cv } : {}),
    });
  const model: Record<string, unknown> = {};
  if (options.seed !== undefined) model.seed = options.seed;
  if (options.replications !== undefined) model.replications = options.replications;
  return {
    load,
    service,
    topologies: [topology],
    model,
    // The planner runs nothing: give it the longest run a scenario may ask for.
    limits: { runTimeout: '24h', requestTimeout: '24h' },
  };
}

const kebab = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const flagOf = (field: string): string => `--${kebab(field)}`;

/** The flag that set a scenario field, for messages in the flags' words. */
function flagOfPath(path: string, burst: boolean): string {
  const topology = /^topologies\[0\]\.(\w+)(?:\.(\w+))?/.exec(path);
  if (topology !== null) {
    const [, field, sub] = topology;
    if (field === 'init')
      return flagOf(`init${sub === undefined ? 'Time' : sub[0]?.toUpperCase() + sub.slice(1)}`);
    if (field === 'kind' || TOPOLOGY_FLAGS.includes(field as TopologyFlag))
      return flagOf(field ?? '');
  }
  if (path === 'service.work') return '--work';
  if (path.startsWith('service')) return '--service';
  const load = /^load\.(users|rate|duration|arrivals)/.exec(path);
  if (load !== null) return `--${load[1]}`;
  if (path.startsWith('load')) return burst ? '--users' : '--duration';
  if (path === 'model.seed') return '--seed';
  if (path === 'model.replications') return '--replications';
  return path;
}

function optionProblem(issue: ModelIssue): InputIssue {
  const path =
    issue.field.startsWith('topologies') || issue.field.includes('.')
      ? issue.field
      : flagOf(issue.field);
  return { path, message: issue.message, fix: issue.fix };
}

function problemText(problems: readonly InputIssue[]): string {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}\n    fix: ${p.fix}`);
  return `${problems.length === 1 ? '1 problem' : `${problems.length} problems`} with the options:\n${lines.join('\n')}`;
}

/**
 * How each topology's accept race is chosen: --uniform-race or --stickiness when given,
 * otherwise the calibration a scenario run would use (acceptRaceChoice), with its note.
 */
async function raceChooser(
  options: ModelOptions,
  io: CliIo,
  /** The scenario's time scale: a topology's own, where it has one, is used instead. */
  timeScale: number,
): Promise<(topology: TopologySpec) => PlannerRace> {
  if (options.uniformRace && options.stickiness !== undefined)
    throw new OptionError('--uniform-race and --stickiness exclude each other', {
      fix: 'keep one: --uniform-race is --stickiness 0',
    });
  const given = options.uniformRace ? 0 : options.stickiness;
  if (given !== undefined)
    return (t) =>
      acceptRaceServerOf(t.kind) === null
        ? { stickiness: 0, note: NOT_RACING }
        : {
            stickiness: given,
            note: `accept race ${given === 0 ? 'drawn uniformly among the workers accepting (--uniform-race)' : `with stickiness ${given} (--stickiness)`}`,
          };
  const reportsRoot =
    options.reportsDir === undefined
      ? join(packageRoot(), 'reports')
      : resolve(io.cwd, options.reportsDir);
  // The machine as a calibration names it, without describeEnvironment's `git rev-parse` (a
  // child process: about a fifth of the planner's time on a busy machine, for a commit the
  // answer does not use).
  const cores = cpus();
  const machine = describeMachine({
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    commit: null,
    loadAverage: [],
  });
  const calibration = await readRunCalibration(reportsRoot, machine);
  const fit = options.stickyRace ? undefined : await readRaceFit(reportsRoot, machine);
  return (t) => {
    const choice = acceptRaceChoice(acceptRaceServerOf(t.kind), t.replicas, calibration, machine, {
      threads: t.threads,
    });
    const chosen = withRaceMechanism(choice, t.replicas, fit, t.timeScale ?? timeScale);
    if (chosen.mechanism === undefined) return { stickiness: chosen.stickiness, note: chosen.note };
    return {
      stickiness: chosen.stickiness,
      mechanism: chosen.mechanism,
      note: `${chosen.note}; --sticky-race uses the one-number stickiness instead`,
    };
  };
}

const NOT_RACING = 'workers accept only when idle, so which one accepts changes no wait';

/** Default replications, shrunk to fit the budget; asked-for ones are the user's to lower. */
function fitBudget(
  planned: PlannedTopology,
  options: ModelOptions,
  fromFlags: boolean,
): PlannedTopology {
  const input = { ...planned.input };
  const open = input.arrivals.kind !== 'burst';
  if (fromFlags && options.replications === undefined)
    input.replications = open ? DEFAULT_REPLICATIONS.open : DEFAULT_REPLICATIONS.burst;
  const once = plannedRequests({ ...input, replications: 1 });
  if (once > SIMULATION_BUDGET)
    throw new OptionError(
      `${planned.name}: this would simulate about ${Math.round(once).toLocaleString('en-US')} requests in one run; the limit is ${SIMULATION_BUDGET.toLocaleString('en-US')}`,
      {
        fix: 'shorten --duration or lower --rate: a few hundred thousand requests give steady figures',
      },
    );
  if (plannedRequests(input) > SIMULATION_BUDGET) {
    if (options.replications !== undefined)
      throw new OptionError(
        `--replications: this would simulate about ${Math.round(plannedRequests(input)).toLocaleString('en-US')} requests; the limit is ${SIMULATION_BUDGET.toLocaleString('en-US')}`,
        { fix: `use --replications ${Math.max(1, Math.floor(SIMULATION_BUDGET / once))} or fewer` },
      );
    input.replications = Math.max(1, Math.floor(SIMULATION_BUDGET / Math.max(1, once)));
  }
  return { ...planned, input };
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
