import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { ISubscriptionMap } from 'mqtt';
import { type DecodeRejection, decodePayload, makeEvent, type Reading, type TwinEvent } from '../reading';
import type { SensorRegistry } from '../sensors';
import { ReadingChannel, type Source, SourceCounters, type SourceStats } from '../source';
import type { TopicPolicyRule } from '../topics';
import { CONNECTION_KEYS, type MqttConnectionOptions, MqttLink, resolveConnection } from './connection';
import { checkFilter, qosForFilter } from './filters';

/** Options of {@link mqttSource}; the connection options are {@link MqttConnectionOptions}'s. */
export interface MqttSourceOptions extends MqttConnectionOptions {
  /** The topic filters to subscribe to; default the topics of `sensors`. */
  readonly topics?: readonly string[];
  /**
   * The sensor registry: gives `sensor_id` and `unit` to readings by their topic (a bare number on
   * a sensor's topic is a reading), and refuses readings of unknown sensors.
   */
  readonly sensors?: SensorRegistry;
  /** The QoS to subscribe to a filter at, per filter (a key must be one of `topics`); default {@link qosForFilter}. */
  readonly qos?: Readonly<Record<string, 0 | 1 | 2>>;
  /** Rules before the default topic policy, for {@link qosForFilter}. */
  readonly topicPolicy?: readonly TopicPolicyRule[];
  /**
   * How many readings wait for the consumer at most; default 10,000. MQTT cannot be slowed down
   * (QoS 0 has no flow control), so beyond this the oldest waiting reading is dropped, counted as
   * `'queue_full'`.
   */
  readonly maxQueued?: number;
}

/** The counters of an {@link MqttSource}: {@link SourceStats} and what only MQTT knows. */
export interface MqttSourceStats extends SourceStats {
  /**
   * Readings missing by their `seq`: per sensor, every jump from `seq` n to n + k (k > 1) counts
   * k - 1. These are losses before the source (QoS 0 messages the broker did not deliver while the
   * link was down, a publisher's own drops); the source's own drops are in `dropped`. A `seq` that
   * goes back (a publisher restarted, a QoS 1 duplicate) counts nothing.
   */
  readonly seqGaps: number;
  /** {@link MqttSourceStats.seqGaps} per sensor id. */
  readonly seqGapsBySensor: Readonly<Record<string, number>>;
  /** Whether the source is connected and subscribed now. */
  readonly connected: boolean;
  /** The last input refused, for people: topic, reason and what was wrong. */
  readonly lastRejection?: {
    readonly topic: string;
    readonly reason: DecodeRejection;
    readonly detail: string;
    readonly time: number;
  };
}

/** A {@link Source} of readings from an MQTT broker, made by {@link mqttSource}. */
export interface MqttSource extends Source {
  /** Returns a snapshot of the counters. */
  stats(): MqttSourceStats;
  /** The filters it subscribes to, with their QoS. */
  readonly subscriptions: readonly { readonly filter: string; readonly qos: 0 | 1 | 2 }[];
  /** The client id it connects with (given, or generated when none was). */
  readonly clientId: string;
}

const KNOWN_KEYS = [...CONNECTION_KEYS, 'topics', 'sensors', 'qos', 'topicPolicy', 'maxQueued'];

/**
 * Makes a {@link Source} of readings from an MQTT broker (on MQTT.js). It subscribes to `topics` at
 * the topic policy's QoS, decodes each message (a JSON reading in the telemetry schema, or a bare
 * number on a registered sensor's topic), and counts every message: accepted, rejected by
 * {@link DecodeRejection} reason, or dropped (`'queue_full'` when the consumer falls behind by more
 * than `maxQueued`). With a `clientId` the broker keeps the session, so QoS 1 messages published
 * while the source was away arrive when it comes back; it resubscribes whenever the broker did not
 * keep the session. It reconnects by itself with exponential backoff and jitter, counts it in
 * `stats().reconnects`, and raises `source_disconnected` and `source_reconnected` events.
 * Credentials come from the options, the URL or `TWINKIT_MQTT_*` and never appear in `name`,
 * errors or stats.
 *
 * @example
 * ```ts
 * import { defineSensors } from '@twinkit/adapters';
 * import { mqttSource } from '@twinkit/adapters/mqtt';
 *
 * const sensors = defineSensors([
 *   { id: 'TEMP-001', source: 'factory/production/line1/machine/telemetry/temperature', unit: 'degC', range: [0, 150] },
 * ]);
 * const source = mqttSource({ url: 'mqtt://127.0.0.1:1883', sensors });
 * source.onEvent((e) => console.log(e.event_type));
 * for await (const reading of source) {
 *   console.log(reading.sensor_id, reading.value, reading.unit);
 *   break; // ends the loop and closes the source
 * }
 * ```
 */
