/**
 * Whether `dist/` holds a build of the sources as they are now. Commands no longer compile
 * before they run (issue 17): the build happens at install and with `npm run build`, so a
 * command run after a source changed says so instead of running old code in silence.
 *
 * Plain JavaScript, because it must answer when dist/ is missing or stale.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What the compiler reads: every .ts under these folders, and the compiler's configuration. */
const SOURCE_DIRS = ['harness', 'targets'];
const SOURCE_FILES = ['tsconfig.json'];
/** Folders under SOURCE_DIRS that hold no sources (node-gyp's output). */
const SKIP = new Set(['node_modules', 'build']);

/**
 * `{ state: 'missing' }` without a build, `{ state: 'stale', changed }` when a source is newer
 * than the build's start (`changed`: up to three of them, newest first, relative to `root`),
 * otherwise `{ state: 'fresh' }`.
 */
export function buildState(root) {
  let stamp;
  try {
    stamp = Number(readFileSync(join(root, 'dist', '.build-stamp'), 'utf8'));
  } catch {
    try {
      // A build made before stamps existed: its entry point's time stands in.
      stamp = statSync(join(root, 'dist', 'harness', 'cli', 'main.js')).mtimeMs;
    } catch {
      return { state: 'missing' };
    }
  }
  const newer = [];
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) visit(path);
      } else if (entry.name.endsWith('.ts')) check(path);
    }
  };
  const check = (path) => {
    try {
      const time = statSync(path).mtimeMs;
      if (time > stamp) newer.push({ path: relative(root, path), time });
    } catch {
      // Removed while we looked: nothing to compare.
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(root, dir));
  for (const file of SOURCE_FILES) check(join(root, file));
  if (newer.length === 0) return { state: 'fresh' };
  newer.sort((a, b) => b.time - a.time);
  return { state: 'stale', changed: newer.slice(0, 3).map((n) => n.path), count: newer.length };
}

/** The message for a build that cannot be run as it is, or undefined for a fresh one. */
export function describeBuildState(state) {
  if (state.state === 'missing')
    return 'error E_BUILD_MISSING: the harness is not built (no dist/)\nfix: run `npm ci` (or `npm run build`) in the repository';
  if (state.state === 'stale') {
    const more = state.count > state.changed.length ? ` and ${state.count - state.changed.length} more` : '';
    return `error E_BUILD_STALE: dist/ is older than the sources (${state.changed.join(', ')}${more} changed since the last build)\nfix: run \`npm run build\`, then the command again`;
  }
  return undefined;
}
