import { existsSync } from 'node:fs';
import { DEFAULT_HAPROXY, DEFAULT_PYTHON } from '../supervise/real-servers.js';

/**
 * The fix for E_SERVERS_MISSING. When the part missing is one an environment variable chose
 * (HARNESS_PYTHON or HARNESS_HAPROXY pointing at nothing), installing Debian's packages would
 * not help: the fix names the variable and its value instead of `sudo npm run setup`.
 */
export function serversMissingFix(env: NodeJS.ProcessEnv, install: string): string {
  const wrong: string[] = [];
  for (const [name, fallback, what] of [
    [
      'HARNESS_PYTHON',
      DEFAULT_PYTHON,
      'a python3 that can import gunicorn, flask, fastapi and uvicorn',
    ],
    ['HARNESS_HAPROXY', DEFAULT_HAPROXY, 'an haproxy executable'],
  ] as const) {
    const value = env[name];
    if (value !== undefined && value !== '' && !existsSync(value))
      wrong.push(
        `${name} is set to ${value}, which does not exist: unset it (the default is ${fallback}) or point it at ${what}`,
      );
  }
  return wrong.length > 0 ? wrong.join('; ') : install;
}
