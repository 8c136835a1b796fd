import { packageRoot } from '../../targets/package-root.js';
import type { CliIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import { ExitCode } from '../exit-codes.js';
import type { Finished } from './spawn-cli.js';

/**
 * For tests that try many inputs: runs the CLI's own `runCli` in this process with an io that
 * collects what it prints, and returns the same shape as run-cli.ts's spawned `runCli`. Node
 * and the harness load once instead of once per input, so a hundred invalid inputs take seconds,
 * not minutes on a busy machine (issue 17). An exception that is not a HarnessError (a bug)
 * becomes exit 1 with "internal error" and its stack, as main.ts prints it.
 */
export async function runCliInProcess(
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: {
      write: (text: string) => {
        stdout += text;
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
    },
    env: process.env,
    cwd: options.cwd ?? packageRoot(),
    interrupt: new AbortController().signal,
    onExit: () => {},
  };
  let code: number;
  try {
    code = await runCli(args, io);
  } catch (error) {
    stderr += `internal error: ${(error as Error).stack ?? String(error)}\n`;
    code = ExitCode.Internal;
  }
  return { code, signal: null, stdout, stderr };
}
