/**
 * Entry point: an emulated gunicorn master (the arbiter), or uvicorn's supervisor for kind
 * `async`. It opens the listening socket, gives `workers` worker processes that all accept from
 * it (gunicorn/arbiter.py `spawn_worker`), and gives a worker slot a new process whenever its
 * worker exits while the server is meant to be running. It serves nothing itself. gunicorn runs
 * the sync worker class with threads > 1 as gthread; the harness resolves that before it starts
 * an arbiter.
 *
 * Node cannot fork(): a worker process takes tens of milliseconds to start, where gunicorn's
 * fork takes about one. So the arbiter starts worker processes ahead ("forked", waiting), and
 * activating one stands for the fork. When workers recycle or can be killed, it keeps as many
 * spare processes as it has workers, so that even a replacement of every worker at once starts
 * at fork speed; what a replacement then spends before it accepts is what gunicorn's does: the
 * app load (targets/worker-boot.ts), nothing with --preload.
 *
 * With a timeout, the arbiter checks every `checkMs` that each worker notified within
 * `timeoutMs` (gunicorn's murder_workers against the worker's heartbeat file) and kills the ones
 * that did not. As gunicorn's master, it checks again at once when a worker exits, gives the slot
 * its new process, and only then starts waiting `checkMs` (its sleep() is a select with a
 * one-second timeout that every SIGCHLD wakes): a replacement that cannot boot within the
 * timeout is killed at the check `timeoutMs` after it was forked, not one check later. gunicorn sends SIGABRT, then SIGKILL at the next check if needed; the emulation
 * sends SIGKILL at once: either way the worker's work is lost and its slot gets a new process.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { bindToParent, listenOrExit, tell } from './lifecycle.js';
import { monotonicUs, NO_LIFECYCLE, type WorkerExitReason } from './lifecycle-config.js';
import { forkEnv } from './parent-pid.js';
import {
  INHERITED_LISTEN_FD,
  isTargetMessage,
  readConfig,
  type ServerConfig,
  type WorkerConfig,
} from './protocol.js';

const config = readConfig<ServerConfig>(process.argv);
const lifecycle = config.lifecycle ?? NO_LIFECYCLE;
const workerEntry = fileURLToPath(new URL('./worker.js', import.meta.url));
/** Spare processes kept ready: one per worker when workers come and go during a run. */
const SPARES = lifecycle.maxRequests > 0 || lifecycle.timeoutMs > 0 ? config.workers : 0;

interface Slot {
  worker: number;
  child: ChildProcess | null;
  ready: boolean;
  lastNotifyUs: number;
  killed: boolean;
}

const slots: Slot[] = Array.from({ length: config.workers }, (_, worker) => ({
  worker,
  child: null,
  ready: false,
  lastNotifyUs: 0,
  killed: false,
}));
/** Processes up and waiting to be activated. */
const spares: ChildProcess[] = [];
/** Processes started but not yet up. */
const starting = new Set<ChildProcess>();
/** Slots waiting for a process. */
const waiting: Slot[] = [];
let stopping = false;
let announced = false;
let checker: NodeJS.Timeout | undefined;

bindToParent(() => {
  stopping = true;
  if (checker !== undefined) clearInterval(checker);
  const all = (): ChildProcess[] => [
    ...slots.flatMap((s) => (s.child === null ? [] : [s.child])),
    ...spares,
    ...starting,
  ];
  for (const child of all()) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of all()) child.kill('SIGKILL');
    process.exit(0);
  }, 2_000);
  const check = setInterval(() => {
    if (all().every((child) => child.exitCode !== null || child.signalCode !== null)) {
      clearTimeout(deadline);
      clearInterval(check);
      process.exit(0);
    }
  }, 10);
});

// --preload: the master imports the app before it binds and forks (gunicorn/arbiter.py setup()).
if (lifecycle.preload && lifecycle.appLoadMs > 0) await sleep(lifecycle.appLoadMs);
const listening = listenOrExit(config.host, config.port, config.backlog);

function workerConfig(): WorkerConfig {
  const out: WorkerConfig = {
    kind: config.kind === 'sync' || config.kind === 'async' ? config.kind : 'gthread',
    replica: config.replica,
    worker: -1,
    threads: config.threads,
    workerConnections: config.workerConnections,
    keepAliveMs: config.keepAliveMs,
    service: config.service,
    fd: INHERITED_LISTEN_FD,
    ...(config.app === undefined ? {} : { app: config.app }),
    backlog: config.backlog,
  };
  if (config.lifecycle !== undefined) out.lifecycle = config.lifecycle;
  if (config.asyncWorker !== undefined) out.asyncWorker = config.asyncWorker;
  return out;
}

