#!/usr/bin/env node
/**
 * What the npm scripts run: `node harness/cli/launch.mjs <module in dist> [args...]`. It checks
 * that dist/ is built from the sources as they are (harness/cli/build-state.mjs), then loads the
 * module with the remaining arguments. A missing or stale build exits 104 with the command that
 * fixes it; it never builds by itself, so a command starts at once and two commands in one
 * checkout never rebuild under each other.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildState, describeBuildState } from './build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [module] = process.argv.splice(2, 1);
if (module === undefined) {
  process.stderr.write('usage: node harness/cli/launch.mjs <module under dist/> [args...]\n');
  process.exit(104);
}
const problem = describeBuildState(buildState(root));
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(104);
}
await import(pathToFileURL(join(root, 'dist', module)).href);
