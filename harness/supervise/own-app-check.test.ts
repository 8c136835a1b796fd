import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OwnApp } from '../../targets/real/protocol.js';
import { AppPathNotFoundError, PythonNotFoundError, ServersMissingError } from '../errors.js';
import type { TopologySpec } from '../scenario/types.js';
import { checkOwnApps } from './own-app-check.js';

/**
 * What a topology's own app names is looked for before anything starts. Interpreters here are
 * shell scripts standing in for Python: one that imports anything, one without gunicorn.
 */

async function fixture(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'own-app-check-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'app', 'src'), { recursive: true });
  await mkdir(join(dir, 'venv', 'bin'), { recursive: true });
  const good = join(dir, 'venv', 'bin', 'python');
  await writeFile(good, '#!/bin/sh\nexit 0\n');
  const bare = join(dir, 'bare-python');
  await writeFile(
    bare,
    '#!/bin/sh\necho "ModuleNotFoundError: No module named \'gunicorn\'" >&2\nexit 1\n',
  );
  await chmod(good, 0o755);
  await chmod(bare, 0o755);
  await writeFile(join(dir, 'app', 'gunicorn.conf.py'), 'workers = 2\n');
  return { dir, good, bare };
}

function withApp(app: Partial<OwnApp> & { dir: string }): TopologySpec {
  return {
    name: 'shop',
    kind: 'gunicorn-sync',
    declaredKind: 'gunicorn-sync',
    workers: 1,
    threads: 1,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
    backlog: 2048,
    keepAlive: 2,
    port: 0,
    app: {
      module: 'shop:app',
      factory: false,
      interface: 'wsgi',
      pythonPath: [],
      env: {},
      serverArgs: [],
      health: null,
      timing: true,
      ...app,
    },
  };
}

test('an app whose paths, interpreter and server are there passes; the default interpreter is left to the usual check', async (t) => {
  const { dir, good } = await fixture(t);
  const own = withApp({
    dir: join(dir, 'app'),
    pythonPath: [join(dir, 'app', 'src')],
    python: good,
    config: join(dir, 'app', 'gunicorn.conf.py'),
  });
  assert.deepEqual(checkOwnApps([own], { HARNESS_PYTHON: good }), []);
  const onDefault = withApp({ dir: join(dir, 'app') });
  assert.deepEqual(
    checkOwnApps([onDefault], { HARNESS_PYTHON: good }).map((x) => x.name),
    ['shop'],
  );
});

test('each missing piece is its own error, naming the field', async (t) => {
  const { dir, good, bare } = await fixture(t);
  const env = { HARNESS_PYTHON: good };
  assert.throws(
    () => checkOwnApps([withApp({ dir: join(dir, 'nowhere'), python: good })], env),
    (e: unknown) => e instanceof AppPathNotFoundError && /"app\.dir"/.test(e.message),
  );
  assert.throws(
    () =>
      checkOwnApps(
        [withApp({ dir: join(dir, 'app'), pythonPath: [join(dir, 'lib')], python: good })],
        env,
      ),
    (e: unknown) => e instanceof AppPathNotFoundError && /"app\.pythonPath"/.test(e.message),
  );
  assert.throws(
    () =>
      checkOwnApps(
        [withApp({ dir: join(dir, 'app'), config: join(dir, 'app', 'g.py'), python: good })],
        env,
      ),
    (e: unknown) => e instanceof AppPathNotFoundError && /"app\.config"/.test(e.message),
  );
  assert.throws(
    () =>
      checkOwnApps(
        [
          withApp({
            dir: join(dir, 'app'),
            python: join(dir, 'none', 'bin', 'python'),
            venv: join(dir, 'none'),
          }),
        ],
        env,
      ),
    (e: unknown) => e instanceof PythonNotFoundError && /"app\.venv"/.test(e.message),
  );
  assert.throws(
    () =>
      checkOwnApps([withApp({ dir: join(dir, 'app'), python: 'no-such-python-anywhere' })], env),
    (e: unknown) => e instanceof PythonNotFoundError && /"app\.python"/.test(e.message),
  );
  assert.throws(
    () => checkOwnApps([withApp({ dir: join(dir, 'app'), python: bare })], env),
    (e: unknown) =>
      e instanceof ServersMissingError &&
      /has no gunicorn/.test(e.message) &&
      /pip install gunicorn/.test(e.fix ?? ''),
  );
});
