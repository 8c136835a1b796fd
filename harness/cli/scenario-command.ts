import { appendFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { packageRoot } from '../../targets/package-root.js';
import {
  describeError,
  GateInconclusiveError,
  OptionError,
  ShardMismatchError,
  StartLateError,
  ThresholdsFailedError,
} from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { BASELINE_DEFAULTS } from '../gate/baseline.js';
import type { GateOutcome } from '../gate/gate.js';
import type { GateConfig } from '../gate/run-gate.js';
import { METRIC_NAMES } from '../gate/threshold.js';
import {
  MAX_SHARDS,
  parseShard,
  resolveShard,
  type ShardSpec,
  shardProblems,
} from '../run/shard.js';
import { checkStart, parseStartAt, START_TOLERANCE_MS } from '../run/start-at.js';
import { formatSeconds } from '../scenario/duration.js';
import type { ScenarioOverrides } from '../scenario/overrides.js';
import { MAX_REPEAT } from '../scenario/schema.js';
import { builtInScenarios } from './built-in-scenarios.js';
import type { GateOptions } from './gate-options.js';
import type { CliIo } from './io.js';
import {
  collect,
  durationOption,
  fractionOrPercent,
  positiveNumber,
  wholeNumber,
} from './options.js';
import { armRunDeadline } from './run-deadline.js';
import { loadRunModules } from './scenario-modules.js';

interface ScenarioOptions extends GateOptions {
  timeScale?: number;
  reportsDir?: string;
  only?: string[];
  seed?: number;
  replications?: number;
  progress: boolean;
  json?: boolean;
  repeat?: number;
  url?: string;
  allowRemote?: string[];
  shard?: ShardSpec;
  shards?: number;
  startAt?: number;
}

/** Commander parsers of the shard options: a bad value is refused with the form it should have. */
function shardOption(value: string): ShardSpec {
  const parsed = parseShard(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return parsed.value;
}

function startAtOption(value: string): number {
  const parsed = parseStartAt(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return parsed.value;
}

/** `scenario <name|file>`: run a scenario, print the table, write the run directory. */
export function registerScenarioCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('scenario')
    .description('run a scenario against its targets and compare the measurement with the model')
    .argument(
      '<scenario>',
      'a built-in scenario name (see scenarios/) or a path to a scenario .json file',
    )
    .option(
      '--time-scale <x>',
      "real seconds per scenario second, overriding the scenario and every topology's own (1 = real time; at least 0.01); checked with the file as if it said it",
      positiveNumber(10),
    )
    .option('--reports-dir <dir>', 'where run directories are written (default: reports/)')
    .option('--only <topology>', 'run only this topology (repeatable)', collect)
    .option('--seed <n>', 'seed of the model simulation', wholeNumber(0, 2 ** 32 - 1))
    .option(
      '--replications <n>',
      'simulation runs averaged where the model has random effects',
      wholeNumber(1, 10_000),
    )
    .option(
      '--repeat <n>',
      'bursts sent to each topology one after another, overriding the scenario; figures are their mean',
      wholeNumber(1, MAX_REPEAT),
    )
    .option(
      '--url <url>',
      'send the load to a server already running at this URL instead of starting one (one topology: use --only)',
    )
    .option(
      '--allow-remote <host>',
      'let the load go to this host, which is not loopback (repeatable); nothing else leaves the machine',
      collect,
    )
    .option(
      '--shard <i/N>',
      'run shard i (from 0) of N: this run sends its share of the plan (request k when k mod N = i); needs --url',
      shardOption,
    )
    .option(
      '--shards <N>',
      'the shard count, for a Kubernetes Indexed Job: the shard is JOB_COMPLETION_INDEX of N (or set HARNESS_SHARDS)',
      wholeNumber(1, MAX_SHARDS),
    )
    .option(
      '--start-at <instant>',
      `set up, then start the load at this wall-clock instant: ISO 8601 with a zone (2026-12-03T10:00:00Z) or epoch ms; more than ${START_TOLERANCE_MS} ms past when ready is an error`,
      startAtOption,
    )
    .option('--no-progress', 'no progress line, even on a terminal')
    .option('--json', 'print summary.json to stdout instead of the table')
    .option(
      '--threshold <metric=condition>',
      'a pass/fail condition in k6 style, added to the scenario\'s thresholds (repeatable), e.g. "wait=p(95)<5s" or "wait{topology:sync-4-x3}=max<20s"',
      collect,
    )
    .option(
      '--baseline <summary.json>',
      "fail when a figure is worse than this earlier run's by more than the tolerance",
    )
    .addOption(
      new Option(
        '--baseline-tolerance <x>',
        'how much worse than the baseline still passes, e.g. 10% or 0.1',
      )
        .argParser(fractionOrPercent(10))
        .default(BASELINE_DEFAULTS.tolerance, `${BASELINE_DEFAULTS.tolerance * 100}%`),
    )
    .addOption(
      new Option(
        '--baseline-slack <duration>',
        'absolute slack on baseline durations (scenario time), so figures near 0 do not fail on timer noise',
      )
        .argParser(durationOption)
        .default(BASELINE_DEFAULTS.slack, formatSeconds(BASELINE_DEFAULTS.slack)),
    )
    .addHelpText(
      'after',
      `
Results go to <reports-dir>/<scenario>/<run-id>/ (summary.json, requests.ndjson, predicted.ndjson,
scenario.json, report.html; with a gate also gate.json, gate.md, gate.junit.xml);
<reports-dir>/<scenario>/latest links to the newest run, <reports-dir>/index.html lists the runs.

Thresholds: metric[{topology:NAME}]=aggregate operator value, metrics ${METRIC_NAMES.join(', ')};
e.g. wait=p(95)<5s, wait=max<20s, makespan=max<25s, errors=rate<0.01, model_error=max<0.15,
dispatch_spread=max<10ms, job_runs=max<=1, job_gap=max<40s, event_reach=min>=100%,
event_latency=p(99)<50ms. Durations are scenario time unless real (dispatch_spread and
event_latency, real ms).
With $GITHUB_STEP_SUMMARY set, the gate's Markdown is appended to it.

Real servers (kinds werkzeug, gunicorn-sync, gunicorn-gthread, gunicorn-uvicorn, uvicorn) need
Debian's packages: npm run setup installs them. The model uses the accept race measured by
npm run calibrate (<reports-dir>/calibration.json) when it was made on this machine.

Built-in scenarios: ${builtInScenarios().join(', ')}.

Shards: --shard i/N (or JOB_COMPLETION_INDEX with --shards N) sends shard i's share of the plan
to a server given by --url; each shard writes its own run directory (a "shard" block in
summary.json, shard-state.json) and leaves the thresholds to npm run merge, which adds the shards.
--start-at makes every shard start at one instant.

Exit codes: 0 ok (every threshold passed), 1 internal error (a bug), 99 a threshold or the
baseline comparison failed, 103 a target failed, no request succeeded, the run timed out or real
servers are missing, 104 invalid input (a malformed threshold, a bad baseline file, a URL to a
host not allowed, a reports directory that cannot be written), 105 interrupted (results so far
are kept), 106 a check failed while the machine was too busy to judge (no verdict; the measured
reason is printed).`,
    )
    .action(async (ref: string, options: ScenarioOptions) => {
      setExit(await scenarioCommand(ref, options, io));
    });
}

async function scenarioCommand(
  ref: string,
  options: ScenarioOptions,
  io: CliIo,
): Promise<ExitCode> {
  const {
    checkTargets,
    createProgress,
    describeEnvironment,
    describeMachine,
    ensureReportsDir,
    hasGate,
    loadBaseline,
    loadScenario,
    readRaceFit,
    readRunCalibration,
    removeTemporaryFilesSync,
    renderTable,
    runScenario,
    Supervisor,
  } = await loadRunModules();
  const supervisor = new Supervisor();
  io.onExit(() => supervisor.killAllNow());
  io.onExit(removeTemporaryFilesSync);
  try {
    const scenario = await loadScenario(
      isAbsolute(ref) || !ref.includes('/') ? ref : resolve(io.cwd, ref),
      undefined,
      overridesOf(options),
    );
    checkTargets(scenario, options.allowRemote ?? []);
    const shardRun = shardRunOf(options, io.env, scenario, Date.now());
    armRunDeadline(io, scenario);
    const gate: GateConfig = {
      thresholds: scenario.thresholds ?? [],
      baseline:
        options.baseline === undefined
          ? null
          : await loadBaseline(options.baseline, io.cwd, {
              tolerance: options.baselineTolerance,
              slack: options.baselineSlack,
            }),
    };
    const reportsRoot =
      options.reportsDir === undefined
        ? join(packageRoot(), 'reports')
        : resolve(io.cwd, options.reportsDir);
    await ensureReportsDir(reportsRoot);
    const environment = await describeEnvironment();
    const result = await runScenario({
      scenario,
      reportsRoot,
      supervisor,
      progress: createProgress(io.stderr, options.progress && io.stderr.isTTY === true),
      signal: io.interrupt,
      environment,
      gate,
      calibration: await readRunCalibration(reportsRoot, describeMachine(environment)),
      machine: describeMachine(environment),
      raceFit: await readRaceFit(reportsRoot, describeMachine(environment)),
      allowRemote: options.allowRemote ?? [],
      ...(shardRun === undefined ? {} : { shardRun }),
    });
    if (shardRun !== undefined)
      io.stderr.write(
        `shard ${shardRun.spec.index}/${shardRun.spec.count} (${shardRun.source}): thresholds are judged on the merged run: npm run merge -- <the shards' run directories>\n`,
      );
    if (options.json) io.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    else io.stdout.write(`${renderTable(result.summary)}\n`);
    const shown = relative(io.cwd, result.dir) || '.';
    io.stderr.write(
      `results: ${shown}/ (summary.json, requests.ndjson, report.html); latest: ${join(relative(io.cwd, join(result.dir, '..')) || '.', 'latest')}\n`,
    );
    if (result.error !== undefined) {
      io.stderr.write(`${describeError(result.error)}\n`);
      if (hasGate(gate)) io.stderr.write('gate: not evaluated, the run did not complete\n');
      return result.error.exitCode;
    }
    if (result.gate !== null) return await reportGate(result.gate, options.json === true, io);
    return ExitCode.Ok;
  } finally {
    await supervisor.stopAll();
  }
}

/** Prints the gate, appends it to GitHub's job summary when asked, and names what failed. */
export async function reportGate(gate: GateOutcome, json: boolean, io: CliIo): Promise<ExitCode> {
  const { renderGate, renderGateMarkdown } = await loadRunModules();
  (json ? io.stderr : io.stdout).write(`\n${renderGate(gate)}\n`);
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') {
    await appendFile(stepSummary, renderGateMarkdown(gate)).catch((error: unknown) => {
      io.stderr.write(
        `warning: cannot append to GITHUB_STEP_SUMMARY (${stepSummary}): ${(error as Error).message}\n`,
      );
    });
  }
  if (gate.passed) return ExitCode.Ok;
  const error =
    gate.verdict === 'inconclusive'
      ? inconclusiveError(gate)
      : new ThresholdsFailedError(
          `${gate.failures.length} check${gate.failures.length === 1 ? '' : 's'} failed:\n  ${gate.failures.join('\n  ')}`,
          { fix: 'see gate.md and report.html in the run directory' },
        );
  io.stderr.write(`${describeError(error)}\n`);
  return error.exitCode;
}

/** A gate whose failures were all measured on a machine too busy to judge (exit 106). */
function inconclusiveError(gate: GateOutcome): GateInconclusiveError {
  return new GateInconclusiveError(
    `${gate.failures.length} check${gate.failures.length === 1 ? '' : 's'} failed while the machine was too busy to judge:\n  ${gate.inconclusive.join('\n  ')}`,
    { fix: 'run again on a quieter machine (measurement quality in gate.md and report.html)' },
  );
}

/**
 * The shard this run is (--shard, or JOB_COMPLETION_INDEX with --shards / HARNESS_SHARDS) and
 * its start instant, checked before anything starts; undefined for an ordinary run.
 */
function shardRunOf(
  options: ScenarioOptions,
  env: CliIo['env'],
  scenario: import('../scenario/types.js').Scenario,
  wallNowMs: number,
): { spec: ShardSpec; source: string; startAtMs: number | null } | undefined {
  const resolved = resolveShard({
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    ...(options.shards === undefined ? {} : { shards: options.shards }),
    env,
  });
  if (!resolved.ok) {
    if (resolved.kind === 'mismatch')
      throw new ShardMismatchError(resolved.message, { fix: resolved.fix });
    throw new OptionError(resolved.message, { fix: resolved.fix });
  }
  if (resolved.value === null) {
    if (options.startAt !== undefined)
      throw new OptionError('--start-at is for shards, and this run is not one', {
        fix: 'add --shard i/N (or run as a Kubernetes Indexed Job with --shards N)',
      });
    return undefined;
  }
  const problems = shardProblems(scenario);
  if (problems.length > 0)
    throw new OptionError(
      `this scenario cannot run as a shard:\n  ${problems.map((p) => `${p.message}\n    fix: ${p.fix}`).join('\n  ')}`,
      { fix: problems[0]?.fix ?? '' },
    );
  const startAtMs = options.startAt ?? null;
  if (startAtMs !== null) {
    const check = checkStart(startAtMs, wallNowMs);
    if (!check.ok && check.reason === 'late')
      throw new StartLateError(
        `--start-at ${new Date(startAtMs).toISOString()} is ${Math.round(check.lateMs)} ms past (tolerance ${START_TOLERANCE_MS} ms) before this shard has started anything`,
        { fix: 'give an instant far enough ahead for every shard to start and set up' },
      );
    if (!check.ok && check.reason === 'far')
      throw new OptionError(
        `--start-at ${new Date(startAtMs).toISOString()} is ${Math.round(check.aheadMs / 3_600_000)} hours ahead; a shard waits a day at most`,
        { fix: 'check the date of --start-at' },
      );
  }
  return { spec: resolved.value, source: resolved.source, startAtMs };
}

/** Command-line values that override the scenario file's, merged before it is validated. */
function overridesOf(options: ScenarioOptions): ScenarioOverrides {
  return {
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.replications === undefined ? {} : { replications: options.replications }),
    ...(options.repeat === undefined ? {} : { repeat: options.repeat }),
    ...(options.threshold === undefined ? {} : { thresholds: options.threshold }),
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.url === undefined ? {} : { url: options.url }),
  };
}
