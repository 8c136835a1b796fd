import { z } from 'zod';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import type { RaceMechanism } from '../model/simulate.js';

/**
 * reports/calibration.json: the accept race's stickiness (harness/model/accept-race.ts) measured
 * on this machine for each server implementation, with how it was measured. Written by
 * `npm run calibrate`, read by every scenario run, which uses it when it was made on a machine
 * like the one running (same CPU model, cores and platform) and otherwise falls back to the
 * uniform race and says so. Pure: types, the neutral configurations, validation, lookup.
 */

export const CALIBRATION_SCHEMA_VERSION = 1;
export const CALIBRATION_FILE = 'calibration.json';

export interface Machine {
  hostname: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  node: string;
}

/**
 * How connections reach a replica's workers: straight from the load generator (one replica),
 * or relayed by the balancer (several). The balancer hands each replica every R-th connection,
 * so between two connections reaching a replica it relays R - 1 to the others, and the
 * replica's sleeping workers have that much longer to wake: the stickiness falls as R grows.
 * Measured on a 2-core machine (10 bursts each), gunicorn gthread's fitted stickiness was about
 * 0.94 for direct connections whatever the workers (2 to 8) and the burst (48 to 200), and
 * behind haproxy 0.87-0.92 with 2 replicas, 0.80-0.86 with 3 and 0.67 with 10: about
 * proportional in ln s to R. So each server is calibrated on both paths, the balanced one on
 * 4 replicas, and a topology of R replicas uses s_balanced^(R / 4) (balancedStickiness).
 */
export type RacePath = 'direct' | 'balanced' | 'haproxy';
export const RACE_PATHS: readonly RacePath[] = ['direct', 'balanced', 'haproxy'];

/**
 * `balanced` is behind the balancer the kind runs with: haproxy for the real servers, the
 * emulated balancer for the emulated ones. `haproxy` is the emulated gthread behind haproxy, as
 * it runs when compared with a real topology (`compareEmulated`): measured, the emulated
 * balancer relays connections more slowly than haproxy and the race behind it is much less
 * sticky (0.63 against 0.84 for the same emulated workers on 4 replicas).
 */
export function racePathOf(replicas: number, viaHaproxy = false): RacePath {
  if (replicas <= 1) return 'direct';
  return viaHaproxy ? 'haproxy' : 'balanced';
}

/** The paths calibrated for a server: `haproxy` only for the emulated one, when installed. */
export function pathsOf(server: AcceptRaceServer, haproxyInstalled: boolean): RacePath[] {
  return server === 'gthread' && haproxyInstalled
    ? ['direct', 'balanced', 'haproxy']
    : ['direct', 'balanced'];
}

/** The configuration one server's shares were measured on. */
export interface NeutralConfiguration {
  workers: number;
  threads: number;
  replicas: number;
  /** Connections per burst (over all replicas). */
  users: number;
  /** Real milliseconds each handler sleeps. */
  serviceMs: number;
  bursts: number;
  /** uvicorn kinds and the emulated one (`async`): /work is a plain def in a pool of `threads`. */
  endpoint?: 'def';
}

export interface PathCalibration {
  stickiness: number;
  /** Mean Herfindahl index of the measured shares, and of the model at s, 0 and 1. */
  measuredHerfindahl: number;
  modelHerfindahl: number;
  uniformHerfindahl: number;
  maxHerfindahl: number;
  bound: 'inside' | 'below-uniform' | 'above-max';
  configuration: NeutralConfiguration;
  /** Per burst, per replica, the requests each worker served. */
  shares: number[][][];
  errors: number;
  measuredAt: string;
}

export type ServerCalibration = Partial<Record<RacePath, PathCalibration>>;

export interface Calibration {
  schemaVersion: number;
  machine: Machine;
  method: string;
  servers: Partial<Record<AcceptRaceServer, ServerCalibration>>;
}

export const CALIBRATION_METHOD =
  'Per server and path (direct: one replica; balanced: two replicas behind the balancer): start the neutral configuration, send its bursts of new connections (each handler sleeps long enough that every connection is accepted before the first ends), count the requests each worker served per burst, take the mean Herfindahl index of the shares (sum of squared shares) over bursts and replicas, and find by bisection the stickiness s whose simulated shares (the same configuration, 400 seeded bursts) have the same mean index.';

/**
 * The configurations calibrated on: three workers and 100 ms handlers; one replica of 48 users
 * (direct), four replicas of 32 users each behind the balancer (balanced); 20 bursts each (one
 * burst's shares vary a lot, so fewer leave the fitted stickiness uncertain by more than ±0.05).
 * None of the built-in scenarios' checked topologies has these shapes, so the model is judged on
 * configurations it was not fitted on.
 */
