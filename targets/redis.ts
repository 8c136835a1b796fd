/**
 * Entry point: a Redis server for the harness, in the role every other target plays for the
 * supervisor. It picks a free loopback port, runs Debian's redis-server there with no persistence
 * (no RDB snapshots, no append-only file, a working directory of its own that it removes at the
 * end), waits until the server answers PING, and reports ready with the port. Stopping it stops
 * the server; the server dies with this process in any case (setpriv's parent-death signal), and
 * this process with the harness (bindToParent).
 *
 *   harness ──fork──► redis.ts ──spawn──► setpriv --pdeathsig KILL redis-server --port P ...
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { bindToParent, tell } from './lifecycle.js';
import { makeOwnedTempDir } from './owned-temp-dir.js';
import { readConfig } from './protocol.js';

export interface RedisTargetConfig {
  host: string;
  /** The redis-server executable (default: found on PATH). */
  command?: string;
  readyTimeoutMs: number;
}

const config = readConfig<RedisTargetConfig>(process.argv);
// Empty for good (no persistence); removed at the end, or by the next start if this is killed.
const dir = makeOwnedTempDir('capacity-harness-redis');
let server: ChildProcess | undefined;
let stopping = false;

const removeDir = (): void => rmSync(dir, { recursive: true, force: true });

bindToParent(() => {
  stopping = true;
  const child = server;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    removeDir();
    process.exit(0);
  }
  const kill = setTimeout(() => child.kill('SIGKILL'), 2_000);
  child.once('exit', () => {
    clearTimeout(kill);
    removeDir();
    process.exit(0);
  });
  child.kill('SIGTERM');
});

/** A port that was free a moment ago (the server binds it right after; a clash is retried). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** One PING on a fresh connection: true when the server answers +PONG. */
function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString('utf8').startsWith('+PONG')));
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

function fail(code: string, message: string): never {
  tell({ type: 'failed', code, message });
  removeDir();
  process.exit(1);
}

async function start(): Promise<void> {
  const command = config.command ?? 'redis-server';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(config.host);
    const output: string[] = [];
    const child = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'KILL',
        '--',
        command,
        '--bind',
        config.host,
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
        '--logfile',
        '',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server = child;
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        output.push(line);
        if (output.length > 20) output.shift();
        // Warnings reach the harness's target output; the startup banner lines are dropped.
        if (!/Redis is starting|Redis version=|Configuration loaded|Server initialized/.test(line))
          console.log(line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited: string | undefined;
    let ready = false;
    child.once('error', (error) => {
      exited = error.message;
    });
    child.once('exit', (code, signal) => {
      exited ??= `redis-server exited (code ${code}, signal ${signal})`;
      if (!stopping && ready) {
        console.error(`${exited} while the harness was using it`);
        removeDir();
        process.exit(1);
      }
    });
    const deadline = Date.now() + config.readyTimeoutMs;
    while (exited === undefined && Date.now() < deadline && !stopping) {
      if (await ping(config.host, port)) {
        ready = true;
        tell({ type: 'ready', port, pid: process.pid, workerPids: [child.pid ?? -1] });
        return;
      }
      await delay(20);
    }
    if (stopping) return;
    const tail = output.slice(-3).join(' | ');
    if (exited !== undefined && /in use/i.test(tail)) continue;
    if (exited === undefined) {
      child.kill('SIGKILL');
      fail('ETIMEDOUT', `redis-server did not answer PING within ${config.readyTimeoutMs} ms`);
    }
    const missing = /ENOENT|No such file|failed to execute/.test(`${exited} ${tail}`);
    fail(missing ? 'ENOENT' : 'EREDIS', `${exited}${tail ? `: ${tail}` : ''}`);
  }
  fail('EADDRINUSE', 'no free loopback port for redis-server after 5 attempts');
}

void start();
