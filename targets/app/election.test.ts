import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { descendants, isAlive } from '../../harness/supervise/process-tree.js';
import { findProgram } from '../../harness/supervise/programs.js';
import { tryLockFile } from '../native/file-lock.js';
import { LeaseStore } from './lease-store.js';

/**
 * The locks the scheduler's leader elections rest on, each held by a separate process that is
 * then killed with SIGKILL, as a crashed worker would be.
 */

const fixture = fileURLToPath(new URL('./fixtures/hold-lock.js', import.meta.url));
const skipSqlite =
  findProgram('sqlite3') === undefined && process.env.CI === undefined
    ? 'sqlite3 is not installed (apt-get install -y sqlite3): the lease tests are skipped'
    : false;
if (skipSqlite) console.warn(`\n*** ${skipSqlite} ***\n`);

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-election-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the fixture and resolves with the child once it reported whether it holds. */
async function holder(
  t: { after(fn: () => void): void },
  spec: object,
): Promise<{ child: ChildProcess; held: boolean }> {
  const child = fork(fixture, [JSON.stringify(spec)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  t.after(() => {
    child.kill('SIGKILL');
  });
  const held = await new Promise<boolean>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { held: boolean }).held));
    child.once('exit', (code) => reject(new Error(`fixture exited (code ${code})`)));
  });
  return { child, held };
}

async function kill(child: ChildProcess): Promise<void> {
  const pid = child.pid as number;
  const helpers = descendants(pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  // Its helpers (a lease holder's sqlite3) die with it: the parent-death signal, a closed stdin.
  for (let i = 0; i < 200 && helpers.some(isAlive); i++) await sleep(10);
  assert.deepEqual(helpers.filter(isAlive), [], 'helpers of the killed holder still run');
}

test('a killed holder loses its file lock at once, and only then can another process take it', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'scheduler.lock');
  const first = await holder(t, { lock: file });
  assert.equal(first.held, true);
  // Another process, and another open file of this one, cannot take it while the holder lives.
  const second = await holder(t, { lock: file });
  assert.equal(second.held, false);
  const fd = openSync(file, 'a');
  t.after(() => closeSync(fd));
  assert.equal(tryLockFile(fd), false);
  await kill(first.child);
  assert.equal(tryLockFile(fd), true, 'the lock was not released when its holder died');
  // Now this process holds it: a new process cannot take it.
  const third = await holder(t, { lock: file });
  assert.equal(third.held, false);
});

test('a lease outlives its killed holder until it expires, then another holder takes it', {
  skip: skipSqlite,
}, async (t) => {
  const dir = await tempDir(t);
  const db = join(dir, 'lease.db');
  // Instants are given, not read from a clock: the row compares the numbers it is sent.
  const first = await holder(t, { lease: db, holder: 'a', nowUs: 1_000_000, leaseUs: 500_000 });
  assert.equal(first.held, true);
  await kill(first.child);
  const store = new LeaseStore(db);
  t.after(() => store.close());
  assert.deepEqual(await store.read(), { holder: 'a', expiresUs: 1_500_000 });
  assert.equal(await store.acquire('b', 1_499_999, 500_000), false, 'taken before it expired');
  assert.equal(await store.acquire('b', 1_500_000, 500_000), true, 'not taken once expired');
  assert.deepEqual(await store.read(), { holder: 'b', expiresUs: 2_000_000 });
});

test('only the holder renews a lease, and a renewal moves its expiry', {
  skip: skipSqlite,
}, async (t) => {
  const dir = await tempDir(t);
  const a = new LeaseStore(join(dir, 'lease.db'));
  const b = new LeaseStore(join(dir, 'lease.db'));
  t.after(() => {
    a.close();
    b.close();
  });
  assert.equal(await a.acquire("worker 'a'", 0, 100), true);
  assert.equal(await b.acquire('b', 50, 100), false);
  assert.equal(await a.acquire("worker 'a'", 80, 100), true);
  assert.equal(await b.acquire('b', 150, 100), false, 'the renewal did not move the expiry to 180');
  assert.equal(await b.acquire('b', 180, 100), true);
  assert.equal(await a.acquire("worker 'a'", 190, 100), false);
  assert.deepEqual(await a.read(), { holder: 'b', expiresUs: 280 });
});
