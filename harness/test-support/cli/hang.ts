/**
 * Test fixture, never loaded by the harness itself: preloaded into the CLI by the hardening
 * tests (`node --import dist/harness/test-support/cli/hang.js dist/harness/cli/main.js ...`). Every
 * `stat` of node:fs/promises on a path containing HARNESS_TEST_HANG never returns, as a system
 * call that hangs (mkdir -p under /proc did), after writing "hanging: <path>" to stderr so that
 * a test knows when the harness is stuck.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const marker = process.env.HARNESS_TEST_HANG;
const require = createRequire(import.meta.url);
const fsp = require('node:fs/promises') as typeof import('node:fs/promises');
const realStat = fsp.stat;

if (marker !== undefined && marker !== '') {
  (fsp as { stat: unknown }).stat = (...args: Parameters<typeof realStat>) => {
    if (!String(args[0]).includes(marker)) return realStat(...args);
    process.stderr.write(`hanging: ${String(args[0])}\n`);
    return new Promise(() => {});
  };
  syncBuiltinESMExports();
}
