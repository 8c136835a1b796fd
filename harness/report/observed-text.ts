import type { FanoutFigures } from '../results/fanout-figures.js';
import type { JobsFigures } from '../results/jobs-figures.js';
import type { RunSummary, TopologySummary } from '../results/summary.js';
import { formatSeconds } from '../scenario/duration.js';

/**
 * What a run observed beside the load, in words: lines for the terminal table, and sentences
 * for the report that say what differed between the setups and why, from the measurements.
 * Pure. Times are scenario seconds; delivery latencies are real milliseconds.
 */

const plural = (n: number, word: string, many = `${word}s`): string =>
  `${n} ${n === 1 ? word : many}`;
const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : 'n/a');
const pct = (x: number): string =>
  Number.isFinite(x) ? `${Number((x * 100).toPrecision(3))}%` : 'n/a';
const ms = (x: number): string => `${Number(x.toPrecision(3))} ms`;
const range = (r: { min: number; max: number }, f: (x: number) => string): string =>
  r.min === r.max ? f(r.min) : `${f(r.min)} to ${f(r.max)}`;
const worker = (x: { replica: number; worker: number }): string => `r${x.replica} w${x.worker}`;

const ELECTION_WORDS = {
  none: 'no election: a scheduler in every worker',
  'file-lock': 'elected by a file lock (flock) on each host',
  lease: 'elected by a lease in a shared database row',
} as const;

/** Terminal lines for a topology's observations (none when it had none). */
export function observedLines(t: TopologySummary): string[] {
  return [
    ...(t.jobs === undefined ? [] : jobsLines(t.jobs)),
    ...(t.fanout === undefined ? [] : fanoutLines(t.fanout)),
  ];
}

function jobsLines(j: JobsFigures): string[] {
  const p = j.predicted;
  const lines = [
    `  job every ${formatSeconds(j.interval)}, ${ELECTION_WORDS[j.election]}: ${num(j.runsPerSlot.mean)} runs per slot (min ${j.runsPerSlot.min}, max ${j.runsPerSlot.max}; model ${p.runsPerSlot}) over ${plural(j.slots, 'slot')}, ${plural(j.duplicates, 'duplicate run')}, ${plural(j.missedSlots, 'slot')} missed, ${plural(j.processesThatRan, 'process', 'processes')} ran it`,
  ];
  const k = j.kill;
  if (k !== null) {
    const takeover =
      k.takeover === null
        ? 'nobody ran the job again before the observation ended'
        : `${worker(k.successor ?? k)}${k.successor?.pid === k.pid ? '' : ` (pid ${k.successor?.pid})`} ran it ${formatSeconds(k.takeover)} later (gap between runs ${formatSeconds(k.gap)}, ${plural(k.missedSlots, 'slot')} missed${p.takeover === null ? '' : `; model ${range(p.takeover.takeover, formatSeconds)}, ${range(p.takeover.missedSlots, String)} missed`})`;
    lines.push(`  killed ${worker(k)} (pid ${k.pid}) at ${formatSeconds(k.at)}: ${takeover}`);
  } else if (j.note !== null) lines.push(`  ${j.note}`);
  return lines;
}

/** Where the median delivery spent its time: until the client's worker wrote it, then after. */
function partsText(f: FanoutFigures): string {
  const parts = f.latencyParts;
  if (parts?.toWrite == null || parts.toReceive == null) return '';
  return ` (p50 ${ms(parts.toWrite.p50)} until its worker wrote it, ${ms(parts.toReceive.p50)} from there to the client)`;
}

