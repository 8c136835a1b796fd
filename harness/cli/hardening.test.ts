import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { spawnCli, startCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * End-to-end checks of issue 17's defects, each run through the CLI as a user meets it: what
 * it prints, its exit code, and that it ends. The times asserted are bounds of seconds on waits
 * the harness sets itself (a grace of 15 s), never a speed.
 */

const root = packageRoot();
const version = (
  JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }
).version;
const HANG = join(root, 'dist', 'harness', 'test-support', 'cli', 'hang.js');

/** A port nothing listens on: bound by the system, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const burst = (extra: Record<string, unknown> = {}) => ({
  name: 'dead',
  timeScale: 1,
  load: { executor: 'burst', users: 4 },
  service: { time: '50ms' },
  topologies: [{ name: 'nothing', kind: 'sync', workers: 1 }],
  ...extra,
});

test('--reports-dir under /proc ends at once with E_REPORTS_DIR naming the directory', async () => {
  const { code, stderr } = await spawnCli(['scenario', 'contest-200', '--reports-dir', '/proc/x']);
  assert.equal(code, 104, stderr);
  assert.match(stderr, /error E_REPORTS_DIR: cannot write to the reports directory \/proc\/x/);
});

test('a reports directory below a file is refused with E_REPORTS_DIR', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'file'), '');
  const { code, stderr } = await spawnCli([
    'scenario',
    'contest-200',
    '--reports-dir',
    join(dir, 'file', 'reports'),
  ]);
  assert.equal(code, 104, stderr);
  assert.match(stderr, /E_REPORTS_DIR.*ENOTDIR/);
});

test('SIGTERM ends a run that is stuck in a call that never returns, within the grace', async (t) => {
  const dir = await tempDir(t);
  const started = startCli(['scenario', 'contest-200', '--reports-dir', join(dir, 'stuck')], {
    preload: [HANG],
    env: { HARNESS_TEST_HANG: join(dir, 'stuck') },
  });
  let stderr = '';
  await new Promise<void>((resolve) => {
    started.child.stderr?.on('data', (d) => {
      stderr += d;
      if (stderr.includes('hanging:')) resolve();
    });
  });
  const sent = Date.now();
  started.child.kill('SIGTERM');
  const finished = await started.done;
  const seconds = (Date.now() - sent) / 1000;
  assert.equal(finished.code, 105, finished.stderr);
  assert.match(
    finished.stderr,
    /error E_ABORTED: run interrupted by SIGTERM; it did not stop within 15 s/,
  );
  assert.ok(seconds < 60, `ended ${seconds.toFixed(1)} s after SIGTERM`);
});

test('limits.runTimeout ends a run that is stuck, with E_RUN_TIMEOUT', async (t) => {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, {
    ...burst(),
    limits: { runTimeout: '1s' },
  });
  const started = Date.now();
  const finished = await spawnCli(['scenario', file, '--reports-dir', join(dir, 'stuck')], {
    preload: [HANG],
    env: { HARNESS_TEST_HANG: join(dir, 'stuck') },
  });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(finished.code, 103, finished.stderr);
  assert.match(finished.stderr, /hanging:/, 'the run was stuck');
  assert.match(finished.stderr, /error E_RUN_TIMEOUT: the run passed limits.runTimeout \(1 s\)/);
  assert.ok(seconds < 90, `ended after ${seconds.toFixed(1)} s`);
});

test('a run where no request succeeded fails with E_NO_SUCCESS, unless the scenario expects errors', async (t) => {
  const dir = await tempDir(t);
  const url = `http://127.0.0.1:${await deadPort()}`;
  const failing = await spawnCli([
    'scenario',
    await writeScenario(dir, burst(), 'dead.json'),
    '--url',
    url,
    '--reports-dir',
    join(dir, 'r'),
    '--no-progress',
  ]);
  assert.equal(failing.code, 103, failing.stderr);
  assert.match(
    failing.stderr,
    /error E_NO_SUCCESS: no request succeeded: nothing at http:\/\/127\.0\.0\.1:\d+: 4 of 4 failed \(refused 4\)/,
  );
  assert.match(failing.stderr, /"expectErrors": true/);
  const expected = await spawnCli([
    'scenario',
    await writeScenario(dir, burst({ expectErrors: true }), 'expected.json'),
    '--url',
    url,
    '--reports-dir',
    join(dir, 'r'),
    '--no-progress',
  ]);
  assert.equal(expected.code, 0, expected.stderr);
});

test('calibrate refuses an unknown --server or --path with the choices, starting nothing', async () => {
  const server = await spawnCli(['calibrate', '--server', 'nonsense']);
  assert.equal(server.code, 104);
  assert.match(
    server.stderr,
    /"nonsense" is not one of: gthread, gunicorn-gthread, async, uvicorn, gunicorn-uvicorn/,
  );
  assert.doesNotMatch(server.stderr, /calibrating/);
  const path = await spawnCli(['calibrate', '--server', 'gthread', '--path', 'sideways']);
  assert.equal(path.code, 104);
  assert.match(path.stderr, /"sideways" is not one of: direct, balanced, haproxy/);
});

test('bench refuses an unknown flag or benchmark and runs nothing', () => {
  const bench = join(root, 'dist', 'harness', 'bench', 'main.js');
  for (const args of [['--jsn'], ['no-such-benchmark'], ['startup', '--fast']]) {
    const run = spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 104, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /error: unknown (option|benchmark)/);
    assert.match(run.stderr, /usage: npm run bench/);
  }
});

test('setup: --help prints its usage and installs nothing; --check and bad options exit as the README says', async (t) => {
  const script = join(root, 'harness', 'setup', 'install-servers.sh');
  // Stand-ins for Debian's tools that record being called: --help must call neither.
  const bin = await tempDir(t);
  for (const tool of ['apt-get', 'dpkg-query'])
    await writeFile(
      join(bin, tool),
      `#!/bin/sh\necho ${tool} >> ${join(bin, 'called')}\nexit 1\n`,
      {
        mode: 0o755,
      },
    );
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const help = spawnSync('bash', [script, '--help'], { encoding: 'utf8', env });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: sudo npm run setup/);
  assert.match(help.stdout, /Exit codes: 0 everything is installed, 103/);
  const unknown = spawnSync('bash', [script, '--chek'], { encoding: 'utf8', env });
  assert.equal(unknown.status, 104);
  assert.match(unknown.stderr, /unknown option --chek/);
  await assert.rejects(readFile(join(bin, 'called')), 'neither apt-get nor dpkg-query ran');
  const missing = spawnSync('bash', [script, '--check'], {
    encoding: 'utf8',
    env: { ...process.env, HARNESS_HAPROXY: '/nonexistent/haproxy' },
  });
  assert.equal(missing.status, 103, missing.stderr);
  assert.match(missing.stderr, /missing|no dpkg/);
});

test('--version answers on every command', async () => {
  for (const args of [
    ['--version'],
    ['scenario', '--version'],
    ['model', '--version'],
    ['compare', '--version'],
    ['report', '--version'],
    ['calibrate', '--version'],
  ]) {
    const run = await spawnCli(args);
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, `${version}\n`, args.join(' '));
  }
  const bench = spawnSync(
    process.execPath,
    [join(root, 'dist', 'harness', 'bench', 'main.js'), '--version'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(bench.stdout, `${version}\n`);
  const setup = spawnSync(
    'bash',
    [join(root, 'harness', 'setup', 'install-servers.sh'), '--version'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(setup.stdout, `${version}\n`);
});

test('a directory given as the scenario is named as one, with files to choose from', async (t) => {
  const dir = await tempDir(t);
  await writeScenario(dir, burst(), 'mine.json');
  const { code, stderr } = await spawnCli(['scenario', dir]);
  assert.equal(code, 104);
  assert.match(stderr, /error E_SCENARIO_NOT_FOUND: scenario ".*" is a directory/);
  assert.match(stderr, /mine\.json/);
  assert.doesNotMatch(stderr, /EISDIR/);
});

/** No byte a terminal would act on: controls other than newline and tab, DEL and C1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('garbage and binary files are refused without echoing their bytes', async (t) => {
  const dir = await tempDir(t);
  // Deterministic bytes of every value, as a random file has.
  const bytes = (n: number, skipZero: boolean) => {
    const out = Buffer.alloc(n);
    let x = 0x2545f491;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = skipZero ? (x & 0xfe) | 1 : x & 0xff;
    }
    return out;
  };
  const cases: Array<[string, Buffer, RegExp]> = [
    ['big.json', bytes(10 * 1024 * 1024, false), /too large for a scenario file/],
    ['binary.json', bytes(4096, false), /a binary file/],
    ['latin.json', bytes(4096, true), /not UTF-8 text/],
    [
      'deep.json',
      Buffer.from(`{"name": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      /nested more than 32 levels deep/,
    ],
    [
      'escapes.json',
      Buffer.from('{"name": "x\\u001b[2J\\u009b", "description": "\\u202e", "nope": \u001b[31m}'),
      /not valid JSON/,
    ],
  ];
  for (const [name, content, expected] of cases) {
    await writeFile(join(dir, name), content);
    const { code, stdout, stderr } = await spawnCli(['scenario', join(dir, name)]);
    assert.equal(code, 104, `${name}: ${stderr}`);
    assert.match(stderr, expected, name);
    assert.doesNotMatch(stdout + stderr, CONTROL, `${name} wrote a control character`);
    assert.ok(stderr.length < 2000, `${name}: ${stderr.length} characters of output`);
  }
});

/** Copies the launcher into `dir` as a checkout of its own, with a build in dist/. */
async function fakeCheckout(dir: string): Promise<string> {
  await mkdir(join(dir, 'harness', 'cli'), { recursive: true });
  await mkdir(join(dir, 'dist', 'harness', 'cli'), { recursive: true });
  for (const file of ['launch.mjs', 'build-state.mjs'])
    await copyFile(join(root, 'harness', 'cli', file), join(dir, 'harness', 'cli', file));
  await writeFile(join(dir, 'harness', 'cli', 'main.ts'), '');
  await writeFile(join(dir, 'dist', 'harness', 'cli', 'main.js'), "console.log('ran');\n");
  const past = new Date(Date.now() - 60_000);
  await utimes(join(dir, 'harness', 'cli', 'main.ts'), past, past);
  return join(dir, 'harness', 'cli', 'launch.mjs');
}

