import type { InitMode } from '../../targets/lifecycle-config.js';

/**
 * When each worker of a cold start first accepts: a pure event simulation of gunicorn's boot
 * under a worker timeout, with start-up work that contends for a shared resource.
 *
 *   t=0 every slot forks ─► app load (appLoadTime) ─► start-up work on the shared resource ─► ready
 *                               └──── no heartbeat while booting: at a master check (every
 *                                     checkInterval) a boot older than `timeout` is killed, its
 *                                     work leaves the resource, and the slot forks again at once
 *
 * The master forks, then sleeps checkInterval (arbiter.py: spawn_workers, then sleep()'s select
 * with a one-second timeout, restarted by every SIGCHLD that wakes it), so a worker forked at a
 * check is a little older than k x checkInterval at the k-th check after it: it is killed at the
 * first check at which its age reaches the timeout. Measured on gunicorn 20.1 with --timeout 3
 * and 4 workers whose boot takes longer: kills 3.15, 6.39, 9.88 and 13.20 s after the socket
 * listened, a period of the timeout plus the spread of the forks (spawn_workers sleeps up to
 * 0.1 s between forks), not the timeout plus a whole check interval.
 *
 * The resource runs `capacity` initialisations at full speed and shares itself equally among
 * more (processor sharing): n > capacity initialisations each progress at capacity / n. So W
 * workers initialising at once each take time x max(1, W / capacity); when that exceeds the
 * timeout they are all killed, fork again together, and the loop repeats without end.
 *
 * Modes (targets/lifecycle-config.ts): `every-worker` as above; `one-worker`: the first slot to
 * finish loading claims the work and the others skip it (a killed claimant releases it);
 * `background`: a slot is ready after its app load and does the work afterwards, while it serves
 * and notifies, so it is never killed for it. Ties at one instant: app loads and completions come
 * before the master's check.
 */

export interface BootInput {
  /** Worker slots (replicas x workers); all share one resource. */
  slots: number;
  /** Seconds from a fork until the app is loaded (0 with preload). */
  appLoadTime: number;
  init: { time: number; mode: InitMode; capacity: number } | null;
  /** Seconds a booting worker may live before a check kills it; 0 never. */
  timeout: number;
  /** Seconds between the master's checks, the first at checkInterval. */
  checkInterval: number;
  /** Simulate up to this instant; a slot not ready by then gets Infinity. */
  horizon: number;
}

export interface BootSlot {
  /** When the slot's worker first accepted; Infinity if never within the horizon. */
  readyAt: number;
  /** When its start-up work finished (or was skipped); Infinity if never. */
  initialisedAt: number;
  /** Times its booting worker was killed. */
  kills: number;
  /** Every fork of the slot, the first at 0. */
  forks: number[];
}

export interface BootSchedule {
  slots: BootSlot[];
  firstReady: number;
  lastReady: number;
  kills: number;
  /** Slots killed more than once: a restart loop. */
  restartLoops: number;
  /** Slots never ready within the horizon. */
  neverReady: number;
  /** When the last start-up work finished; Infinity if some never did. */
  lastInitialised: number;
}

type Phase = 'loading' | 'initialising' | 'ready';

