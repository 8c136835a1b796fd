import { fitStickiness, meanHerfindahl } from '../model/accept-race.js';
import type { AcceptRaceServer } from '../model/server-kinds.js';
import type { TopologySpec } from '../scenario/types.js';
import type { Supervisor } from '../supervise/supervisor.js';
import {
  CALIBRATION_METHOD,
  CALIBRATION_SCHEMA_VERSION,
  type Calibration,
  type Machine,
  neutralConfiguration,
  type PathCalibration,
  type RacePath,
} from './calibration.js';
import { measureShares } from './measure-shares.js';

/** Simulated bursts per evaluation of the fit: enough for the index to settle to ±0.005. */
export const FIT_RUNS = 400;

export interface CalibrationOptions {
  supervisor: Supervisor;
  servers: readonly AcceptRaceServer[];
  /** The paths to calibrate for each server. */
  paths: (server: AcceptRaceServer) => readonly RacePath[];
  /** Bursts per configuration; the neutral configuration's own when absent. */
  bursts?: number;
  machine: Machine;
  /** The file's previous content: entries not measured now are kept. */
  previous: Calibration | null;
  signal: AbortSignal;
  now: () => Date;
  onProgress: (text: string) => void;
}

/** A neutral configuration as a topology the harness can start. */
export function neutralTopology(
  server: AcceptRaceServer,
  path: RacePath,
  bursts?: number,
): TopologySpec {
  const c = neutralConfiguration(server, path, bursts);
  const spec: TopologySpec = {
    name: `calibrate-${server}-${path}`,
    kind: server,
    declaredKind: server,
    workers: c.workers,
    threads: c.threads,
    replicas: c.replicas,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: 2048,
    keepAlive: 2,
    port: 0,
  };
  if (c.endpoint !== undefined) {
    if (server === 'async') spec.asyncWorker = { handler: c.endpoint, threadPool: c.threads };
    else spec.endpoint = c.endpoint;
  }
  if (path === 'haproxy') spec.balancerServer = 'haproxy';
  return spec;
}

/**
 * Measures and fits each server on each path, one after another, and returns the calibration
 * with every entry measured now and the previous file's others (when it was made on the same
 * machine kind; the caller decides).
 */
export async function runCalibration(options: CalibrationOptions): Promise<Calibration> {
  const servers: Calibration['servers'] = { ...(options.previous?.servers ?? {}) };
  for (const server of options.servers) {
    for (const path of options.paths(server)) {
      if (options.signal.aborted) break;
      const topology = neutralTopology(server, path, options.bursts);
      const configuration = neutralConfiguration(server, path, options.bursts);
      options.onProgress(
        `${server} (${path}): ${configuration.bursts} bursts of ${configuration.users} on ${configuration.replicas} x ${configuration.workers} workers`,
      );
      const measured = await measureShares(topology, {
        supervisor: options.supervisor,
        users: configuration.users,
        bursts: configuration.bursts,
        serviceMs: configuration.serviceMs,
        signal: options.signal,
      });
      if (options.signal.aborted) break;
      const target = meanHerfindahl(measured.bursts);
      const fit = fitStickiness(
        {
          topology: {
            kind: 'gthread',
            workers: configuration.workers,
            threads: configuration.threads,
            replicas: configuration.replicas,
            balancer: 'round-robin',
            workerConnections: 1_000_000,
          },
          users: configuration.users,
          service: 1,
          runs: FIT_RUNS,
          seed: 1,
        },
        target,
      );
      const entry: PathCalibration = {
        stickiness: Number(fit.stickiness.toFixed(4)),
        measuredHerfindahl: target,
        modelHerfindahl: fit.modelHerfindahl,
        uniformHerfindahl: fit.uniformHerfindahl,
        maxHerfindahl: fit.maxHerfindahl,
        bound: fit.bound,
        configuration,
        shares: measured.bursts,
        errors: measured.errors,
        measuredAt: options.now().toISOString(),
      };
      servers[server] = { ...servers[server], [path]: entry };
    }
  }
  return {
    schemaVersion: CALIBRATION_SCHEMA_VERSION,
    machine: options.machine,
    method: CALIBRATION_METHOD,
    servers,
  };
}
