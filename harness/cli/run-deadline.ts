import { describeError, RunTimeoutError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import type { CliIo } from './io.js';

/**
 * Time a run has, past `limits.runTimeout`, to stop its load, write its files and its report in
 * order before the harness quits anyway.
 */
export const RUN_DEADLINE_GRACE_MS = 30_000;

/**
 * Makes `limits.runTimeout` hold whatever the run is doing: the run stops itself at the limit
 * (harness/run), and if something it waits for never returns (a system call that hangs, a
 * target that neither answers nor dies), the process ends RUN_DEADLINE_GRACE_MS later with
 * E_RUN_TIMEOUT, its targets killed and its files as last written (issue 17).
 */
export function armRunDeadline(io: CliIo, scenario: Scenario): void {
  const error = new RunTimeoutError(
    `the run passed limits.runTimeout (${scenario.limits.runTimeout} s) by ${RUN_DEADLINE_GRACE_MS / 1000} s without stopping; targets killed`,
    {
      fix: 'results as last written are in the run directory; raise limits.runTimeout if the run needs longer',
    },
  );
  io.deadline?.(
    scenario.limits.runTimeout * 1000 + RUN_DEADLINE_GRACE_MS,
    describeError(error),
    error.exitCode,
  );
}
