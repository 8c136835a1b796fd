import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';

let cached: string | undefined;

/** The harness's version, from package.json, as `--version` prints it. */
export function harnessVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return cached;
}
