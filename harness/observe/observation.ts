import { join } from 'node:path';
import type { AppConfig } from '../../targets/app/protocol.js';
import { StagedFile } from '../results/atomic-write.js';
import type { DeliveryRecord, FanoutFigures } from '../results/fanout-figures.js';
import type { JobRecord, JobsFigures } from '../results/jobs-figures.js';
import type { Scenario, TopologySpec } from '../scenario/types.js';
import type { StartedTopology } from '../supervise/start-topology.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { FanoutObserver } from './fanout-observer.js';
import { JobsObserver } from './jobs-observer.js';

/**
 * What a run watches beside the load, for the failures that are about correctness rather than
 * queueing (issue 6): a scheduled job (`jobs`) and server-sent events (`fanout`). One topology's
 * observation wraps the steps run-scenario.ts calls around the load:
 *
 *   setUp (temp files, Redis) ─► start topology with app(r) ─► observe ∥ load ─► stop ─► result ─► tearDown
 */

export interface Observed {
  jobs?: { records: JobRecord[]; figures: JobsFigures };
  fanout?: { records: DeliveryRecord[]; figures: FanoutFigures };
}

export interface TopologyObservation {
  setUp(): Promise<void>;
  /** What replica r's app does beside serving requests. */
  app(replica: number): AppConfig | undefined;
  /** Runs alongside the load from the moment the topology is ready. */
  observe(started: StartedTopology, signal: AbortSignal): Promise<void>;
  /** What was observed, even when the run stopped early. */
  result(): Promise<Observed>;
  tearDown(): Promise<void>;
}

/** The observation a topology of this scenario needs, or null when it needs none. */
export function observationFor(
  scenario: Scenario,
  topology: TopologySpec,
  supervisor: Supervisor,
): TopologyObservation | null {
  const jobs = scenario.jobs === undefined ? null : new JobsObserver(scenario, topology);
  const fanout =
    scenario.fanout === undefined ? null : new FanoutObserver(scenario, topology, supervisor);
  if (jobs === null && fanout === null) return null;
  return {
    async setUp() {
      await jobs?.setUp();
      await fanout?.setUp();
    },
    app(replica) {
      const app: AppConfig = { ...jobs?.app(replica), ...fanout?.app() };
      return Object.keys(app).length === 0 ? undefined : app;
    },
    async observe(started, signal) {
      await Promise.all([jobs?.observe(started, signal), fanout?.observe(started.origin, signal)]);
    },
    async result() {
      const observed: Observed = {};
      const j = await jobs?.result();
      const f = fanout?.result();
      if (j !== undefined && j !== null) observed.jobs = j;
      if (f !== undefined && f !== null) observed.fanout = f;
      return observed;
    },
    async tearDown() {
      await jobs?.tearDown();
    },
  };
}

/**
 * The run's files of observations, staged like requests.ndjson: jobs.ndjson (every job run and
 * change of leader) and deliveries.ndjson (every event and client), for the scenarios that have
 * them.
 */
export class ObservationFiles {
  private readonly jobs: StagedFile | null;
  private readonly deliveries: StagedFile | null;

  constructor(dir: string, scenario: Scenario) {
    this.jobs = scenario.jobs === undefined ? null : new StagedFile(join(dir, 'jobs.ndjson'));
    this.deliveries =
      scenario.fanout === undefined ? null : new StagedFile(join(dir, 'deliveries.ndjson'));
  }

  async append(observed: Observed): Promise<void> {
    const lines = (records: readonly object[]): string =>
      `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
    if (this.jobs !== null && observed.jobs !== undefined && observed.jobs.records.length > 0)
      await this.jobs.append(lines(observed.jobs.records));
    if (
      this.deliveries !== null &&
      observed.fanout !== undefined &&
      observed.fanout.records.length > 0
    )
      await this.deliveries.append(lines(observed.fanout.records));
  }

  async commit(): Promise<void> {
    await this.jobs?.commit();
    await this.deliveries?.commit();
  }
}
