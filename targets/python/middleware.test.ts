import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { realServerTools } from '../../harness/supervise/real-servers.js';
import { parseTimingHeaders, timingHeaders } from '../instrument.js';
import { packageRoot } from '../package-root.js';
import { assertRealServers, skipWithoutRealServers } from '../real/availability.js';

/**
 * The Python middleware (targets/python/harness_timing): its own unit tests, and its headers
 * against the ones targets/instrument.ts writes for the same instants, parsed by the parser the
 * harness uses. The middleware needs only the standard library, but these run Debian's Python.
 */

const root = join(packageRoot(), 'targets', 'python');
const skip = skipWithoutRealServers();

function python(args: string[]): string {
  return execFileSync(realServerTools().python, args, {
    cwd: root,
    env: { ...process.env, PYTHONPATH: root, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test("the middleware's Python unit tests pass", { skip }, () => {
  assertRealServers();
  // unittest reports on stderr and exits non-zero when a test fails, which throws here.
  python(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']);
});

test('Python writes the headers exactly as instrument.ts does, and the harness parses them', {
  skip,
}, () => {
  assertRealServers();
  const instants = {
    acceptedNs: 5_103_923_112_345n,
    startNs: 5_104_735_514_999n,
    endNs: 5_106_735_627_001n,
  };
  const out = python([
    '-c',
    `import json, os
from harness_timing.headers import timing_headers
print(json.dumps(dict((k.lower(), v) for k, v in timing_headers(${instants.acceptedNs}, ${instants.startNs}, ${instants.endNs}, 1, replica=2, worker=3))))`,
  ]);
  const fromPython = JSON.parse(out) as Record<string, string>;
  const pid = Number(/pid=(\d+)/.exec(fromPython['x-served-by'] ?? '')?.[1]);
  const fromNode = timingHeaders(instants, { replica: 2, worker: 3, thread: 1, pid });
  assert.deepEqual(fromPython, fromNode);
  const side = parseTimingHeaders(fromPython);
  assert.equal(side.queueMs, 812.402);
  assert.equal(side.appMs, 2000.112);
  assert.deepEqual(side.servedBy, { replica: 2, worker: 3, thread: 1, pid });
  assert.equal(side.acceptedUs, 5_103_923_112);
});

test('`pip install` from the repository installs harness_timing alone, which times WSGI and ASGI apps', {
  skip,
}, async (t) => {
  assertRealServers();
  const dir = await mkdtemp(join(tmpdir(), 'harness-timing-pip-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const site = join(dir, 'site');
  // A copy of the package's files: setuptools builds in the source tree (build/, *.egg-info),
  // which a test must not write into.
  const source = join(dir, 'source');
  await cp(join(root, 'pyproject.toml'), join(source, 'pyproject.toml'));
  await cp(join(root, 'harness_timing'), join(source, 'harness_timing'), {
    recursive: true,
    filter: (from) => !from.includes('__pycache__'),
  });
  // No index: the build uses the setuptools already installed, as the package's README says.
  execFileSync(
    realServerTools().python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--no-index',
      '--no-build-isolation',
      '--no-cache-dir',
      '--target',
      site,
      source,
    ],
    {
      cwd: dir,
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    },
  );
  const installed = (await readdir(site)).filter((name) => !name.endsWith('.dist-info'));
  assert.deepEqual(installed.sort(), ['harness_timing']);
  // Run from elsewhere, with only the installed copy on the path: a WSGI app through
  // wsgiref's validator, an ASGI app through a hand-driven request cycle.
  const out = execFileSync(
    realServerTools().python,
    [
      '-c',
      `import asyncio, json, harness_timing
from wsgiref.validate import validator
from wsgiref.util import setup_testing_defaults
assert harness_timing.__file__.startswith(${JSON.stringify(site)}), harness_timing.__file__
def wsgi(environ, start_response):
    start_response("200 OK", [("content-type", "text/plain")])
    return [b"ok"]
environ = {}
setup_testing_defaults(environ)
seen = {}
def start_response(status, headers, exc_info=None):
    seen["wsgi"] = dict((k.lower(), v) for k, v in headers)
    return lambda data: None
body = validator(harness_timing.TimingMiddleware(wsgi))(environ, start_response)
b"".join(body); body.close()
async def asgi(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
async def drive():
    sent = []
    async def receive():
        return {"type": "http.request", "body": b""}
    async def send(message):
        sent.append(message)
    await harness_timing.AsgiTimingMiddleware(asgi)({"type": "http", "client": ("127.0.0.1", 5)}, receive, send)
    seen["asgi"] = dict((k.decode().lower(), v.decode()) for k, v in sent[0]["headers"])
asyncio.run(drive())
print(json.dumps(seen))`,
    ],
    {
      cwd: dir,
      env: { ...process.env, PYTHONPATH: site, PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const seen = JSON.parse(out) as Record<'wsgi' | 'asgi', Record<string, string>>;
  for (const side of ['wsgi', 'asgi'] as const) {
    const parsed = parseTimingHeaders(seen[side]);
    assert.ok(
      parsed.appMs !== undefined && parsed.appMs >= 0,
      `${side}: ${JSON.stringify(seen[side])}`,
    );
    assert.ok(parsed.startUs !== undefined && parsed.endUs !== undefined);
    assert.equal(parsed.servedBy.pid !== undefined, true);
  }
});
