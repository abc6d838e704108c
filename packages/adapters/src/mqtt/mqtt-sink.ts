import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { makeEvent, type TwinEvent } from '../reading';
import { messageBody, type Sink, SinkCounters, type SinkMessage, type SinkStats } from '../sink';
import { EventListeners } from '../source';
import { qosFor, type TopicPolicy, type TopicPolicyRule } from '../topics';
import { CONNECTION_KEYS, type MqttConnectionOptions, MqttLink, resolveConnection } from './connection';

/** Options of {@link mqttSink}; the connection options are {@link MqttConnectionOptions}'s. */
export interface MqttSinkOptions extends MqttConnectionOptions {
  /** The QoS of every message, instead of the topic policy's. */
  readonly qos?: 0 | 1 | 2;
  /** Whether the broker retains every message, instead of the topic policy's choice. */
  readonly retain?: boolean;
  /** Rules before the default topic policy ({@link qosFor}): QoS and retain per topic pattern. */
  readonly topicPolicy?: readonly TopicPolicyRule[];
  /** How many messages the sink holds at most (queued and in flight); default 10,000. */
  readonly maxBuffered?: number;
  /** How many payload and topic bytes it holds at most; default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * How many publishes may wait for their acknowledgement at once; default 16, below Mosquitto's
   * default `max_inflight_messages` of 20 (a broker that gets more than its window may drop them).
   */
  readonly maxInflight?: number;
  /**
   * What `write` does with a QoS 1/2 message when the buffer is full of QoS 1/2 messages (QoS 0
   * ones are dropped first, oldest first): `'wait'` (default) makes its promise wait for room,
   * `'error'` rejects it with a TwinkitError.
   */
  readonly onFull?: 'wait' | 'error';
  /**
   * The topic of the sink's retained status (`{"state":"online"}` on each connect, `"offline"` as
   * the last will and on close), or `false` for none; default `<topicRoot>/twin/<clientId>/status/state`.
   */
  readonly statusTopic?: string | false;
  /** The first level of the topics the sink makes up (status, events without a topic); default `'twinkit'`. */
  readonly topicRoot?: string;
  /** How long `close()` waits for the buffer to drain before it gives up on it, ms; default 10,000. */
  readonly closeTimeoutMs?: number;
}

/** The counters of an {@link MqttSink}: {@link SinkStats} and what only MQTT knows. */
export interface MqttSinkStats extends SinkStats {
  /** Messages published and not yet acknowledged (part of `buffered`). */
  readonly inflight: number;
  /** `write` calls waiting for room (`onFull: 'wait'`); not yet counted in `written`. */
  readonly waiting: number;
  /** How many times the sink re-established its connection. */
  readonly reconnects: number;
  /** Whether it is connected now. */
  readonly connected: boolean;
  /** The last error, if any (credentials never appear in it). */
  readonly lastError?: string;
}

/** A {@link Sink} that publishes to an MQTT broker, made by {@link mqttSink}. */
export interface MqttSink extends Sink {
  /** Connects (`write` also does); resolves when connected, fails after `startTimeoutMs` or on a refusal. */
  start(): Promise<void>;
  /** Returns a snapshot of the counters. */
  stats(): MqttSinkStats;
  /** Calls `listener` with each event the sink raises (`sink_disconnected`, `sink_reconnected`); returns an unsubscribe function. */
  onEvent(listener: (event: TwinEvent) => void): () => void;
  /** The client id it connects with. */
  readonly clientId: string;
  /** The topic of its retained status, if any. */
  readonly statusTopic: string | undefined;
}

const KNOWN_KEYS = [
  ...CONNECTION_KEYS,
  'qos',
  'retain',
  'topicPolicy',
  'maxBuffered',
  'maxBufferedBytes',
  'maxInflight',
  'onFull',
  'statusTopic',
  'topicRoot',
  'closeTimeoutMs',
];

const QUEUED = 0;
const INFLIGHT = 1;
const DONE = 2;

interface Entry {
  readonly topic: string;
  /** Emptied when the entry is done, so a tombstone waiting to be compacted holds no payload. */
  payload: Buffer;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  readonly bytes: number;
  state: number;
}

