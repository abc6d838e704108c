import { invalidArgument, TwinkitError } from '@twinkit/core';
import { makeEvent, type Reading, type TwinEvent } from '../reading';
import type { Sensor } from '../sensors';
import { ReadingChannel, type Source, SourceCounters, type SourceStats } from '../source';
import { ReorderBuffer } from './reorder-buffer';
import { type QualityRejection, type QualityRules, type QualitySettings, resolveRules } from './rules';
import { SpikeWindow } from './spike';
import { type AffineConversion, affineConversion } from './units';

/** One sensor's line of a {@link QualityReport}. They add up: `received = passed + Σ rejected + held + dropped`. */
export interface SensorQualityReport {
  /** Readings of this sensor the inner source handed on. */
  readonly received: number;
  /** Received readings handed on to the consumer's queue (filled ones not included). */
  readonly passed: number;
  /** Readings made by forward-fill. */
  readonly filled: number;
  /** Received readings converted to the registry's unit. */
  readonly converted: number;
  /** Rejected readings by rule. */
  readonly rejected: Readonly<Record<Exclude<QualityRejection, 'unknown_sensor'>, number>>;
  /** Readings held by the monotonicity rule now. */
  readonly held: number;
  /** Held readings dropped because the check was closed. */
  readonly dropped: number;
  /** Whether the heartbeat rule has the sensor stale now. */
  readonly stale: boolean;
  /** How many times it went stale. */
  readonly staleEvents: number;
  /** Source time of its newest reading received, epoch ms; null before the first. */
  readonly lastReadingTime: number | null;
}

/** What {@link QualitySource.qualityReport} returns: the counts per sensor and rule. */
export interface QualityReport {
  /** Per sensor id of the registry. */
  readonly sensors: Readonly<Record<string, SensorQualityReport>>;
  /** Readings whose `sensor_id` is not in the registry (rejected, `'unknown_sensor'`). */
  readonly unknownSensor: number;
  /** The rule settings in force. */
  readonly settings: QualitySettings;
}

/** A {@link Source} of checked readings, with the counts per sensor and rule. */
export interface QualitySource extends Source {
  /** Returns the counts per sensor and rule, and the settings in force. */
  qualityReport(): QualityReport;
  /** Lists the ids of the sensors the heartbeat rule has stale now. */
  staleSensors(): readonly string[];
}

/** Per-sensor state, made once: the hot path reads fields, never options. */
class SensorState {
  readonly id: string;
  readonly unit: string;
  readonly low: number;
  readonly high: number;
  readonly hasRange: boolean;
  readonly periodMs: number;
  readonly spike: SpikeWindow | undefined;
  /** Conversions from units seen so far (null: the unit cannot be converted). Bounded. */
  readonly conversions = new Map<string, AffineConversion | null>();
  watermark = Number.NEGATIVE_INFINITY;
  lastReleased = Number.NEGATIVE_INFINITY;
  lastOut: Reading | undefined;
  lastSeen = Number.NEGATIVE_INFINITY;
  seen = false;
  stale = false;
  staleEvents = 0;
  received = 0;
  passed = 0;
  filled = 0;
  converted = 0;
  held = 0;
  dropped = 0;
  rejectedUnit = 0;
  rejectedRange = 0;
  rejectedOrder = 0;
  rejectedSpike = 0;

  constructor(sensor: Sensor, settings: QualitySettings) {
    this.id = sensor.id;
    this.unit = sensor.unit;
    const range = settings.range ? settings.range.ranges[sensor.id] : undefined;
    this.hasRange = range !== undefined;
    // Inclusive bounds, widened by 1e-9 relative: 302 degF is 150.00000000000003 degC after the
    // conversion's rounding, and must not be rejected from a [0, 150] range for it.
    this.low = range ? range[0] - 1e-9 * Math.max(1, Math.abs(range[0])) : Number.NEGATIVE_INFINITY;
    this.high = range ? range[1] + 1e-9 * Math.max(1, Math.abs(range[1])) : Number.POSITIVE_INFINITY;
    this.periodMs = settings.forwardFill && sensor.samplingHz ? 1000 / sensor.samplingHz : 0;
    this.spike = settings.spike
      ? new SpikeWindow(settings.spike.window, settings.spike.k, settings.spike.minDeviation[sensor.id] ?? 0)
      : undefined;
  }

