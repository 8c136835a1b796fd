import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../harness/supervise/process-tree.js';
import { findProgram } from '../../harness/supervise/programs.js';
import { startTopology } from '../../harness/supervise/start-topology.js';
import { Supervisor } from '../../harness/supervise/supervisor.js';
import { testTopologySpec } from '../test-support/fixtures.js';
import { LeaseStore } from './lease-store.js';
import { type Election, type JobEvent, monotonicUs } from './protocol.js';

/**
 * The scheduled job in real worker processes under the emulated gunicorn arbiter: every worker
 * running its own scheduler, and the two elections with their leader killed by SIGKILL. The
 * checks are on counts, identities and orderings that hold however slow the machine is; the only
 * waits are generous deadlines.
 */

const skipSqlite =
  findProgram('sqlite3') === undefined && process.env.CI === undefined
    ? 'sqlite3 is not installed (apt-get install -y sqlite3): the lease test is skipped'
    : false;
if (skipSqlite) console.warn(`\n*** ${skipSqlite} ***\n`);

const INTERVAL_US = 100_000;

interface Jobs {
  dir: string;
  readyUs: number;
  events(): Promise<JobEvent[]>;
}

async function startJobs(
  t: { after(fn: () => Promise<void>): void },
  shape: { workers: number; replicas: number },
  election: Election,
  timing: { leaseUs?: number; renewUs?: number; retryUs?: number } = {},
): Promise<Jobs> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-scheduler-'));
  const runsFile = join(dir, 'runs.ndjson');
  await writeFile(runsFile, '');
  const supervisor = new Supervisor();
  t.after(async () => {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  });
  await startTopology(testTopologySpec({ name: 'jobs', kind: 'sync', backlog: 128, ...shape }), {
    supervisor,
    timeScale: 1,
    service: { work: 'sleep', ms: 1 },
    readyTimeoutMs: 30_000,
    app: (replica) => ({
      scheduler: {
        election,
        intervalUs: INTERVAL_US,
        runsFile,
        ...(election === 'file-lock' ? { lockPath: join(dir, `replica-${replica}.lock`) } : {}),
        ...(election === 'lease' ? { lockPath: join(dir, 'lease.db') } : {}),
        ...timing,
      },
    }),
  });
  const readyUs = monotonicUs();
  return {
    dir,
    readyUs,
    async events() {
      const text = await readFile(runsFile, 'utf8');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as JobEvent);
    },
  };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs by slot, for the slots after `fromUs` that are at least `settledUs` in the past. */
function runsBySlot(
  events: readonly JobEvent[],
  fromUs: number,
  settledUs: number,
): Map<number, JobEvent[]> {
  const now = monotonicUs();
  const slots = new Map<number, JobEvent[]>();
  for (const e of events) {
    if (e.type !== 'run' || e.slotUs === undefined) continue;
    if (e.slotUs <= fromUs || e.slotUs > now - settledUs) continue;
    slots.set(e.slotUs, [...(slots.get(e.slotUs) ?? []), e]);
  }
  return slots;
}

test('without an election every worker of every replica runs the job in every slot', async (t) => {
  const jobs = await startJobs(t, { workers: 2, replicas: 2 }, 'none');
  // Slots a full second old: any worker that was alive at a slot has recorded its run by then.
  const slots = await waitFor('five settled slots', async () => {
    const bySlot = runsBySlot(await jobs.events(), jobs.readyUs, 1_000_000);
    return bySlot.size >= 5 ? bySlot : undefined;
  });
  for (const [slot, runs] of slots) {
    const who = runs.map((r) => `${r.replica}/${r.worker}`).sort();
    assert.deepEqual(who, ['0/0', '0/1', '1/0', '1/1'], `slot ${slot}`);
    assert.equal(new Set(runs.map((r) => r.pid)).size, 4, `slot ${slot}: four processes`);
  }
});

