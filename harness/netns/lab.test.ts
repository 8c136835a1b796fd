import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLab, NETNS_PREFIX, netnsSupport, ownNamespaces } from './lab.js';

/**
 * The network-namespace lab: hosts that reach each other by their own addresses and nothing
 * else, and that are always deleted. Skipped, with the reason printed, only where the machine
 * cannot make namespaces (not Linux, not root, no iproute2, a container that refuses them).
 */

const support = netnsSupport();
const skip = support.ok ? false : `network namespaces cannot be created here: ${support.reason}`;
if (skip !== false) process.stderr.write(`SKIPPED netns tests: ${skip}\n`);

const self = fileURLToPath(new URL('./lab.js', import.meta.url));

function listNamespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${NETNS_PREFIX}-`));
}

/** Runs `code` with node inside a namespace; returns its stdout (trimmed) and exit status. */
function nodeIn(ns: string, code: string): { status: number | null; out: string } {
  const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', code], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}`.trim() };
}

test('each shard reaches the target by its address, from its own address, and nothing else', {
  skip,
}, async (t) => {
  const lab = createLab(2);
  t.after(() => lab.destroy());
  // A server in the target's namespace that answers with the address the request came from.
  const server = spawn(
    'ip',
    [
      'netns',
      'exec',
      lab.target.ns,
      process.execPath,
      '-e',
      `require('node:http').createServer((q, s) => s.end(q.socket.remoteAddress)).listen(8080, '${lab.target.address}', () => console.log('ready'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => {
    server.kill('SIGKILL');
  });
  const [chunk] = (await once(server.stdout, 'data')) as [Buffer];
  assert.equal(chunk.toString().trim(), 'ready');
  for (const shard of lab.shards) {
    const got = nodeIn(
      shard.ns,
      `fetch('http://${lab.target.address}:8080/').then(r => r.text()).then(t => console.log(t), e => { console.log('ERR', e.cause?.code ?? e.message); process.exitCode = 2; })`,
    );
    assert.equal(got.status, 0, got.out);
    assert.equal(got.out, shard.address, 'the target sees the shard by its own address');
  }
  // Isolation: the target's server is not on the shard's loopback, nor on the machine's.
  const own = nodeIn(
    lab.shards[0]?.ns ?? '',
    "fetch('http://127.0.0.1:8080/').then(() => console.log('reached'), e => console.log(e.cause?.code ?? e.message))",
  );
  assert.equal(own.out, 'ECONNREFUSED');
  assert.deepEqual(
    lab.shards.map((s) => s.address),
    ['10.218.0.10', '10.218.0.11'],
  );
});

test('destroy deletes every namespace the lab made, and the processes left in them', {
  skip,
}, async () => {
  const lab = createLab(3);
  assert.equal(ownNamespaces().length, 4);
  const sleeper = spawn('ip', ['netns', 'exec', lab.shards[1]?.ns ?? '', 'sleep', '60'], {
    stdio: 'ignore',
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const exited = once(sleeper, 'exit');
  lab.destroy();
  lab.destroy();
  await exited;
  assert.deepEqual(ownNamespaces(), []);
  assert.ok(!listNamespaces().some((n) => n.startsWith(lab.target.ns.slice(0, -2))));
});

test('a lab is deleted when its process is stopped by SIGTERM, and swept after SIGKILL', {
  skip,
}, async () => {
  const child = (signal: string) =>
    `import(${JSON.stringify(self)}).then(({ createLab }) => { const lab = createLab(2); console.log(JSON.stringify([lab.target.ns, ...lab.shards.map((s) => s.ns)])); setInterval(() => {}, 1000); process.kill(process.pid, '${signal}'); })`;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const proc = spawn(process.execPath, ['-e', child(signal)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const [, got] = (await once(proc, 'exit')) as [number | null, string | null];
    assert.equal(got, signal);
    const names = JSON.parse(out) as string[];
    assert.equal(names.length, 3);
    if (signal === 'SIGKILL') {
      // No handler ran: the namespaces are there until the next lab is made.
      assert.ok(names.every((n) => listNamespaces().includes(n)));
      createLab(1).destroy();
    }
    const left = listNamespaces().filter((n) => names.includes(n));
    assert.deepEqual(left, [], `${signal}: namespaces left`);
  }
});
