import type { TargetMessage } from '../../targets/protocol.js';
import type { LifeEvent } from '../results/worker-life.js';
import type { Clock } from '../scenario/clock.js';
import type { Supervisor } from '../supervise/supervisor.js';

/**
 * Collects the worker life events a topology's arbiters send during its run (through
 * Supervisor.onMessage), stamped with the arbiter's CLOCK_MONOTONIC microseconds, and converts
 * them to scenario seconds after the load's start once that is known.
 */
export class LifecycleWatch {
  private readonly raw: Array<{ label: string; message: TargetMessage }> = [];
  private readonly previous: Supervisor['onMessage'];

  constructor(private readonly supervisor: Supervisor) {
    this.previous = supervisor.onMessage;
    supervisor.onMessage = (label, message) => {
      this.raw.push({ label, message });
      this.previous?.(label, message);
    };
  }

  /** Stops collecting and hands onMessage back. */
  stop(): void {
    this.supervisor.onMessage = this.previous;
  }

  /** The events in scenario seconds after `startNs` (the load's start, monotonic ns). */
  events(startNs: bigint, clock: Clock): LifeEvent[] {
    const out: LifeEvent[] = [];
    const at = (us: number): number => clock.fromRealNs(us * 1000 - Number(startNs));
    for (const { label, message: m } of this.raw) {
      const replica = /replica (\d+)$/.exec(label)?.[1] ?? '0';
      if (m.type === 'worker-spawn')
        out.push({ at: at(m.atUs), slot: `${replica}/${m.worker}`, kind: 'spawn', pid: m.pid });
      else if (m.type === 'worker-ready' && m.atUs !== undefined)
        out.push({ at: at(m.atUs), slot: `${replica}/${m.worker}`, kind: 'ready', pid: m.pid });
      else if (m.type === 'worker-initialised')
        out.push({
          at: at(m.atUs),
          slot: `${replica}/${m.worker}`,
          kind: 'initialised',
          pid: m.pid,
          skipped: m.skipped,
        });
      else if (m.type === 'worker-exit' && m.atUs !== undefined)
        out.push({
          at: at(m.atUs),
          slot: `${replica}/${m.worker}`,
          kind: 'exit',
          pid: m.pid,
          ...(m.reason === undefined ? {} : { reason: m.reason }),
        });
    }
    return out.sort((a, b) => a.at - b.at);
  }
}
