import type { Server } from 'node:net';
import { listenSocket, setParentDeathSignal } from './native/accept-gate.js';
import { PARENT_PID_ENV } from './parent-pid.js';
import type { ControlMessage, TargetMessage } from './protocol.js';

/**
 * Ties a target process to the process that started it, so that none outlives a harness that
 * crashed or was killed with SIGKILL: the kernel kills it when its parent dies
 * (PR_SET_PDEATHSIG), and it exits when the IPC channel closes.
 *
 * `onStop` runs once on a stop message, SIGTERM, SIGINT, SIGHUP or a closed channel; it must end
 * the process.
 */
export function bindToParent(onStop: (reason: string) => void): void {
  // The parent may have died between fork and prctl; then nobody would deliver the signal. The
  // parent's pid as it forked (PARENT_PID_ENV) tells, where process.ppid read now would already
  // be the reaper's. Removed so that this process's own children do not inherit it.
  const expectedParent = Number(process.env[PARENT_PID_ENV] ?? process.ppid);
  delete process.env[PARENT_PID_ENV];
  const parentAtCall = setParentDeathSignal(9);
  if (parentAtCall !== expectedParent) process.exit(1);
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    onStop(reason);
  };
  process.on('message', (message: ControlMessage) => {
    if (message?.type === 'stop') stop('stop message');
  });
  process.on('disconnect', () => stop('parent disconnected'));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => stop(signal));
  }
  // A channel that closed while this process was still loading emitted 'disconnect' to nobody.
  if (process.send !== undefined && !process.connected) stop('parent disconnected');
}

/** Sends a message to the parent if the channel is still open; a gone parent is not an error. */
export function tell(message: TargetMessage): void {
  if (process.send !== undefined && process.connected) {
    process.send(message, undefined, undefined, () => {});
  }
}

/**
 * Opens the target's listening socket, or reports why it could not (EADDRINUSE and the like) to
 * the parent and exits: a target that cannot listen has nothing else to do.
 */
export function listenOrExit(
  host: string,
  port: number,
  backlog: number,
): { fd: number; port: number } {
  try {
    return listenSocket(host, port, backlog);
  } catch (error) {
    const { code = 'ELISTEN', message } = error as NodeJS.ErrnoException;
    tell({ type: 'failed', code, message: `${host}:${port}: ${message}` });
    process.exit(1);
  }
}

/**
 * For targets that accept the Node way (the balancer, the minimal target): stops with the
 * parent, listens on host:port, and tells the parent "ready" with the bound port, or "failed"
 * with the reason (EADDRINUSE and the like) before exiting.
 */
export function serveAndAnnounce(
  server: Server,
  host: string,
  port: number,
  backlog: number,
): void {
  bindToParent(() => {
    server.close();
    process.exit(0);
  });
  server.once('error', (error: NodeJS.ErrnoException) => {
    tell({
      type: 'failed',
      code: error.code ?? 'ELISTEN',
      message: `${host}:${port}: ${error.message}`,
    });
    process.exit(1);
  });
  server.listen({ host, port, backlog }, () => {
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    tell({ type: 'ready', port: bound, pid: process.pid, workerPids: [] });
  });
}