test("a file lock elects one worker per replica, and a killed leader's lock passes on at once", async (t) => {
  const jobs = await startJobs(t, { workers: 3, replicas: 2 }, 'file-lock', { retryUs: 50_000 });
  const leaders = await waitFor('a leader in each replica', async () => {
    const events = await jobs.events();
    const found = [0, 1].map((r) => events.find((e) => e.type === 'leader' && e.replica === r));
    return found.every((e) => e !== undefined) ? (found as JobEvent[]) : undefined;
  });
  const victim = leaders[0] as JobEvent;
  await sleep(500);
  const killUs = monotonicUs();
  process.kill(victim.pid, 'SIGKILL');
  const successor = await waitFor('another leader in replica 0', async () =>
    (await jobs.events()).find(
      (e) => e.type === 'leader' && e.replica === 0 && e.pid !== victim.pid,
    ),
  );
  assert.ok(successor.atUs >= killUs, 'another worker took the lock while its holder lived');
  assert.notEqual(successor.pid, victim.pid);
  await waitFor('a run by the successor', async () =>
    (await jobs.events()).find((e) => e.type === 'run' && e.pid === successor.pid),
  );
  // Slots two seconds old count as settled: on a machine whose cores other work keeps busy a
  // leader's timer may record its run over a second after the slot.
  await sleep(2_200);
  const events = await jobs.events();
  assert.ok(
    !events.some((e) => e.pid === victim.pid && e.atUs > killUs + 1_000),
    'the killed leader kept running the job',
  );
  // Never more than one run per replica in a slot, and each replica's leader ran every settled
  // slot away from the kill.
  const slots = runsBySlot(events, jobs.readyUs, 2_000_000);
  assert.ok(slots.size >= 5, `only ${slots.size} settled slots`);
  for (const [slot, runs] of slots) {
    const replicas = runs.map((r) => r.replica).sort();
    if (slot < killUs - 100_000 || slot > successor.atUs)
      assert.deepEqual(replicas, [0, 1], `slot ${slot}: one run per replica`);
    else assert.ok(new Set(replicas).size === replicas.length, `slot ${slot}: a duplicate`);
  }
});

test('a killed lease holder keeps the job until its lease expires, then another worker takes over', {
  skip: skipSqlite,
}, async (t) => {
  const jobs = await startJobs(t, { workers: 3, replicas: 1 }, 'lease', {
    leaseUs: 800_000,
    renewUs: 200_000,
    retryUs: 100_000,
  });
  const victim = await waitFor('a leader that ran the job', async () =>
    (await jobs.events()).find((e) => e.type === 'run'),
  );
  const store = new LeaseStore(join(jobs.dir, 'lease.db'));
  t.after(async () => store.close());
  const victimHolder = `replica ${victim.replica} worker ${victim.worker} pid ${victim.pid}`;
  assert.equal((await store.read()).holder, victimHolder);
  const killUs = monotonicUs();
  process.kill(victim.pid, 'SIGKILL');
  // The row keeps naming the dead holder until someone takes it; its last expiry is the earliest
  // instant anyone may (a renewal the victim sent just before it died may still land).
  let expiresUs = 0;
  const taken = await waitFor('the lease taken by another worker', async () => {
    const row = await store.read();
    if (row.holder === victimHolder) {
      expiresUs = row.expiresUs;
      return undefined;
    }
    return row;
  });
  assert.ok(expiresUs > killUs, 'the lease had expired before its holder was killed');
  assert.notEqual(taken.holder, victimHolder);
  // The new holder writes the row, then reports that it leads: wait for the report too.
  const successor = await waitFor('a report of the new leader', async () =>
    (await jobs.events()).find(
      (e) => e.type === 'leader' && e.pid !== victim.pid && e.atUs > killUs,
    ),
  );
  const events = await jobs.events();
  assert.ok(
    successor.atUs >= expiresUs,
    `taken over ${(expiresUs - successor.atUs) / 1000} ms before the lease expired`,
  );
  assert.ok(!isAlive(victim.pid));
  // Nobody ran the job between the kill and the expiry; never two runs in one slot.
  assert.ok(
    !events.some((e) => e.type === 'run' && e.atUs > killUs && e.atUs < expiresUs),
    'a run while the dead holder still had the lease',
  );
  const perSlot = new Map<number, number>();
  for (const e of events)
    if (e.type === 'run' && e.slotUs !== undefined)
      perSlot.set(e.slotUs, (perSlot.get(e.slotUs) ?? 0) + 1);
  assert.ok(
    [...perSlot.values()].every((n) => n === 1),
    'a slot ran twice',
  );
});
