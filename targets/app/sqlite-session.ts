import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/**
 * One connection to a SQLite database through Debian's sqlite3 shell, kept open as a child
 * process: the emulated workers' database driver. Statements go in on stdin; each query ends
 * with a sentinel SELECT so that its output lines can be told from the next query's. The shell
 * flushes after every statement and writes errors to stderr.
 *
 * The child dies with its parent, however the parent dies: setpriv sets its parent-death signal,
 * and a closed stdin ends the shell anyway. A transaction it was in is rolled back by SQLite.
 */

interface Pending {
  sentinel: string;
  lines: string[];
  errors: string[];
  resolve: (lines: string[]) => void;
  reject: (error: Error) => void;
}

export class SqliteError extends Error {
  override readonly name = 'SqliteError';
}

/** How long a statement waits for another connection's write lock before it fails (ms). */
const BUSY_TIMEOUT_MS = 2_000;

export class SqliteSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private partial = '';
  private counter = 0;
  private exited: string | undefined;

  constructor(readonly path: string) {
    this.child = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', '--', 'sqlite3', '-batch', '-noheader', '-list', path],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onOutput(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      const text = chunk.trim();
      if (text !== '') this.pending[0]?.errors.push(text);
    });
    this.child.stdin.on('error', () => {});
    this.child.on('error', (error) => this.fail(`cannot run sqlite3: ${error.message}`));
    this.child.on('exit', (code, signal) =>
      this.fail(`sqlite3 exited (code ${code}, signal ${signal})`),
    );
    this.child.stdin.write(`.timeout ${BUSY_TIMEOUT_MS}\n`);
  }

  /**
   * Runs `sql` (one or more statements) and resolves with the lines it printed, or rejects with
   * what the shell reported on stderr when a statement failed.
   */
  query(sql: string): Promise<string[]> {
    if (this.exited !== undefined) return Promise.reject(new SqliteError(this.exited));
    const sentinel = `-- end of query ${++this.counter} --`;
    return new Promise<string[]>((resolve, reject) => {
      this.pending.push({ sentinel, lines: [], errors: [], resolve, reject });
      this.child.stdin.write(`${sql}\nSELECT '${sentinel}';\n`);
    });
  }

  /** Ends the session: the shell exits when its stdin closes. */
  close(): void {
    this.child.stdin.end();
  }

  private onOutput(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const current = this.pending[0];
      if (current === undefined) continue;
      if (line !== current.sentinel) {
        current.lines.push(line);
        continue;
      }
      this.pending.shift();
      if (current.errors.length > 0) current.reject(new SqliteError(current.errors.join('; ')));
      else current.resolve(current.lines);
    }
  }

  private fail(reason: string): void {
    this.exited ??= reason;
    for (const p of this.pending.splice(0)) p.reject(new SqliteError(reason));
  }
}

/** A string as an SQL literal. */
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