interface Waiter {
  readonly entry: Entry;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const RESOLVED = Promise.resolve();
const EMPTY = Buffer.alloc(0);

/**
 * Makes a {@link Sink} that publishes a twin's readings (on `reading.source`), events (on their
 * `topic`, or `<topicRoot>/events/<source>/status/<event_type>`), state, KPIs and predictions (on
 * their `topic`) to an MQTT broker as JSON, at the QoS and retain flag of the topic policy
 * ({@link qosFor}) unless `qos` / `retain` say otherwise. It owns a bounded buffer (messages and
 * bytes) instead of MQTT.js's unbounded offline queue: when full, the oldest QoS 0 message is
 * dropped (counted `'buffer_full'`); QoS 1/2 messages are never dropped silently (`onFull`). At
 * most `maxInflight` publishes wait for their acknowledgement, so neither the broker's window nor
 * MQTT.js's packet ids are overrun. While disconnected it holds messages and reconnects with
 * backoff; it drains after. It publishes a retained birth message on connect and leaves a
 * retained last will. Counters add up: `written = delivered + Σ dropped + failed + buffered`.
 *
 * @example
 * ```ts
 * import { mqttSink } from '@twinkit/adapters/mqtt';
 *
 * const sink = mqttSink({ url: 'mqtt://127.0.0.1:1883' });
 * await sink.write({ kind: 'state', topic: 'factory/simulation/state/sync', payload: { wip: 12 } });
 * await sink.close(); // flushes first
 * console.log(sink.stats().delivered); // 1
 * ```
 */
export function mqttSink(options: MqttSinkOptions = {}): MqttSink {
  return new MqttSinkImpl(options);
}

// Wildcards cannot stand in a topic name; a made-up topic replaces them.
const SANITIZE = /[+#]/g;

function checkTopicName(api: string, topic: unknown, what: string): string {
  if (typeof topic !== 'string' || topic.length === 0)
    throw invalidArgument(api, `${what} must be a non-empty topic name`, topic);
  if (topic.includes('+') || topic.includes('#') || topic.includes('\u0000'))
    throw invalidArgument(
      api,
      `${what} may not hold the wildcards + or # (or U+0000)`,
      topic,
      'Publish on a topic name, not a filter.',
    );
  if (Buffer.byteLength(topic) > 65_535)
    throw invalidArgument(api, `${what} is longer than 65,535 bytes`, topic.length);
  return topic;
}

class MqttSinkImpl implements MqttSink {
  readonly name: string;
  readonly clientId: string;
  readonly statusTopic: string | undefined;
  private readonly api = 'mqttSink(options)';
  private readonly counters = new SinkCounters();
  private readonly link: MqttLink;
  private readonly listeners = new EventListeners();
  private readonly policyCache = new Map<string, TopicPolicy>();
  private readonly qos: 0 | 1 | 2 | undefined;
  private readonly retain: boolean | undefined;
  private readonly topicPolicy: readonly TopicPolicyRule[];
  private readonly topicRoot: string;
  private readonly maxBuffered: number;
  private readonly maxBufferedBytes: number;
  private readonly maxInflight: number;
  private readonly onFull: 'wait' | 'error';
  private readonly closeTimeoutMs: number;

  // The buffer: one FIFO of every held message (dropped ones stay as tombstones until passed or
  // compacted) and one of the QoS 0 ones, so the oldest QoS 0 message is found without a scan.
  private queue: Entry[] = [];
  private head = 0;
  private tombstones = 0;
  private zeros: Entry[] = [];
  private zerosHead = 0;
  private zerosQueued = 0;
  private zerosQueuedBytes = 0;
  private readonly inflightEntries = new Set<Entry>();
  private buffered = 0;
  private bufferedBytes = 0;
  private readonly waiters: Waiter[] = [];
  private flushWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private pumping = false;
  private pumpAgain = false;
  private started = false;
  private startError: TwinkitError | undefined;
  private closing = false;
  private closePromise: Promise<void> | undefined;

  constructor(options: MqttSinkOptions) {
    const api = this.api;
    rejectUnknownKeys(api, options, KNOWN_KEYS, "{ url: 'mqtt://127.0.0.1:1883' }");
    const connection = resolveConnection(api, options);
    this.name = `mqtt sink ${connection.url}`;
    this.clientId = connection.clientId;
    if (options.qos !== undefined && options.qos !== 0 && options.qos !== 1 && options.qos !== 2)
      throw invalidArgument(api, 'qos must be 0, 1 or 2', options.qos);
    if (options.retain !== undefined && typeof options.retain !== 'boolean')
      throw invalidArgument(api, 'retain must be true or false', options.retain);
    this.qos = options.qos;
    this.retain = options.retain;
    this.topicPolicy = options.topicPolicy ?? [];
    qosFor('x', this.topicPolicy); // validates the rules now, not at the first write
    const root = options.topicRoot ?? 'twinkit';
    this.topicRoot = checkTopicName(api, root, 'topicRoot');
    const int = (name: string, value: unknown, fallback: number, min: number): number => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
        throw invalidArgument(api, `${name} must be an integer >= ${min}`, value);
      return value;
    };
    this.maxBuffered = int('maxBuffered', options.maxBuffered, 10_000, 1);
    this.maxBufferedBytes = int('maxBufferedBytes', options.maxBufferedBytes, 16 * 1024 * 1024, 1024);
    this.maxInflight = int('maxInflight', options.maxInflight, 16, 1);
    if (this.maxInflight > 65_000)
      throw invalidArgument(
        api,
        'maxInflight must be below 65,535, the number of MQTT packet ids',
        this.maxInflight,
      );
    this.closeTimeoutMs = int('closeTimeoutMs', options.closeTimeoutMs, 10_000, 0);
    const onFull = options.onFull ?? 'wait';
    if (onFull !== 'wait' && onFull !== 'error')
      throw invalidArgument(api, "onFull must be 'wait' or 'error'", onFull);
    this.onFull = onFull;
    if (options.statusTopic === false) this.statusTopic = undefined;
    else if (options.statusTopic === undefined)
      this.statusTopic = `${this.topicRoot}/twin/${this.clientId.replace(SANITIZE, '_')}/status/state`;
    else this.statusTopic = checkTopicName(api, options.statusTopic, 'statusTopic');

    const status = this.statusTopic;
    this.link = new MqttLink(
      api,
      connection,
      status
        ? {
            will: {
              topic: status,
              payload: Buffer.from(this.statusBody('offline', 'connection_lost')),
              qos: 1,
              retain: true,
            },
          }
        : {},
      {
        ready: () => {
          const client = this.link.client;
          // The birth message: one publish outside the buffer (and the in-flight cap, which
          // leaves room for it under the broker's window).
          if (status && client) client.publish(status, this.statusBody('online'), { qos: 1, retain: true });
          // Drain after the current event: MQTT.js resends its stored QoS 1/2 packets first.
          setImmediate(() => this.pump());
        },
        down: ({ error }) => {
          // QoS 0 publishes still waiting for the socket to drain will never call back: the bytes
          // may or may not have left. Counted as lost with the link, not as delivered.
          for (const entry of this.inflightEntries) {
            if (entry.qos === 0) {
              this.finish(entry);
              this.counters.dropped('link_lost');
            }
          }
          this.emit(
            makeEvent('sink_disconnected', 'warning', this.name, Date.now(), {
              url: connection.url,
              ...(error ? { error } : {}),
            }),
          );
          this.afterChange();
        },
        up: (info) => {
          this.emit(
            makeEvent('sink_reconnected', 'info', this.name, Date.now(), { url: connection.url, ...info }),
          );
          this.pump();
        },
      },
    );
  }

  private statusBody(state: 'online' | 'offline', reason?: string): string {
    return JSON.stringify({
      state,
      timestamp: new Date().toISOString(),
      client_id: this.clientId,
      ...(reason ? { reason } : {}),
    });
  }

  private emit(event: TwinEvent): void {
    this.listeners.emit(event);
  }

  onEvent(listener: (event: TwinEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  start(): Promise<void> {
    if (this.closing)
      return Promise.reject(
        new TwinkitError(`${this.name}: start() after close(); make a new sink.`, { code: 'INVALID_STATE' }),
      );
    this.started = true;
    const starting = this.link.start();
    starting.then(
      () => this.pump(),
      (error: unknown) => this.failStart(error),
    );
    return starting;
  }

  private failStart(error: unknown): void {
    if (this.startError) return;
    this.startError =
      error instanceof TwinkitError
        ? error
        : new TwinkitError(`${this.api}: ${String(error)}`, { code: 'IO' });
    // Nothing held can ever be delivered: every message is reported as failed.
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i] as Entry;
      if (entry.state === QUEUED) {
        this.finish(entry);
        this.counters.failed();
      }
    }
    for (const waiter of this.waiters.splice(0)) {
      this.counters.written();
      this.counters.failed();
      waiter.reject(this.startError);
    }
    for (const f of this.flushWaiters.splice(0)) f.reject(this.startError);
  }

  write(message: SinkMessage): Promise<void> {
    if (this.startError || this.closing) {
      this.counters.written();
      this.counters.failed();
      return Promise.reject(
        this.startError ??
          new TwinkitError(`${this.name}: write() after close(); the message was not sent.`, {
            code: 'INVALID_STATE',
          }),
      );
    }
    let entry: Entry;
    try {
      entry = this.encode(message);
    } catch (error) {
      this.counters.written();
      this.counters.failed();
      return Promise.reject(error);
    }
    if (!this.started) this.start().catch(() => {});
    if (entry.bytes > this.maxBufferedBytes) {
      this.counters.written();
      this.counters.failed();
      return Promise.reject(
        invalidArgument(
          'MqttSink.write(message)',
          `the message (${entry.bytes} bytes with its topic) is larger than maxBufferedBytes ${this.maxBufferedBytes}`,
          entry.topic,
          'Raise maxBufferedBytes or send a smaller payload.',
        ),
      );
    }
    if (entry.qos > 0 && this.waiters.length > 0) return this.full(entry);
    if (this.makeRoom(entry)) {
      this.admit(entry);
      this.pump();
      return RESOLVED;
    }
    if (entry.qos === 0) {
      // No older QoS 0 message to drop: this one is the oldest QoS 0 message, and goes.
      this.counters.written();
      this.counters.dropped('buffer_full');
      return RESOLVED;
    }
    return this.full(entry);
  }

  private full(entry: Entry): Promise<void> {
    if (this.onFull === 'error') {
      this.counters.written();
      this.counters.failed();
      return Promise.reject(
        new TwinkitError(
          `MqttSink.write(message): the buffer is full of QoS ${entry.qos > 0 ? '1/2' : '0'} messages (${this.buffered} of maxBuffered ${this.maxBuffered}, ${this.bufferedBytes} of maxBufferedBytes ${this.maxBufferedBytes} bytes${this.link.up ? '' : ', broker disconnected'}); the QoS ${entry.qos} message on ${JSON.stringify(entry.topic)} was not accepted. Retry later, raise maxBuffered, or use onFull: 'wait'.`,
          { code: 'INVALID_STATE', details: { topic: entry.topic, buffered: this.buffered } },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => this.waiters.push({ entry, resolve, reject }));
  }

  private encode(message: SinkMessage): Entry {
    const api = 'MqttSink.write(message)';
    if (message === null || typeof message !== 'object')
      throw invalidArgument(api, 'message must be a SinkMessage object', message);
    let topic: string;
    switch (message.kind) {
      case 'reading':
        if (message.reading === null || typeof message.reading !== 'object')
          throw invalidArgument(api, 'a reading message needs a reading', message.reading);
        topic = checkTopicName(api, message.reading.source, 'reading.source');
        break;
      case 'event': {
        if (message.event === null || typeof message.event !== 'object')
          throw invalidArgument(api, 'an event message needs an event', message.event);
        if (message.topic !== undefined) topic = checkTopicName(api, message.topic, 'topic');
        else {
          const levels = (s: unknown) =>
            String(s ?? '')
              .split('/')
              .filter((l) => l.length > 0)
              .map((l) => l.replace(SANITIZE, '_'));
          const source = levels(message.event.source);
          const type = levels(message.event.event_type);
          topic = [
            this.topicRoot,
            'events',
            ...(source.length ? source : ['unknown']),
            'status',
            ...(type.length ? type : ['event']),
          ].join('/');
        }
        break;
      }
      case 'state':
      case 'kpi':
      case 'prediction':
      case 'command':
        topic = checkTopicName(api, message.topic, `the topic of a ${message.kind} message`);
        break;
      default:
        throw invalidArgument(
          api,
          "message.kind must be 'reading', 'event', 'state', 'kpi', 'prediction' or 'command'",
          (message as { kind?: unknown }).kind,
        );
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(messageBody(message));
    } catch (error) {
      throw invalidArgument(
        api,
        `the payload cannot be written as JSON (${(error as Error).message})`,
        message.kind,
      );
    }
    if (json === undefined)
      throw invalidArgument(api, 'the payload cannot be written as JSON', formatValue(undefined));
    let policy = this.policyCache.get(topic);
    if (policy === undefined) {
      policy = qosFor(topic, this.topicPolicy);
      // Bounded: a sink that publishes on ever new topics must not grow this map without end.
      if (this.policyCache.size >= 10_000) this.policyCache.clear();
      this.policyCache.set(topic, policy);
    }
    const payload = Buffer.from(json);
    return {
      topic,
      payload,
      qos: this.qos ?? policy.qos,
      retain: this.retain ?? policy.retain,
      bytes: payload.length + Buffer.byteLength(topic),
      state: QUEUED,
    };
  }

  /** Makes room for `entry` by dropping QoS 0 messages, oldest first, if that can make enough. */
  private makeRoom(entry: Entry): boolean {
    const fits = (count: number, bytes: number) =>
      count + 1 <= this.maxBuffered && bytes + entry.bytes <= this.maxBufferedBytes;
    if (fits(this.buffered, this.bufferedBytes)) return true;
    if (!fits(this.buffered - this.zerosQueued, this.bufferedBytes - this.zerosQueuedBytes)) return false;
    while (!fits(this.buffered, this.bufferedBytes)) {
      const oldest = this.takeOldestZero();
      if (!oldest) return false;
      this.finish(oldest);
      this.tombstones += 1;
      this.counters.dropped('buffer_full');
    }
    return true;
  }

  private takeOldestZero(): Entry | undefined {
    while (this.zerosHead < this.zeros.length) {
      const entry = this.zeros[this.zerosHead] as Entry;
      this.zerosHead += 1;
      if (entry.state === QUEUED) {
        this.compactZeros();
        return entry;
      }
    }
    return undefined;
  }

  private compactZeros(): void {
    const held = this.zeros.length - this.zerosHead;
    if (this.zerosHead > 1024 || (held > 1024 && held > 2 * this.zerosQueued)) {
      this.zeros = this.zeros.slice(this.zerosHead).filter((e) => e.state === QUEUED);
      this.zerosHead = 0;
    }
  }

  private admit(entry: Entry): void {
    this.counters.written();
    this.queue.push(entry);
    this.buffered += 1;
    this.bufferedBytes += entry.bytes;
    if (entry.qos === 0) {
      this.zeros.push(entry);
      this.zerosQueued += 1;
      this.zerosQueuedBytes += entry.bytes;
      this.compactZeros();
    }
    // Tombstones of dropped messages are passed by the sender; while disconnected nothing is
    // passed, so compact when they outnumber the living.
    const held = this.queue.length - this.head;
    if (this.tombstones > 1024 && this.tombstones * 2 > held) {
      this.queue = this.queue.slice(this.head).filter((e) => e.state === QUEUED);
      this.head = 0;
      this.tombstones = 0;
    }
  }

  /** Takes an entry out of the buffer's counts (delivered, dropped or failed: the caller counts which). */
  private finish(entry: Entry): void {
    if (entry.state === QUEUED && entry.qos === 0) {
      this.zerosQueued -= 1;
      this.zerosQueuedBytes -= entry.bytes;
    }
    if (entry.state === INFLIGHT) this.inflightEntries.delete(entry);
    entry.state = DONE;
    entry.payload = EMPTY;
    this.buffered -= 1;
    this.bufferedBytes -= entry.bytes;
  }

  private nextQueued(): Entry | undefined {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as Entry;
      this.head += 1;
      if (entry.state === QUEUED) {
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        return entry;
      }
      this.tombstones -= 1;
    }
    return undefined;
  }

  private requeue(entry: Entry): void {
    this.inflightEntries.delete(entry);
    entry.state = QUEUED;
    if (this.head > 0) this.queue[--this.head] = entry;
    else this.queue.unshift(entry);
    if (entry.qos === 0) {
      this.zerosQueued += 1;
      this.zerosQueuedBytes += entry.bytes;
      if (this.zerosHead > 0) this.zeros[--this.zerosHead] = entry;
      else this.zeros.unshift(entry);
    }
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const client = this.link.client;
        // Never hand MQTT.js a message while offline: its offline queue has no bound.
        while (client?.connected && !this.startError && this.inflightEntries.size < this.maxInflight) {
          const entry = this.nextQueued();
          if (!entry) break;
          if (entry.qos === 0) {
            this.zerosQueued -= 1;
            this.zerosQueuedBytes -= entry.bytes;
          }
          entry.state = INFLIGHT;
          this.inflightEntries.add(entry);
          client.publish(entry.topic, entry.payload, { qos: entry.qos, retain: entry.retain }, (error) =>
            this.published(entry, error),
          );
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private published(entry: Entry, error: Error | undefined): void {
    if (entry.state !== INFLIGHT) return; // already counted (link lost, closed)
    if (error) {
      if (!this.closing && /connection|disconnecting/i.test(error.message)) {
        // Not sent: the link fell between our check and the write. It goes back to the front.
        this.requeue(entry);
      } else {
        this.finish(entry);
        this.counters.failed();
        this.link.lastError = error.message;
      }
    } else {
      this.finish(entry);
      this.counters.delivered();
    }
    this.afterChange();
    this.pump();
  }

  /** Lets waiting writers in when there is room, and settles flushes when all is delivered. */
  private afterChange(): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0] as Waiter;
      if (!this.makeRoom(waiter.entry)) break;
      this.waiters.shift();
      this.admit(waiter.entry);
      waiter.resolve();
    }
    if (this.waiters.length > 0) this.pump();
    if (this.buffered === 0 && this.waiters.length === 0 && this.flushWaiters.length > 0) {
      for (const f of this.flushWaiters.splice(0)) f.resolve();
    }
  }

  flush(): Promise<void> {
    if (this.startError) return Promise.reject(this.startError);
    if (this.buffered === 0 && this.waiters.length === 0) return RESOLVED;
    return new Promise((resolve, reject) => this.flushWaiters.push({ resolve, reject }));
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    if (!this.started) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.closeTimeoutMs);
    });
    try {
      await Promise.race([this.flush().catch(() => {}), timeout]);
      const client = this.link.client;
      if (this.statusTopic && client?.connected && this.link.up) {
        // A clean DISCONNECT discards the will, so the sink says "offline" itself.
        await Promise.race([
          client.publishAsync(this.statusTopic, this.statusBody('offline', 'closed'), {
            qos: 1,
            retain: true,
          }),
          timeout,
        ]).catch(() => {});
      }
    } finally {
      clearTimeout(timer);
    }
    // What could not be delivered in time is counted, never left uncounted.
    for (const waiter of this.waiters.splice(0)) {
      this.counters.written();
      this.counters.failed();
      waiter.reject(
        new TwinkitError(`${this.name}: closed while the message waited for room; it was not sent.`, {
          code: 'INVALID_STATE',
        }),
      );
    }
    let abandoned = 0;
    for (const entry of [...this.inflightEntries]) {
      this.finish(entry);
      abandoned += 1;
    }
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i] as Entry;
      if (entry.state === QUEUED) {
        this.finish(entry);
        abandoned += 1;
      }
    }
    this.counters.dropped('closed', abandoned);
    this.queue = [];
    this.head = 0;
    this.zeros = [];
    this.zerosHead = 0;
    this.tombstones = 0;
    for (const f of this.flushWaiters.splice(0)) f.resolve();
    this.link.markClosing();
    await this.link.close(abandoned > 0);
  }

  stats(): MqttSinkStats {
    return {
      ...this.counters.snapshot(this.buffered, this.bufferedBytes),
      inflight: this.inflightEntries.size,
      waiting: this.waiters.length,
      reconnects: this.link.reconnects,
      connected: this.link.up,
      ...(this.link.lastError ? { lastError: this.link.lastError } : {}),
    };
  }
}
