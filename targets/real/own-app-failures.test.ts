import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExitCode } from '../../harness/exit-codes.js';
import { spawnCli, tempDir } from '../../harness/test-support/spawn-cli.js';
import { assertRealServers, skipWithoutRealServers } from './availability.js';

/**
 * A user's own app that cannot start, through the CLI as a user meets it: each case ends with its
 * documented code, the field to fix and the server's own last lines, leaves no process running
 * (none has its working directory in the app's), and keeps what was measured before it.
 *
 * The app is written here, in a temporary directory with its own package, as a user's would be:
 * nothing of it is in the harness's tree.
 */

const skip = skipWithoutRealServers();

const SHOP = {
  '__init__.py': '',
  'web.py': [
    'import time',
    'from flask import Flask',
    'app = Flask(__name__)',
    '@app.get("/")',
    'def index():',
    '    return "ok"',
    '',
  ].join('\n'),
  'api.py': [
    'from fastapi import FastAPI',
    'app = FastAPI()',
    '@app.get("/")',
    'async def index():',
    '    return {"ok": True}',
    '',
  ].join('\n'),
  'needs_missing.py': 'import package_nobody_installed\napp = None\n',
  'raises.py': 'raise RuntimeError("the database is not configured")\n',
};

async function appDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src', 'shop'), { recursive: true });
  for (const [name, text] of Object.entries(SHOP))
    await writeFile(join(dir, 'src', 'shop', name), text);
  return dir;
}

/** Pids of processes whose working directory is inside `dir` (a server started for the app). */
async function processesIn(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readlink(`/proc/${entry}/cwd`)).startsWith(dir)) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function scenario(topologies: unknown[], extra: Record<string, unknown> = {}) {
  return {
    name: 'own-app-failure',
    load: { executor: 'burst', users: 4 },
    service: { time: '20ms' },
    limits: { startTimeout: '20s', runTimeout: '2m' },
    ...extra,
    topologies,
  };
}

async function run(dir: string, body: Record<string, unknown>) {
  const file = join(dir, 'scenario.json');
  await writeFile(file, JSON.stringify(body));
  const finished = await spawnCli(['scenario', file, '--reports-dir', join(dir, 'reports')]);
  assert.deepEqual(await processesIn(dir), [], 'a server outlived the run');
  return finished;
}

const good = {
  name: 'good',
  kind: 'gunicorn-sync',
  workers: 1,
  app: { module: 'shop.web:app', pythonPath: ['src'] },
};

