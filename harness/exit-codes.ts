/**
 * Exit codes of the harness's commands, in k6's numbering where k6 has one
 * (99 thresholds failed, 104 invalid configuration, 105 externally aborted).
 */
export const ExitCode = {
  /** The run finished and every gate passed. */
  Ok: 0,
  /** A bug in the harness: an unexpected exception. Please report it with its output. */
  Internal: 1,
  /** The run finished but a threshold or baseline comparison failed. */
  ThresholdsFailed: 99,
  /** A target or the machine failed: a target did not start, never became ready, or crashed; results could not be written. */
  RunFailed: 103,
  /** Invalid input: a scenario file, an option or a port the user chose. Nothing was run. */
  InvalidInput: 104,
  /** The run was interrupted (Ctrl-C, SIGTERM, SIGHUP); results gathered so far were kept. */
  Aborted: 105,
  /**
   * A check failed on a measurement too disturbed to judge (the machine was busy): no verdict,
   * neither pass nor fail; the measured reason is printed and in gate.json. Run again quieter.
   */
  Inconclusive: 106,
  /**
   * `merge`: one or more shards of the plan are missing (or did not complete); the merged files
   * hold the shards present, and summary.json's `merge` block names the missing share.
   */
  ShardsMissing: 107,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
