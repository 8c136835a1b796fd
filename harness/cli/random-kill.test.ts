import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { assertRealServers, skipWithoutRealServers } from '../../targets/real/availability.js';
import { createRandom, deriveSeed, type Random } from '../model/random.js';
import { isAlive } from '../supervise/process-tree.js';
import { TARGET_HOST } from '../supervise/start-topology.js';
import {
  checkRunDir,
  commandOf,
  type Finished,
  latestRunDir,
  startHarness,
  TreeWatch,
  waitFor,
} from '../test-support/cli/watch.js';
import { tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * Kills the harness at random moments of start-up, the run and the report, in every way it can
 * end abruptly (SIGINT, SIGTERM, SIGHUP, SIGKILL, an uncaught exception, Ctrl-C twice), and
 * proves after each kill that no process it started and no port they listened on is left, that
 * every result file under its own name reads whole, and that summary.json says complete only of
 * a run that completed.
 *
 * The moments are drawn from a seeded generator: the seed is printed, and KILL_SEED=<seed>
 * repeats a sequence; KILL_TRIALS sets the number of trials (default 24, every way of ending in
 * every phase at least once).
 */

const SEED = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 32));
const TRIALS = Math.max(18, Number(process.env.KILL_TRIALS ?? 24));
/** Trials against real servers (slower to start): every way of ending in start-up and the run. */
const REAL_TRIALS = Math.max(12, Number(process.env.KILL_REAL_TRIALS ?? 12));

const METHODS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL', 'uncaught', 'SIGINT twice'] as const;
const PHASES = ['start-up', 'run', 'report'] as const;
type Method = (typeof METHODS)[number];
type Phase = (typeof PHASES)[number];

/** What is killed: a scenario of two topologies, and how to tell that the second one runs. */
interface Setup {
  label: string;
  scenario: unknown;
  /** A word in the command line of the second topology's processes. */
  second: string;
  phases: readonly Phase[];
  trials: number;
}

const scenarioOf = (topologies: unknown[]) => ({
  name: 'kill',
  timeScale: 1,
  load: { executor: 'burst', users: 6 },
  service: { time: '150ms' },
  topologies,
  limits: { runTimeout: '1m', requestTimeout: '10s' },
});

/**
 * The emulated servers, about 2 s in all: gunicorn-like sync workers (2 x 2 behind the balancer:
 * 7 processes) and Flask's dev server (1), 6 users at once, 150 ms handlers.
 */
const EMULATED: Setup = {
  label: 'emulated servers',
  scenario: scenarioOf([
    { name: 'sync-2x2', kind: 'sync', workers: 2, replicas: 2 },
    { name: 'flask', kind: 'flask-dev' },
  ]),
  second: 'flask-dev.js',
  phases: PHASES,
  trials: TRIALS,
};

/**
 * Real servers, their launchers and haproxy: gunicorn sync 2 workers x 2 replicas behind haproxy,
 * then Werkzeug; about 3 s. The report step is the same code as for emulated servers.
 */
const REAL: Setup = {
  label: 'real servers and haproxy',
  scenario: scenarioOf([
    { name: 'gunicorn-2x2', kind: 'gunicorn-sync', workers: 2, replicas: 2 },
    { name: 'werkzeug', kind: 'werkzeug' },
  ]),
  second: 'werkzeug',
  phases: ['start-up', 'run'],
  trials: REAL_TRIALS,
};

interface Trial {
  index: number;
  method: Method;
  phase: Phase;
  /** What the moment was drawn after, and the delay drawn. */
  moment: string;
  /** Whether the harness was still running when the kill was sent. */
  landed: boolean;
  finished: Finished;
  processesSeen: number;
  processesLeft: number[];
  socketsLeft: string[];
  socketsSeen: string[];
  runDir: string | undefined;
}

/** Every (method, phase) pair once, then random pairs, in a shuffled order. */
function plan(random: Random, setup: Setup): Array<{ method: Method; phase: Phase }> {
  const { phases } = setup;
  const pairs = METHODS.flatMap((method) => phases.map((phase) => ({ method, phase })));
  while (pairs.length < setup.trials)
    pairs.push({
      method: METHODS[random.int(METHODS.length)] as Method,
      phase: phases[random.int(phases.length)] as Phase,
    });
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j] as (typeof pairs)[number], pairs[i] as (typeof pairs)[number]];
  }
  return pairs;
}