  conversionFrom(unit: string): AffineConversion | null {
    let conversion = this.conversions.get(unit);
    if (conversion === undefined) {
      const found = affineConversion(unit, this.unit);
      conversion = 'factor' in found ? found : null;
      // A stream of ever-new garbage units must not grow memory: past 32, they are recomputed.
      if (this.conversions.size < 32) this.conversions.set(unit, conversion);
    }
    return conversion;
  }
}

/** A FIFO of readings ready for the consumer's channel. */
class Outbox {
  private items: Reading[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(reading: Reading): void {
    this.items.push(reading);
  }
  take(): Reading {
    const r = this.items[this.head] as Reading;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    return r;
  }
  clear(): number {
    const n = this.size;
    this.items = [];
    this.head = 0;
    return n;
  }
}

class QualityCheckSource implements QualitySource {
  readonly name: string;
  private readonly settings: QualitySettings;
  private readonly counters = new SourceCounters();
  private readonly channel: ReadingChannel;
  private readonly states = new Map<string, SensorState>();
  private readonly stateList: SensorState[] = [];
  private readonly buffer = new ReorderBuffer<SensorState>();
  private readonly outbox = new Outbox();
  private readonly units: boolean;
  private readonly reorderWindowMs: number;
  private readonly monotonic: boolean;
  private readonly maxFill: number;
  private readonly heartbeatClock: 'source' | 'wall' | undefined;
  private readonly limitMs: number;
  private unknownSensor = 0;
  /** The newest source time seen among held readings: releases are measured on it. */
  private dataWatermark = Number.NEGATIVE_INFINITY;
  /** The newest source time seen from any sensor: the heartbeat's source clock. */
  private dataClock = Number.NEGATIVE_INFINITY;
  private nextDeadline = Number.POSITIVE_INFINITY;
  private arrivals = 0;
  private arrivalsAtTick = -1;
  private inFlight = 0;
  private draining: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private ended = false;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private idleTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly inner: Source,
    rules: QualityRules,
  ) {
    this.settings = resolveRules(rules);
    this.name = `quality(${inner.name})`;
    this.channel = new ReadingChannel(this.counters, { capacity: this.settings.capacity });
    for (const sensor of rules.sensors.list()) {
      const state = new SensorState(sensor, this.settings);
      this.states.set(sensor.id, state);
      this.stateList.push(state);
    }
    this.units = this.settings.units;
    this.monotonic = this.settings.monotonic !== false;
    this.reorderWindowMs = this.settings.monotonic ? this.settings.monotonic.reorderWindowMs : 0;
    this.maxFill = this.settings.forwardFill ? this.settings.forwardFill.maxSamples : 0;
    this.heartbeatClock = this.settings.heartbeat ? this.settings.heartbeat.clock : undefined;
    this.limitMs = this.settings.heartbeat ? this.settings.heartbeat.limitMs : Number.POSITIVE_INFINITY;
  }

  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    if (this.closed)
      throw new TwinkitError(`${this.name}: start() after close(); make a new quality check.`, {
        code: 'INVALID_STATE',
      });
    await this.inner.start();
    if (this.closed) return;
    const heartbeat = this.settings.heartbeat;
    if (heartbeat && heartbeat.clock === 'wall') {
      const now = Date.now();
      for (const state of this.stateList) state.lastSeen = now;
      this.heartbeatTimer = setInterval(() => this.scanStale(Date.now()), heartbeat.checkEveryMs);
      this.heartbeatTimer.unref();
    }
    // A fault of ours must reach the consumer, not leave it waiting.
    this.pumping = this.pump().catch((error: unknown) => {
      this.stopTimers();
      this.channel.end(error);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Reading> {
    this.start().catch((error: unknown) => this.channel.end(error));
    return this.channel[Symbol.asyncIterator]();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    const held = this.buffer.clear((state) => {
      state.held -= 1;
      state.dropped += 1;
    });
    this.counters.dropped('closed', held + this.outbox.clear());
    this.channel.discard('closed');
    await this.inner.close();
    await this.pumping;
  }

  stats(): SourceStats {
    const own = this.counters.snapshot(
      this.buffer.size + this.outbox.size + this.inFlight + this.channel.size,
    );
    return { ...own, reconnects: this.inner.stats().reconnects };
  }

  onEvent(listener: (event: TwinEvent) => void): () => void {
    const own = this.counters.onEvent(listener);
    const inner = this.inner.onEvent(listener);
    return () => {
      own();
      inner();
    };
  }

  staleSensors(): readonly string[] {
    return this.stateList.filter((s) => s.stale).map((s) => s.id);
  }

  qualityReport(): QualityReport {
    const sensors: Record<string, SensorQualityReport> = {};
    for (const s of this.stateList) {
      sensors[s.id] = {
        received: s.received,
        passed: s.passed,
        filled: s.filled,
        converted: s.converted,
        rejected: {
          unit: s.rejectedUnit,
          range: s.rejectedRange,
          out_of_order: s.rejectedOrder,
          spike: s.rejectedSpike,
        },
        held: s.held,
        dropped: s.dropped,
        stale: s.stale,
        staleEvents: s.staleEvents,
        lastReadingTime: s.seen ? s.lastSeen : null,
      };
    }
    return { sensors, unknownSensor: this.unknownSensor, settings: this.settings };
  }

  // --- the pump: pulls the inner source, applies the rules, fills the consumer's channel ---

  private async pump(): Promise<void> {
    let failure: unknown;
    try {
      for await (const reading of this.inner) {
        if (this.closed) break;
        this.arrivals += 1;
        this.ingest(reading);
        if (this.outbox.size > 0) {
          const pending = this.drain();
          if (pending) await pending;
        }
      }
    } catch (error) {
      failure = error;
    }
    if (this.closed) return;
    // End of stream: what is held is handed on in order, then the end (or the inner's error).
    this.releaseUpTo(Number.POSITIVE_INFINITY);
    const pending = this.drain();
    if (pending) await pending;
    this.ended = true;
    this.stopTimers();
    this.channel.end(failure);
  }

  /** Moves the outbox into the channel: synchronously while there is room, else waiting (backpressure). */
  private drain(): Promise<void> | undefined {
    if (this.draining) return this.draining;
    const capacity = this.settings.capacity;
    while (this.outbox.size > 0 && this.channel.size < capacity) this.channel.offer(this.outbox.take());
    if (this.outbox.size === 0) return undefined;
    this.draining = this.drainWaiting().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainWaiting(): Promise<void> {
    while (this.outbox.size > 0 && !this.closed) {
      const reading = this.outbox.take();
      this.inFlight = 1;
      await this.channel.put(reading);
      this.inFlight = 0;
    }
  }

  private reject(state: SensorState, reason: QualityRejection): void {
    this.counters.rejected(reason);
    switch (reason) {
      case 'unit':
        state.rejectedUnit += 1;
        break;
      case 'range':
        state.rejectedRange += 1;
        break;
      case 'out_of_order':
        state.rejectedOrder += 1;
        break;
      case 'spike':
        state.rejectedSpike += 1;
        break;
      default:
        break;
    }
  }

  /** The rules that judge a reading on arrival: sensor, heartbeat, unit, range, then order. */
  private ingest(reading: Reading): void {
    this.counters.received();
    const state = this.states.get(reading.sensor_id);
    if (state === undefined) {
      this.unknownSensor += 1;
      this.counters.rejected('unknown_sensor');
      return;
    }
    state.received += 1;
    if (this.heartbeatClock !== undefined) this.heartbeatArrival(state, reading);

    let r = reading;
    if (this.units && r.unit !== state.unit) {
      const conversion = state.conversionFrom(r.unit);
      const value = conversion === null ? Number.NaN : r.value * conversion.factor + conversion.offset;
      if (!Number.isFinite(value)) {
        this.reject(state, 'unit');
        return;
      }
      r = converted(r, value, state.unit);
      state.converted += 1;
    }
    if (state.hasRange && !(r.value >= state.low && r.value <= state.high)) {
      this.reject(state, 'range');
      return;
    }
    if (!this.monotonic) {
      this.release(state, r);
      return;
    }
    const t = r.time;
    if (t < state.lastReleased || t < state.watermark - this.reorderWindowMs) {
      this.reject(state, 'out_of_order');
      return;
    }
    if (t > state.watermark) state.watermark = t;
    if (this.reorderWindowMs === 0) {
      state.lastReleased = t;
      this.release(state, r);
      return;
    }
    this.buffer.insert(r, state);
    state.held += 1;
    if (t > this.dataWatermark) this.dataWatermark = t;
    this.releaseUpTo(this.dataWatermark - this.reorderWindowMs);
    if (this.buffer.size > 0 && this.idleTimer === undefined) this.armIdleFlush();
  }

  /** Hands on, in time order, every held reading with a time <= `limit`. */
  private releaseUpTo(limit: number): void {
    const buffer = this.buffer;
    while (buffer.size > 0 && buffer.oldestTime <= limit) {
      const r = buffer.take() as Reading;
      const state = buffer.lastOwner as SensorState;
      state.held -= 1;
      state.lastReleased = r.time;
      this.release(state, r);
    }
  }

  /** The rules that need time order: spike, then forward-fill; then the reading goes out. */
  private release(state: SensorState, r: Reading): void {
    if (state.spike?.isSpike(r.value)) {
      this.reject(state, 'spike');
      return;
    }
    const last = state.lastOut;
    if (state.periodMs > 0 && last !== undefined) this.fill(state, last, r);
    state.lastOut = r;
    state.passed += 1;
    this.outbox.push(r);
  }

  private fill(state: SensorState, last: Reading, next: Reading): void {
    const period = state.periodMs;
    const missing = Math.round((next.time - last.time) / period) - 1;
    if (missing < 1) return;
    const n = Math.min(missing, this.maxFill);
    for (let k = 1; k <= n; k++) {
      const time = Math.round(last.time + k * period);
      this.outbox.push({
        timestamp: new Date(time).toISOString(),
        time,
        source: last.source,
        value: last.value,
        unit: last.unit,
        quality: 'stale',
        sensor_id: state.id,
        receivedAt: next.receivedAt,
      });
    }
    state.filled += n;
    this.counters.filled(n);
  }

  // --- heartbeat ---

  private heartbeatArrival(state: SensorState, r: Reading): void {
    let seenAt: number;
    if (this.heartbeatClock === 'source') {
      seenAt = r.time;
      if (this.dataClock === Number.NEGATIVE_INFINITY) {
        // The silence of a sensor never heard from counts from the first reading of any.
        for (const s of this.stateList) s.lastSeen = seenAt;
        this.nextDeadline = seenAt + this.limitMs;
      }
      if (seenAt > this.dataClock) {
        this.dataClock = seenAt;
        if (seenAt > this.nextDeadline) this.scanStale(seenAt);
      }
    } else {
      seenAt = r.receivedAt;
    }
    if (state.stale) {
      state.stale = false;
      this.counters.emit(
        makeEvent('sensor_resumed', 'info', state.id, seenAt, {
          sensor_id: state.id,
          silentForMs: seenAt - state.lastSeen,
          clock: this.heartbeatClock,
        }),
      );
    }
    state.seen = true;
    if (seenAt > state.lastSeen) state.lastSeen = seenAt;
    const deadline = state.lastSeen + this.limitMs;
    if (deadline < this.nextDeadline) this.nextDeadline = deadline;
  }

  /** Marks stale every sensor silent for longer than the limit at `now`; finds the next deadline. */
  private scanStale(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    const limit = this.limitMs;
    for (const s of this.stateList) {
      if (s.stale) continue;
      if (now - s.lastSeen > limit) {
        s.stale = true;
        s.staleEvents += 1;
        const at = this.heartbeatClock === 'source' ? s.lastSeen + limit : now;
        this.counters.emit(
          makeEvent('sensor_stale', 'warning', s.id, at, {
            sensor_id: s.id,
            silentForMs: now - s.lastSeen,
            limitMs: limit,
            lastReadingTime: s.seen ? s.lastSeen : null,
            clock: this.heartbeatClock,
          }),
        );
      } else if (s.lastSeen + limit < next) next = s.lastSeen + limit;
    }
    this.nextDeadline = next;
  }

  // --- idle flush of held readings ---

  private armIdleFlush(): void {
    const idle = this.settings.monotonic ? this.settings.monotonic.idleFlushMs : false;
    if (idle === false || this.ended || this.closed) return;
    this.arrivalsAtTick = this.arrivals;
    this.idleTimer = setInterval(() => this.idleTick(), idle);
    this.idleTimer.unref();
  }

  private idleTick(): void {
    if (this.buffer.size === 0) {
      clearInterval(this.idleTimer);
      this.idleTimer = undefined;
      return;
    }
    // Silent for a whole tick while waiting on the inner source (not on our consumer): hand on.
    if (this.arrivals === this.arrivalsAtTick && this.draining === undefined) {
      this.releaseUpTo(Number.POSITIVE_INFINITY);
      this.drain();
    }
    this.arrivalsAtTick = this.arrivals;
  }

  private stopTimers(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    this.heartbeatTimer = undefined;
    this.idleTimer = undefined;
  }
}

function converted(r: Reading, value: number, unit: string): Reading {
  const out: Reading = {
    timestamp: r.timestamp,
    time: r.time,
    source: r.source,
    value,
    unit,
    quality: r.quality,
    sensor_id: r.sensor_id,
    receivedAt: r.receivedAt,
  };
  return r.seq === undefined ? out : { ...out, seq: r.seq };
}

function isSource(value: unknown): value is Source {
  if (value === null || typeof value !== 'object') return false;
  const s = value as Record<string | symbol, unknown>;
  return (
    typeof s[Symbol.asyncIterator] === 'function' &&
    typeof s.start === 'function' &&
    typeof s.close === 'function' &&
    typeof s.stats === 'function' &&
    typeof s.onEvent === 'function'
  );
}

/**
 * Checks the readings of `source` with the data-quality rules of the design document (4.5) and
 * returns a {@link QualitySource} of the readings that pass, in the registry's units. Per reading,
 * in this order: the sensor must be registered (`'unknown_sensor'`); units are converted with mathjs
 * (`'unit'`); the value must lie in the sensor's range (`'range'`); readings are put back in time
 * order within a reorder window (`'out_of_order'` beyond it); spikes against a running median are
 * rejected (`'spike'`); a few missing samples are forward-filled (quality `'stale'`, counted in
 * `filled`). The heartbeat rule marks silent sensors stale with a `sensor_stale` event. Every rule
 * is on unless given `false`; every rejection is counted under the rule's name in `stats()` and per
 * sensor in `qualityReport()`, and the counters add up:
 * `received + filled = accepted + Σ rejected + Σ dropped + pending`.
 *
 * A configuration mistake (an unknown option, a registry unit mathjs does not know, a range for a
 * sensor that is not registered) throws here, with the remedy.
 *
 * @example
 * ```ts
 * const sensors = defineSensors([{ id: 'TEMP-001', source: 'factory/production/line1/machine/telemetry/temperature',
 *   unit: 'degC', range: [0, 150], samplingHz: 1, accuracy: 0.5 }]);
 * const checked = qualityCheck(fileSource({ path: 'telemetry.jsonl', format: 'jsonl', sensors }), { sensors, spike: false });
 * for await (const reading of checked) console.log(reading.value, reading.quality);
 * console.log(checked.stats().rejected, checked.qualityReport().sensors['TEMP-001']);
 * ```
 */
export function qualityCheck(source: Source, rules: QualityRules): QualitySource {
  if (!isSource(source))
    throw invalidArgument(
      'qualityCheck(source, rules)',
      'source must be a Source (an async iterable of readings with start, close, stats and onEvent)',
      source,
    );
  return new QualityCheckSource(source, rules);
}
