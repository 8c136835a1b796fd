#!/usr/bin/env node
/**
 * `npm run build` (run by `npm ci`/`npm install` through `prepare`, and by `npm test`): compiles
 * the TypeScript sources into a fresh directory, `.dist-<id>/`, then points the `dist` symbolic
 * link at it with one rename, which is atomic. A command already running from the previous build
 * keeps every file it may still load (its build stays until it is older than KEEP_MS and not
 * among the newest KEEP builds), so a build, or two commands side by side in one checkout, never
 * pull files from under each other: the old `rm -rf dist && tsc` deleted dist under a running
 * command, which then failed with MODULE_NOT_FOUND (issue 17).
 *
 *   .dist-<id>/harness/...      one compiled tree per build, <id> sortable by time
 *   dist -> .dist-<id>          the newest complete build
 *
 * The builds sit beside dist/, at its depth, so that the source maps' relative paths hold from
 * either name (a `npx tsc` writes through the link).
 *
 * Plain JavaScript, because it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds kept however old, so that the previous one survives a quick second build. */
const KEEP = 3;
/** Builds younger than this are kept whatever their number: a run may still load from them. */
const KEEP_MS = 24 * 3600 * 1000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREFIX = '.dist-';
const started = Date.now();
const id = `${new Date(started).toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
const out = join(root, `${PREFIX}${id}`);
mkdirSync(out);

const tsc = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(root, 'tsconfig.json'),
    '--outDir',
    out,
  ],
  { stdio: 'inherit', cwd: root },
);
if (tsc.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(
    `build: tsc failed (exit ${tsc.status ?? tsc.signal}); dist/ is unchanged\n`,
  );
  process.exit(tsc.status ?? 1);
}

const dist = join(root, 'dist');
const link = join(root, `.dist.${process.pid}.tmp`);
rmSync(link, { force: true });
symlinkSync(`${PREFIX}${id}`, link);
try {
  renameSync(link, dist);
} catch (error) {
  // A checkout built before builds were kept apart has dist/ as a directory, which a link
  // cannot replace in one rename: it is moved aside once, then the link takes its place.
  if (!lstatSync(dist).isDirectory()) throw error;
  renameSync(dist, join(root, `${PREFIX}${id}-legacy`));
  renameSync(link, dist);
}

const old = readdirSync(root)
  .filter((name) => name.startsWith(PREFIX) && name !== `${PREFIX}${id}`)
  .map((name) => ({ name, time: statSync(join(root, name)).mtimeMs }))
  .sort((a, b) => b.time - a.time);
for (const [index, build] of old.entries()) {
  if (index + 1 < KEEP || started - build.time < KEEP_MS) continue;
  rmSync(join(root, build.name), { recursive: true, force: true });
}
