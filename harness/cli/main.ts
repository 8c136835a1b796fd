#!/usr/bin/env node
/**
 * The harness's entry point, and the only module that ends the process. It turns signals into
 * an orderly stop: the first Ctrl-C, SIGTERM or SIGHUP aborts the run, which stops its targets
 * and writes what it measured; a second one kills the targets and exits at once. A run that has
 * not ended STOP_GRACE_MS after the first signal (a call that never returns, a real server still
 * starting) is ended the same way: a signal always ends the harness within seconds (issue 17).
 */
import { describeError, RunAbortedError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

/** How long an orderly stop may take after the first signal before the harness quits anyway. */
const STOP_GRACE_MS = 15_000;

const interrupt = new AbortController();
const cleanups: Array<() => void> = [];
const runCleanups = (): void => {
  for (const cleanup of cleanups.splice(0)) {
    try {
      cleanup();
    } catch {
      // Exit hooks must not throw; each one is best effort.
    }
  }
};

/**
 * Quits with `code` after `ms` unless the process has ended first. The timer keeps the event
 * loop alive on purpose: a run stuck on a promise that nothing will settle would otherwise end
 * with Node's own exit 13 (unsettled top-level await) instead of its code. A run that ends in
 * time exits through process.exit below, which does not wait for it.
 */
const deadline = (ms: number, message: string, code: ExitCode): void => {
  setTimeout(() => {
    process.stderr.write(`\n${message}\n`);
    runCleanups();
    process.exit(code);
  }, ms);
};

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!interrupt.signal.aborted) {
      process.stderr.write(
        `\n${signal}: stopping the run and keeping its results (again to quit at once)\n`,
      );
      interrupt.abort(signal);
      deadline(
        STOP_GRACE_MS,
        describeError(
          new RunAbortedError(
            `${signal}; it did not stop within ${STOP_GRACE_MS / 1000} s, so its targets were killed`,
            'the results as last written are in the run directory',
          ),
        ),
        ExitCode.Aborted,
      );
      return;
    }
    process.stderr.write(
      `${signal} again: targets killed, quitting; the results as last written are kept\n`,
    );
    runCleanups();
    process.exit(ExitCode.Aborted);
  });
}
process.on('exit', runCleanups);
process.on('uncaughtException', (error) => {
  process.stderr.write(`internal error: ${error.stack ?? String(error)}\n`);
  runCleanups();
  process.exit(ExitCode.Internal);
});

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  interrupt: interrupt.signal,
  onExit: (cleanup) => cleanups.push(cleanup),
  deadline,
};

try {
  const code = await runCli(process.argv.slice(2), io);
  runCleanups();
  process.exit(code);
} catch (error) {
  process.stderr.write(`internal error: ${(error as Error).stack ?? String(error)}\n`);
  runCleanups();
  process.exit(ExitCode.Internal);
}
