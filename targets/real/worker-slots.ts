import type { WorkerExitReason } from '../lifecycle-config.js';
import type { TargetMessage } from '../protocol.js';
import type { ServerLogEvent } from './server-log.js';

/**
 * Turns a real server's log events into the worker lifecycle messages the emulated arbiter
 * sends (worker-spawn, worker-ready, worker-exit, worker-initialised), so that worker lives, restart gaps and
 * timeouts in the summary come from gunicorn and uvicorn themselves. Pure apart from its own
 * state; instants are given (CLOCK_MONOTONIC microseconds, when the launcher read the line).
 *
 * gunicorn numbers its workers by age, not by slot; a slot here is the lowest number not held
 * by a live worker when one boots, which is what the emulated arbiter's replacement takes too.
 *
 * Why a worker exited: WORKER TIMEOUT logged for it -> `timeout`; "Autorestarting" logged for it,
 * or (uvicorn, gunicorn's uvicorn worker, which log nothing when they reach their limit) an exit
 * of its own accord while the topology recycles workers and the server is not stopping ->
 * `max-requests`; anything else -> `crash`, with the signal when the master logged one.
 */
export class WorkerSlots {
  private readonly slotOf = new Map<number, number>();
  private readonly ready = new Set<number>();
  private readonly recycling = new Set<number>();
  private readonly timedOut = new Set<number>();
  private readonly gone = new Set<number>();

  constructor(private readonly recycles: boolean) {}

  /** Workers booted and not yet gone. */
  get live(): number[] {
    return [...this.slotOf.keys()];
  }

  /** Workers that have loaded the app, in the order they did. */
  get readyPids(): number[] {
    return [...this.ready];
  }

  /** The messages one event means; `stopping` once the launcher has asked the server to stop. */
  take(event: ServerLogEvent, atUs: number, stopping: boolean): TargetMessage[] {
    switch (event.type) {
      case 'boot':
        return this.boot(event.pid, atUs);
      case 'ready': {
        // A server whose boot line the log does not have (Werkzeug, one uvicorn process).
        const spawned = this.slotOf.has(event.pid) ? [] : this.boot(event.pid, atUs);
        if (this.ready.has(event.pid)) return spawned;
        this.ready.add(event.pid);
        const worker = this.slotOf.get(event.pid) ?? 0;
        return [...spawned, { type: 'worker-ready', worker, pid: event.pid, atUs }];
      }
      case 'initialised': {
        const worker = this.slotOf.get(event.pid);
        if (worker === undefined) return [];
        return [
          { type: 'worker-initialised', worker, pid: event.pid, atUs, skipped: event.skipped },
        ];
      }
      case 'recycling':
        this.recycling.add(event.pid);
        return [];
      case 'timeout':
        this.timedOut.add(event.pid);
        return [];
      case 'exit':
        return this.exit(event.pid, null, atUs, stopping);
      case 'killed':
        return this.exit(event.pid, event.signal, atUs, stopping);
      default:
        return [];
    }
  }

  private boot(pid: number, atUs: number): TargetMessage[] {
    if (this.slotOf.has(pid) || this.gone.has(pid)) return [];
    const taken = new Set(this.slotOf.values());
    let worker = 0;
    while (taken.has(worker)) worker++;
    this.slotOf.set(pid, worker);
    return [{ type: 'worker-spawn', worker, pid, atUs }];
  }

  private exit(
    pid: number,
    signal: string | null,
    atUs: number,
    stopping: boolean,
  ): TargetMessage[] {
    const worker = this.slotOf.get(pid);
    if (worker === undefined) return [];
    this.slotOf.delete(pid);
    this.gone.add(pid);
    const reason = this.reasonFor(pid, signal, stopping);
    return [
      {
        type: 'worker-exit',
        worker,
        pid,
        code: null,
        signal,
        atUs,
        ...(reason === undefined ? {} : { reason }),
      },
    ];
  }

  private reasonFor(
    pid: number,
    signal: string | null,
    stopping: boolean,
  ): WorkerExitReason | undefined {
    if (this.timedOut.has(pid)) return 'timeout';
    if (this.recycling.has(pid)) return 'max-requests';
    if (stopping) return undefined;
    if (signal === null && this.recycles) return 'max-requests';
    return 'crash';
  }
}