function neutral(server: AcceptRaceServer, path: RacePath): NeutralConfiguration {
  const asgi = server === 'async' || server === 'uvicorn' || server === 'gunicorn-uvicorn';
  const balanced = path !== 'direct';
  const replicas = balanced ? 4 : 1;
  const config: NeutralConfiguration = {
    workers: 3,
    threads: asgi ? 40 : 2,
    replicas,
    users: (balanced ? 32 : 48) * replicas,
    serviceMs: 100,
    bursts: 20,
  };
  if (asgi) config.endpoint = 'def';
  return config;
}

export function neutralConfiguration(
  server: AcceptRaceServer,
  path: RacePath,
  bursts?: number,
): NeutralConfiguration {
  const config = neutral(server, path);
  return bursts === undefined ? config : { ...config, bursts };
}

const counts = z.array(z.array(z.array(z.number().int().min(0))));
const pathSchema = z.object({
  stickiness: z.number().min(0).max(1),
  measuredHerfindahl: z.number(),
  modelHerfindahl: z.number(),
  uniformHerfindahl: z.number(),
  maxHerfindahl: z.number(),
  bound: z.enum(['inside', 'below-uniform', 'above-max']),
  configuration: z.object({
    workers: z.number(),
    threads: z.number(),
    replicas: z.number(),
    users: z.number(),
    serviceMs: z.number(),
    bursts: z.number(),
    endpoint: z.literal('def').optional(),
  }),
  shares: counts,
  errors: z.number(),
  measuredAt: z.string(),
});
const serverSchema = z.object({
  direct: pathSchema.optional(),
  balanced: pathSchema.optional(),
  haproxy: pathSchema.optional(),
});
const calibrationSchema = z.object({
  schemaVersion: z.literal(CALIBRATION_SCHEMA_VERSION),
  machine: z.object({
    hostname: z.string(),
    platform: z.string(),
    cpus: z.number(),
    cpuModel: z.string(),
    node: z.string(),
  }),
  method: z.string(),
  servers: z.partialRecord(z.enum(ACCEPT_RACE_SERVERS as [AcceptRaceServer]), serverSchema),
});

/** The calibration in a parsed JSON value, or why it is not one. */
export function parseCalibration(
  value: unknown,
): { ok: true; calibration: Calibration } | { ok: false; message: string } {
  const result = calibrationSchema.safeParse(value);
  if (result.success) return { ok: true, calibration: result.data as Calibration };
  const first = result.error.issues[0];
  return {
    ok: false,
    message: `${first?.path.join('.') || '(top level)'}: ${first?.message ?? 'not a calibration'}`,
  };
}

/** Whether a calibration made on `made` holds on `here`: same CPU model, cores and platform. */
export function sameMachine(made: Machine, here: Machine): boolean {
  return (
    made.cpuModel === here.cpuModel && made.cpus === here.cpus && made.platform === here.platform
  );
}

/** What the model uses for one topology's accept race, and why, for the summary and report. */
export interface AcceptRaceChoice {
  server: AcceptRaceServer | null;
  /** The one-number stickiness (0: uniform); unused by the model when `mechanism` is given. */
  stickiness: number;
  source: 'calibration' | 'uniform' | 'not-applicable';
  note: string;
  /** The race as a mechanism fitted for the server (race-choice.ts), which the model uses first. */
  mechanism?: RaceMechanism;
}

/** The calibration as a run finds it: loaded, absent, or present but unusable. */
export type CalibrationState =
  | { state: 'loaded'; file: string; calibration: Calibration }
  /** No calibration of this machine's own: one shipped with the harness (shippedCalibrationFiles). */
  | { state: 'shipped'; file: string; calibration: Calibration }
  | { state: 'absent'; file: string }
  | { state: 'unusable'; file: string; reason: string };

/**
 * The stickiness behind the balancer with `replicas` replicas, from the one calibrated with
 * `calibratedReplicas`: ln s proportional to R, since each replica's connections are R relays
 * apart (see RacePath).
 */
export function balancedStickiness(
  calibrated: number,
  calibratedReplicas: number,
  replicas: number,
): number {
  return calibrated ** (replicas / calibratedReplicas);
}

/**
 * gunicorn gthread's stickiness with `threads` threads per worker, from the one calibrated with
 * `calibratedThreads`. The worker's main loop accepts, hands the connection to its pool and
 * selects again, holding the interpreter lock between; the pool's threads starting handlers
 * hold it too, so the more threads a worker has, the longer its loop takes to come back to
 * accept and the more often a woken sibling wins. Measured on 2 x Intel Xeon (direct
 * connections, 48 to 200 users, 100 to 300 ms handlers): fitted s 0.91-0.94 with 2 threads, 0.86
 * with 3, 0.83-0.85 with 4, so the run of accepts one worker wins, 1 / (1 - s), is about
 * inversely proportional to the threads: s_T = 1 - (1 - s) x T / T_calibrated. Fewer threads
 * than calibrated keep the calibrated s (not measured). Applied to direct connections only:
 * behind haproxy, where a replica's connections come R relays apart, the two shapes measured
 * disagreed (2 x 3 on 2 replicas 20% closer with it, 2 x 4 on 3 replicas 14% further, over two
 * runs). Other servers have no such term: the
 * emulated gthread's threads share no lock (its s did not fall with threads), and uvicorn's pool
 * is not its accept loop's.
 */
