import type { TargetMessage } from '../protocol.js';
import type { RealServerConfig } from './protocol.js';
import type { AppErrorKind } from './server-log.js';

/**
 * Why a real server failed before it was ready, said as the `failed` message its launcher sends:
 * a code the harness maps to an error class (supervisor.ts), a message naming the server, the
 * field of the topology to fix, and the server's last lines. Pure.
 *
 *   EAPP       the user's app did not load (own_app.py said why: module, dependency, ...)
 *   ENOPYTHON  the interpreter could not be run
 *   ENOSERVER  the interpreter has no gunicorn or uvicorn (or cannot import the harness's modules)
 *   EBOOT      the server exited while booting, for any other reason
 */

/** Lines of the server's log a failure carries. */
export const FAILURE_LOG_LINES = 15;

export function startFailure(
  config: RealServerConfig,
  how: string,
  appError: { kind: AppErrorKind; message: string } | undefined,
  output: readonly string[],
): Extract<TargetMessage, { type: 'failed' }> {
  const log = output.filter((line) => !line.startsWith('harness:')).slice(-FAILURE_LOG_LINES);
  const what = `${config.kind} replica ${config.replica}`;
  const app = config.app;
  const python = config.python;
  if (appError !== undefined && app !== undefined)
    return {
      type: 'failed',
      code: 'EAPP',
      message: `${what}: the app ${app.module} did not load (${appError.kind}): ${appError.message}`,
      fix: appFix(appError.kind, config),
      log,
    };
  const text = [how, ...output].join('\n');
  if (
    /could not start|failed to execute|No such file or directory|Permission denied/.test(how) ||
    new RegExp(`failed to execute ${escapeRegExp(python)}`).test(text)
  )
    return {
      type: 'failed',
      code: 'ENOPYTHON',
      message: `${what}: the interpreter ${python} could not be run (${how})`,
      fix: `give an interpreter that exists: "app.python" (or "app.venv") of this topology, or HARNESS_PYTHON`,
      log,
    };
  const missing = /No module named '?([A-Za-z0-9_.]+)'?/.exec(text)?.[1];
  if (missing !== undefined && /^(gunicorn|uvicorn|werkzeug|harness_)/.test(missing))
    return {
      type: 'failed',
      code: 'ENOSERVER',
      message: `${what}: ${python} has no module ${missing}, which this kind needs`,
      fix: `install ${missing.split('.')[0]} for that interpreter (in a virtual environment: pip install ${missing.split('.')[0]}), or point "app.python" at one that has it`,
      log,
    };
  return {
    type: 'failed',
    code: 'EBOOT',
    message: `${what}: the server ${how} while booting`,
    fix:
      app === undefined
        ? 'look at the server log below; run `sudo npm run setup` if a package is missing'
        : `look at the server log below; "app.serverArgs"${config.kind.startsWith('gunicorn') ? ', "app.config"' : ''} and "app.env" of this topology are what the harness passes through`,
    log,
  };
}

function appFix(kind: AppErrorKind, config: RealServerConfig): string {
  const app = config.app;
  if (app === undefined) return '';
  const path = [app.dir, ...app.pythonPath].join(', ');
  switch (kind) {
    case 'module':
      return `"app.module" names ${app.module.split(':')[0]}, which is not on the import path (${path}): fix "app.module", "app.dir" or "app.pythonPath"`;
    case 'dependency':
      return `install what the app imports for ${config.python}, or set "app.python" or "app.venv" to the interpreter of the virtual environment that has it`;
    case 'attribute':
      return `"app.module" is module:attribute; the module loaded but has no such attribute: fix the part after ":"`;
    case 'import':
      return `the app's own code raised while it was imported (its traceback is in the log below): fix the app, or "app.env" if it needs settings`;
    case 'factory':
      return `"app.module" ends in "()" (or "app.factory" is true): the factory must take no arguments and return the app`;
    case 'interface':
      return `kind "${config.kind}" serves ${app.interface === 'asgi' ? 'ASGI' : 'WSGI'} apps: use a ${app.interface === 'asgi' ? 'WSGI kind ("gunicorn-sync", "gunicorn-gthread", "werkzeug")' : 'uvicorn kind ("uvicorn", "gunicorn-uvicorn")'} for this app, or fix "app.module"`;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