/** Starts a worker process; it waits, up, until it is activated. */
function startProcess(): void {
  // stdio[3] puts the listening socket at descriptor 3 in the worker.
  const child = fork(workerEntry, [JSON.stringify(workerConfig())], {
    stdio: ['ignore', 'inherit', 'inherit', listening.fd, 'ipc'],
    execArgv: process.execArgv,
    env: forkEnv(),
  });
  starting.add(child);
  const slotOf = (): Slot | undefined => slots.find((s) => s.child === child);
  child.on('message', (message) => {
    if (!isTargetMessage(message)) return;
    if (message.type === 'forked') {
      starting.delete(child);
      const slot = waiting.shift();
      if (slot !== undefined && !stopping) activate(child, slot);
      else spares.push(child);
      maybeActivateInitial();
      return;
    }
    const slot = slotOf();
    if (slot === undefined) return;
    if (message.type === 'notify') slot.lastNotifyUs = monotonicUs();
    else if (message.type === 'worker-ready') {
      slot.ready = true;
      tell({ ...message, atUs: message.atUs ?? monotonicUs() });
      if (!announced && slots.every((s) => s.ready)) announce();
    } else if (message.type === 'worker-initialised') tell(message);
  });
  child.on('exit', (code, signal) => {
    starting.delete(child);
    const spare = spares.indexOf(child);
    if (spare >= 0) spares.splice(spare, 1);
    const slot = slotOf();
    if (slot === undefined) {
      // A process that died before it was activated: keep the pool whole. Before the first
      // activation the pool is the workers and spares the first start waits for, so the dead
      // one is started again (gunicorn's master, too, spawns until it has its workers);
      // otherwise the server never came up.
      if (stopping) return;
      if (initialDone) replenish();
      else startProcess();
      return;
    }
    const reason: WorkerExitReason = slot.killed
      ? 'timeout'
      : code === 0 && signal === null
        ? 'max-requests'
        : 'crash';
    slot.child = null;
    slot.ready = false;
    slot.killed = false;
    tell({
      type: 'worker-exit',
      worker: slot.worker,
      pid: child.pid ?? -1,
      code,
      signal,
      atUs: monotonicUs(),
      reason,
    });
    if (stopping) return;
    if (checker !== undefined) checkWorkers();
    give(slot);
    if (checker !== undefined) startChecks();
  });
}

/** The fork: a waiting process becomes the slot's worker, with its own request limit. */
function activate(child: ChildProcess, slot: Slot): void {
  slot.child = child;
  slot.ready = false;
  slot.killed = false;
  // gunicorn draws the jitter per worker, before the fork (workers/base.py randint).
  const limit =
    lifecycle.maxRequests > 0
      ? lifecycle.maxRequests + Math.floor(Math.random() * (lifecycle.maxRequestsJitter + 1))
      : 0;
  const atUs = monotonicUs();
  // The heartbeat file is created before the fork: the timeout runs from here.
  slot.lastNotifyUs = atUs;
  child.send(
    { type: 'activate', worker: slot.worker, maxRequests: limit },
    undefined,
    undefined,
    () => {},
  );
  tell({ type: 'worker-spawn', worker: slot.worker, pid: child.pid ?? -1, atUs });
}

/** Gives a slot a process: a spare at once, or the next one to come up. */
function give(slot: Slot): void {
  const spare = spares.shift();
  if (spare !== undefined) activate(spare, slot);
  else {
    waiting.push(slot);
    if (starting.size < waiting.length) startProcess();
  }
  replenish();
}

/** Starts processes until the spares (and those on their way) number SPARES. */
function replenish(): void {
  if (!initialDone) return;
  while (spares.length + starting.size - waiting.length < SPARES) startProcess();
}

function announce(): void {
  announced = true;
  const workerPids = slots.map((s) => s.child?.pid ?? -1);
  tell({ type: 'ready', port: listening.port, pid: process.pid, workerPids });
}

// First start: every worker's process and every spare comes up, then the workers are activated
// at the same instant, the arbiter's fork loop (and, when the load starts on listening, its time
// zero). Starting the spares first keeps their start-up off the cores while the workers boot.
let initialDone = false;
function maybeActivateInitial(): void {
  if (initialDone || spares.length < config.workers + SPARES) return;
  initialDone = true;
  for (const slot of slots) activate(spares.shift() as ChildProcess, slot);
  if (lifecycle.announce === 'listening') announce();
  if (lifecycle.timeoutMs > 0) startChecks();
  replenish();
}

/** gunicorn's murder_workers: kills each worker that has not notified within the timeout. */
function checkWorkers(): void {
  const now = monotonicUs();
  for (const slot of slots) {
    if (slot.child === null || slot.killed) continue;
    if (now - slot.lastNotifyUs > lifecycle.timeoutMs * 1000) {
      slot.killed = true;
      slot.child.kill('SIGKILL');
    }
  }
}

/** (Re)starts the master's wait: the next check comes `checkMs` from now. */
function startChecks(): void {
  if (checker !== undefined) clearInterval(checker);
  checker = setInterval(checkWorkers, lifecycle.checkMs);
}

for (let i = 0; i < config.workers + SPARES; i++) startProcess();
