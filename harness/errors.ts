import { ExitCode } from './exit-codes.js';

/**
 * Every error the harness reports to a user: a class with a stable `code`, the exit code it ends
 * the process with, and where a fix is known, the fix. The README lists every code.
 */
export abstract class HarnessError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  /** What the user can do about it, one sentence. */
  readonly fix: string | undefined;

  constructor(message: string, options: { fix?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fix = options.fix;
  }
}

/** One problem in a scenario file or option set, located by its field path. */
export interface InputIssue {
  /** Field path in the scenario (`topologies[1].workers`) or option name (`--time-scale`). */
  path: string;
  message: string;
  fix: string;
}

export class ScenarioNotFoundError extends HarnessError {
  override readonly name = 'ScenarioNotFoundError';
  readonly code = 'E_SCENARIO_NOT_FOUND';
  readonly exitCode = ExitCode.InvalidInput;
}

export class ScenarioSyntaxError extends HarnessError {
  override readonly name = 'ScenarioSyntaxError';
  readonly code = 'E_SCENARIO_SYNTAX';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A scenario file that parsed as JSON but breaks the format: every issue at once. */
export class ScenarioInvalidError extends HarnessError {
  override readonly name = 'ScenarioInvalidError';
  readonly code = 'E_SCENARIO_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
  readonly file: string;
  readonly issues: readonly InputIssue[];

  constructor(file: string, issues: readonly InputIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const lines = issues.map((i) => `  ${i.path}: ${i.message}\n    fix: ${i.fix}`);
    super(`${file}: ${count}\n${lines.join('\n')}`);
    this.file = file;
    this.issues = issues;
  }
}

export class OptionError extends HarnessError {
  override readonly name = 'OptionError';
  readonly code = 'E_OPTION_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
}

export class PortInUseError extends HarnessError {
  override readonly name = 'PortInUseError';
  readonly code = 'E_PORT_IN_USE';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A target process exited or reported a failure before it was ready. */
export class TargetStartError extends HarnessError {
  override readonly name = 'TargetStartError';
  readonly code = 'E_TARGET_START';
  readonly exitCode = ExitCode.RunFailed;
}

/** A target process was running but did not answer its readiness probe in time. */
export class TargetNotReadyError extends HarnessError {
  override readonly name = 'TargetNotReadyError';
  readonly code = 'E_TARGET_NOT_READY';
  readonly exitCode = ExitCode.RunFailed;
}

/** A target process (server, arbiter or balancer) died while a run was using it. */
export class TargetCrashedError extends HarnessError {
  override readonly name = 'TargetCrashedError';
  readonly code = 'E_TARGET_CRASHED';
  readonly exitCode = ExitCode.RunFailed;
}

/**
 * A program a scenario needs is not installed: redis-server for a Redis bus, sqlite3 for a lease
 * in a database row.
 */
export class DependencyMissingError extends HarnessError {
  override readonly name = 'DependencyMissingError';
  readonly code = 'E_DEPENDENCY_MISSING';
  readonly exitCode = ExitCode.RunFailed;
}

/** Writing results failed (disk full, permissions); what was already written is intact. */
export class ResultsWriteError extends HarnessError {
  override readonly name = 'ResultsWriteError';
  readonly code = 'E_RESULTS_WRITE';
  readonly exitCode = ExitCode.RunFailed;
}

/** The run reached limits.runTimeout and stopped itself; results gathered so far were kept. */
export class RunTimeoutError extends HarnessError {
  override readonly name = 'RunTimeoutError';
  readonly code = 'E_RUN_TIMEOUT';
  readonly exitCode = ExitCode.RunFailed;
}

/** The run was stopped by a signal; results gathered so far were kept. */
export class RunAbortedError extends HarnessError {
  override readonly name = 'RunAbortedError';
  readonly code = 'E_ABORTED';
  readonly exitCode = ExitCode.Aborted;
  readonly signal: string;

