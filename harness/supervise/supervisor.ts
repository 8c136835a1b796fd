import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { forkEnv } from '../../targets/parent-pid.js';
import { isTargetMessage, type ServerVersion, type TargetMessage } from '../../targets/protocol.js';
import {
  AppLoadError,
  type HarnessError,
  PortInUseError,
  PythonNotFoundError,
  RunAbortedError,
  ServerBootError,
  ServersMissingError,
  TargetNotReadyError,
  TargetStartError,
} from '../errors.js';
import { isAlive } from './process-tree.js';

/**
 * Starts target processes and guarantees they stop. Each target runs in its own process group
 * (detached), so that a Ctrl-C reaches the harness first, which then stops every group in order;
 * the group also takes in the workers a target forks. A target outlives the harness in no case:
 * on a normal end or an error the harness stops the groups, on a fatal signal its exit hook kills
 * them, and if the harness is killed outright the kernel kills them (PR_SET_PDEATHSIG, set by
 * the targets themselves).
 */

export interface TargetSpec {
  /** Shown in messages: `replica 2 of sync-4-x3`. */
  label: string;
  /** Absolute path of the compiled entry point. */
  entry: string;
  config: unknown;
  readyTimeoutMs: number;
  /** Stops waiting for readiness (Ctrl-C during start-up); the caller then stops the targets. */
  signal?: AbortSignal;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningTarget {
  label: string;
  pid: number;
  port: number;
  workerPids: number[];
  /** Real servers: their names and versions, as they reported them. */
  servers?: ServerVersion[];
  /** Resolves when the target's main process exits. */
  exited: Promise<ExitInfo>;
}

/** The last lines a target printed, kept for error messages. */
const OUTPUT_LINES = 30;

interface Managed {
  label: string;
  child: ChildProcess;
  output: string[];
  exit: ExitInfo | undefined;
  expectedExit: boolean;
}

export class Supervisor {
  private readonly managed = new Set<Managed>();
  /** Called when a target that was ready exits without being asked to. */
  onCrash: ((label: string, info: ExitInfo, output: string[]) => void) | undefined;
  /** Called for every message a ready target sends (worker exits, restarts). */
  onMessage: ((label: string, message: TargetMessage) => void) | undefined;
  /** Receives every line targets print, prefixed with their label. */
  onOutput: ((line: string) => void) | undefined;
  /** Where real servers keep their own logs (the run directory's server-logs); none when absent. */
  logDir: string | undefined;

  /** Pids of the main processes still running. */
  get pids(): number[] {
    return [...this.managed].filter((m) => m.exit === undefined).map((m) => m.child.pid ?? -1);
  }

