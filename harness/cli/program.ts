import { Command, CommanderError } from 'commander';
import { describeError, HarnessError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from './io.js';
import { harnessVersion } from './version.js';

type Register = (program: Command, io: CliIo, setExit: (code: ExitCode) => void) => void;

/**
 * Every command, with a summary for the top-level help and the module that defines it. Only the
 * module of the command named on the command line is loaded: a command's definition (its
 * options and help) is light, what it runs is loaded when it runs, so `--help`, `--version` and
 * option errors answer without loading the load generator, the model or the report (issue 17).
 */
const COMMANDS: ReadonlyArray<{
  name: string;
  /** Its arguments, as its own help shows them. */
  args: string;
  summary: string;
  load: () => Promise<Register>;
}> = [
  {
    name: 'scenario',
    args: '<scenario>',
    summary: 'run a scenario against its targets and compare the measurement with the model',
    load: async () => (await import('./scenario-command.js')).registerScenarioCommand,
  },
  {
    name: 'model',
    args: '',
    summary: 'what-if calculator: predict queue time for a topology and a load without running',
    load: async () => (await import('./model-command.js')).registerModelCommand,
  },
  {
    name: 'compare',
    args: '<before> <after>',
    summary: 'set two finished runs side by side with the change of every figure',
    load: async () => (await import('./compare-command.js')).registerCompareCommand,
  },
  {
    name: 'report',
    args: '<run-dir>',
    summary: "rebuild a run's self-contained report.html from the files in its directory",
    load: async () => (await import('./report-command.js')).registerReportCommand,
  },
  {
    name: 'merge',
    args: '<dir...>',
    summary: "merge the run directories of one plan's shards into one run, exactly",
    load: async () => (await import('./merge-command.js')).registerMergeCommand,
  },
  {
    name: 'k8s',
    args: '<scenario>',
    summary: 'write the Kubernetes manifests that run a scenario as N shards of one plan',
    load: async () => (await import('./k8s-command.js')).registerK8sCommand,
  },
  {
    name: 'calibrate',
    args: '',
    summary: "measure the accept race of each server's workers on this machine for the model",
    load: async () => (await import('./calibrate-command.js')).registerCalibrateCommand,
  },
];

/** The names of the commands, in the order the top-level help lists them. */
export const COMMAND_NAMES = COMMANDS.map((c) => c.name);

/**
 * Parses `argv` (without node and the script) and runs the command it names. Returns the exit
 * code; never ends the process itself. A command that throws a HarnessError ends here with its
 * message, fix and exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exit: ExitCode = ExitCode.Ok;
  const setExit = (code: ExitCode): void => {
    exit = code;
  };
  const version = harnessVersion();
  const program = new Command('harness')
    .description('Load-testing and capacity-modelling harness for Python web deployments')
    .version(version, '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError('(run with --help for the options)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const words = argv.filter((a) => !a.startsWith('-'));
  // `help <command>` shows that command's own help, so its definition is loaded too.
  const wanted = words[0] === 'help' ? words[1] : words[0];
  const named = COMMANDS.find((c) => c.name === wanted);
  for (const command of named === undefined ? COMMANDS : [named]) {
    if (command === named) {
      const register = await command.load();
      register(program, io, setExit);
    } else {
      // Named only, for the top-level help and the parser's "did you mean"; never run.
      program.command(`${command.name} ${command.args}`.trim()).description(command.summary);
    }
  }
  // Every command answers --version too (`npm run scenario -- --version`).
  for (const command of program.commands) command.version(version, '-V, --version');
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; every other parse error is invalid input.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
    }
    // A command's own errors (bad input, a target that failed, results it could not write) are
    // explained with their fix and exit with their code; anything else is a bug, with its stack.
    if (error instanceof HarnessError) {
      io.stderr.write(`${describeError(error)}\n`);
      return error.exitCode;
    }
    throw error;
  }
  return exit;
}