  /** `fix` says what was kept, for a command that keeps something else than a run directory. */
  constructor(
    signal: string,
    fix = 'results gathered before the interrupt are in the run directory, marked incomplete',
  ) {
    super(`run interrupted by ${signal}`, { fix });
    this.signal = signal;
  }
}

/** A directory given to `report` is missing or is not a run directory (no summary.json). */
export class RunDirInvalidError extends HarnessError {
  override readonly name = 'RunDirInvalidError';
  readonly code = 'E_RUN_DIR_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A threshold given with --threshold does not parse. */
export class ThresholdInvalidError extends HarnessError {
  override readonly name = 'ThresholdInvalidError';
  readonly code = 'E_THRESHOLD_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
}

/** The file given with --baseline is missing or is not a run's summary.json. */
export class BaselineInvalidError extends HarnessError {
  override readonly name = 'BaselineInvalidError';
  readonly code = 'E_BASELINE_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
}

/** The run finished but a threshold or a baseline comparison failed. */
export class ThresholdsFailedError extends HarnessError {
  override readonly name = 'ThresholdsFailedError';
  readonly code = 'E_THRESHOLDS_FAILED';
  readonly exitCode = ExitCode.ThresholdsFailed;
}

/** A target URL names a host that is not loopback and was not allowed with --allow-remote. */
export class RemoteNotAllowedError extends HarnessError {
  override readonly name = 'RemoteNotAllowedError';
  readonly code = 'E_REMOTE_NOT_ALLOWED';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A scenario needs real servers (gunicorn, uvicorn, Werkzeug, haproxy) this machine lacks. */
export class ServersMissingError extends HarnessError {
  override readonly name = 'ServersMissingError';
  readonly code = 'E_SERVERS_MISSING';
  readonly exitCode = ExitCode.RunFailed;
}

/**
 * A topology's own app (`app.module`) did not load in its server: the module or a package it
 * imports is missing, the attribute is not there, its code raised, or it speaks the other
 * interface. The message names the field to fix and carries the server's last lines.
 */
export class AppLoadError extends HarnessError {
  override readonly name = 'AppLoadError';
  readonly code = 'E_APP_LOAD';
  readonly exitCode = ExitCode.RunFailed;
}

/** The Python interpreter a topology names (`app.python`, `app.venv`, HARNESS_PYTHON) cannot be run. */
export class PythonNotFoundError extends HarnessError {
  override readonly name = 'PythonNotFoundError';
  readonly code = 'E_PYTHON_NOT_FOUND';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A path a topology's `app` names (its directory, gunicorn.conf.py, virtual environment) is missing. */
export class AppPathNotFoundError extends HarnessError {
  override readonly name = 'AppPathNotFoundError';
  readonly code = 'E_APP_PATH_NOT_FOUND';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A real server exited while it was booting, for a reason other than the app's load. */
export class ServerBootError extends HarnessError {
  override readonly name = 'ServerBootError';
  readonly code = 'E_SERVER_BOOT';
  readonly exitCode = ExitCode.RunFailed;
}

/**
 * A topology sent requests and not one succeeded (nothing listening, every request refused or
 * timed out), and the scenario did not say errors are expected (`expectErrors`). Without it a
 * run against a dead target ended 0 and CI without thresholds went green (issue 17).
 */
export class NoSuccessError extends HarnessError {
  override readonly name = 'NoSuccessError';
  readonly code = 'E_NO_SUCCESS';
  readonly exitCode = ExitCode.RunFailed;
}

/** The reports directory given (or its parent) cannot be created or written. */
export class ReportsDirError extends HarnessError {
  override readonly name = 'ReportsDirError';
  readonly code = 'E_REPORTS_DIR';
  readonly exitCode = ExitCode.InvalidInput;
}

/**
 * A check failed, but the machine was too busy during the measurement for the failure to be
 * the deployment's (measurement quality poor): the gate gives no verdict.
 */
export class GateInconclusiveError extends HarnessError {
  override readonly name = 'GateInconclusiveError';
  readonly code = 'E_GATE_INCONCLUSIVE';
  readonly exitCode = ExitCode.Inconclusive;
}

/** --shard and the Kubernetes job's JOB_COMPLETION_INDEX (or --shards) name different shards. */
export class ShardMismatchError extends HarnessError {
  override readonly name = 'ShardMismatchError';
  readonly code = 'E_SHARD_MISMATCH';
  readonly exitCode = ExitCode.InvalidInput;
}

/** A shard was ready after its --start-at instant, beyond the tolerance: it sends nothing. */
export class StartLateError extends HarnessError {
  override readonly name = 'StartLateError';
  readonly code = 'E_START_LATE';
  readonly exitCode = ExitCode.RunFailed;
}

/** Directories given to `merge` are not shards of one plan (different plans, duplicates, not shards). */
export class MergeInvalidError extends HarnessError {
  override readonly name = 'MergeInvalidError';
  readonly code = 'E_MERGE_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
}

/** `merge` was given fewer shards than the plan has (or one did not complete): the merge is partial. */
export class ShardsMissingError extends HarnessError {
  override readonly name = 'ShardsMissingError';
  readonly code = 'E_SHARDS_MISSING';
  readonly exitCode = ExitCode.ShardsMissing;
}

/**
 * `k8s` generated a Kubernetes object that breaks Kubernetes' schema (harness/k8s/
 * validate-manifests.ts): an option's value (an image, a quantity) made it invalid. Nothing was
 * written; the object and field are named.
 */
export class ManifestInvalidError extends HarnessError {
  override readonly name = 'ManifestInvalidError';
  readonly code = 'E_MANIFEST_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
}

/** Every error class a user can meet, for the table-driven test and the README. */
export const ERROR_CLASSES = [
  ScenarioNotFoundError,
  ScenarioSyntaxError,
  ScenarioInvalidError,
  OptionError,
  PortInUseError,
  TargetStartError,
  TargetNotReadyError,
  TargetCrashedError,
  DependencyMissingError,
  ResultsWriteError,
  RunTimeoutError,
  RunAbortedError,
  RunDirInvalidError,
  ThresholdInvalidError,
  BaselineInvalidError,
  ThresholdsFailedError,
  RemoteNotAllowedError,
  ServersMissingError,
  AppLoadError,
  PythonNotFoundError,
  AppPathNotFoundError,
  ServerBootError,
  NoSuccessError,
  ReportsDirError,
  GateInconclusiveError,
  ShardMismatchError,
  StartLateError,
  MergeInvalidError,
  ShardsMissingError,
  ManifestInvalidError,
] as const;

/** The text a user sees for an error: message, then the fix on its own line. */
export function describeError(error: HarnessError): string {
  const fix = error.fix === undefined ? '' : `\nfix: ${printable(error.fix)}`;
  return `error ${error.code}: ${printable(error.message)}${fix}`;
}

/**
 * Control characters other than newline and tab (terminal escape sequences among them), C1
 * controls and the Unicode bidirectional overrides.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from a file or an option, made safe for a terminal: every character in
 * UNPRINTABLE is written as an escape (`\x1b`, `\u202e`), so quoting a garbage file, or a
 * scenario with escape sequences in its strings, can never drive the terminal (issue 17).
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