export function mqttSource(options: MqttSourceOptions): MqttSource {
  return new MqttSourceImpl(options);
}

class MqttSourceImpl implements MqttSource {
  readonly name: string;
  readonly subscriptions: readonly { readonly filter: string; readonly qos: 0 | 1 | 2 }[];
  readonly clientId: string;
  private readonly counters = new SourceCounters();
  private readonly channel: ReadingChannel;
  private readonly link: MqttLink;
  private readonly sensors: SensorRegistry | undefined;
  private readonly lastSeq = new Map<string, number>();
  private readonly gapsBySensor = new Map<string, number>();
  private gaps = 0;
  private subscribed = false;
  private closed = false;
  private lastRejection: MqttSourceStats['lastRejection'];

  constructor(options: MqttSourceOptions) {
    const api = 'mqttSource(options)';
    rejectUnknownKeys(api, options, KNOWN_KEYS, "{ url: 'mqtt://127.0.0.1:1883', sensors }");
    if (options === undefined) throw invalidArgument(api, 'options are required', options);
    const connection = resolveConnection(api, options);
    this.name = `mqtt ${connection.url}`;
    this.clientId = connection.clientId;
    this.sensors = options.sensors;
    if (this.sensors !== undefined && typeof this.sensors?.bySource !== 'function')
      throw invalidArgument(api, 'sensors must be a registry made by defineSensors', typeof this.sensors);

    let topics = options.topics;
    if (topics === undefined) {
      if (!this.sensors || this.sensors.size === 0)
        throw invalidArgument(
          api,
          'needs topics to subscribe to, or sensors whose topics to use',
          topics,
          "Pass topics: ['factory/#'] or sensors: defineSensors([...]).",
        );
      topics = this.sensors.list().map((s) => s.source);
    }
    if (!Array.isArray(topics) || topics.length === 0)
      throw invalidArgument(api, 'topics must be a non-empty array of topic filters', topics);
    const filters = [...new Set(topics.map((t) => checkFilter(`${api}: topics`, t)))];

    const overrides = options.qos ?? {};
    if (overrides === null || typeof overrides !== 'object')
      throw invalidArgument(api, 'qos must be an object of filter: 0 | 1 | 2', overrides);
    for (const [filter, qos] of Object.entries(overrides)) {
      if (!filters.includes(filter))
        throw invalidArgument(
          api,
          `qos names the filter ${JSON.stringify(filter)}, which is not one of topics`,
          filter,
          `The filters are ${filters.map((f) => JSON.stringify(f)).join(', ')}.`,
        );
      if (qos !== 0 && qos !== 1 && qos !== 2)
        throw invalidArgument(api, `qos[${JSON.stringify(filter)}] must be 0, 1 or 2`, qos);
    }
    const policy = options.topicPolicy ?? [];
    this.subscriptions = Object.freeze(
      filters.map((filter) =>
        Object.freeze({ filter, qos: overrides[filter] ?? qosForFilter(filter, policy) }),
      ),
    );

    const maxQueued = options.maxQueued ?? 10_000;
    if (!Number.isInteger(maxQueued) || maxQueued < 1)
      throw invalidArgument(api, 'maxQueued must be an integer >= 1', maxQueued);
    this.channel = new ReadingChannel(this.counters, { capacity: maxQueued, overflow: 'drop-oldest' });

    this.link = new MqttLink(
      api,
      connection,
      {},
      {
        ready: async (connack, first) => {
          // A kept session keeps its subscriptions; a new one (or a broker that lost it) needs them again.
          if (first || !connack.sessionPresent || !this.subscribed) await this.subscribe(api);
        },
        down: ({ error }) => {
          this.counters.emit(
            makeEvent('source_disconnected', 'warning', this.name, Date.now(), {
              url: connection.url,
              ...(error ? { error } : {}),
            }),
          );
        },
        up: (info) => {
          this.counters.reconnected();
          this.counters.emit(
            makeEvent('source_reconnected', 'info', this.name, Date.now(), { url: connection.url, ...info }),
          );
        },
      },
    );
  }