/** Waits for the drawn moment of a phase; says what it waited for. */
async function reachMoment(
  phase: Phase,
  random: Random,
  watch: TreeWatch,
  reports: string,
  setup: Setup,
): Promise<string> {
  const after = async (what: string, predicate: () => boolean, spanMs: number) => {
    const reached = await waitFor(predicate, 30_000, 2);
    const ms = Math.round(random.next() * spanMs);
    await delay(ms);
    return `${reached ? '' : 'never saw '}${what} + ${ms} ms`;
  };
  switch (phase) {
    case 'start-up':
      // Either while the harness itself loads and validates, or while its targets boot.
      return random.next() < 0.5
        ? after('spawn', () => true, 350)
        : after('first target forked', () => watch.live().length > 0, 60);
    case 'run':
      return random.next() < 0.5
        ? after('first topology listening', () => watch.sampleSockets().length > 0, 350)
        : after(
            'second topology started',
            () => watch.live().some((pid) => commandOf(pid).includes(setup.second)),
            900,
          );
    case 'report': {
      // requests.ndjson is committed at the end of the run: what follows is the report.
      const committed = () => {
        const dir = latestRunDir(reports, 'kill');
        return dir !== undefined && existsSync(join(dir, 'requests.ndjson'));
      };
      return after('requests.ndjson committed', committed, 25);
    }
  }
}

async function runTrial(
  index: number,
  method: Method,
  phase: Phase,
  random: Random,
  file: string,
  root: string,
  setup: Setup,
): Promise<Trial> {
  const reports = join(root, `trial-${index}`);
  const run = startHarness(['scenario', file, '--reports-dir', reports], {
    faults: { throwOn: 'SIGUSR2' },
  });
  const watch = new TreeWatch(run.pid);
  try {
    const moment = await reachMoment(phase, random, watch, reports, setup);
    watch.sample();
    // Alive and not a zombie: the kill meets a running harness (a zombie has already exited).
    const landed = isAlive(run.pid);
    switch (method) {
      case 'uncaught':
        run.child.kill('SIGUSR2');
        break;
      case 'SIGINT twice':
        run.child.kill('SIGINT');
        await delay(Math.round(random.next() * 100));
        run.child.kill('SIGINT');
        break;
      default:
        run.child.kill(method);
    }
    const finished = await Promise.race([
      run.done,
      delay(60_000, undefined, { ref: false }).then(() => undefined),
    ]);
    if (finished === undefined) {
      run.child.kill('SIGKILL');
      assert.fail(`trial ${index}: the harness did not end within 60 s of ${method}`);
    }
    const left = await watch.leftovers();
    return {
      index,
      method,
      phase,
      moment,
      landed,
      finished,
      processesSeen: watch.pids.size,
      processesLeft: left.processes,
      socketsLeft: left.sockets.map((s) => `${s.address}:${s.port} ${s.pids}`),
      socketsSeen: [...watch.sockets.keys()],
      runDir: latestRunDir(reports, 'kill'),
    };
  } finally {
    watch.killAll();
  }
}

