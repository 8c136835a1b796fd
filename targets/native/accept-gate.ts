import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * Called once per accepted connection: the client socket's fd, the accept time, and what the
 * client had already sent (`head`, null when nothing yet), which the gate read at once as a
 * gunicorn or Werkzeug worker does (accept-gate.c). On an error, fd is -1 and head null.
 */
export type OnAccept = (
  error: Error | null,
  fd: number,
  acceptedAtNs: bigint,
  head: Buffer | null,
) => void;

/** A connection the gate accepted: see OnAccept. */
export interface Accepted {
  fd: number;
  acceptedAtNs: bigint;
  head: Buffer | null;
}

/**
 * Polls a listening socket and accepts at most one connection per readable event, only while
 * resumed. See accept-gate.c for why Node's own accept loop cannot stand in for this.
 */
export interface AcceptGate {
  resume(): void;
  pause(): void;
  close(): void;
  /**
   * Accepts one waiting connection now, without waiting for the loop to poll: what a gunicorn
   * sync worker does as soon as it is done with a request. Null when none waits, or when accept
   * failed (the poll, once resumed, reports the failure through onAccept).
   */
  tryAccept(): Accepted | null;
}

interface Addon {
  AcceptGate: new (fd: number, onAccept: OnAccept) => AcceptGate;
  listen(host: string, port: number, backlog: number): { fd: number; port: number };
  setParentDeathSignal(signal: number): number;
}

let addon: Addon | undefined;

function load(): Addon {
  if (addon === undefined) {
    const require = createRequire(import.meta.url);
    const path = join(packageRoot(), 'targets', 'native', 'build', 'Release', 'accept_gate.node');
    try {
      addon = require(path) as Addon;
    } catch (error) {
      throw new Error(
        `the native accept gate is not built (${path}); run \`npm install\` to build it`,
        { cause: error },
      );
    }
  }
  return addon;
}

export function createAcceptGate(fd: number, onAccept: OnAccept): AcceptGate {
  const { AcceptGate } = load();
  return new AcceptGate(fd, onAccept);
}

/** A non-blocking listening socket with an explicit backlog, left for the caller to accept on. */
export function listenSocket(
  host: string,
  port: number,
  backlog: number,
): { fd: number; port: number } {
  return load().listen(host, port, backlog);
}

/** Asks the kernel to send `signal` to this process when its parent dies; returns the parent pid. */
export function setParentDeathSignal(signal: number): number {
  return load().setParentDeathSignal(signal);
}