function fanoutLines(f: FanoutFigures): string[] {
  const spread = f.clientsPerWorker.map((c) => c.clients).join('/');
  const latency =
    f.latencyMs === null
      ? 'no delivery'
      : `latency p50 ${ms(f.latencyMs.p50)}, p99 ${ms(f.latencyMs.p99)}, max ${ms(f.latencyMs.max)} real${partsText(f)}`;
  return [
    `  events (${f.registry} registry): ${plural(f.events, 'event')} to ${plural(f.clients, 'client')} (per worker ${spread}); each reached ${pct(f.share.mean)} of clients on average (min ${pct(f.share.min)}, max ${pct(f.share.max)}; model ${pct(f.predicted.share)} spread evenly, ${pct(f.predicted.shareGivenSpread)} given the spread)`,
    `  ${f.deliveries.made} of ${f.deliveries.expected} deliveries made, ${plural(f.reachedAll, 'event')} reached every client; ${latency}${f.failedClients + f.failedEvents > 0 ? `; ${f.failedClients} streams and ${f.failedEvents} publishes failed` : ''}`,
  ];
}

/** Sentences on the scheduled job across the run's topologies; empty without jobs. */
export function jobsStory(summary: RunSummary): string[] {
  const ts = summary.topologies.filter((t) => t.jobs !== undefined);
  if (ts.length === 0) return [];
  const first = ts[0]?.jobs as JobsFigures;
  const out = [
    `The job was due every ${formatSeconds(first.interval)} and was watched for ${formatSeconds(first.duration)} (${plural(first.slots, 'slot')}); one run per slot is what the deployment wants. The capacity model does not apply here: this is about who runs the job, not about queueing.`,
  ];
  for (const t of ts) {
    const j = t.jobs as JobsFigures;
    const p = j.predicted;
    const asPredicted = j.runsPerSlot.min === p.runsPerSlot && j.runsPerSlot.max === p.runsPerSlot;
    const runs = asPredicted
      ? `${plural(p.runsPerSlot, 'run')} in every slot, as the model predicts (${p.note})`
      : `${j.runsPerSlot.min === j.runsPerSlot.max ? plural(j.runsPerSlot.min, 'run') : `from ${j.runsPerSlot.min} to ${j.runsPerSlot.max} runs`} per slot, ${num(j.runsPerSlot.mean)} on average (the model: ${p.note})`;
    let text = `${t.name} (${ELECTION_WORDS[j.election]}, ${t.workers} workers x ${t.replicas} replicas): ${runs}; ${plural(j.duplicates, 'duplicate run')} in all.`;
    const k = j.kill;
    if (k !== null) {
      if (j.election === 'none')
        text += ` Killing ${worker(k)} at ${formatSeconds(k.at)} changed little: the master forked a replacement, whose own scheduler ran ${k.takeover === null ? 'no slot before the end' : `its first slot ${formatSeconds(k.takeover)} later${k.missedSlots === 0 ? '' : ` (${plural(k.missedSlots, 'slot')} of that worker passed while it started)`}`}, and the other workers kept running every slot.`;
      else if (k.takeover === null)
        text += ` Its leader ${worker(k)} was killed at ${formatSeconds(k.at)} and no other worker ran the job before the observation ended.`;
      else
        text += ` Its leader ${worker(k)} was killed at ${formatSeconds(k.at)}; ${j.election === 'file-lock' ? 'the kernel released its lock at once' : 'its lease stayed in the row until it expired'}, ${worker(k.successor ?? k)} ${k.successorLeads === null ? 'took over' : `took over ${formatSeconds(k.successorLeads - k.at)} after the kill`} and ran the job ${formatSeconds(k.takeover)} after it: ${k.missedSlots === 0 ? 'no slot was missed' : `${plural(k.missedSlots, 'slot')} went without a run`}, ${formatSeconds(k.gap)} between two runs${p.takeover === null ? '' : ` (model: ${range(p.takeover.takeover, formatSeconds)} until the first run, ${range(p.takeover.missedSlots, String)} missed)`}.`;
    } else if (j.note !== null) text += ` ${j.note}.`;
    out.push(text);
  }
  const clean = ts.filter((t) => (t.jobs as JobsFigures).duplicates === 0);
  if (clean.length === 0) {
    out.push('Every setup ran the job more than once in some slot.');
  } else {
    const worst = ts.reduce((a, b) =>
      (b.jobs as JobsFigures).duplicates > (a.jobs as JobsFigures).duplicates ? b : a,
    );
    const gaps = clean
      .map((t) => ({ name: t.name, gap: (t.jobs as JobsFigures).kill?.gap ?? null }))
      .filter((g): g is { name: string; gap: number } => g.gap !== null);
    const byGap = gaps.sort((a, b) => a.gap - b.gap);
    out.push(
      `Only ${clean.map((t) => t.name).join(' and ')} ran the job once per slot${worst.jobs !== undefined && worst.jobs.duplicates > 0 ? `, where ${worst.name} ran it ${num(worst.jobs.runsPerSlot.mean)} times` : ''}.${byGap.length > 0 ? ` The price of a single leader is the time without runs after it dies: ${byGap.map((g) => `${formatSeconds(g.gap)} (${g.name})`).join(', ')} between the last run before the kill and the first after.` : ''}`,
    );
  }
  return out;
}

