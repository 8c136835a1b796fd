import { posix } from 'node:path';
import { z } from 'zod';
import {
  APP_INTERFACES,
  type AppInterface,
  interfaceOf,
  isRealKind,
  type OwnApp,
  type RealKind,
} from '../../targets/real/protocol.js';
import { count, duration } from './fields.js';

/**
 * A topology's own app (issue 15): the user's WSGI or ASGI app run by the real servers in place
 * of the bundled ones, and the real servers' options that have no emulated counterpart
 * (`gracefulTimeout`, `limitConcurrency`). schema.ts spreads OWN_APP_FIELDS into the topology
 * and calls ownAppProblems from its refinement; validate.ts takes ownAppParts into the
 * TopologySpec. scenarios/README.md ("Your own app") documents every field. Pure: paths are
 * joined as text, never looked up (harness/supervise/own-app-check.ts does that before a run).
 */

/** `package.module:attribute`, the attribute a dotted path, with `()` for a factory. */
const MODULE_PATTERN =
  /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\(\))?$/;

const path = z.string().trim().min(1).max(4096);

export const ownAppSchema = z.strictObject({
  module: z.string().trim().min(3).max(400),
  factory: z.boolean().default(false),
  interface: z.enum(APP_INTERFACES).optional(),
  dir: path.optional(),
  pythonPath: z.array(path).max(32).default([]),
  python: path.optional(),
  venv: path.optional(),
  env: z.record(z.string(), z.string().max(65_536)).default({}),
  config: path.optional(),
  serverArgs: z.array(z.string().max(4096)).max(200).default([]),
  health: z.string().max(2000).optional(),
  timing: z.boolean().default(true),
});

export const OWN_APP_FIELDS = {
  app: ownAppSchema.optional(),
  gracefulTimeout: duration.optional(),
  limitConcurrency: count(1, 1_000_000).optional(),
};

type ParsedApp = z.output<typeof ownAppSchema>;

interface ParsedTopology {
  kind: string;
  url?: string | undefined;
  app?: ParsedApp | undefined;
  gracefulTimeout?: number | undefined;
  limitConcurrency?: number | undefined;
}

type Issue = { path: Array<string | number>; message: string; fix: string };

const GUNICORN_KINDS: readonly string[] = ['gunicorn-sync', 'gunicorn-gthread', 'gunicorn-uvicorn'];

/**
 * Options of gunicorn and uvicorn that a topology's fields own, each with the field that sets
 * it: in `serverArgs` they would contradict what the model and the summary say was run.
 */
const GUNICORN_OWNED: Record<string, string> = {
  '-w': 'workers',
  '--workers': 'workers',
  '-k': 'kind',
  '--worker-class': 'kind',
  '--threads': 'threads',
  '--worker-connections': 'workerConnections',
  '-b': 'port',
  '--bind': 'port',
  '--backlog': 'backlog',
  '--keep-alive': 'keepAlive',
  '-t': 'timeout',
  '--timeout': 'timeout',
  '--graceful-timeout': 'gracefulTimeout',
  '--max-requests': 'maxRequests',
  '--max-requests-jitter': 'maxRequestsJitter',
  '--preload': 'preload',
  '-c': 'app.config',
  '--config': 'app.config',
  '--chdir': 'app.dir',
  '--pythonpath': 'app.pythonPath',
  '-e': 'app.env',
  '--env': 'app.env',
  '-D': 'nothing to daemonise: the harness stops the server itself',
  '--daemon': 'nothing to daemonise: the harness stops the server itself',
  '--reload': 'nothing to reload: a reload would restart workers mid-measurement',
  '--paste': 'app.module',
};

const UVICORN_OWNED: Record<string, string> = {
  '--workers': 'workers',
  '--host': 'port',
  '--port': 'port',
  '--uds': 'port',
  '--fd': 'port',
  '--backlog': 'backlog',
  '--timeout-keep-alive': 'keepAlive',
  '--limit-concurrency': 'limitConcurrency',
  '--limit-max-requests': 'maxRequests',
  '--factory': 'app.factory',
  '--app-dir': 'app.dir',
  '--interface': 'app.interface',
  '--env-file': 'app.env',
  '--reload': 'nothing to reload: a reload would restart workers mid-measurement',
  '--log-config': 'nothing to configure: the harness reads the server log in its own layout',
};

