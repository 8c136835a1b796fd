import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