  private async subscribe(api: string): Promise<void> {
    const client = this.link.client;
    if (!client) return;
    this.subscribed = false;
    const map: ISubscriptionMap = {};
    for (const { filter, qos } of this.subscriptions) map[filter] = { qos };
    const granted = await client.subscribeAsync(map);
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0)
      throw new TwinkitError(
        `${api}: the broker refused the subscription to ${refused.map((t) => JSON.stringify(t)).join(', ')} (SUBACK 0x80). Check the filter and the broker's access rules for this user.`,
        { code: 'IO', details: { refused } },
      );
    this.subscribed = true;
  }

  async start(): Promise<void> {
    if (this.closed)
      throw new TwinkitError(`${this.name}: start() after close(); make a new source.`, {
        code: 'INVALID_STATE',
      });
    if (this.link.client === undefined) this.listen();
    await this.link.start();
  }

  private listen(): void {
    const started = this.link.start();
    // start() may be called again; the first call's failure is reported there, not as unhandled.
    started.catch(() => {});
    const client = this.link.client;
    if (!client) return;
    const sensors = this.sensors;
    const counters = this.counters;
    const channel = this.channel;
    client.on('message', (topic, payload) => {
      counters.received();
      const receivedAt = Date.now();
      const result = decodePayload(payload.toString('utf8'), { source: topic, sensors, receivedAt });
      if (!result.ok) {
        counters.rejected(result.reason);
        this.lastRejection = { topic, reason: result.reason, detail: result.detail, time: receivedAt };
        return;
      }
      const reading = result.reading;
      if (reading.seq !== undefined) this.trackSeq(reading);
      channel.offer(reading);
    });
  }

  private trackSeq(reading: Reading): void {
    const seq = reading.seq as number;
    const last = this.lastSeq.get(reading.sensor_id);
    this.lastSeq.set(reading.sensor_id, last === undefined ? seq : Math.max(last, seq));
    if (last !== undefined && seq > last + 1) {
      const missing = seq - last - 1;
      this.gaps += missing;
      this.gapsBySensor.set(reading.sensor_id, (this.gapsBySensor.get(reading.sensor_id) ?? 0) + missing);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.link.close();
    this.channel.end();
  }

  stats(): MqttSourceStats {
    return {
      ...this.counters.snapshot(this.channel.size),
      seqGaps: this.gaps,
      seqGapsBySensor: Object.fromEntries(this.gapsBySensor),
      connected: this.link.up,
      ...(this.lastRejection ? { lastRejection: this.lastRejection } : {}),
    };
  }

  onEvent(listener: (event: TwinEvent) => void): () => void {
    return this.counters.onEvent(listener);
  }

  [Symbol.asyncIterator](): AsyncIterator<Reading> {
    // The channel's own iterator, started on the first next() and closing the source when the
    // loop is left: no generator of ours between the two (it cost a resumption per reading).
    const inner = this.channel[Symbol.asyncIterator]();
    let first: Promise<void> | undefined;
    const leave = async (): Promise<IteratorResult<Reading>> => {
      await inner.return?.(undefined);
      // Leaving the loop (break, return, throw) ends the source, as it ends a Node stream.
      await this.close();
      return { value: undefined, done: true };
    };
    return {
      next: () => {
        if (first === undefined) {
          first = this.start();
          return first.then(
            () => inner.next(),
            async (error: unknown) => {
              await this.close();
              throw error;
            },
          );
        }
        return inner.next();
      },
      return: leave,
      throw: async (error: unknown) => {
        await leave();
        throw error;
      },
    };
  }
}
