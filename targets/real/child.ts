import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { tell } from '../lifecycle.js';
import { type Command, withParentDeathSignal } from './command.js';

/**
 * A launcher's one child: a real server or haproxy, spawned under setpriv (it dies with the
 * launcher) in the launcher's process group (the harness stops the group), with the listening
 * socket at descriptor 3. Its output is passed on line by line and kept for error messages.
 */

const OUTPUT_LINES = 30;

export interface LaunchedChild {
  child: ChildProcess;
  output: string[];
  /** Resolves with a description of how the child ended. */
  exited: Promise<string>;
}

export function launch(
  command: Command,
  listenFd: number,
  onLine: (line: string) => void,
): LaunchedChild {
  const wrapped = withParentDeathSignal(command);
  const child = spawn(wrapped.file, wrapped.args, {
    env: { ...process.env, ...wrapped.env },
    ...(wrapped.cwd === undefined ? {} : { cwd: wrapped.cwd }),
    stdio: ['ignore', 'pipe', 'pipe', listenFd],
  });
  // The child holds its own copy of the listening socket now.
  closeSync(listenFd);
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      output.push(line);
      if (output.length > OUTPUT_LINES) output.shift();
      onLine(line);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start ${command.file}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`exited (code ${code}, signal ${signal})`));
  });
  return { child, output, exited };
}

/** Reports a start failure with the child's last output, then exits the launcher. */
export function failStart(what: string, reason: string, output: readonly string[]): never {
  const tail = output.slice(-10).join(' | ');
  tell({ type: 'failed', code: 'ESTART', message: `${what} ${reason}${tail ? `: ${tail}` : ''}` });
  process.exit(1);
}

/** Stops the child: SIGTERM, SIGKILL after `graceMs`, then ends the launcher. */
export function stopChild(launched: LaunchedChild, graceMs = 1_500): void {
  const { child } = launched;
  if (child.exitCode !== null || child.signalCode !== null) process.exit(0);
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    process.exit(0);
  }, graceMs);
  void launched.exited.then(() => {
    clearTimeout(timer);
    process.exit(0);
  });
}
