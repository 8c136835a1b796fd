import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from './package-root.js';
import { PARENT_PID_ENV } from './parent-pid.js';
import type { ServerConfig } from './protocol.js';

/**
 * A target whose parent died between the fork and the moment the target asked the kernel to
 * kill it with its parent would be orphaned for good (nobody left to deliver the signal). It
 * must notice and exit: the pid its parent had when forking (PARENT_PID_ENV) is no longer its
 * parent. Simulated here by giving it a pid that is not its parent's.
 */

const config: ServerConfig = {
  kind: 'flask-dev',
  replica: 0,
  host: '127.0.0.1',
  port: 0,
  backlog: 16,
  workers: 1,
  threads: 1,
  workerConnections: 1000,
  keepAliveMs: 1000,
  service: { work: 'sleep', ms: 1 },
};

function startFlask(parentPid: string) {
  const child = fork(
    join(packageRoot(), 'dist', 'targets', 'flask-dev.js'),
    [JSON.stringify(config)],
    {
      env: { ...process.env, [PARENT_PID_ENV]: parentPid },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    },
  );
  const messages: unknown[] = [];
  child.on('message', (m) => messages.push(m));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, messages, exited };
}

test('a target whose parent is not the one that forked it exits at once, before listening', {
  timeout: 20_000,
}, async (t) => {
  // A pid that is nobody's: the parent that forked it "died" and the target was reaped.
  const target = startFlask('2147483646');
  t.after(() => target.child.kill('SIGKILL'));
  assert.equal(await target.exited, 1);
  assert.deepEqual(target.messages, [], 'it never said it was ready');
});

test('a target forked by its parent starts as usual', async (t) => {
  const target = startFlask(String(process.pid));
  t.after(() => target.child.kill('SIGKILL'));
  await new Promise<void>((resolve) => target.child.on('message', () => resolve()));
  assert.equal((target.messages[0] as { type: string }).type, 'ready');
});
