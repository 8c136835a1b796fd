import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../targets/package-root.js';
import { describeError, HarnessError, OptionError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { createProgress } from '../report/progress.js';
import { renderTable } from '../report/table.js';
import { runScenario } from '../run/run-scenario.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { Supervisor } from '../supervise/supervisor.js';
import { describeEnvironment } from './environment.js';
import type { CliIo } from './io.js';
import { collect, positiveNumber, wholeNumber } from './options.js';

interface ScenarioOptions {
  timeScale?: number;
  reportsDir?: string;
  only?: string[];
  seed?: number;
  replications?: number;
  progress: boolean;
  json?: boolean;
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
      'real seconds per scenario second, overriding the scenario (1 = real time)',
      positiveNumber(10),
    )
    .option('--reports-dir <dir>', 'where run directories are written', undefined)
    .option('--only <topology>', 'run only this topology (repeatable)', collect)
    .option('--seed <n>', 'seed of the model simulation', wholeNumber(0, 2 ** 32 - 1))
    .option(
      '--replications <n>',
      'simulation runs averaged where the model has random effects',
      wholeNumber(1, 10_000),
    )
    .option('--no-progress', 'no progress line, even on a terminal')
    .option('--json', 'print summary.json to stdout instead of the table')
    .addHelpText(
      'after',
      `
Results go to <reports-dir>/<scenario>/<run-id>/ (summary.json, requests.ndjson, scenario.json);
<reports-dir>/<scenario>/latest links to the newest run. Exit codes: 0 ok, 103 a target failed,
104 invalid input, 105 interrupted (results so far are kept).`,
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
  const supervisor = new Supervisor();
  io.onExit(() => supervisor.killAllNow());
  try {
    const scenario = applyOptions(
      await loadScenario(isAbsolute(ref) || !ref.includes('/') ? ref : resolve(io.cwd, ref)),
      options,
    );
    const reportsRoot =
      options.reportsDir === undefined
        ? join(packageRoot(), 'reports')
        : resolve(io.cwd, options.reportsDir);
    const result = await runScenario({
      scenario,
      reportsRoot,
      supervisor,
      progress: createProgress(io.stderr, options.progress && io.stderr.isTTY === true),
      signal: io.interrupt,
      environment: await describeEnvironment(),
    });
    if (options.json) io.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    else io.stdout.write(`${renderTable(result.summary)}\n`);
    const shown = relative(io.cwd, result.dir) || '.';
    io.stderr.write(
      `results: ${shown}/ (summary.json, requests.ndjson); latest: ${join(relative(io.cwd, join(result.dir, '..')) || '.', 'latest')}\n`,
    );
    if (result.error !== undefined) {
      io.stderr.write(`${describeError(result.error)}\n`);
      return result.error.exitCode;
    }
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof HarnessError) {
      io.stderr.write(`${describeError(error)}\n`);
      return error.exitCode;
    }
    throw error;
  } finally {
    await supervisor.stopAll();
  }
}

/** Command-line options override the scenario file. */
function applyOptions(scenario: Scenario, options: ScenarioOptions): Scenario {
  const out: Scenario = { ...scenario, model: { ...scenario.model } };
  if (options.timeScale !== undefined) out.timeScale = options.timeScale;
  if (options.seed !== undefined) out.model.seed = options.seed;
  if (options.replications !== undefined) out.model.replications = options.replications;
  if (options.only !== undefined) {
    const names = new Set(scenario.topologies.map((t) => t.name));
    const unknown = options.only.filter((name) => !names.has(name));
    if (unknown.length > 0) {
      throw new OptionError(
        `--only ${unknown.map((n) => `"${n}"`).join(', ')}: no such topology in ${scenario.source}`,
        {
          fix: `choose from ${[...names].map((n) => `"${n}"`).join(', ')}`,
        },
      );
    }
    out.topologies = scenario.topologies.filter((t) => options.only?.includes(t.name));
  }
  return out;
}
