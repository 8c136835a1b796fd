import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig, JobEvent } from '../../targets/app/protocol.js';
import { monotonicUs } from '../../targets/app/protocol.js';
import { makeOwnedTempDir } from '../../targets/owned-temp-dir.js';
import {
  type JobRecord,
  type JobsFigures,
  jobsFigures,
  type KillRecord,
} from '../results/jobs-figures.js';
import type { JobsSpec, Scenario, SchedulerSpec, TopologySpec } from '../scenario/types.js';
import { requirePrograms } from '../supervise/programs.js';
import type { StartedTopology } from '../supervise/start-topology.js';
import { processGroupOf } from './process-group.js';

/**
 * Observes a topology's scheduled job: gives its workers a runs file and the lock they elect a
 * leader with, waits out `jobs.duration` while the load runs, kills the leader at
 * `jobs.killLeaderAt` (SIGKILL to the worker that ran the job last, as a crash or the OOM killer
 * would), then reads every run back.
 *
 *   temp dir: runs.ndjson (every worker appends), lease.db (lease) or replica-<r>.lock (file-lock)
 *   (removed with the topology; one left by a harness killed outright goes at the next run)
 *
 * A file lock's file is per replica, because a replica stands for a host of its own and a file
 * lock does not reach across hosts; the lease's database is one for all, as a shared database is.
 */
export class JobsObserver {
  private dir: string | undefined;
  private startUs: number | undefined;
  private endUs: number | undefined;
  private kill: KillRecord | null = null;
  private note: string | null = null;
  private readonly jobs: JobsSpec;
  private readonly scheduler: SchedulerSpec;

  constructor(
    private readonly scenario: Scenario,
    private readonly topology: TopologySpec,
  ) {
    if (scenario.jobs === undefined || topology.scheduler === undefined)
      throw new Error('JobsObserver needs the scenario\'s "jobs" and the topology\'s "scheduler"');
    this.jobs = scenario.jobs;
    this.scheduler = topology.scheduler;
  }

  private realUs(scenarioSeconds: number): number {
    return Math.round(scenarioSeconds * this.scenario.timeScale * 1e6);
  }

  async setUp(): Promise<void> {
    if (this.scheduler.election === 'lease') requirePrograms(['sqlite3', 'setpriv']);
    this.dir = makeOwnedTempDir('capacity-harness-jobs');
    await writeFile(this.runsFile(), '');
  }

  private runsFile(): string {
    if (this.dir === undefined) throw new Error('JobsObserver.setUp() was not called');
    return join(this.dir, 'runs.ndjson');
  }

  app(replica: number): AppConfig {
    const election = this.scheduler.election;
    const dir = this.dir as string;
    return {
      scheduler: {
        election,
        intervalUs: this.realUs(this.jobs.interval),
        runsFile: this.runsFile(),
        ...(election === 'file-lock' ? { lockPath: join(dir, `replica-${replica}.lock`) } : {}),
        ...(election === 'lease'
          ? {
              lockPath: join(dir, 'lease.db'),
              leaseUs: this.realUs(this.scheduler.lease),
              renewUs: this.realUs(this.scheduler.renew),
            }
          : {}),
        ...(election === 'none' ? {} : { retryUs: this.realUs(this.scheduler.retry) }),
      },
    };
  }

  /** Runs from the moment the topology is ready until `jobs.duration` has passed. */
  async observe(started: StartedTopology, signal: AbortSignal): Promise<void> {
    const startUs = monotonicUs();
    this.startUs = startUs;
    const until = async (scenarioSeconds: number): Promise<void> => {
      const ms = (startUs + this.realUs(scenarioSeconds) - monotonicUs()) / 1000;
      if (ms > 0) await sleep(ms, undefined, { signal });
    };
    try {
      if (this.jobs.killLeaderAt !== null) {
        await until(this.jobs.killLeaderAt);
        await this.killLeader(started);
      }
      await until(this.jobs.duration);
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      this.endUs = monotonicUs();
    }
  }

  /**
   * SIGKILL to the worker that ran the latest slot (the one in the lowest replica and worker when
   * several did), after checking that it belongs to one of this topology's process groups.
   */
  private async killLeader(started: StartedTopology): Promise<void> {
    const now = monotonicUs();
    const runs = (await this.readEvents()).filter((e) => e.type === 'run' && e.atUs <= now);
    const latest = Math.max(...runs.map((r) => r.slotUs ?? 0));
    const candidates = runs
      .filter((r) => r.slotUs === latest)
      .sort((a, b) => a.replica - b.replica || a.worker - b.worker);
    const victim = candidates[0];
    if (victim === undefined) {
      this.note = 'no worker had run the job when the leader was to be killed: nobody was killed';
      return;
    }
    const groups = new Set(started.replicas.map((r) => r.pid));
    const group = processGroupOf(victim.pid);
    if (group === undefined || !groups.has(group)) {
      this.note = `the leader (pid ${victim.pid}) was gone or not one of this topology's processes when it was to be killed`;
      return;
    }
    const atUs = monotonicUs();
    process.kill(victim.pid, 'SIGKILL');
    this.kill = {
      at: this.toScenario(atUs),
      pid: victim.pid,
      replica: victim.replica,
      worker: victim.worker,
    };
  }

  private toScenario(us: number): number {
    return (us - (this.startUs ?? us)) / 1e6 / this.scenario.timeScale;
  }

  private async readEvents(): Promise<JobEvent[]> {
    if (this.dir === undefined) return [];
    const text = await readFile(this.runsFile(), 'utf8').catch(() => '');
    const events: JobEvent[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        events.push(JSON.parse(line) as JobEvent);
      } catch {
        // A line cut short by a worker killed mid-write; one append(2) makes this rare.
      }
    }
    return events;
  }

  /** Every run and change of role, and the figures; null when the observation never started. */
  async result(): Promise<{ records: JobRecord[]; figures: JobsFigures } | null> {
    if (this.startUs === undefined) return null;
    const startUs = this.startUs;
    const records: JobRecord[] = (await this.readEvents())
      .map((e) => ({
        topology: this.topology.name,
        type: e.type,
        at: this.toScenario(e.atUs),
        slot: e.slotUs === undefined ? null : this.toScenario(e.slotUs),
        replica: e.replica,
        worker: e.worker,
        pid: e.pid,
      }))
      .sort((a, b) => a.at - b.at);
    const intervalUs = this.realUs(this.jobs.interval);
    // A run stopped early was watched for less than `duration`: count only the slots it saw.
    const watched = Math.min(this.jobs.duration, this.toScenario(this.endUs ?? monotonicUs()));
    const firstSlotUs = Math.ceil(startUs / intervalUs) * intervalUs;
    return {
      records,
      figures: jobsFigures({
        records,
        jobs: { ...this.jobs, duration: watched },
        scheduler: this.scheduler,
        workers: this.topology.workers,
        replicas: this.topology.replicas,
        firstSlot: this.toScenario(firstSlotUs),
        kill: this.kill,
        note: this.note,
      }),
    };
  }

  async tearDown(): Promise<void> {
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
  }
}
