import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import type { AppConfig } from '../../targets/app/protocol.js';
import { monotonicUs } from '../../targets/app/protocol.js';
import { parseTimingHeaders } from '../../targets/instrument.js';
import { TargetNotReadyError } from '../errors.js';
import {
  type DeliveryRecord,
  type FanoutClient,
  type FanoutEvent,
  type FanoutFigures,
  type FanoutReceipt,
  fanoutFigures,
} from '../results/fanout-figures.js';
import type { FanoutSpec, Registry, Scenario, TopologySpec } from '../scenario/types.js';
import { startRedis } from '../supervise/start-redis.js';
import { TARGET_HOST } from '../supervise/start-topology.js';
import type { RunningTarget, Supervisor } from '../supervise/supervisor.js';
import { type EventStreamClient, openEventStream } from './sse-client.js';
import { waitForSubscribers } from './subscribers.js';

/** The channel every worker subscribes to on the harness's Redis server. */
export const EVENTS_CHANNEL = 'capacity-harness:events';
/** Real milliseconds a client may take to connect and be registered. */
const OPEN_TIMEOUT_MS = 10_000;
const MAX_FAILURES_IN_A_ROW = 3;

/**
 * Observes a topology's server-sent events: starts a Redis server for a `redis` registry (a
 * target of the supervisor, stopped with the topology), connects `fanout.clients` event-stream
 * clients one after another (as users open a page over time, each on its own connection, placed
 * by the balancer and the workers' accept loops), publishes `fanout.events` events through the
 * topology's front door (POST /publish, each on a fresh connection, so that the balancer and an
 * accept race pick the publishing worker), and records which client received which event when.
 *
 *   clients connect ─► (redis: every worker subscribed) ─► event 1 ... event E ─► grace ─► close
 *   time 0 of the figures is the first event's planned instant
 */
export class FanoutObserver {
  private redis: RunningTarget | undefined;
  private readonly streams: Array<EventStreamClient | null> = [];
  private readonly failures: string[] = [];
  private readonly events: FanoutEvent[] = [];
  private startUs: number | undefined;
  private readonly fanout: FanoutSpec;
  private readonly registry: Registry;

  constructor(
    private readonly scenario: Scenario,
    private readonly topology: TopologySpec,
    private readonly supervisor: Supervisor,
  ) {
    if (scenario.fanout === undefined || topology.registry === undefined)
      throw new Error(
        'FanoutObserver needs the scenario\'s "fanout" and the topology\'s "registry"',
      );
    this.fanout = scenario.fanout;
    this.registry = topology.registry;
  }

  private realMs(scenarioSeconds: number): number {
    return scenarioSeconds * this.scenario.timeScale * 1000;
  }

  async setUp(): Promise<void> {
    if (this.registry === 'redis')
      this.redis = await startRedis(this.supervisor, `${this.topology.name} redis`, 20_000);
  }

  app(): AppConfig {
    return {
      sse: {
        registry: this.registry,
        ...(this.redis === undefined
          ? {}
          : { redis: { host: TARGET_HOST, port: this.redis.port, channel: EVENTS_CHANNEL } }),
      },
    };
  }

  async observe(origin: string, signal: AbortSignal): Promise<void> {
    try {
      await this.connectClients(origin, signal);
      if (this.redis !== undefined) {
        const expected = this.topology.workers * this.topology.replicas;
        const seen = await waitForSubscribers(
          { host: TARGET_HOST, port: this.redis.port, channel: EVENTS_CHANNEL },
          expected,
          OPEN_TIMEOUT_MS,
          signal,
        );
        if (seen < expected && !signal.aborted)
          throw new TargetNotReadyError(
            `${this.topology.name}: ${seen} of ${expected} workers subscribed to the Redis channel within ${OPEN_TIMEOUT_MS} ms`,
            { fix: 'look at the target output above for Redis connection errors' },
          );
      }
      const startUs = monotonicUs() + 50_000;
      this.startUs = startUs;
      const publishes: Array<Promise<void>> = [];
      for (let e = 0; e < this.fanout.events; e++) {
        const at = startUs + this.realMs(e * this.fanout.interval) * 1000;
        const ms = (at - monotonicUs()) / 1000;
        if (ms > 0) await sleep(ms, undefined, { signal });
        publishes.push(this.publish(origin, e + 1, signal));
      }
      await Promise.all(publishes);
      const end =
        startUs +
        this.realMs((this.fanout.events - 1) * this.fanout.interval + this.fanout.grace) * 1000;
      const ms = (end - monotonicUs()) / 1000;
      if (ms > 0) await sleep(ms, undefined, { signal });
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      await Promise.all(this.streams.map((s) => s?.close()));
    }
  }

