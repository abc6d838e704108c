import type { Reading, TwinEvent } from '../reading';
import { ReadingChannel, type Source, SourceCounters, type SourceStats } from '../source';

/**
 * A source fed by hand: `push` a reading, `end` the stream. The quality tests and examples drive
 * the rules with it, reading by reading.
 *
 * @internal
 */
export class ManualSource implements Source {
  readonly name = 'manual';
  private readonly counters = new SourceCounters();
  private readonly channel: ReadingChannel;
  closed = false;
  started = false;

  constructor(capacity = 1_000_000) {
    this.channel = new ReadingChannel(this.counters, { capacity });
  }

  /** Hands on a reading (counted as received). */
  push(...readings: Reading[]): void {
    for (const r of readings) {
      this.counters.received();
      this.channel.offer(r);
    }
  }

  /** Ends the stream (with `error`, if given). */
  end(error?: unknown): void {
    this.channel.end(error);
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel.discard('closed');
  }

  stats(): SourceStats {
    return this.counters.snapshot(this.channel.size);
  }

  onEvent(listener: (event: TwinEvent) => void): () => void {
    return this.counters.onEvent(listener);
  }

  /** Raises an event, as a protocol source does when its link drops. */
  emit(event: TwinEvent): void {
    this.counters.emit(event);
  }

  [Symbol.asyncIterator](): AsyncIterator<Reading> {
    this.started = true;
    return this.channel[Symbol.asyncIterator]();
  }
}

/** Makes a reading of `sensor` at `time` (epoch ms) with `value`, in `unit`. @internal */
export function reading(
  sensor: string,
  time: number,
  value: number,
  extra: Partial<Pick<Reading, 'unit' | 'quality' | 'seq' | 'source' | 'receivedAt'>> = {},
): Reading {
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source: extra.source ?? `factory/production/line1/machine/telemetry/${sensor.toLowerCase()}`,
    value,
    unit: extra.unit ?? 'degC',
    quality: extra.quality ?? 'good',
    sensor_id: sensor,
    receivedAt: extra.receivedAt ?? time,
    ...(extra.seq !== undefined ? { seq: extra.seq } : {}),
  };
}
