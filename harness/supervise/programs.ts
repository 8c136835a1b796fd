import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DependencyMissingError } from '../errors.js';

/**
 * Programs from Debian's packages that some scenarios need, found on PATH before anything starts,
 * so that a missing one is named with the package that installs it.
 */
export const PROGRAMS = {
  'redis-server': {
    package: 'redis-server',
    for: 'the Redis bus of a "registry": "redis" topology',
  },
  sqlite3: {
    package: 'sqlite3',
    for: 'the lease of a "scheduler": { "election": "lease" } topology',
  },
  setpriv: { package: 'util-linux', for: 'tying helper processes to the targets that run them' },
} as const;

export type Program = keyof typeof PROGRAMS;

/** The program's path on PATH, or undefined. */
export function findProgram(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Throws DependencyMissingError naming every program of `names` that is not installed. */
export function requirePrograms(names: readonly Program[]): void {
  const missing = names.filter((n) => findProgram(n) === undefined);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((n) => PROGRAMS[n].package))];
  throw new DependencyMissingError(
    missing.map((n) => `${n} is not installed (needed for ${PROGRAMS[n].for})`).join('; '),
    { fix: `install Debian's ${packages.join(' and ')}: apt-get install -y ${packages.join(' ')}` },
  );
}