/** Every problem with a topology's `app` and real-server fields, with its path and a fix. */
export function ownAppProblems(t: ParsedTopology): Issue[] {
  const out: Issue[] = [];
  const gunicorn = GUNICORN_KINDS.includes(t.kind);
  if (t.gracefulTimeout !== undefined && !gunicorn)
    out.push({
      path: ['gracefulTimeout'],
      message: `"gracefulTimeout" is gunicorn's --graceful-timeout, not an option of "${t.kind}"`,
      fix: 'remove "gracefulTimeout", or use a gunicorn kind',
    });
  if (t.limitConcurrency !== undefined && t.kind !== 'uvicorn')
    out.push({
      path: ['limitConcurrency'],
      message: `"limitConcurrency" is uvicorn's --limit-concurrency, not an option of "${t.kind}"`,
      fix: 'remove "limitConcurrency", or use kind "uvicorn"',
    });
  const app = t.app;
  if (app === undefined) return out;
  const at = (...rest: Array<string | number>): Array<string | number> => ['app', ...rest];
  if (!isRealKind(t.kind)) {
    out.push({
      path: ['kind'],
      message: `"${t.kind}" is an emulated server, which runs the harness's own handler, not an app`,
      fix: 'use a real kind for your app: "gunicorn-sync", "gunicorn-gthread", "gunicorn-uvicorn", "uvicorn" or "werkzeug"',
    });
    return out;
  }
  const kind = t.kind as RealKind;
  if (t.url !== undefined)
    out.push({
      path: ['url'],
      message:
        'a topology either starts your app ("app") or loads a server already running ("url")',
      fix: 'remove "url" to have the harness start the app, or remove "app"',
    });
  if (!MODULE_PATTERN.test(app.module))
    out.push({
      path: at('module'),
      message: `${JSON.stringify(app.module)} is not module:attribute`,
      fix: 'write it as gunicorn and uvicorn take it, such as "shop.main:app" or "shop:create_app()"',
    });
  const served = interfaceOf(kind);
  if (app.interface !== undefined && app.interface !== served)
    out.push({
      path: at('interface'),
      message: `kind "${kind}" serves ${served.toUpperCase()} apps, not ${app.interface.toUpperCase()}`,
      fix:
        app.interface === 'asgi'
          ? 'use kind "uvicorn" or "gunicorn-uvicorn" for an ASGI app'
          : 'use kind "gunicorn-sync", "gunicorn-gthread" or "werkzeug" for a WSGI app',
    });
  if (app.python !== undefined && app.venv !== undefined)
    out.push({
      path: at('venv'),
      message: '"python" and "venv" both name the interpreter',
      fix: 'keep one: "venv" for a virtual environment (its bin/python), "python" for any interpreter',
    });
  if (app.config !== undefined && !gunicorn)
    out.push({
      path: at('config'),
      message: `a gunicorn.conf.py configures gunicorn, not "${kind}"`,
      fix: 'remove "config", or use a gunicorn kind',
    });
  if (kind === 'werkzeug' && app.serverArgs.length > 0)
    out.push({
      path: at('serverArgs'),
      message:
        'the harness runs Werkzeug with make_server(threaded=False), which takes no arguments',
      fix: 'remove "serverArgs"',
    });
  const owned = gunicorn ? GUNICORN_OWNED : kind === 'uvicorn' ? UVICORN_OWNED : {};
  app.serverArgs.forEach((arg, i) => {
    const option = arg.split('=')[0] ?? arg;
    const field = owned[option];
    if (field === undefined) return;
    const passedOn = !field.startsWith('nothing');
    out.push({
      path: at('serverArgs', i),
      message: passedOn
        ? `${option} is set by the topology's "${field}"`
        : `${option} is not passed on to the server`,
      fix: passedOn
        ? `remove ${option} and set "${field}" instead`
        : `remove ${option}: there is ${field}`,
    });
  });
  for (const name of Object.keys(app.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      out.push({
        path: at('env', name),
        message: `${JSON.stringify(name)} is not an environment variable name`,
        fix: 'use letters, digits and "_", not starting with a digit',
      });
    else if (name.startsWith('HARNESS_') || name === 'PYTHONPATH')
      out.push({
        path: at('env', name),
        message: `${name} is the harness's own`,
        fix: name === 'PYTHONPATH' ? 'list the directories in "app.pythonPath"' : `rename ${name}`,
      });
  }
  if (app.health !== undefined && !app.health.startsWith('/'))
    out.push({
      path: at('health'),
      message: `${JSON.stringify(app.health)} is not a path`,
      fix: 'give the path the readiness probe asks for, starting with "/", such as "/health"',
    });
  if (app.factory && app.module.endsWith('()'))
    out.push({
      path: at('factory'),
      message: '"module" already ends in "()", which says the attribute is a factory',
      fix: 'remove "factory", or the "()"',
    });
  return out;
}

/**
 * Problems only the whole scenario shows: gunicorn takes --timeout and --graceful-timeout in
 * whole seconds, so a duration that is not one at this time scale would run as another.
 */
export function wholeSecondProblems(
  topologies: ReadonlyArray<{
    kind: string;
    timeout: number;
    gracefulTimeout?: number | undefined;
    timeScale?: number | undefined;
  }>,
  runTimeScale: number,
): Issue[] {
  const out: Issue[] = [];
  topologies.forEach((t, i) => {
    if (!GUNICORN_KINDS.includes(t.kind)) return;
    const timeScale = t.timeScale ?? runTimeScale;
    for (const field of ['timeout', 'gracefulTimeout'] as const) {
      const seconds = t[field];
      if (seconds === undefined || seconds === 0) continue;
      const real = seconds * timeScale;
      if (Math.abs(real - Math.round(real)) > 1e-9 || Math.round(real) < 1)
        out.push({
          path: ['topologies', i, field],
          message: `gunicorn takes ${field === 'timeout' ? '--timeout' : '--graceful-timeout'} in whole seconds; ${seconds} s at timeScale ${timeScale} is ${+real.toFixed(6)} real seconds`,
          fix: `choose a duration that is a whole number of real seconds at timeScale ${timeScale}, such as ${+(Math.max(1, Math.round(real)) / timeScale).toFixed(6)}`,
        });
    }
  });
  return out;
}

/** Joins `relative` onto `base` unless it is absolute. */
function under(base: string, relative: string): string {
  return posix.isAbsolute(relative) ? posix.normalize(relative) : posix.join(base, relative);
}

/**
 * The topology's app as the launcher takes it: `dir` relative to the scenario file's directory
 * (the file's own directory when absent), `pythonPath` and `config` relative to `dir`, `venv`
 * and a `python` given as a path relative to the scenario file's directory.
 */
export function ownAppOf(app: ParsedApp, kind: RealKind, source: string): OwnApp {
  const home = posix.dirname(source);
  const dir = app.dir === undefined ? home : under(home, app.dir);
  const factory = app.factory || app.module.endsWith('()');
  const python =
    app.venv !== undefined
      ? posix.join(under(home, app.venv), 'bin', 'python')
      : app.python === undefined
        ? undefined
        : app.python.includes('/')
          ? under(home, app.python)
          : app.python;
  const spec: OwnApp = {
    module: app.module.replace(/\(\)$/, ''),
    factory,
    interface: app.interface ?? (interfaceOf(kind) satisfies AppInterface),
    dir,
    pythonPath: app.pythonPath.map((p) => under(dir, p)),
    env: app.env,
    serverArgs: app.serverArgs,
    health: app.health ?? null,
    timing: app.timing,
  };
  if (python !== undefined) spec.python = python;
  if (app.venv !== undefined) spec.venv = under(home, app.venv);
  if (app.config !== undefined) spec.config = under(dir, app.config);
  return spec;
}

export const OWN_APP_FIELD_HELP: Record<string, string> = {
  'topologies[].app':
    'your own app, run by a real kind, such as { "module": "shop.main:app", "dir": "../shop" }',
  'topologies[].app.module':
    'the app as module:attribute, such as "shop.main:app", or "shop:create_app()" for a factory',
  'topologies[].app.factory':
    'true when the attribute is a factory the harness calls with no arguments',
  'topologies[].app.interface':
    '"wsgi" or "asgi"; defaults to what the kind serves (the uvicorn kinds ASGI, the others WSGI)',
  'topologies[].app.dir':
    "the app's directory, relative to the scenario file (default: the file's directory): the server's working directory, first on the import path",
  'topologies[].app.pythonPath': 'more directories on the import path, relative to "dir"',
  'topologies[].app.python':
    "the Python interpreter to run the server with (default Debian's /usr/bin/python3, or HARNESS_PYTHON)",
  'topologies[].app.venv':
    'a virtual environment whose bin/python runs the server (it needs gunicorn or uvicorn installed)',
  'topologies[].app.env':
    'environment variables for the app, such as { "DATABASE_URL": "sqlite:///x.db" }',
  'topologies[].app.config':
    'your gunicorn.conf.py, relative to "dir": its settings and hooks apply, except those the topology\'s fields set',
  'topologies[].app.serverArgs':
    'more arguments for gunicorn or uvicorn, such as ["--limit-request-line", "8190"]; not those the topology\'s fields set',
  'topologies[].app.health':
    'the path the readiness probe asks for, answered with 2xx or 3xx (default: "/" answered with anything below 500)',
  'topologies[].app.timing':
    'false when the app already has the Server-Timing middleware (default true: the harness wraps it)',
  'topologies[].gracefulTimeout':
    'a duration in scenario time: gunicorn --graceful-timeout, in whole real seconds (default 1 real second)',
  'topologies[].limitConcurrency':
    'kind "uvicorn": a whole number, uvicorn --limit-concurrency; more connections or tasks than this are answered 503',
};

/** The own-app parts of a topology, present only when the file set them. */
export function ownAppParts(
  t: ParsedTopology & { kind: string },
  source: string,
): { app?: OwnApp; gracefulTimeout?: number; limitConcurrency?: number } {
  return {
    ...(t.app === undefined || !isRealKind(t.kind) ? {} : { app: ownAppOf(t.app, t.kind, source) }),
    ...(t.gracefulTimeout === undefined ? {} : { gracefulTimeout: t.gracefulTimeout }),
    ...(t.limitConcurrency === undefined ? {} : { limitConcurrency: t.limitConcurrency }),
  };
}