/** What must hold after every trial, whatever moment the kill met. */
function checkTrial(trial: Trial): void {
  const { finished, method } = trial;
  const where = `trial ${trial.index} (${method} in ${trial.phase}, ${trial.moment}; code ${finished.code}, signal ${finished.signal}; stderr ${JSON.stringify(finished.stderr.slice(-600))})`;
  assert.deepEqual(trial.processesLeft, [], `${where}: processes left`);
  assert.deepEqual(trial.socketsLeft, [], `${where}: listening sockets left`);
  for (const socket of trial.socketsSeen)
    assert.ok(socket.startsWith(`${TARGET_HOST}:`), `${where}: a target listened on ${socket}`);

  // How it ended. A signal that arrives before main.js has installed its handlers (while Node
  // loads the harness) ends the process by the signal's default action: nothing was started.
  const killedEarly = finished.signal !== null && finished.signal !== 'SIGKILL';
  if (killedEarly)
    assert.equal(trial.processesSeen, 0, `${where}: killed early, yet it had targets`);
  const allowed: Record<Method, Array<number | null>> = {
    SIGINT: [105, 0],
    SIGTERM: [105, 0],
    SIGHUP: [105, 0],
    'SIGINT twice': [105, 0],
    SIGKILL: [null, 0],
    uncaught: [1, 0],
  };
  if (!killedEarly) assert.ok(allowed[method].includes(finished.code), `${where}: exit code`);
  // Exit 0 after a kill that landed: Ctrl-C, SIGTERM or SIGHUP after the last topology was
  // measured, which lets the report finish; or a signal (the uncaught exception's SIGUSR2 too)
  // that reached the process as it was calling process.exit, when no handler runs any more. The
  // run is then complete (checked below).
  if (finished.code === 0 && trial.landed)
    assert.ok(
      ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGINT twice'].includes(method) ||
        (method === 'uncaught' && trial.phase === 'report'),
      `${where}: exit 0`,
    );
  if (finished.code !== 1)
    assert.doesNotMatch(finished.stderr, /\n\s+at /, `${where}: a stack trace`);

  // What it left on disk.
  if (trial.runDir === undefined) return;
  const check = checkRunDir(trial.runDir);
  assert.deepEqual(check.damaged, [], `${where}: result files that do not read whole`);
  if (finished.signal !== 'SIGKILL') {
    assert.deepEqual(check.temporary, [], `${where}: temporary files left`);
    assert.equal(check.partialCut, false, `${where}: a .partial file cut mid-line`);
  }
  const summary = check.summary;
  if (summary === undefined) return;
  if (summary.complete) {
    assert.equal(summary.topologies.length, 2, `${where}: complete with a topology missing`);
    for (const topology of summary.topologies)
      assert.equal(topology.status, 'complete', `${where}: complete with ${topology.name} not`);
  }
  if (finished.code === 0) assert.equal(summary.complete, true, `${where}: exit 0, incomplete`);
  if (finished.code === 105) {
    // Interrupted before the summary was final, it says incomplete; Ctrl-C twice during the
    // report quits a run whose measurements were all written, and says so.
    if (summary.complete)
      assert.equal(trial.phase, 'report', `${where}: interrupted, yet complete`);
    assert.match(finished.stderr, /E_ABORTED|again: targets killed/, `${where}: no message`);
  }
}

async function killTrials(t: TestContext, setup: Setup, seed: number): Promise<void> {
  const root = await tempDir(t);
  const file = await writeScenario(root, setup.scenario);
  const random = createRandom(seed);
  t.diagnostic(
    `${setup.label}: seed ${seed}, drawn from KILL_SEED=${SEED}, which repeats these trials`,
  );
  const trials: Trial[] = [];
  for (const [index, { method, phase }] of plan(random, setup).entries()) {
    const trial = await runTrial(index, method, phase, random, file, root, setup);
    trials.push(trial);
    t.diagnostic(
      `trial ${index}: ${method} in ${phase} at ${trial.moment}: ${trial.landed ? 'landed' : 'after the end'}, code ${trial.finished.code} signal ${trial.finished.signal}, ${trial.processesSeen} processes seen, ${trial.processesLeft.length} left`,
    );
    checkTrial(trial);
  }
  const landed = trials.filter((trial) => trial.landed);
  const byPhase = setup.phases
    .map((phase) => `${phase} ${landed.filter((trial) => trial.phase === phase).length}`)
    .join(', ');
  t.diagnostic(
    `${setup.label}: ${trials.length} trials (seed ${seed}), ${landed.length} landed before the harness ended (${byPhase}); processes seen ${trials.reduce((n, trial) => n + trial.processesSeen, 0)}, left ${trials.reduce((n, trial) => n + trial.processesLeft.length, 0)}`,
  );
  // Each phase was really hit, not only aimed at.
  for (const phase of setup.phases)
    assert.ok(
      landed.some((trial) => trial.phase === phase),
      `no kill landed in ${phase} (seed ${seed})`,
    );
  assert.ok(
    landed.some((trial) => trial.processesSeen > 0 && trial.phase === 'run'),
    'kills landed while targets ran',
  );
}

test(
  `the harness killed at ${TRIALS} random moments leaves no process, no port and no half file`,
  {
    timeout: 600_000,
  },
  (t) => killTrials(t, EMULATED, SEED),
);

test(`with real servers and haproxy, ${REAL_TRIALS} random kills leave no process and no port`, {
  skip: skipWithoutRealServers(),
  timeout: 600_000,
}, (t) => {
  assertRealServers();
  return killTrials(t, REAL, deriveSeed(SEED, 1));
});
