import { describeError, RunTimeoutError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import type { CliIo } from './io.js';

/**
 * Time a run has, past `limits.runTimeout`, to stop its load, write its files and its report in
 * order before the harness quits anyway: as long as the run itself, from 10 s to 60 s (a longer
 * run has more requests to write).
 */
export function runDeadlineGraceMs(runTimeoutSeconds: number): number {
  return Math.min(60, Math.max(10, runTimeoutSeconds)) * 1000;
}

/**
 * Makes `limits.runTimeout` hold whatever the run is doing: the run stops itself at the limit
 * (harness/run), and if something it waits for never returns (a system call that hangs, a
 * target that neither answers nor dies), the process ends runDeadlineGraceMs later with
 * E_RUN_TIMEOUT, its targets killed and its files as last written (issue 17).
 */
export function armRunDeadline(io: CliIo, scenario: Scenario): void {
  const grace = runDeadlineGraceMs(scenario.limits.runTimeout);
  const error = new RunTimeoutError(
    `the run passed limits.runTimeout (${scenario.limits.runTimeout} s) by ${grace / 1000} s without stopping; targets killed`,
    {
      fix: 'results as last written are in the run directory; raise limits.runTimeout if the run needs longer',
    },
  );
  io.deadline?.(scenario.limits.runTimeout * 1000 + grace, describeError(error), error.exitCode);
}
