import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRealKind, type RealKind } from '../../targets/real/protocol.js';
import { AppPathNotFoundError, PythonNotFoundError, ServersMissingError } from '../errors.js';
import type { TopologySpec } from '../scenario/types.js';
import { findProgram } from './programs.js';
import { DEFAULT_HAPROXY, realServerTools } from './real-servers.js';

/**
 * Before anything runs: what each topology's own app names exists on this machine. Its
 * directories and files, its interpreter, and in that interpreter the server the kind runs
 * (gunicorn, uvicorn, Werkzeug). The app itself is not imported here: its server does that, and
 * says what went wrong in its own log (E_APP_LOAD).
 */

/** The module each real kind's server needs in the interpreter that runs it. */
function serverModules(kind: RealKind): string[] {
  switch (kind) {
    case 'werkzeug':
      return ['werkzeug'];
    case 'uvicorn':
      return ['uvicorn'];
    case 'gunicorn-uvicorn':
      return ['gunicorn', 'uvicorn'];
    default:
      return ['gunicorn'];
  }
}

function where(t: TopologySpec, field: string): string {
  return `topology "${t.name}": "app.${field}"`;
}

function mustBeDirectory(path: string, t: TopologySpec, field: string): void {
  let ok = false;
  try {
    ok = statSync(path).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok)
    throw new AppPathNotFoundError(`${where(t, field)} names ${path}, which is not a directory`, {
      fix: `fix "app.${field}" (${field === 'dir' || field === 'venv' ? 'relative to the scenario file' : 'relative to "app.dir"'})`,
    });
}

/** The interpreter's path: an absolute path as given, a bare name looked up on PATH. */
export function interpreterOf(python: string): string | undefined {
  if (python.includes('/')) {
    try {
      accessSync(resolve(python), constants.X_OK);
      return resolve(python);
    } catch {
      return undefined;
    }
  }
  return findProgram(python);
}

/** Throws the first problem found with a topology's own app; does nothing without one. */
export function checkOwnApp(t: TopologySpec & { kind: RealKind }, defaultPython: string): void {
  const app = t.app;
  if (app === undefined || t.url !== undefined) return;
  mustBeDirectory(resolve(app.dir), t, 'dir');
  for (const p of app.pythonPath) mustBeDirectory(resolve(p), t, 'pythonPath');
  if (app.config !== undefined) {
    let file = false;
    try {
      file = statSync(resolve(app.config)).isFile();
    } catch {
      file = false;
    }
    if (!file)
      throw new AppPathNotFoundError(
        `${where(t, 'config')} names ${app.config}, which is not a file`,
        {
          fix: 'fix "app.config" (relative to "app.dir"), or remove it',
        },
      );
  }
  const python = app.python ?? defaultPython;
  const found = interpreterOf(python);
  if (found === undefined)
    throw new PythonNotFoundError(
      `${app.python === undefined ? 'the default interpreter' : where(t, app.venv === undefined ? 'python' : 'venv')} ${python} cannot be run`,
      {
        fix:
          app.python === undefined
            ? 'install Debian\'s python3, or set HARNESS_PYTHON or the topology\'s "app.python"'
            : 'give an interpreter that exists: "app.python" (a path or a program on PATH) or "app.venv" (a virtual environment directory)',
      },
    );
  const modules = serverModules(t.kind);
  try {
    execFileSync(found, ['-c', `import ${modules.join(', ')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 30_000,
      cwd: resolve(app.dir),
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    const missing = /No module named '([^']+)'/.exec(stderr)?.[1] ?? modules.join(', ');
    throw new ServersMissingError(
      `topology "${t.name}" (${t.kind}) runs ${found}, which has no ${missing}`,
      {
        fix: `install ${missing} for that interpreter (in a virtual environment: pip install ${modules.join(' ')}), or point "app.python" / "app.venv" at one that has it`,
      },
    );
  }
}

/**
 * Checks every topology with its own app; returns the real topologies that run on the default
 * interpreter and so need what `missingRealServerParts` checks (Debian's packages). Apps on their
 * own interpreter need only haproxy, for several replicas.
 */
export function checkOwnApps(
  topologies: readonly TopologySpec[],
  env: NodeJS.ProcessEnv = process.env,
): TopologySpec[] {
  const tools = realServerTools(env);
  const onDefault: TopologySpec[] = [];
  for (const t of topologies) {
    if (t.url !== undefined || !isRealKind(t.kind)) continue;
    const kind = t.kind;
    checkOwnApp({ ...t, kind }, tools.python);
    if (t.app?.python === undefined) onDefault.push(t);
    else if (t.replicas > 1 && interpreterOf(tools.haproxy) === undefined)
      throw new ServersMissingError(
        `topology "${t.name}" has ${t.replicas} replicas behind haproxy, but ${tools.haproxy} is not installed`,
        {
          fix: `install Debian's haproxy (apt-get install -y haproxy), or set HARNESS_HAPROXY (default ${DEFAULT_HAPROXY})`,
        },
      );
  }
  return onDefault;
}
