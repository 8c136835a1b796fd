/**
 * Entry point: the shared resource workers do their start-up work against in a cold start (a
 * database, a model store): `capacity` units of work per unit of time, shared equally by the
 * initialisations in progress (shared-capacity.ts). One TCP connection per initialisation, one
 * JSON line each way:
 *
 *   worker ──► {"op":"work","ms":4000}   the resource works 4000 ms (alone) for it, then
 *          ◄── {"done":true}
 *   worker ──► {"op":"once","ms":4000}   the same for the first claimant only; while it works,
 *          ◄── {"skipped":true}          and after it finished, every other claimant skips
 *
 * A worker that dies mid-way closes its connection: its job leaves the resource, and a `once`
 * claim is released for the next claimant. The resource knows nothing of the scenario's time
 * scale: the workers send real milliseconds.
 */
import { createServer, type Socket } from 'node:net';
import { bindToParent, tell } from './lifecycle.js';
import { readConfig } from './protocol.js';
import { SharedCapacity } from './shared-capacity.js';

export interface InitResourceConfig {
  host: string;
  port: number;
  /** Initialisations that progress at full speed at once. */
  capacity: number;
}

const config = readConfig<InitResourceConfig>(process.argv);
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const resource = new SharedCapacity<Socket>(config.capacity);
let timer: NodeJS.Timeout | undefined;
let claimant: Socket | null = null;
let onceDone = false;

function reschedule(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  const next = resource.nextCompletion();
  if (next === Number.POSITIVE_INFINITY) return;
  timer = setTimeout(settle, Math.max(0, next - nowMs()));
}

function settle(): void {
  for (const socket of resource.finished(nowMs(), 0.05)) {
    if (socket === claimant) {
      onceDone = true;
      claimant = null;
    }
    socket.end(`${JSON.stringify({ done: true })}\n`);
  }
  reschedule();
}

const server = createServer((socket) => {
  let line = '';
  let started = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (started) return;
    line += chunk;
    const end = line.indexOf('\n');
    if (end < 0) return;
    started = true;
    let request: { op?: unknown; ms?: unknown };
    try {
      request = JSON.parse(line.slice(0, end)) as { op?: unknown; ms?: unknown };
    } catch {
      socket.destroy();
      return;
    }
    const ms = typeof request.ms === 'number' && request.ms >= 0 ? request.ms : 0;
    if (request.op === 'once') {
      if (onceDone || claimant !== null) {
        socket.end(`${JSON.stringify({ skipped: true })}\n`);
        return;
      }
      claimant = socket;
    }
    resource.add(socket, ms, nowMs());
    reschedule();
  });
  socket.on('close', () => {
    if (socket === claimant) claimant = null;
    resource.remove(socket, nowMs());
    reschedule();
  });
  socket.on('error', () => {});
});

bindToParent(() => {
  server.close();
  process.exit(0);
});
server.once('error', (error: NodeJS.ErrnoException) => {
  tell({ type: 'failed', code: error.code ?? 'ELISTEN', message: error.message });
  process.exit(1);
});
server.listen({ host: config.host, port: config.port }, () => {
  const address = server.address();
  tell({
    type: 'ready',
    port: typeof address === 'object' && address !== null ? address.port : config.port,
    pid: process.pid,
    workerPids: [],
  });
});
