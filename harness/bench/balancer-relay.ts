import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from 'simple-statistics';
import { packageRoot } from '../../targets/package-root.js';
import type { BalancerConfig } from '../../targets/protocol.js';
import { TARGET_HOST } from '../supervise/start-topology.js';
import { Supervisor } from '../supervise/supervisor.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * What the emulated balancer (targets/balancer.ts) adds to a burst (issue 13): 200 warm
 * connections each write one request back to back, once straight to three backends (round
 * robin by connection) and once through the balancer in front of the same three. The backends
 * (first-byte-server.ts) note when each request's first byte arrived, on the clock every process
 * shares; the spread is the last arrival minus the first. The two ways alternate, and what the
 * balancer adds is the median over rounds of (spread through it - spread without it), so that
 * a machine busier in one round than another weighs on both sides alike.
 *
 *   client ──► backend x3                       (direct)
 *   client ──► balancer ──► backend x3          (relayed)
 */

const USERS = 200;
const REPLICAS = 3;
const ROUNDS = 7;
const REQUEST = `GET /work HTTP/1.1\r\nhost: ${TARGET_HOST}\r\n\r\n`;
/** The goal from issue 13: the relay adds at most this many real ms to the burst's spread. */
const ADDED_GOAL_MS = 2;

export const balancerRelay: Benchmark = {
  name: 'balancer-relay',
  description: `real ms the emulated balancer adds to the arrival spread of a ${USERS}-connection burst over ${REPLICAS} backends, median of ${ROUNDS} alternating rounds`,
  run: (log) => measure(log),
};

interface Burst {
  /** Real ms between the first and the last request arriving at a backend. */
  spreadMs: number;
  /** Real ms between the first and the last request written by the client. */
  writeMs: number;
  /** Requests that arrived (of USERS). */
  arrived: number;
}

async function measure(log: (line: string) => void): Promise<BenchFigure[]> {
  const supervisor = new Supervisor();
  try {
    const backends = await Promise.all(
      Array.from({ length: REPLICAS }, (_, r) =>
        supervisor.start({
          label: `backend ${r}`,
          entry: join(packageRoot(), 'dist', 'harness', 'bench', 'first-byte-server.js'),
          config: { host: TARGET_HOST, port: 0 },
          readyTimeoutMs: 20_000,
        }),
      ),
    );
    const config: BalancerConfig = {
      host: TARGET_HOST,
      port: 0,
      backlog: 4096,
      policy: 'round-robin',
      backends: backends.map((b) => ({ host: TARGET_HOST, port: b.port })),
    };
    const balancer = await supervisor.start({
      label: 'balancer',
      entry: join(packageRoot(), 'dist', 'targets', 'balancer.js'),
      config,
      readyTimeoutMs: 20_000,
    });
    const ports = backends.map((b) => b.port);
    const direct: Burst[] = [];
    const relayed: Burst[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await burst((k) => ports[k % REPLICAS] as number, ports));
      relayed.push(await burst(() => balancer.port, ports));
    }
    const added = relayed.map((r, i) => r.spreadMs - (direct[i] as Burst).spreadMs);
    const lost = [...direct, ...relayed].filter((b) => b.arrived < USERS).length;
    const row = (name: string, bursts: Burst[]) =>
      log(
        `  ${name.padEnd(20)} arrival spread ${median(bursts.map((b) => b.spreadMs)).toFixed(2)} ms real (write spread ${median(bursts.map((b) => b.writeMs)).toFixed(2)} ms)`,
      );
    row('direct', direct);
    row('through balancer', relayed);
    log(
      `  added by the relay  ${median(added).toFixed(2)} ms real (median of ${ROUNDS} paired rounds; goal <= ${ADDED_GOAL_MS} ms)${lost > 0 ? `; ${lost} bursts lost requests` : ''}`,
    );
    return [
      {
        case: `${USERS} warm connections, ${REPLICAS} backends, direct`,
        name: 'arrival spread',
        value: median(direct.map((b) => b.spreadMs)),
        unit: 'ms real',
      },
      {
        case: `${USERS} warm connections, ${REPLICAS} backends, through the balancer`,
        name: 'arrival spread',
        value: median(relayed.map((b) => b.spreadMs)),
        unit: 'ms real',
      },
      {
        case: `${USERS} warm connections, ${REPLICAS} backends`,
        name: 'spread added by the balancer',
        value: median(added),
        unit: 'ms real',
        goal: { op: '<=', value: ADDED_GOAL_MS },
      },
    ];
  } finally {
    await supervisor.stopAll();
  }
}

/** Opens USERS connections (user k to port `portOf(k)`), then writes one request on each. */
async function burst(portOf: (k: number) => number, backendPorts: number[]): Promise<Burst> {
  const sockets: Socket[] = Array.from({ length: USERS }, (_, k) => {
    const socket = connect({ host: TARGET_HOST, port: portOf(k), noDelay: true });
    socket.on('error', () => {});
    return socket;
  });
  await Promise.all(
    sockets.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))),
  );
  // Let the balancer finish its own connections to the backends, as it has long before a burst.
  await sleep(200);
  for (const socket of sockets) socket.cork();
  for (const socket of sockets) socket.write(REQUEST);
  const firstNs = process.hrtime.bigint();
  for (const socket of sockets) socket.uncork();
  const lastNs = process.hrtime.bigint();
  await sleep(300);
  const arrivals = (await Promise.all(backendPorts.map(times))).flat();
  for (const socket of sockets) socket.destroy();
  await sleep(100);
  const min = arrivals.reduce((a, b) => (b < a ? b : a), arrivals[0] ?? 0n);
  const max = arrivals.reduce((a, b) => (b > a ? b : a), arrivals[0] ?? 0n);
  return {
    spreadMs: Number(max - min) / 1e6,
    writeMs: Number(lastNs - firstNs) / 1e6,
    arrived: arrivals.length,
  };
}

/** The first-byte instants a backend noted since it was last asked. */
function times(port: number): Promise<bigint[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: TARGET_HOST, port }, () => socket.write('TIMES\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => resolve((JSON.parse(text) as string[]).map((t) => BigInt(t))));
  });
}