test('an app module that does not exist: E_APP_LOAD naming app.module, the run before it kept', {
  skip,
}, async (t) => {
  assertRealServers();
  const dir = await appDir(t);
  const broken = {
    ...good,
    name: 'broken',
    app: { module: 'shop.nothere:app', pythonPath: ['src'] },
  };
  const { code, stderr } = await run(dir, scenario([good, broken]));
  assert.equal(code, ExitCode.RunFailed, stderr);
  assert.match(stderr, /error E_APP_LOAD: .*shop\.nothere.*\(module\)/);
  assert.match(stderr, /fix: "app\.module" names shop\.nothere/);
  assert.match(stderr, /last lines of the server's log:/);
  const summary = JSON.parse(
    await readFile(join(dir, 'reports', 'own-app-failure', 'latest', 'summary.json'), 'utf8'),
  );
  const [first, second] = summary.topologies;
  assert.equal(first.status, 'complete');
  assert.equal(first.requests, 4);
  assert.deepEqual(first.servers, [{ name: 'gunicorn', version: first.servers[0].version }]);
  assert.equal(second.status, 'failed');
});

test('a dependency the interpreter lacks, code that raises, an ASGI app under a WSGI server', {
  skip,
}, async (t) => {
  assertRealServers();
  const dir = await appDir(t);
  const cases: Array<[string, string, RegExp, RegExp]> = [
    [
      'shop.needs_missing:app',
      'gunicorn-gthread',
      /\(dependency\).*package_nobody_installed/,
      /"app\.python" or "app\.venv"/,
    ],
    [
      'shop.raises:app',
      'gunicorn-sync',
      /\(import\).*the database is not configured/,
      /the app's own code raised/,
    ],
    [
      'shop.api:app',
      'gunicorn-sync',
      /\(interface\).*ASGI app/,
      /kind "gunicorn-sync" serves WSGI apps/,
    ],
    ['shop.web:app', 'uvicorn', /\(interface\).*WSGI app/, /kind "uvicorn" serves ASGI apps/],
  ];
  for (const [module, kind, message, fix] of cases) {
    const topology = { name: 'app', kind, app: { module, pythonPath: ['src'] } };
    const { code, stderr } = await run(dir, scenario([topology]));
    assert.equal(code, ExitCode.RunFailed, `${module}: ${stderr}`);
    assert.match(stderr, /error E_APP_LOAD: /, module);
    assert.match(stderr, message, module);
    assert.match(stderr, fix, module);
  }
  // The traceback the server logged is among the last lines shown.
  const { stderr } = await run(
    dir,
    scenario([
      {
        name: 'app',
        kind: 'gunicorn-sync',
        app: { module: 'shop.raises:app', pythonPath: ['src'] },
      },
    ]),
  );
  assert.match(stderr, /RuntimeError: the database is not configured/);
});

test('a missing interpreter or directory is refused before anything starts', {
  skip,
}, async (t) => {
  assertRealServers();
  const dir = await appDir(t);
  const python = await run(
    dir,
    scenario([{ ...good, app: { ...good.app, python: join(dir, 'venv', 'bin', 'python') } }]),
  );
  assert.equal(python.code, ExitCode.InvalidInput, python.stderr);
  assert.match(python.stderr, /error E_PYTHON_NOT_FOUND: topology "good": "app\.python"/);
  const venv = await run(dir, scenario([{ ...good, app: { ...good.app, venv: 'no-such-venv' } }]));
  assert.equal(venv.code, ExitCode.InvalidInput, venv.stderr);
  assert.match(venv.stderr, /error E_PYTHON_NOT_FOUND: topology "good": "app\.venv"/);
  const missingDir = await run(dir, scenario([{ ...good, app: { ...good.app, dir: 'nowhere' } }]));
  assert.equal(missingDir.code, ExitCode.InvalidInput, missingDir.stderr);
  assert.match(missingDir.stderr, /error E_APP_PATH_NOT_FOUND: topology "good": "app\.dir"/);
});

test('a server that dies while booting, and a health check never answered', { skip }, async (t) => {
  assertRealServers();
  const dir = await appDir(t);
  const bad = { ...good, app: { ...good.app, serverArgs: ['--limit-request-line', 'many'] } };
  const boot = await run(dir, scenario([bad]));
  assert.equal(boot.code, ExitCode.RunFailed, boot.stderr);
  assert.match(boot.stderr, /error E_SERVER_BOOT: .*while booting/);
  assert.match(boot.stderr, /invalid int value: 'many'/);
  assert.match(boot.stderr, /fix: .*"app\.serverArgs"/);
  const unhealthy = { ...good, app: { ...good.app, health: '/not-there' } };
  const health = await run(dir, scenario([unhealthy], { limits: { startTimeout: '4s' } }));
  assert.equal(health.code, ExitCode.RunFailed, health.stderr);
  assert.match(health.stderr, /error E_TARGET_NOT_READY: .*GET \/not-there/);
  assert.match(health.stderr, /fix: set "app\.health"/);
});

test('a port in use: E_PORT_IN_USE, nothing left running', { skip }, async (t) => {
  assertRealServers();
  const dir = await appDir(t);
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const address = holder.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const { code, stderr } = await run(dir, scenario([{ ...good, port }]));
  assert.equal(code, ExitCode.InvalidInput, stderr);
  assert.match(stderr, /error E_PORT_IN_USE: /);
});
