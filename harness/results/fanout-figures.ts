import { quantileSorted } from 'simple-statistics';
import type { Registry } from '../../targets/app/protocol.js';
import { type FanoutPrediction, predictFanout, shareGivenSpread } from '../model/fanout.js';
import type { Distribution } from '../stats/distribution.js';

/**
 * What reached the server-sent-event clients of a topology: for every event, the share of
 * clients that received it and how long it took from the publish to each receipt. Pure.
 * Instants are scenario seconds from the first event's planned publish; latencies are real
 * milliseconds (they are the bus's and the streams' own costs, which the time scale does not
 * stretch).
 */

export interface FanoutClient {
  /** The worker holding the stream; null when the stream did not open. */
  replica: number | null;
  worker: number | null;
  /** Why the stream did not open, or ended early. */
  failure: string | null;
}

export interface FanoutEvent {
  id: number;
  /** The worker that handled the publish; null when the publish failed. */
  publisher: { replica: number; worker: number } | null;
  /** When the publisher handled it: scenario seconds, and CLOCK_MONOTONIC microseconds. */
  published: number | null;
  publishedUs: number | null;
  error: string | null;
}

export interface FanoutReceipt {
  client: number;
  event: number;
  received: number;
  receivedUs: number;
  /** When the worker holding the stream wrote the event to it (the payload's `sentUs`). */
  sentUs?: number;
}

/** One line of deliveries.ndjson: an event and a client, and whether and when it arrived. */
export interface DeliveryRecord {
  topology: string;
  event: number;
  client: number;
  clientReplica: number | null;
  clientWorker: number | null;
  publisherReplica: number;
  publisherWorker: number;
  published: number;
  /** null: the client never received the event. */
  received: number | null;
  /** Real milliseconds from the publish to the receipt. */
  latencyMs: number | null;
  /**
   * Of which, from the publish until the client's worker wrote it (the registry's hop: a Redis
   * round trip, or none in memory); null when the payload did not say when it was written.
   */
  writtenMs: number | null;
}

/** Delivery latencies, real milliseconds. */
export type LatencyFigures = Distribution;

export interface FanoutFigures {
  registry: Registry;
  /** Streams open when the first event was published, and streams that failed to open. */
  clients: number;
  failedClients: number;
  clientsPerWorker: Array<{ replica: number; worker: number; clients: number }>;
  /** Events published, and publishes that failed. */
  events: number;
  failedEvents: number;
  /** Per event: receivers / clients. */
  share: { mean: number; min: number; max: number };
  /** Events that every client received. */
  reachedAll: number;
  /** Deliveries expected (events x clients), made, and missed. */
  deliveries: { expected: number; made: number; missed: number; duplicates: number };
  /** Real milliseconds from the publish to the receipt, over every delivery made. */
  latencyMs: LatencyFigures | null;
  /**
   * The same split at the instant the client's worker wrote the event: `toWrite` from the
   * publish until then (the registry's hop), `toReceive` from then until the client had it (the
   * worker's write, the socket, the balancer, the harness's client). Null where no payload said.
   */
  latencyParts: { toWrite: LatencyFigures | null; toReceive: LatencyFigures | null };
  perEvent: Array<{
    event: number;
    publisher: string;
    share: number;
    /** The share the registry allows given where the clients are. */
    expected: number;
  }>;
  predicted: FanoutPrediction & {
    /** The mean of the per-event expected shares: the prediction given the actual spread. */
    shareGivenSpread: number;
  };
}

export interface FanoutFiguresInput {
  topology: string;
  registry: Registry;
  workers: number;
  replicas: number;
  clients: readonly FanoutClient[];
  events: readonly FanoutEvent[];
  receipts: readonly FanoutReceipt[];
}

const key = (replica: number, worker: number): string => `${replica}/${worker}`;

export function latencyFigures(values: readonly number[]): LatencyFigures | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
  };
}

