import { openSync } from 'node:fs';
import { tryLockFile } from '../native/file-lock.js';
import { LeaseStore } from './lease-store.js';
import { monotonicUs } from './protocol.js';

/**
 * Whether this worker may run the scheduled job, under each way of electing a leader. A change
 * of role is reported through `onChange` with the instant it happened.
 */
export interface Leadership {
  leads(nowUs: number): boolean;
  stop(): void;
}

export type OnRoleChange = (role: 'leader' | 'follower', atUs: number) => void;

/** No election: every worker runs its own scheduler. */
export function everyWorker(): Leadership {
  return { leads: () => true, stop: () => {} };
}

/**
 * An advisory lock on a file of this host (fcntl.flock(fd, LOCK_EX | LOCK_NB) in Python): the
 * worker that gets it leads until it dies, when the kernel releases the lock; the others try
 * again every `retryUs`. A file lock only reaches the processes of one host, so each replica,
 * which stands for a host of its own, elects its own leader.
 */
export function fileLockLeadership(
  path: string,
  retryUs: number,
  onChange: OnRoleChange,
): Leadership {
  const fd = openSync(path, 'a');
  let held = false;
  const attempt = (): void => {
    if (held) return;
    if (tryLockFile(fd)) {
      held = true;
      clearInterval(timer);
      onChange('leader', monotonicUs());
    }
  };
  const timer = setInterval(attempt, retryUs / 1000);
  attempt();
  return {
    leads: () => held,
    stop: () => clearInterval(timer),
  };
}

/**
 * A lease in a shared database row (lease-store.ts): the holder renews it every `renewUs`, the
 * others try to take it every `retryUs` and succeed once it has expired. A holder that dies
 * keeps the row until its lease runs out, so nobody runs the job in between. A holder that cannot
 * renew in time stops leading when its lease runs out by its own clock.
 */
export function leaseLeadership(
  path: string,
  holder: string,
  timing: { leaseUs: number; renewUs: number; retryUs: number },
  onChange: OnRoleChange,
): Leadership {
  const store = new LeaseStore(path);
  let until = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<void> => {
    const now = monotonicUs();
    let held = false;
    try {
      held = await store.acquire(holder, now, timing.leaseUs);
    } catch (error) {
      // A busy database or a failed statement: not the leader this time, try again later.
      console.error(`lease ${holder}: ${(error as Error).message}`);
    }
    if (held) {
      if (until <= monotonicUs()) onChange('leader', monotonicUs());
      until = now + timing.leaseUs;
    } else if (until > 0) {
      until = 0;
      onChange('follower', monotonicUs());
    }
    if (!stopped) timer = setTimeout(attempt, (held ? timing.renewUs : timing.retryUs) / 1000);
  };
  void attempt();
  return {
    leads: (nowUs) => nowUs < until,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      store.close();
    },
  };
}
