import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { processExists } from '../../targets/owned-temp-dir.js';

/**
 * Network namespaces for tests and benchmarks that need several hosts on one machine (issue 18: N shard
 * processes, each its own host with its own address, against one target). Linux only, as root,
 * with iproute2's `ip`.
 *
 *   target namespace <lab>-t                    shard namespaces <lab>-s<i>
 *   ┌────────────────────────────┐              ┌──────────────────────────┐
 *   │ lo   br0 10.218.0.1/24     │── v0 ══ eth0 ─│ lo  eth0 10.218.0.10/24  │  shard 0
 *   │        ├ v0 ├ v1 ...       │── v1 ══ eth0 ─│ lo  eth0 10.218.0.11/24  │  shard 1 ...
 *   └────────────────────────────┘              └──────────────────────────┘
 *
 * One veth pair per shard, created with each end already in its namespace (nothing is ever
 * made in the machine's own namespace, so two labs never clash on an interface name), the
 * target's ends joined by a bridge that holds the target's address. The addresses can be the
 * same in every lab: the namespaces reach nothing but each other.
 *
 * Names are `capharness-<pid>-<random>-{t,s<i>}`: the project's prefix, the creating process and
 * a run-unique suffix. Everything a lab made is deleted by `destroy()`, which the test calls in
 * `t.after`, and which also runs when the process exits or gets SIGINT, SIGTERM or SIGHUP; a lab
 * left by a process killed outright (SIGKILL) is deleted by the next lab's creation, which
 * removes every `capharness-<pid>-...` namespace whose process is gone.
 */

export const NETNS_PREFIX = 'capharness';

/** The subnet of every lab: the target's address and the first shard's. */
export const LAB_TARGET_ADDRESS = '10.218.0.1';
const SHARD_BASE = 10;

export interface LabHost {
  /** The namespace's name, for `ip netns exec`. */
  ns: string;
  address: string;
}

export interface NetnsLab {
  target: LabHost;
  shards: LabHost[];
  /** The argv that runs `command` inside `host`'s namespace: `ip netns exec <ns> ...`. */
  exec(host: LabHost, command: string, args: readonly string[]): { file: string; args: string[] };
  /** Kills what still runs in the lab's namespaces and deletes them; safe to call twice. */
  destroy(): void;
}

function ip(args: readonly string[]): { ok: boolean; out: string } {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return {
    ok: run.status === 0,
    out: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error === undefined ? '' : run.error.message}`.trim(),
  };
}

function mustIp(args: readonly string[]): string {
  const run = ip(args);
  if (!run.ok) throw new Error(`ip ${args.join(' ')}: ${run.out}`);
  return run.out;
}

/**
 * Whether labs can be made here, by making and deleting one namespace; when not, the reason (not
 * Linux, not root, no `ip`, namespaces refused by the kernel or a container's limits), for the
 * test's skip message.
 */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `network namespaces are Linux's; this is ${process.platform}` };
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'creating network namespaces needs root (ip netns add)' };
  const probe = `${NETNS_PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}-probe`;
  const add = ip(['netns', 'add', probe]);
  if (!add.ok) return { ok: false, reason: `ip netns add failed: ${add.out}` };
  const up = ip(['-n', probe, 'link', 'set', 'lo', 'up']);
  ip(['netns', 'del', probe]);
  if (!up.ok)
    return { ok: false, reason: `a new namespace's loopback would not come up: ${up.out}` };
  return { ok: true };
}

/** Namespaces with the project's prefix, with the pid that made each. */
function projectNamespaces(): Array<{ ns: string; pid: number }> {
  const list = ip(['netns', 'list']);
  if (!list.ok) return [];
  return list.out.split('\n').flatMap((line) => {
    const match = new RegExp(`^(${NETNS_PREFIX}-(\\d+)-[0-9a-f]+-\\S+)`).exec(line.trim());
    return match === null ? [] : [{ ns: match[1] as string, pid: Number(match[2]) }];
  });
}

/** Kills the processes left inside `ns` (all started by the lab's tests) and deletes it. */
function deleteNamespace(ns: string): void {
  const pids = ip(['netns', 'pids', ns]);
  if (pids.ok)
    for (const pid of pids.out.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  ip(['netns', 'del', ns]);
}

/** Deletes the labs of processes that are gone (killed before they could clean up). */
export function sweepStaleLabs(): string[] {
  const stale = projectNamespaces().filter((n) => n.pid !== process.pid && !processExists(n.pid));
  for (const { ns } of stale) deleteNamespace(ns);
  return stale.map((n) => n.ns);
}

/** The names of this process's namespaces still present (for tests of the cleanup). */
export function ownNamespaces(): string[] {
  return projectNamespaces()
    .filter((n) => n.pid === process.pid)
    .map((n) => n.ns);
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Makes a lab: a target namespace and `shards` shard namespaces joined as drawn above. */
export function createLab(shards: number): NetnsLab {
  if (!Number.isInteger(shards) || shards < 1 || shards > 200)
    throw new RangeError(`a lab has 1 to 200 shards, not ${shards}`);
  sweepStaleLabs();
  const lab = `${NETNS_PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const made: string[] = [];
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    process.off('exit', destroy);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    // Shards first: deleting the target takes the veths' other ends with it.
    for (const ns of made.splice(0).reverse()) deleteNamespace(ns);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    destroy();
    // Then die of the signal as if this handler were not there.
    process.kill(process.pid, signal);
  };
  process.on('exit', destroy);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  const add = (ns: string): void => {
    mustIp(['netns', 'add', ns]);
    made.push(ns);
    mustIp(['-n', ns, 'link', 'set', 'lo', 'up']);
  };
  try {
    const target: LabHost = { ns: `${lab}-t`, address: LAB_TARGET_ADDRESS };
    add(target.ns);
    mustIp(['-n', target.ns, 'link', 'add', 'br0', 'type', 'bridge']);
    mustIp(['-n', target.ns, 'addr', 'add', `${target.address}/24`, 'dev', 'br0']);
    mustIp(['-n', target.ns, 'link', 'set', 'br0', 'up']);
    const hosts: LabHost[] = [];
    for (let i = 0; i < shards; i++) {
      const host: LabHost = { ns: `${lab}-s${i}`, address: `10.218.0.${SHARD_BASE + i}` };
      add(host.ns);
      const peer = `v${i}`;
      mustIp([
        'link',
        'add',
        'eth0',
        'netns',
        host.ns,
        'type',
        'veth',
        'peer',
        'name',
        peer,
        'netns',
        target.ns,
      ]);
      mustIp(['-n', target.ns, 'link', 'set', peer, 'master', 'br0']);
      mustIp(['-n', target.ns, 'link', 'set', peer, 'up']);
      mustIp(['-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
      mustIp(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
      hosts.push(host);
    }
    return {
      target,
      shards: hosts,
      exec: (host, command, args) => ({
        file: 'ip',
        args: ['netns', 'exec', host.ns, command, ...args],
      }),
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}
