import { Command, CommanderError } from 'commander';
import { describeError, HarnessError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { registerCalibrateCommand } from './calibrate-command.js';
import type { CliIo } from './io.js';
import { registerModelCommand } from './model-command.js';
import { registerReportCommand } from './report-command.js';
import { registerScenarioCommand } from './scenario-command.js';

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
  const program = new Command('harness')
    .description('Load-testing and capacity-modelling harness for Python web deployments')
    .exitOverride()
    .showHelpAfterError('(run with --help for the options)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerScenarioCommand(program, io, setExit);
  registerModelCommand(program, io, setExit);
  registerReportCommand(program, io, setExit);
  registerCalibrateCommand(program, io, setExit);
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
