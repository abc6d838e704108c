import type { Reading, TwinEvent } from '../reading';

/**
 * What a twin sends out: a reading (published on its `source` topic), an event, or a payload on a
 * named topic (the synchronized state, KPIs, predictions, and commands to an asset on its
 * `.../command/<action>` topic, QoS 2 on MQTT by the topic policy).
 */
export type SinkMessage =
  | { readonly kind: 'reading'; readonly reading: Reading }
  | { readonly kind: 'event'; readonly event: TwinEvent; readonly topic?: string }
  | {
      readonly kind: 'state' | 'kpi' | 'prediction' | 'command';
      readonly topic: string;
      readonly payload: unknown;
      /** Simulation or source time of the payload, epoch ms. */
      readonly time?: number;
    };

/**
 * The counters of a {@link Sink}. They always add up:
 * `written = delivered + Σ dropped + failed + buffered`.
 */
export interface SinkStats {
  /** Messages given to `write`. */
  readonly written: number;
  /** Messages the peer acknowledged (or the file or table took). */
  readonly delivered: number;
  /** Messages let go by policy, by reason (`'buffer_full'` for QoS 0 telemetry dropped oldest first). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Messages that could not be delivered and were reported to the writer as errors. */
  readonly failed: number;
  /** Messages held, waiting to be delivered. */
  readonly buffered: number;
  /** Bytes held, waiting to be delivered. */
  readonly bufferedBytes: number;
}

/**
 * Where a twin's readings, events, state and predictions go: an MQTT broker, a file, a table.
 * `write` resolves when the message is accepted into the sink's bounded buffer (it waits when the
 * buffer is full, if so configured); `flush` resolves when everything written is delivered;
 * `close` flushes and releases the connection or file.
 *
 * @example
 * ```ts
 * const sink = fileSink({ path: 'out.jsonl', format: 'jsonl' });
 * await sink.write({ kind: 'reading', reading });
 * await sink.close();
 * ```
 */
export interface Sink {
  /** A short name for logs and errors. */
  readonly name: string;
  /**
   * The kinds of message the sink takes, when it takes only some (a table of readings and events,
   * a CSV file of readings); a twin writes it nothing else. Omitted: every kind.
   */
  readonly kinds?: readonly SinkMessage['kind'][];
  /** Accepts a message for delivery. */
  write(message: SinkMessage): Promise<void>;
  /** Resolves when every message written so far is delivered, dropped or failed. */
  flush(): Promise<void>;
  /** Flushes, then releases the connection or file. */
  close(): Promise<void>;
  /** Returns a snapshot of the counters. */
  stats(): SinkStats;
}

/**
 * Counts a sink's messages so its {@link SinkStats} add up; the sinks of every protocol share it.
 */
export class SinkCounters {
  private writtenCount = 0;
  private deliveredCount = 0;
  private failedCount = 0;
  private readonly droppedBy = new Map<string, number>();

  /** Counts a message given to `write`. */
  written(n = 1): void {
    this.writtenCount += n;
  }
  /** Counts delivered messages. */
  delivered(n = 1): void {
    this.deliveredCount += n;
  }
  /** Counts failed messages. */
  failed(n = 1): void {
    this.failedCount += n;
  }
  /** Counts messages dropped for `reason`. */
  dropped(reason: string, n = 1): void {
    if (n > 0) this.droppedBy.set(reason, (this.droppedBy.get(reason) ?? 0) + n);
  }
  /** Returns the counters, with what the caller still holds. */
  snapshot(buffered: number, bufferedBytes: number): SinkStats {
    return {
      written: this.writtenCount,
      delivered: this.deliveredCount,
      dropped: Object.fromEntries(this.droppedBy),
      failed: this.failedCount,
      buffered,
      bufferedBytes,
    };
  }
}

/**
 * Serialises a sink message into the JSON its topic carries: a reading in the telemetry schema
 * (without the ingest-only fields), an event in the event schema, a payload as it is.
 */
export function messageBody(message: SinkMessage): unknown {
  switch (message.kind) {
    case 'reading': {
      const { timestamp, source, value, unit, quality, sensor_id, seq } = message.reading;
      return { timestamp, source, value, unit, quality, sensor_id, ...(seq !== undefined ? { seq } : {}) };
    }
    case 'event':
      return message.event;
    default:
      return message.payload;
  }
}
