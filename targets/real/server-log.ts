/**
 * Reads a real server's own log, line by line, into what happened to its workers. Pure: a line
 * in, an event (or nothing) out; the launcher stamps each event with the instant it read the
 * line and turns them into the lifecycle messages the emulated arbiter sends (server.ts).
 *
 * gunicorn's error log (`--log-level info`, its default format
 * `[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s`, gunicorn/glogging.py), the lines
 * of gunicorn/arbiter.py and gunicorn/workers/{sync,gthread}.py in 20.1 and after:
 *
 *   Starting gunicorn 20.1.0                                   the server and its version
 *   Listening at: http://127.0.0.1:4000 (4241)                 the master has started
 *   Booting worker with pid: 4242                              a worker was forked
 *   Autorestarting worker after current request.               [pid] reached --max-requests
 *   WORKER TIMEOUT (pid:4242)                                  the master aborts it (SIGABRT)
 *   Worker exiting (pid: 4242)                                 the worker's own last line
 *   Worker with pid 4242 was terminated due to signal 9        reaped after a signal (20.1)
 *   Worker (pid:4242) was sent SIGKILL! Perhaps out of memory? reaped after SIGKILL (21+)
 *   Worker (pid:4242) was sent SIGTERM!                        reaped after SIGTERM (21+)
 *
 * uvicorn's log as harness_servers/uvicorn_main.py formats it (the same layout, so that lines
 * carry the process id; uvicorn/server.py):
 *
 *   Started server process [4242]                              a worker process started
 *   Finished server process [4242]                             it exited of its own accord
 *
 * and the harness's own markers, which the Python side prints on stderr:
 *
 *   harness:worker-ready pid=4242        the worker has loaded the app and accepts
 *   harness:server gunicorn 20.1.0       a server's name and version
 *   harness:app-error import <message>   the user's app failed to load (own_app.py)
 *   harness:worker-initialised pid=4242 skipped=0
 *                                        the bundled app's start-up work is done (startup.py)
 */

export type ServerLogEvent =
  | { type: 'server'; name: string; version: string }
  | { type: 'listening' }
  | { type: 'boot'; pid: number }
  | { type: 'ready'; pid: number }
  | { type: 'initialised'; pid: number; skipped: boolean }
  | { type: 'recycling'; pid: number }
  | { type: 'timeout'; pid: number }
  | { type: 'exit'; pid: number }
  | { type: 'killed'; pid: number; signal: string }
  | { type: 'app-error'; kind: AppErrorKind; message: string };

/**
 * What own_app.py found wrong with the user's app:
 *   module     the app's own module (or a package on its path) cannot be found
 *   dependency the app imports a module the interpreter does not have
 *   attribute  the module has no such attribute
 *   import     importing the module raised
 *   factory    calling the factory raised, or it returned nothing callable
 *   interface  a WSGI app given to an ASGI server, or the other way round
 */
export const APP_ERROR_KINDS = [
  'module',
  'dependency',
  'attribute',
  'import',
  'factory',
  'interface',
] as const;
export type AppErrorKind = (typeof APP_ERROR_KINDS)[number];

const SIGNALS: Record<string, string> = {
  '6': 'SIGABRT',
  '9': 'SIGKILL',
  '15': 'SIGTERM',
  '2': 'SIGINT',
  '1': 'SIGHUP',
};

/** The signal's name for a number gunicorn logs ("9" -> "SIGKILL"); others as "signal N". */
export function signalName(number: string): string {
  return SIGNALS[number] ?? `signal ${number}`;
}

/** `[...] [4242] [INFO] message`: the process that logged the line and the message. */
const LOGGED = /^(?:\[[^\]]*\]\s+)?\[(\d+)\]\s+\[[A-Z]+\]\s+(.*)$/;

const PATTERNS: ReadonlyArray<
  readonly [RegExp, (m: RegExpExecArray, pid: number | null) => ServerLogEvent | null]
> = [
  [/^Starting gunicorn (\S+)/, (m) => ({ type: 'server', name: 'gunicorn', version: m[1] ?? '' })],
  [/^Listening at: /, () => ({ type: 'listening' })],
  [/^Booting worker with pid: (\d+)/, (m) => ({ type: 'boot', pid: Number(m[1]) })],
  [/^Started server process \[(\d+)\]/, (m) => ({ type: 'boot', pid: Number(m[1]) })],
  [
    /^Autorestarting worker after current request/,
    (_m, pid) => (pid === null ? null : { type: 'recycling', pid }),
  ],
  [/^WORKER TIMEOUT \(pid:\s*(\d+)\)/, (m) => ({ type: 'timeout', pid: Number(m[1]) })],
  [/^Worker exiting \(pid: (\d+)\)/, (m) => ({ type: 'exit', pid: Number(m[1]) })],
  [/^Finished server process \[(\d+)\]/, (m) => ({ type: 'exit', pid: Number(m[1]) })],
  [
    /^Worker with pid (\d+) was terminated due to signal (\d+)/,
    (m) => ({ type: 'killed', pid: Number(m[1]), signal: signalName(m[2] ?? '') }),
  ],
  [
    /^Worker \(pid:(\d+)\) was sent (SIG[A-Z]+)/,
    (m) => ({ type: 'killed', pid: Number(m[1]), signal: m[2] ?? 'SIGKILL' }),
  ],
];

/** The event a line of the server's output tells, or null for any other line. */
export function parseServerLine(raw: string): ServerLogEvent | null {
  const line = raw.trim();
  if (line.startsWith('harness:')) return parseMarker(line);
  const logged = LOGGED.exec(line);
  const pid = logged === null ? null : Number(logged[1]);
  const message = logged === null ? line : (logged[2] ?? '');
  for (const [pattern, make] of PATTERNS) {
    const m = pattern.exec(message);
    if (m !== null) return make(m, pid);
  }
  return null;
}

function parseMarker(line: string): ServerLogEvent | null {
  const ready = /^harness:worker-ready pid=(\d+)$/.exec(line);
  if (ready !== null) return { type: 'ready', pid: Number(ready[1]) };
  const initialised = /^harness:worker-initialised pid=(\d+) skipped=([01])$/.exec(line);
  if (initialised !== null)
    return { type: 'initialised', pid: Number(initialised[1]), skipped: initialised[2] === '1' };
  const server = /^harness:server (\S+) (\S+)$/.exec(line);
  if (server !== null) return { type: 'server', name: server[1] ?? '', version: server[2] ?? '' };
  const error = /^harness:app-error (\S+) (.*)$/.exec(line);
  if (error !== null && (APP_ERROR_KINDS as readonly string[]).includes(error[1] ?? ''))
    return { type: 'app-error', kind: error[1] as AppErrorKind, message: error[2] ?? '' };
  return null;
}

/** Whether a line is one of the harness's markers rather than the server's own output. */
export function isMarker(line: string): boolean {
  return line.trim().startsWith('harness:');
}
