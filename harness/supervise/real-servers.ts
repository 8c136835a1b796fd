import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Where the real servers come from: Debian's packages (gunicorn, python3-flask, python3-uvicorn,
 * python3-fastapi, python3-apscheduler, haproxy), run with Debian's Python. HARNESS_PYTHON and HARNESS_HAPROXY point
 * elsewhere; a `python3` earlier in PATH (pyenv, a virtualenv) is deliberately not used, since it
 * usually lacks these packages.
 */

export const DEFAULT_PYTHON = '/usr/bin/python3';
export const DEFAULT_HAPROXY = '/usr/sbin/haproxy';

/** The Debian packages `harness/setup/install-servers.sh` installs. */
export const SERVER_PACKAGES = [
  'gunicorn',
  'python3-flask',
  'python3-uvicorn',
  'python3-fastapi',
  'haproxy',
  // The scheduler the bundled app starts for scenarios with "jobs" (harness_apps/jobs.py).
  'python3-apscheduler',
] as const;

export interface RealServerTools {
  python: string;
  haproxy: string;
}

export function realServerTools(env: NodeJS.ProcessEnv = process.env): RealServerTools {
  return {
    python: env.HARNESS_PYTHON || DEFAULT_PYTHON,
    haproxy: env.HARNESS_HAPROXY || DEFAULT_HAPROXY,
  };
}

/**
 * What is missing to run real servers on this machine, in words; empty when everything is
 * there. Runs the Python interpreter once to import the modules.
 */
export function missingRealServerParts(tools: RealServerTools = realServerTools()): string[] {
  const missing: string[] = [];
  if (!existsSync(tools.python)) missing.push(`${tools.python} (python3)`);
  else {
    try {
      execFileSync(
        tools.python,
        ['-c', 'import flask, fastapi, uvicorn, gunicorn, werkzeug, anyio, apscheduler'],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
      );
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      const module = /No module named '([^']+)'/.exec(stderr)?.[1];
      missing.push(
        module === undefined
          ? `the Python modules flask, fastapi, uvicorn, gunicorn, apscheduler (${stderr.split('\n').pop() ?? 'import failed'})`
          : `the Python module ${module}`,
      );
    }
  }
  if (!existsSync(tools.haproxy)) missing.push(`${tools.haproxy} (haproxy)`);
  if (!existsSync('/usr/bin/setpriv')) missing.push('/usr/bin/setpriv (util-linux)');
  return missing;
}
