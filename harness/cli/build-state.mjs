/**
 * Whether `dist/` holds a build of the sources as they are now. Commands no longer compile
 * before they run (issue 17): the build happens at install and with `npm run build`, so a
 * command run after a source changed says so instead of running old code in silence.
 *
 * Plain JavaScript, because it must answer when dist/ is missing or stale.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Folders whose .ts files the compiler reads. */
const SOURCE_DIRS = ['harness', 'targets'];
/** Folders under SOURCE_DIRS that hold no sources (node-gyp's output). */
const SKIP = new Set(['node_modules', 'build']);

/**
 * `{ state: 'missing' }` without a build, `{ state: 'stale', changed, count }` when a source is
 * newer than its compiled file or has none (`changed`: up to three, newest first, relative to
 * `root`), otherwise `{ state: 'fresh' }`. Each source is compared with its own output, so a
 * build by `npm run build` and one by `npx tsc` are judged alike.
 */
export function buildState(root) {
  const dist = join(root, 'dist');
  try {
    statSync(join(dist, 'harness', 'cli', 'main.js'));
  } catch {
    return { state: 'missing' };
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
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) check(path);
    }
  };
  const check = (path) => {
    const source = relative(root, path);
    let time;
    try {
      time = statSync(path).mtimeMs;
    } catch {
      return; // Removed while we looked: nothing to compare.
    }
    let built = -1;
    try {
      built = statSync(join(dist, source.replace(/\.ts$/, '.js'))).mtimeMs;
    } catch {
      // Never compiled: a new source.
    }
    if (time > built) newer.push({ path: source, time });
  };
  for (const dir of SOURCE_DIRS) visit(join(root, dir));
  if (newer.length === 0) return { state: 'fresh' };
  newer.sort((a, b) => b.time - a.time);
  return { state: 'stale', changed: newer.slice(0, 3).map((n) => n.path), count: newer.length };
}

/** The message for a build that cannot be run as it is, or undefined for a fresh one. */
export function describeBuildState(state) {
  if (state.state === 'missing')
    return 'error E_BUILD_MISSING: the harness is not built (no dist/)\nfix: run `npm ci` (or `npm run build`) in the repository';
  if (state.state === 'stale') {
    const more =
      state.count > state.changed.length ? ` and ${state.count - state.changed.length} more` : '';
    return `error E_BUILD_STALE: dist/ is older than the sources (${state.changed.join(', ')}${more} changed since the last build)\nfix: run \`npm run build\`, then the command again`;
  }
  return undefined;
}