export function fanoutFigures(input: FanoutFiguresInput): {
  figures: FanoutFigures;
  records: DeliveryRecord[];
} {
  const open = input.clients
    .map((c, index) => ({ ...c, index }))
    .filter((c) => c.replica !== null && c.worker !== null);
  const perWorker = new Map<string, number>();
  for (const c of open) {
    const k = key(c.replica as number, c.worker as number);
    perWorker.set(k, (perWorker.get(k) ?? 0) + 1);
  }
  const clientsPerWorker: FanoutFigures['clientsPerWorker'] = [];
  for (let replica = 0; replica < input.replicas; replica++)
    for (let worker = 0; worker < input.workers; worker++)
      clientsPerWorker.push({ replica, worker, clients: perWorker.get(key(replica, worker)) ?? 0 });

  const receipts = new Map<string, FanoutReceipt[]>();
  for (const r of input.receipts) {
    const k = `${r.event}:${r.client}`;
    const list = receipts.get(k) ?? [];
    list.push(r);
    receipts.set(k, list);
  }
  const published = input.events.filter(
    (e) => e.publisher !== null && e.published !== null && e.publishedUs !== null,
  );
  const records: DeliveryRecord[] = [];
  const latencies: number[] = [];
  const toWrite: number[] = [];
  const toReceive: number[] = [];
  const perEvent: FanoutFigures['perEvent'] = [];
  let duplicates = 0;
  for (const e of published) {
    const publisher = e.publisher as { replica: number; worker: number };
    let reached = 0;
    for (const c of open) {
      const got = receipts.get(`${e.id}:${c.index}`) ?? [];
      duplicates += Math.max(0, got.length - 1);
      const first = got[0];
      const latencyMs =
        first === undefined ? null : (first.receivedUs - (e.publishedUs as number)) / 1000;
      const writtenMs =
        first?.sentUs === undefined ? null : (first.sentUs - (e.publishedUs as number)) / 1000;
      if (latencyMs !== null) {
        reached++;
        latencies.push(latencyMs);
        if (writtenMs !== null) {
          toWrite.push(writtenMs);
          toReceive.push(latencyMs - writtenMs);
        }
      }
      records.push({
        topology: input.topology,
        event: e.id,
        client: c.index,
        clientReplica: c.replica,
        clientWorker: c.worker,
        publisherReplica: publisher.replica,
        publisherWorker: publisher.worker,
        published: e.published as number,
        received: first?.received ?? null,
        latencyMs,
        writtenMs,
      });
    }
    perEvent.push({
      event: e.id,
      publisher: `r${publisher.replica} w${publisher.worker}`,
      share: open.length === 0 ? 0 : reached / open.length,
      expected: shareGivenSpread(
        input.registry,
        perWorker.get(key(publisher.replica, publisher.worker)) ?? 0,
        open.length,
      ),
    });
  }
  const shares = perEvent.map((e) => e.share);
  const mean = (xs: readonly number[]): number =>
    xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
  const made = latencies.length;
  const expected = published.length * open.length;
  return {
    records,
    figures: {
      registry: input.registry,
      clients: open.length,
      failedClients: input.clients.length - open.length,
      clientsPerWorker,
      events: published.length,
      failedEvents: input.events.length - published.length,
      share: {
        mean: mean(shares),
        min: shares.length === 0 ? Number.NaN : Math.min(...shares),
        max: shares.length === 0 ? Number.NaN : Math.max(...shares),
      },
      reachedAll: perEvent.filter((e) => open.length > 0 && e.share === 1).length,
      deliveries: { expected, made, missed: expected - made, duplicates },
      latencyMs: latencyFigures(latencies),
      latencyParts: { toWrite: latencyFigures(toWrite), toReceive: latencyFigures(toReceive) },
      perEvent,
      predicted: {
        ...predictFanout(input),
        shareGivenSpread: mean(perEvent.map((e) => e.expected)),
      },
    },
  };
}
