import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { descendants } from '../supervise/process-tree.js';
import type { MachineLoadSample } from './measurement-quality.js';

/**
 * How busy the machine was while a topology ran (issue 13), read at the edge: the cores every
 * process kept busy (/proc/stat, steal included: a hypervisor's other guests take cores too),
 * minus what the harness and its targets took (/proc/<pid>/stat of this process and its
 * descendants), and how late this process's event loop ran its timers (the load generator's
 * event-loop delay, perf_hooks.monitorEventLoopDelay). Linux only; elsewhere the CPU figures
 * are null and only the loop delay is measured. measurement-quality.ts judges the sample.
 */

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on every Linux Node supports). */
const TICKS_PER_SECOND = 100;
/** The loop-delay timer's period: what the histogram holds beyond it is lateness. */
const RESOLUTION_MS = 10;

export class MachineLoadMeter {
  private readonly histogram: IntervalHistogram;
  private readonly startedAt: bigint;
  private readonly busyAtStart: number | null;
  private readonly ownAtStart: Map<number, number>;

  /** Starts measuring now; `root` is the process whose tree counts as the harness's own. */
  constructor(private readonly root: number = process.pid) {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.startedAt = process.hrtime.bigint();
    this.busyAtStart = machineBusyTicks();
    this.ownAtStart = treeTicks(root);
  }

  /** Stops measuring and returns what was measured since the constructor. */
  stop(): MachineLoadSample {
    this.histogram.disable();
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const busy = machineBusyTicks();
    const ownAtEnd = treeTicks(this.root);
    let own = 0;
    for (const [pid, ticks] of ownAtEnd) own += ticks - (this.ownAtStart.get(pid) ?? 0);
    const lateness = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const h = this.histogram;
    return {
      seconds,
      cpus: cpus().length,
      busyCoreSeconds:
        busy === null || this.busyAtStart === null
          ? null
          : (busy - this.busyAtStart) / TICKS_PER_SECOND,
      ownCoreSeconds: busy === null ? null : own / TICKS_PER_SECOND,
      loopDelayMs:
        h.count === 0
          ? null
          : {
              mean: lateness(h.mean),
              p99: lateness(h.percentile(99)),
              max: lateness(h.max),
            },
    };
  }
}

/** Ticks every core spent busy since boot (all but idle and iowait), or null without /proc. */
function machineBusyTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  } catch {
    return null;
  }
}

/** CPU ticks (user + system) of `root` and each live descendant, by pid. */
function treeTicks(root: number): Map<number, number> {
  const out = new Map<number, number>();
  let pids: number[];
  try {
    pids = [root, ...descendants(root)];
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command: state is field 3, utime 14 and stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // Gone between the listing and the read: its time is lost to both ends alike.
    }
  }
  return out;
}
