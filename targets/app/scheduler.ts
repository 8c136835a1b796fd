import { appendFileSync } from 'node:fs';
import {
  everyWorker,
  fileLockLeadership,
  type Leadership,
  leaseLeadership,
  type OnRoleChange,
} from './leadership.js';
import { type JobEvent, monotonicUs, type SchedulerConfig } from './protocol.js';

export interface SchedulerIdentity {
  replica: number;
  worker: number;
}

/**
 * The scheduled job of the emulated app, started in every worker process as APScheduler's
 * BackgroundScheduler is when an app starts it at import time under gunicorn. It fires on the
 * multiples of the interval on the machine's monotonic clock (a cron-style trigger, "every 10
 * seconds"), so that every worker's schedule names the same slots; at each slot it runs the job
 * when this worker leads (always, without an election). Each run and each change of role is
 * appended as one JSON line to the runs file, which the harness reads after the run; one
 * append(2) of a short line is atomic, so lines of different workers never mix.
 */
export function startScheduler(
  config: SchedulerConfig,
  identity: SchedulerIdentity,
): { stop(): void } {
  const base = { replica: identity.replica, worker: identity.worker, pid: process.pid };
  const record = (event: Omit<JobEvent, 'replica' | 'worker' | 'pid' | 'election'>): void => {
    const line: JobEvent = { ...event, ...base, election: config.election };
    appendFileSync(config.runsFile, `${JSON.stringify(line)}\n`);
  };
  const onChange: OnRoleChange = (role, atUs) => record({ type: role, atUs });
  const holder = `replica ${identity.replica} worker ${identity.worker} pid ${process.pid}`;
  const leadership = leadershipOf(config, holder, onChange);

  let timer: NodeJS.Timeout | undefined;
  const scheduleAfter = (nowUs: number): void => {
    const slotUs = (Math.floor(nowUs / config.intervalUs) + 1) * config.intervalUs;
    timer = setTimeout(() => fire(slotUs), Math.max(0, (slotUs - monotonicUs()) / 1000));
  };
  const fire = (slotUs: number): void => {
    // setTimeout may wake a little early by the monotonic clock: wait for the slot itself.
    const now = monotonicUs();
    if (now < slotUs) {
      timer = setTimeout(() => fire(slotUs), (slotUs - now) / 1000 + 0.1);
      return;
    }
    if (leadership.leads(now)) record({ type: 'run', atUs: now, slotUs });
    scheduleAfter(Math.max(now, slotUs));
  };
  scheduleAfter(monotonicUs());
  return {
    stop() {
      clearTimeout(timer);
      leadership.stop();
    },
  };
}

function leadershipOf(config: SchedulerConfig, holder: string, onChange: OnRoleChange): Leadership {
  const retryUs = config.retryUs ?? config.intervalUs;
  switch (config.election) {
    case 'none':
      return everyWorker();
    case 'file-lock':
      return fileLockLeadership(required(config.lockPath, 'lockPath'), retryUs, onChange);
    case 'lease':
      return leaseLeadership(
        required(config.lockPath, 'lockPath'),
        holder,
        {
          leaseUs: required(config.leaseUs, 'leaseUs'),
          renewUs: required(config.renewUs, 'renewUs'),
          retryUs,
        },
        onChange,
      );
  }
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`scheduler configuration without ${name}`);
  return value;
}
