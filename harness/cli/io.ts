import type { ExitCode } from '../exit-codes.js';

/**
 * What a command may touch of the outside world, handed to it so that tests can call commands
 * with fakes. Only harness/cli/main.ts builds the real one, and only it ends the process.
 */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted when the user interrupts (Ctrl-C, SIGTERM, SIGHUP); the reason names the signal. */
  interrupt: AbortSignal;
  /** Registers work that must run even if the process is about to exit abruptly. */
  onExit(cleanup: () => void): void;
  /**
   * Ends the process after `ms` unless it has ended by then: prints `message`, runs the exit
   * hooks (targets killed, temporary files removed) and exits with `code`. The last resort that
   * makes `limits.runTimeout` hold whatever the run is waiting for. Absent in tests' fakes.
   */
  deadline?(ms: number, message: string, code: ExitCode): void;
}
