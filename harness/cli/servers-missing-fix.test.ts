import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PYTHON } from '../supervise/real-servers.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { serversMissingFix } from './servers-missing-fix.js';

const INSTALL = 'install them with `sudo npm run setup`';

test('servers missing because HARNESS_PYTHON or HARNESS_HAPROXY points at nothing: the fix names the variable', () => {
  const fix = serversMissingFix({ HARNESS_PYTHON: '/nonexistent/python' }, INSTALL);
  assert.match(fix, /HARNESS_PYTHON is set to \/nonexistent\/python, which does not exist/);
  assert.ok(fix.includes(`the default is ${DEFAULT_PYTHON}`));
  assert.doesNotMatch(fix, /npm run setup/);
  const both = serversMissingFix(
    { HARNESS_PYTHON: '/no/python', HARNESS_HAPROXY: '/no/haproxy' },
    INSTALL,
  );
  assert.match(both, /HARNESS_PYTHON .*; HARNESS_HAPROXY is set to \/no\/haproxy/);
});

test('servers missing with the variables unset, empty or pointing at a file that exists: install them', () => {
  assert.equal(serversMissingFix({}, INSTALL), INSTALL);
  assert.equal(serversMissingFix({ HARNESS_PYTHON: '' }, INSTALL), INSTALL);
  assert.equal(serversMissingFix({ HARNESS_HAPROXY: process.execPath }, INSTALL), INSTALL);
});

test('calibrate and its sweep name a HARNESS_PYTHON that points at nothing, not the installer', async () => {
  for (const args of [
    ['calibrate', '--server', 'gunicorn-gthread'],
    ['calibrate', '--race-sweep', '--server', 'uvicorn'],
  ]) {
    const { code, stderr } = await spawnCli(args, {
      env: { HARNESS_PYTHON: '/nonexistent/python3' },
    });
    assert.equal(code, 103, stderr);
    assert.match(stderr, /E_SERVERS_MISSING/);
    assert.match(stderr, /HARNESS_PYTHON is set to \/nonexistent\/python3, which does not exist/);
    assert.doesNotMatch(stderr, /sudo npm run setup/);
  }
});