/** Sentences on the events across the run's topologies; empty without fanout. */
export function fanoutStory(summary: RunSummary): string[] {
  const ts = summary.topologies.filter((t) => t.fanout !== undefined);
  if (ts.length === 0) return [];
  const first = ts[0]?.fanout as FanoutFigures;
  const out = [
    `Each event was published once, through whichever worker took the publish, and was meant for every one of the ${plural(first.clients + first.failedClients, 'client')}. The capacity model does not apply: this is about which clients an event reaches, not about queueing. Latencies are real milliseconds from the publishing worker's handler to the client's receipt, on the machine's shared clock.`,
  ];
  for (const t of ts) {
    const f = t.fanout as FanoutFigures;
    const shape = `${t.workers} worker${t.workers === 1 ? '' : 's'} x ${t.replicas} replica${t.replicas === 1 ? '' : 's'}`;
    const latency =
      f.latencyMs === null
        ? ''
        : ` Latency p50 ${ms(f.latencyMs.p50)}, p99 ${ms(f.latencyMs.p99)}.`;
    const reach =
      f.share.mean === 1
        ? `every event reached every client (${f.deliveries.made} of ${f.deliveries.expected} deliveries)`
        : `an event reached ${pct(f.share.mean)} of the clients on average (from ${pct(f.share.min)} to ${pct(f.share.max)}), ${f.reachedAll === 0 ? 'no event reached all of them' : `${plural(f.reachedAll, 'event')} reached all of them`}, and ${f.deliveries.missed} of ${f.deliveries.expected} deliveries never happened`;
    const model =
      f.registry !== 'memory'
        ? ''
        : f.clientsPerWorker.length > 1
          ? ` The model's ${pct(f.predicted.share)} is 1 / (workers x replicas) for clients spread evenly; with the clients where they actually connected (${f.clientsPerWorker.map((c) => c.clients).join('/')} per worker) it is ${pct(f.predicted.shareGivenSpread)}.`
          : ' One worker process holds every client, so its registry reaches them all: why an in-memory registry works in development.';
    out.push(
      `${t.name} (${f.registry === 'memory' ? 'client registry in memory' : 'Redis bus'}, ${shape}): ${reach}.${model}${latency}`,
    );
  }
  const split = ts.filter((t) => t.fanout?.registry === 'memory' && t.workers * t.replicas > 1);
  const bus = ts.filter((t) => t.fanout?.registry === 'redis');
  const a = split[0]?.fanout;
  const b = bus[0]?.fanout;
  if (a !== undefined && b !== undefined && split[0] !== undefined && bus[0] !== undefined) {
    const latency =
      a.latencyMs === null || b.latencyMs === null
        ? ''
        : `, for a p50 delivery latency of ${ms(b.latencyMs.p50)} against ${ms(a.latencyMs.p50)} (p99 ${ms(b.latencyMs.p99)} against ${ms(a.latencyMs.p99)})`;
    out.push(
      `With several worker processes, the Redis bus (${bus[0].name}) took the share of clients an event reaches from ${pct(a.share.mean)} (${split[0].name}) to ${pct(b.share.mean)}${latency}: a hop through Redis and a second worker's write.`,
    );
  }
  return out;
}