test('the launcher runs a fresh build, and names a stale or missing one with npm run build', async (t) => {
  const dir = await tempDir(t);
  const launcher = await fakeCheckout(dir);
  const run = () =>
    spawnSync(process.execPath, [launcher, 'harness/cli/main.js'], { encoding: 'utf8' });
  const fresh = run();
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.equal(fresh.stdout, 'ran\n');
  await writeFile(join(dir, 'harness', 'cli', 'main.ts'), '// changed\n');
  const stale = run();
  assert.equal(stale.status, 104);
  assert.match(
    stale.stderr,
    /error E_BUILD_STALE: dist\/ is older than the sources \(harness\/cli\/main\.ts changed/,
  );
  assert.match(stale.stderr, /fix: run `npm run build`/);
  assert.equal(stale.stdout, '', 'the stale build did not run');
  await writeFile(join(dir, 'harness', 'new-file.ts'), '');
  assert.match(run().stderr, /harness\/new-file\.ts/, 'a source never compiled is stale too');
  const missing = spawnSync(process.execPath, [launcher, 'harness/cli/main.js'], {
    encoding: 'utf8',
    cwd: dir,
    env: process.env,
  });
  assert.equal(missing.status, 104);
  await mkdir(join(dir, 'empty', 'harness', 'cli'), { recursive: true });
  for (const file of ['launch.mjs', 'build-state.mjs'])
    await copyFile(join(dir, 'harness', 'cli', file), join(dir, 'empty', 'harness', 'cli', file));
  const none = spawnSync(
    process.execPath,
    [join(dir, 'empty', 'harness', 'cli', 'launch.mjs'), 'harness/cli/main.js'],
    { encoding: 'utf8' },
  );
  assert.equal(none.status, 104);
  assert.match(none.stderr, /error E_BUILD_MISSING/);
});

test('two commands side by side, and a build beside them, in one checkout never break each other', async (t) => {
  const dir = await tempDir(t);
  const launcher = join(root, 'harness', 'cli', 'launch.mjs');
  const file = await writeScenario(dir, {
    name: 'side',
    timeScale: 1,
    load: { executor: 'burst', users: 8 },
    service: { time: '50ms' },
    topologies: [{ name: 'sync-2', kind: 'sync', workers: 2 }],
  });
  const command = (reports: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          launcher,
          'harness/cli/main.js',
          'scenario',
          file,
          '--reports-dir',
          join(dir, reports),
          '--no-progress',
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.once('close', (code) => resolve({ code, stderr }));
    });
  const build = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(root, 'harness', 'setup', 'build.mjs')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('close', (code) => resolve({ code, stderr }));
  });
  const [a, b, built] = await Promise.all([command('a'), command('b'), build]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  // And one more after the build swapped dist: the new build runs.
  const after = await command('c');
  assert.equal(after.code, 0, after.stderr);
});
