import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding this project's package.json, found by walking up from this module.
 * Sources run compiled from dist/, so paths to scenarios/, reports/ and the native addon are
 * resolved from here rather than from the module's own location.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'targets'))) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`package root not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