export function simulateBoots(input: BootInput): BootSchedule {
  const { slots: n, init } = input;
  const capacity = init?.capacity ?? 1;
  const phase: Phase[] = new Array(n).fill('loading');
  const forkedAt = new Float64Array(n);
  const loadedAt = new Float64Array(n).fill(input.appLoadTime);
  const out: BootSlot[] = Array.from({ length: n }, () => ({
    readyAt: Number.POSITIVE_INFINITY,
    initialisedAt: Number.POSITIVE_INFINITY,
    kills: 0,
    forks: [0],
  }));
  // The shared resource: remaining work per slot whose job is in it (NaN when none).
  const left = new Float64Array(n).fill(Number.NaN);
  /** The job in the resource belongs to the slot's boot (true) or runs in the background. */
  const blocking = new Uint8Array(n);
  let jobs = 0;
  let clock = 0;
  let claimant = -1;
  let onceDone = false;
  const rate = (): number => (jobs <= capacity ? 1 : capacity / jobs);
  const advance = (now: number): void => {
    const done = (now - clock) * rate();
    if (jobs > 0 && done > 0)
      for (let s = 0; s < n; s++)
        if (!Number.isNaN(left[s] as number)) left[s] = (left[s] as number) - done;
    clock = now;
  };
  const nextCompletion = (): number => {
    let least = Number.POSITIVE_INFINITY;
    for (let s = 0; s < n; s++)
      if (!Number.isNaN(left[s] as number)) least = Math.min(least, left[s] as number);
    return least === Number.POSITIVE_INFINITY ? least : clock + Math.max(0, least) / rate();
  };
  const startJob = (s: number, work: number, boot: boolean): void => {
    left[s] = work;
    blocking[s] = boot ? 1 : 0;
    jobs++;
  };
  const dropJob = (s: number): void => {
    if (Number.isNaN(left[s] as number)) return;
    left[s] = Number.NaN;
    jobs--;
  };
  const ready = (s: number, now: number): void => {
    phase[s] = 'ready';
    const slot = out[s] as BootSlot;
    if (slot.readyAt === Number.POSITIVE_INFINITY) slot.readyAt = now;
  };
  const initialised = (s: number, now: number): void => {
    const slot = out[s] as BootSlot;
    if (slot.initialisedAt === Number.POSITIVE_INFINITY) slot.initialisedAt = now;
  };
  const loaded = (s: number, now: number): void => {
    if (init === null) {
      initialised(s, now);
      ready(s, now);
      return;
    }
    if (init.mode === 'background') {
      ready(s, now);
      startJob(s, init.time, false);
      return;
    }
    if (init.mode === 'one-worker' && (onceDone || claimant !== -1)) {
      initialised(s, now);
      ready(s, now);
      return;
    }
    if (init.mode === 'one-worker') claimant = s;
    phase[s] = 'initialising';
    startJob(s, init.time, true);
  };
  const kill = (s: number, now: number): void => {
    dropJob(s);
    if (claimant === s) claimant = -1;
    const slot = out[s] as BootSlot;
    slot.kills++;
    slot.forks.push(now);
    phase[s] = 'loading';
    forkedAt[s] = now;
    loadedAt[s] = now + input.appLoadTime;
  };

  let nextCheck = input.timeout > 0 ? input.checkInterval : Number.POSITIVE_INFINITY;
  for (;;) {
    let tLoad = Number.POSITIVE_INFINITY;
    for (let s = 0; s < n; s++)
      if (phase[s] === 'loading') tLoad = Math.min(tLoad, loadedAt[s] as number);
    const tDone = nextCompletion();
    const now = Math.min(tLoad, tDone, nextCheck);
    if (now > input.horizon || now === Number.POSITIVE_INFINITY) break;
    advance(now);
    if (tLoad === now) {
      for (let s = 0; s < n; s++) if (phase[s] === 'loading' && loadedAt[s] === now) loaded(s, now);
    } else if (tDone === now) {
      for (let s = 0; s < n; s++) {
        if (Number.isNaN(left[s] as number) || (left[s] as number) > 1e-9) continue;
        dropJob(s);
        initialised(s, now);
        if (blocking[s] === 1) {
          if (claimant === s) {
            onceDone = true;
            claimant = -1;
          }
          ready(s, now);
        }
      }
    } else {
      for (let s = 0; s < n; s++) {
        // Forked before the master's sleep began: at this check its age has reached the timeout.
        if (phase[s] !== 'ready' && now - (forkedAt[s] as number) >= input.timeout - 1e-9)
          kill(s, now);
      }
      nextCheck += input.checkInterval;
    }
  }

  const readyTimes = out.map((s) => s.readyAt);
  return {
    slots: out,
    firstReady: Math.min(...readyTimes),
    lastReady: Math.max(...readyTimes),
    kills: out.reduce((sum, s) => sum + s.kills, 0),
    restartLoops: out.filter((s) => s.kills > 1).length,
    neverReady: readyTimes.filter((t) => t === Number.POSITIVE_INFINITY).length,
    lastInitialised: Math.max(...out.map((s) => s.initialisedAt)),
  };
}