  async start(spec: TargetSpec): Promise<RunningTarget> {
    const child = fork(spec.entry, [JSON.stringify(spec.config)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: ['--enable-source-maps'],
      env: forkEnv(),
    });
    const managed: Managed = {
      label: spec.label,
      child,
      output: [],
      exit: undefined,
      expectedExit: false,
    };
    this.managed.add(managed);
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        managed.output.push(line);
        if (managed.output.length > OUTPUT_LINES) managed.output.shift();
        this.onOutput?.(`[${spec.label}] ${line}`);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        managed.exit = { code, signal };
        resolve(managed.exit);
      });
    });
    // A fork that cannot even start (missing entry) reports through 'error'.
    child.once('error', (error) => keep(Buffer.from(String(error))));

    const ready = await new Promise<Extract<TargetMessage, { type: 'ready' }>>(
      (resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new TargetNotReadyError(
              `${spec.label} did not report ready within ${spec.readyTimeoutMs} ms${lastLines(managed.output)}`,
              {
                fix: 'the machine may be overloaded: run fewer replicas or workers (or raise limits.startTimeout for an app that loads slowly), or look at its last lines above',
              },
            ),
          );
        }, spec.readyTimeoutMs);
        const onMessage = (message: unknown): void => {
          if (!isTargetMessage(message)) return;
          if (message.type === 'ready') {
            cleanup();
            resolve(message);
          } else if (message.type === 'failed') {
            cleanup();
            reject(startError(spec.label, message));
          }
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
          cleanup();
          const tail = managed.output.slice(-10).join('\n  ');
          reject(
            new TargetStartError(
              `${spec.label} exited before it was ready (code ${code}, signal ${signal})${tail ? `\n  ${tail}` : ''}`,
              { fix: 'run `npm install` to rebuild the targets, then look at the output above' },
            ),
          );
        };
        const onAbort = (): void => {
          cleanup();
          reject(new RunAbortedError(String(spec.signal?.reason ?? 'abort')));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          spec.signal?.removeEventListener('abort', onAbort);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        if (spec.signal?.aborted) onAbort();
        else spec.signal?.addEventListener('abort', onAbort, { once: true });
      },
    );

    child.on('message', (message) => {
      if (isTargetMessage(message)) this.onMessage?.(spec.label, message);
    });
    void exited.then((info) => {
      if (!managed.expectedExit) this.onCrash?.(spec.label, info, managed.output);
    });
    return {
      label: spec.label,
      pid: child.pid ?? -1,
      port: ready.port,
      workerPids: ready.workerPids,
      ...(ready.servers === undefined ? {} : { servers: ready.servers }),
      exited,
    };
  }

  /**
   * Targets that died without being asked to, including any whose exit Node has not reported
   * yet (a killed target's connections can fail before its exit event arrives).
   */
  casualties(): Array<{ label: string; info: ExitInfo; output: string[] }> {
    return [...this.managed]
      .filter((m) => !m.expectedExit && (m.exit !== undefined || !isAlive(m.child.pid ?? -1)))
      .map((m) => ({
        label: m.label,
        info: m.exit ?? { code: null, signal: null },
        output: m.output,
      }));
  }

  /**
   * Stops every target: a stop message and SIGTERM to each process group, then SIGKILL to any
   * group still alive after `graceMs`. Resolves when every group is gone.
   */
  async stopAll(graceMs = 2_000): Promise<void> {
    const all = [...this.managed];
    for (const m of all) {
      m.expectedExit = true;
      if (m.child.connected) m.child.send({ type: 'stop' }, undefined, undefined, () => {});
      signalGroup(m.child, 'SIGTERM');
    }
    const deadline = Date.now() + graceMs;
    while (all.some((m) => groupAlive(m.child)) && Date.now() < deadline) await delay(10);
    for (const m of all) if (groupAlive(m.child)) signalGroup(m.child, 'SIGKILL');
    const hardDeadline = Date.now() + 2_000;
    while (all.some((m) => groupAlive(m.child)) && Date.now() < hardDeadline) await delay(10);
    for (const m of all) this.managed.delete(m);
  }

  /** For exit hooks, where nothing asynchronous runs: SIGKILL every group at once. */
  killAllNow(): void {
    for (const m of this.managed) {
      m.expectedExit = true;
      signalGroup(m.child, 'SIGKILL');
    }
  }
}

/** A target's last lines, for an error message; empty when it printed none. */
function lastLines(output: readonly string[]): string {
  const tail = output.slice(-10);
  return tail.length === 0 ? '' : `; its last lines:\n    ${tail.join('\n    ')}`;
}

/** The error a target's `failed` message means (real servers: targets/real/start-failure.ts). */
export function startError(
  label: string,
  message: Extract<TargetMessage, { type: 'failed' }>,
): HarnessError {
  const log =
    message.log === undefined || message.log.length === 0
      ? ''
      : `\n  last lines of the server's log:\n    ${message.log.join('\n    ')}`;
  const options = message.fix === undefined ? {} : { fix: message.fix };
  switch (message.code) {
    case 'EADDRINUSE':
      return new PortInUseError(`${label}: port in use (${message.message})`, {
        fix: 'choose another "port" in the scenario, or 0 to let the harness pick a free one',
      });
    case 'EAPP':
      return new AppLoadError(`${message.message}${log}`, options);
    case 'ENOPYTHON':
      return new PythonNotFoundError(`${message.message}${log}`, options);
    case 'ENOSERVER':
      return new ServersMissingError(`${message.message}${log}`, options);
    case 'EBOOT':
      return new ServerBootError(`${message.message}${log}`, options);
    default:
      return new TargetStartError(
        `${label} failed to start: ${message.code} ${message.message}${log}`,
        options,
      );
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Whether any process of the child's group still exists (zombies of the leader excluded). */
function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
  } catch {
    return false;
  }
  // The leader itself may be a zombie until Node reaps it; a reaped leader with no members left
  // makes kill() fail above. Members still alive keep the group.
  return true;
}
