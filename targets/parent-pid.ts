/**
 * How a target learns which process forked it, to notice a parent that died before the target
 * could ask the kernel to kill it with its parent (lifecycle.ts bindToParent): by the time the
 * target has loaded, process.ppid would already name the process that reaped it.
 */

/**
 * Set by whoever forks a target (the supervisor, an arbiter) to its own pid. A fork that does
 * not set it leaves bindToParent to fall back to process.ppid at the time of the call.
 */
export const PARENT_PID_ENV = 'HARNESS_PARENT_PID';

/** The environment to fork a target with: this process's own, plus its pid. */
export function forkEnv(): NodeJS.ProcessEnv {
  return { ...process.env, [PARENT_PID_ENV]: String(process.pid) };
}