  /**
   * One client after another. A stream that does not open within OPEN_TIMEOUT_MS usually waits
   * for a thread of a worker whose threads all hold streams; after MAX_FAILURES_IN_A_ROW such
   * failures the rest are not tried (and count as failed), so that the run stays short.
   */
  private async connectClients(origin: string, signal: AbortSignal): Promise<void> {
    let failuresInARow = 0;
    for (let i = 0; i < this.fanout.clients && !signal.aborted; i++) {
      if (failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        this.streams.push(null);
        this.failures.push(`not tried: ${MAX_FAILURES_IN_A_ROW} streams before it did not open`);
        continue;
      }
      try {
        this.streams.push(await openEventStream({ origin, timeoutMs: OPEN_TIMEOUT_MS, signal }));
        this.failures.push('');
        failuresInARow = 0;
      } catch (error) {
        this.streams.push(null);
        this.failures.push((error as Error).message);
        failuresInARow += 1;
      }
    }
  }

  private async publish(origin: string, id: number, signal: AbortSignal): Promise<void> {
    const client = new Client(origin, { pipelining: 0 });
    const event: FanoutEvent = {
      id,
      publisher: null,
      published: null,
      publishedUs: null,
      error: null,
    };
    this.events.push(event);
    try {
      const response = await client.request({
        path: `/publish?id=${id}`,
        method: 'POST',
        signal,
        headersTimeout: OPEN_TIMEOUT_MS,
        bodyTimeout: OPEN_TIMEOUT_MS,
      });
      const body = (await response.body.json()) as { publishedUs?: number; error?: string };
      const served = parseTimingHeaders(response.headers).servedBy;
      if (
        response.statusCode !== 200 ||
        typeof body.publishedUs !== 'number' ||
        served.replica === undefined ||
        served.worker === undefined
      ) {
        event.error = body.error ?? `HTTP ${response.statusCode}`;
        return;
      }
      event.publisher = { replica: served.replica, worker: served.worker };
      event.publishedUs = body.publishedUs;
      event.published = this.toScenario(body.publishedUs);
    } catch (error) {
      event.error = (error as Error).message;
    } finally {
      await client.close().catch(() => {});
    }
  }

  private toScenario(us: number): number {
    return (us - (this.startUs ?? us)) / 1e6 / this.scenario.timeScale;
  }

  /** Every delivery and the figures; null when no event was due yet. */
  result(): { records: DeliveryRecord[]; figures: FanoutFigures } | null {
    if (this.startUs === undefined) return null;
    const clients: FanoutClient[] = this.streams.map((s, i) => ({
      replica: s?.servedBy.replica ?? null,
      worker: s?.servedBy.worker ?? null,
      failure: s === null ? (this.failures[i] ?? 'did not open') : s.ended,
    }));
    const receipts: FanoutReceipt[] = [];
    this.streams.forEach((s, client) => {
      for (const r of s?.receipts ?? []) {
        const event = Number(r.event.lastEventId);
        if (!Number.isInteger(event)) continue;
        const sentUs = sentUsOf(r.event.data);
        receipts.push({
          client,
          event,
          receivedUs: r.receivedUs,
          received: this.toScenario(r.receivedUs),
          ...(sentUs === undefined ? {} : { sentUs }),
        });
      }
    });
    return fanoutFigures({
      topology: this.topology.name,
      registry: this.registry,
      workers: this.topology.workers,
      replicas: this.topology.replicas,
      clients,
      events: [...this.events].sort((a, b) => a.id - b.id),
      receipts,
    });
  }
}

/** When the worker wrote the event, from its payload (EventPayload.sentUs); absent if unsaid. */
export function sentUsOf(data: string): number | undefined {
  try {
    const sent = (JSON.parse(data) as { sentUs?: unknown }).sentUs;
    return typeof sent === 'number' && Number.isFinite(sent) ? sent : undefined;
  } catch {
    return undefined;
  }
}