export function threadsStickiness(
  calibrated: number,
  calibratedThreads: number,
  threads: number,
): number {
  if (!(threads > calibratedThreads)) return calibrated;
  return Math.max(0, 1 - (1 - calibrated) * (threads / calibratedThreads));
}

/** What a topology's race depends on besides its server and replicas. */
export interface RaceShape {
  /** Connections reach the emulated gthread through haproxy (a fidelity run's twin). */
  viaHaproxy?: boolean;
  /** Threads per worker (gunicorn gthread's stickiness depends on them: threadsStickiness). */
  threads?: number;
}

export function acceptRaceChoice(
  server: AcceptRaceServer | null,
  replicas: number,
  calibration: CalibrationState,
  here: Machine,
  shape: RaceShape = {},
): AcceptRaceChoice {
  const viaHaproxy = shape.viaHaproxy === true;
  if (server === null)
    return {
      server,
      stickiness: 0,
      source: 'not-applicable',
      note: 'workers accept only when idle, so which one accepts changes no wait',
    };
  const uniform = (why: string): AcceptRaceChoice => ({
    server,
    stickiness: 0,
    source: 'uniform',
    note: `accept race drawn uniformly among the workers accepting: ${why}; run \`npm run calibrate\` to measure it on this machine`,
  });
  if (calibration.state === 'absent') return uniform(`no ${calibration.file}`);
  if (calibration.state === 'unusable')
    return uniform(`${calibration.file} is unusable (${calibration.reason})`);
  const { machine, servers } = calibration.calibration;
  const shipped = calibration.state === 'shipped';
  if (!sameMachine(machine, here))
    return uniform(
      `${shipped ? `no calibration of this machine's own, and the one shipped with the harness (${calibration.file})` : calibration.file} was made on another machine (${machine.cpus} x ${machine.cpuModel}, ${machine.platform})`,
    );
  const path = racePathOf(replicas, viaHaproxy && server === 'gthread');
  const entry = servers[server]?.[path];
  if (entry === undefined)
    return uniform(`${calibration.file} has no entry for ${server} (${path} connections)`);
  const measuredOn = `a mean Herfindahl index of ${entry.measuredHerfindahl.toFixed(3)} over ${entry.shares.length} bursts of ${entry.configuration.users} users on ${entry.configuration.replicas} x ${entry.configuration.workers} workers`;
  const date = entry.measuredAt.slice(0, 10);
  const where = shipped
    ? `on a machine like this one (${machine.cpus} x ${machine.cpuModel}, ${machine.platform}; ${date}), the calibration shipped with the harness (run \`npm run calibrate\` to measure this one)`
    : `on this machine (${date})`;
  const byPath =
    path === 'direct'
      ? entry.stickiness
      : balancedStickiness(entry.stickiness, entry.configuration.replicas, replicas);
  const calibratedThreads = entry.configuration.threads;
  const threads = shape.threads ?? calibratedThreads;
  const stickiness =
    server === 'gunicorn-gthread' && path === 'direct'
      ? threadsStickiness(byPath, calibratedThreads, threads)
      : byPath;
  const threadsText =
    stickiness === byPath
      ? ''
      : `; with ${threads} threads a worker (calibrated with ${calibratedThreads}) 1 - (1 - ${byPath.toFixed(3)}) x ${threads}/${calibratedThreads} = ${stickiness.toFixed(3)}`;
  if (path === 'direct')
    return {
      server,
      stickiness,
      source: 'calibration',
      note: `accept race calibrated for ${server}, direct connections, ${where}: stickiness ${entry.stickiness.toFixed(3)}, from ${measuredOn}${threadsText}`,
    };
  return {
    server,
    stickiness,
    source: 'calibration',
    note: `accept race calibrated for ${server}, ${path === 'haproxy' ? 'connections through haproxy' : 'balanced connections'}, ${where}: stickiness ${entry.stickiness.toFixed(3)} behind the balancer with ${entry.configuration.replicas} replicas, from ${measuredOn}; with ${replicas} replicas ${entry.stickiness.toFixed(3)}^(${replicas}/${entry.configuration.replicas}) = ${byPath.toFixed(3)}${threadsText}`,
  };
}
