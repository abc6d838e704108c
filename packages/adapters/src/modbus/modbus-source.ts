import { performance } from 'node:perf_hooks';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import ModbusRTU from 'modbus-serial';
import { type Backoff, type BackoffOptions, backoffDelay, resolveBackoff } from '../backoff/backoff';
import { makeEvent, type Reading, type TwinEvent } from '../reading';
import type { SensorRegistry } from '../sensors';
import { ReadingChannel, type Source, SourceCounters, type SourceStats } from '../source';
import {
  decodeRegister,
  MAX_REGISTERS_PER_READ,
  type ModbusRegister,
  type ModbusRequest,
  type PlannedRequest,
  planRequests,
} from './register-map';

/** Options of {@link modbusSource}. */
export interface ModbusSourceOptions {
  /** The device's host name or IP address. */
  readonly host: string;
  /** The device's TCP port (default 502). */
  readonly port?: number;
  /** The Modbus unit id (slave id) to address, 0-255 (default 1). */
  readonly unitId?: number;
  /**
   * The poll period in ms (default 1000): polls are due at fixed times `start + k * pollMs`. At least
   * 1 (Node's timers count whole ms), or 0 to poll back to back, as fast as the device answers.
   */
  readonly pollMs?: number;
  /** The register map: one register per sensor. */
  readonly registers: readonly ModbusRegister[];
  /**
   * How `registers[].address` counts, a required choice: `0` when the device's manual gives
   * protocol addresses (the first register is 0), `1` when it gives register numbers (the first is
   * 1; holding register 40001 is address 1). A wrong guess reads every value one register off.
   */
  readonly addressing: 0 | 1;
  /** How long a request (and a connection attempt) may take before it counts as failed, in ms (default 1000). */
  readonly timeoutMs?: number;
  /** The sensor registry: gives each reading its unit and topic. */
  readonly sensors: SensorRegistry;
  /** The waits between reconnect attempts. */
  readonly backoff?: BackoffOptions;
  /**
   * How many unrequested registers one request may read through to join two runs (default 0: only
   * contiguous or overlapping registers share a request). A larger gap saves requests, but some
   * devices answer "illegal data address" for unmapped registers inside it.
   */
  readonly maxGap?: number;
  /** The most registers one request reads, 1-125 (default 125, the Modbus limit for functions 3 and 4). */
  readonly maxPerRequest?: number;
  /** How many readings the source holds for a slow consumer before the next poll waits (default 1000). */
  readonly capacity?: number;
  /** A name for logs and events (default `modbus <host>:<port>/<unitId>`). */
  readonly name?: string;
  /** Closes the source when aborted. */
  readonly signal?: AbortSignal;
  /**
   * The clock that stamps readings (`time` and `timestamp`), in epoch ms (default `Date.now`). Give
   * the device's own calendar when it is not this machine's wall clock, e.g. a simulated plant
   * running at a speed-up (`() => start + (Date.now() - wallStart) * speed`). It is called once per
   * poll, when the poll starts. The poll schedule, the outage gaps and the source's events stay on
   * this machine's wall clock.
   */
  readonly clock?: () => number;
}

/** Why a poll failed: no answer in time, the link broke, the device answered with a Modbus exception, or a garbled answer. */
export type PollFailure = 'timeout' | 'connection' | 'exception' | 'protocol';

/**
 * The counters of a {@link ModbusSource}: the common ones (`received` counts register values that
 * arrived; a float32 that decodes to NaN or ±Infinity is `rejected.invalid_value`), plus polls.
 * A poll that fails brings no values, so it is counted here, not in `received`.
 */
export interface ModbusSourceStats extends SourceStats {
  /** Polls made (every request of the plan, in order). */
  readonly polls: number;
  /** Polls that failed (one of their requests did); the values of requests before the failure still count. */
  readonly failedPolls: number;
  /** Failed polls by cause. */
  readonly failedPollsBy: Readonly<Record<PollFailure, number>>;
  /** Due polls not made: the previous poll or a slow consumer overran them, or the link was down. */
  readonly missedPolls: number;
  /** Read requests sent. */
  readonly requests: number;
  /** Connection attempts that failed while reconnecting. */
  readonly failedConnects: number;
  /** Whether the source holds an open connection now. */
  readonly connected: boolean;
  /** How many outages (runs of failed polls) ended with a good poll. */
  readonly gaps: number;
  /** The length of the last ended outage: from the last good poll before it to the first after it, in ms. */
  readonly lastGapMs: number | undefined;
}

/** A Modbus TCP source: a {@link Source} with poll counters and its request plan. */
export interface ModbusSource extends Source {
  /** Returns a snapshot of the counters. */
  stats(): ModbusSourceStats;
  /** The read requests of one poll, in the order they are sent. */
  readonly plan: readonly ModbusRequest[];
}

const OPTION_KEYS = [
  'host',
  'port',
  'unitId',
  'pollMs',
  'registers',
  'addressing',
  'timeoutMs',
  'sensors',
  'backoff',
  'maxGap',
  'maxPerRequest',
  'capacity',
  'name',
  'signal',
  'clock',
] as const;

const API = 'modbusSource(options)';

/** Aborts what is in flight when the source closes or the link drops. */
class Interrupted extends Error {
  constructor(readonly why: 'closed' | 'link closed') {
    super(why === 'closed' ? 'the source was closed' : 'the connection closed');
  }
}

/**
 * Polls holding and input registers of a Modbus TCP device on `modbus-serial` and yields each value
 * as a {@link Reading} (time: when its poll started, by `options.clock`; quality `'good'`; unit and topic from the
 * registry; `seq`: the poll's number from 1, so gaps show the polls that brought nothing).
 *
 * What it adds to modbus-serial: registers grouped into as few requests as the 125-register limit
 * allows; a timeout on every request and connection attempt; after a timeout or a broken link, the
 * client is destroyed and a new one connects with exponential backoff and jitter (modbus-serial
 * never recovers by itself after a device restart); polls at fixed times that never overlap and
 * never drift; a slow consumer delays the next poll (backpressure) rather than losing readings.
 * Each outage raises a `source_disconnected` event (or `source_error` for a Modbus exception) and,
 * when polls succeed again, `source_reconnected` (or `source_recovered`) with the gap.
 *
 * @example
 * ```ts
 * const sensors = defineSensors([{ id: 'TEMP-001', source: 'factory/line1/machine1/telemetry/temperature', unit: 'degC' }]);
 * const source = modbusSource({
 *   host: '127.0.0.1', port: 5020, addressing: 0, pollMs: 500, sensors,
 *   registers: [{ sensor: 'TEMP-001', address: 10, type: 'float32', wordOrder: 'big' }],
 * });
 * for await (const reading of source) { console.log(reading.value); break; }
 * ```
 */
export function modbusSource(options: ModbusSourceOptions): ModbusSource {
  return new ModbusPoller(options);
}

class ModbusPoller implements ModbusSource {
  readonly name: string;
  readonly plan: readonly ModbusRequest[];
  private readonly requestsPlanned: readonly PlannedRequest[];
  private readonly host: string;
  private readonly port: number;
  private readonly unitId: number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly backoff: Backoff;
  private readonly signal: AbortSignal | undefined;
  private readonly counters = new SourceCounters();
  private readonly channel: ReadingChannel;
  private readonly capacity: number;
  private readonly clock: () => number;

  private client: ModbusRTU | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  /** Values decoded and not yet in the channel (a poll waiting for room): still counted as pending. */
  private awaitingPut = 0;
  private wake: (() => void) | undefined;
  private interrupt: ((reason: Interrupted) => void) | undefined;

  private polls = 0;
  private failedPolls = 0;
  private readonly failedBy: Record<PollFailure, number> = {
    timeout: 0,
    connection: 0,
    exception: 0,
    protocol: 0,
  };
  private missedPolls = 0;
  private requests = 0;
  private failedConnects = 0;
  private gaps = 0;
  private lastGapMs: number | undefined;
  private startedAt = 0;
  private lastGoodPoll: number | undefined;
  private outage:
    | { reason: PollFailure; failedPolls: number; missedPolls: number; attempts: number }
    | undefined;
  private readonly onAbort = () => {
    void this.close();
  };

  constructor(options: ModbusSourceOptions) {
    rejectUnknownKeys(
      API,
      options,
      OPTION_KEYS,
      "{ host: '127.0.0.1', addressing: 0, sensors, registers: [...] }",
    );
    if (options === undefined)
      throw invalidArgument(
        API,
        'options are required: { host, addressing, sensors, registers, ... }',
        options,
      );
    const o = options;
    if (typeof o.host !== 'string' || o.host.length === 0)
      throw invalidArgument(API, 'host must be a non-empty string', o.host, "Example: host: '127.0.0.1'.");
    this.host = o.host;
    this.port = integerIn('port', o.port ?? 502, 1, 65535);
    this.unitId = integerIn('unitId', o.unitId ?? 1, 0, 255);
    if (o.addressing !== 0 && o.addressing !== 1)
      throw invalidArgument(
        API,
        'addressing is required and must be 0 or 1: 0 when the register map gives protocol addresses (the first register is 0), 1 when it gives register numbers (the first is 1, as in 40001)',
        o.addressing,
        'There is no safe default: a wrong guess reads every value one register off, without an error. Check the device manual.',
      );
    this.pollMs = o.pollMs === 0 ? 0 : finiteAtLeast('pollMs', o.pollMs ?? 1000, 1, ' (or 0: back to back)');
    this.timeoutMs = finiteAtLeast('timeoutMs', o.timeoutMs ?? 1000, 1);
    const sensors = o.sensors;
    if (
      sensors === null ||
      typeof sensors !== 'object' ||
      typeof sensors.has !== 'function' ||
      typeof sensors.get !== 'function'
    )
      throw invalidArgument(
        API,
        'sensors must be a sensor registry (defineSensors([...]))',
        sensors,
        'Readings take their unit and topic from it.',
      );
    this.backoff = resolveBackoff(API, o.backoff, 'backoff', { initialMs: 200, maxMs: 10_000 });
    const maxGap = integerIn('maxGap', o.maxGap ?? 0, 0, MAX_REGISTERS_PER_READ - 2);
    const maxPerRequest = integerIn('maxPerRequest', o.maxPerRequest ?? MAX_REGISTERS_PER_READ, 1, 125);
    const capacity = integerIn('capacity', o.capacity ?? 1000, 1, Number.MAX_SAFE_INTEGER);
    this.requestsPlanned = planRequests(o.registers, {
      api: API,
      sensors,
      addressing: o.addressing,
      maxGap,
      maxPerRequest,
    });
    this.plan = Object.freeze(
      this.requestsPlanned.map(({ kind, address, count, sensors: ids }) =>
        Object.freeze({ kind, address, count, sensors: Object.freeze([...ids]) }),
      ),
    );
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0))
      throw invalidArgument(API, 'name must be a non-empty string', o.name);
    this.name = o.name ?? `modbus ${this.host}:${this.port}/${this.unitId}`;
    this.capacity = capacity;
    // drop-newest: offer is only called with room to spare, so it never drops; were it ever called
    // without, the reading would be counted (queue_full), never a held one lost.
    this.channel = new ReadingChannel(this.counters, { capacity, overflow: 'drop-newest' });
    if (o.clock !== undefined && typeof o.clock !== 'function')
      throw invalidArgument(
        API,
        'clock must be a function returning the time in epoch ms',
        o.clock,
        "Example: clock: () => Date.now(). Leave it out to stamp readings with this machine's clock.",
      );
    this.clock = o.clock ?? Date.now;
    this.signal = o.signal;
    if (this.signal?.aborted) this.closed = true;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    if (this.closed)
      throw new TwinkitError(`${this.name}: start(): the source is closed.`, { code: 'INVALID_STATE' });
    try {
      this.client = await this.connect();
    } catch (error) {
      await this.close();
      if (error instanceof Interrupted) return;
      throw new TwinkitError(
        `${this.name}: start(): could not connect to ${this.host}:${this.port} (${describe(error)}). Check that the device is up and that host and port are right; the source reconnects by itself only once it has been connected.`,
        { code: 'IO', cause: error },
      );
    }
    this.startedAt = Date.now();
    this.loop = this.run().catch((error: unknown) => {
      // A bug of ours, not a device failure: end the iteration with it rather than hang, and let go
      // of the device.
      this.channel.end(error);
      this.closed = true;
      this.dropClient();
    });
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.signal?.removeEventListener('abort', this.onAbort);
      this.wake?.();
      this.interrupt?.(new Interrupted('closed'));
      this.dropClient();
      this.channel.discard('closed');
      await this.loop;
    })();
    return this.closing;
  }

  stats(): ModbusSourceStats {
    return {
      ...this.counters.snapshot(this.channel.size + this.awaitingPut),
      polls: this.polls,
      failedPolls: this.failedPolls,
      failedPollsBy: { ...this.failedBy },
      missedPolls: this.missedPolls,
      requests: this.requests,
      failedConnects: this.failedConnects,
      connected: this.client?.isOpen === true,
      gaps: this.gaps,
      lastGapMs: this.lastGapMs,
    };
  }

  onEvent(listener: (event: TwinEvent) => void): () => void {
    return this.counters.onEvent(listener);
  }

  [Symbol.asyncIterator](): AsyncIterator<Reading> {
    // The channel's own iterator, not a generator around it: one async hop per reading, not two
    // (this is the hot path; see benchmarks/src/adapters/modbus-poll.bench.ts).
    const inner = this.channel[Symbol.asyncIterator]();
    let started = false;
    return {
      next: () => {
        if (started) return inner.next();
        return this.start().then(() => {
          started = true;
          return inner.next();
        });
      },
      // The one consumer is gone (it broke out of its loop): release the device.
      return: async () => {
        await this.close();
        await inner.return?.();
        return { done: true, value: undefined };
      },
    };
  }

  /** Polls at `startedAt + k * pollMs`; a poll that overruns skips the ticks it covered (counted). */
  private async run(): Promise<void> {
    const t0 = performance.now();
    let tick = 0;
    while (!this.closed) {
      if (this.pollMs > 0) await this.sleepUntil(t0 + tick * this.pollMs);
      if (this.closed) return;
      tick += 1;
      const failure = await this.poll(tick);
      if (failure !== undefined && failure !== 'exception') await this.reconnect();
      if (this.pollMs === 0) continue; // back to back: no schedule, so no poll is ever missed
      const due = Math.ceil((performance.now() - t0) / this.pollMs);
      if (due > tick) {
        this.missedPolls += due - tick;
        if (this.outage) this.outage.missedPolls += due - tick;
        tick = due;
      }
    }
  }

  /** Makes one poll; returns why it failed, if it did. */
  private async poll(seq: number): Promise<PollFailure | undefined> {
    const client = this.client;
    if (!client) return 'connection';
    this.polls += 1;
    const wall = Date.now();
    const time = this.stamp();
    const timestamp = new Date(time).toISOString();
    // Readings for which the channel had no room: put (which waits) after the poll's requests, so a
    // slow consumer delays the next poll, not the rest of this one.
    const overflow: Reading[] = [];
    let failure: { reason: PollFailure; error: unknown } | undefined;
    for (const request of this.requestsPlanned) {
      let words: number[];
      try {
        words = await this.read(client, request);
      } catch (error) {
        if (this.closed) break;
        failure = { reason: classify(error), error };
        break;
      }
      if (words.length < request.count) {
        failure = {
          reason: 'protocol',
          error: new Error(`the answer held ${words.length} registers, ${request.count} were asked`),
        };
        break;
      }
      const receivedAt = Date.now();
      this.counters.received(request.registers.length);
      for (const register of request.registers) {
        const value =
          decodeRegister(words, register.at, register.type, register.wordOrder) * register.scale +
          register.offset;
        if (!Number.isFinite(value)) {
          this.counters.rejected('invalid_value');
          continue;
        }
        const sensor = register.sensor;
        const reading: Reading = {
          timestamp,
          time,
          source: sensor.source,
          value,
          unit: sensor.unit,
          quality: 'good',
          sensor_id: sensor.id,
          receivedAt,
          seq,
        };
        // offer never drops while there is room, and does not wait.
        if (overflow.length === 0 && this.channel.size < this.capacity) this.channel.offer(reading);
        else {
          overflow.push(reading);
          this.awaitingPut += 1;
        }
      }
    }
    // Values that arrived are handed on even when a later request of the poll failed.
    for (const reading of overflow) {
      await this.channel.put(reading);
      this.awaitingPut -= 1;
    }
    if (this.closed) return undefined;
    if (failure) {
      this.pollFailed(failure.reason, failure.error);
      return failure.reason;
    }
    this.pollSucceeded(wall);
    return undefined;
  }

  /** The poll's time from the clock option, refused (the poll fails) when it is not a finite epoch ms. */
  private stamp(): number {
    const time = this.clock();
    if (typeof time !== 'number' || !Number.isFinite(time) || Math.abs(time) > 8.64e15)
      throw new TwinkitError(
        `${this.name}: options.clock returned ${String(time)}, not a time in epoch ms. Return a finite number of milliseconds since 1970 (Date.now() is one).`,
        { code: 'INVALID_ARGUMENT' },
      );
    return time;
  }

  private pollFailed(reason: PollFailure, error: unknown): void {
    this.failedPolls += 1;
    this.failedBy[reason] += 1;
    if (!this.outage) {
      this.outage = { reason, failedPolls: 0, missedPolls: 0, attempts: 0 };
      const now = Date.now();
      this.counters.emit(
        makeEvent(
          reason === 'exception' ? 'source_error' : 'source_disconnected',
          'warning',
          this.name,
          now,
          {
            host: this.host,
            port: this.port,
            unitId: this.unitId,
            reason,
            error: describe(error),
            lastReadingAt: this.lastGoodPoll === undefined ? null : new Date(this.lastGoodPoll).toISOString(),
          },
        ),
      );
    }
    this.outage.failedPolls += 1;
    // After a timeout or a broken link the client is not reused: modbus-serial does not recover
    // from a device restart, and a late answer must not be taken for the next request's.
    if (reason !== 'exception') this.dropClient();
  }

  private pollSucceeded(time: number): void {
    const outage = this.outage;
    if (outage) {
      const since = this.lastGoodPoll ?? this.startedAt;
      const gapMs = time - since;
      this.gaps += 1;
      this.lastGapMs = gapMs;
      this.outage = undefined;
      this.counters.emit(
        makeEvent(
          outage.reason === 'exception' ? 'source_recovered' : 'source_reconnected',
          'info',
          this.name,
          time,
          {
            host: this.host,
            port: this.port,
            unitId: this.unitId,
            reason: outage.reason,
            gapMs,
            from: new Date(since).toISOString(),
            to: new Date(time).toISOString(),
            failedPolls: outage.failedPolls,
            missedPolls: outage.missedPolls,
            reconnectAttempts: outage.attempts,
          },
        ),
      );
    }
    this.lastGoodPoll = time;
  }

  /** Reconnects with backoff until connected or closed. */
  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt += 1) {
      await this.sleep(backoffDelay(attempt, this.backoff));
      if (this.closed) return;
      if (this.outage) this.outage.attempts += 1;
      try {
        this.client = await this.connect();
        this.counters.reconnected();
        return;
      } catch {
        if (this.closed) return;
        this.failedConnects += 1;
      }
    }
  }

  private connect(): Promise<ModbusRTU> {
    const client = new ModbusRTU();
    // modbus-serial re-emits port errors; unhandled, an 'error' event would crash the process.
    // They surface as failed requests anyway.
    client.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    return new Promise<ModbusRTU>((resolve, reject) => {
      // modbus-serial's connectTCP has no timeout of its own: an unreachable host would hang it.
      timer = setTimeout(
        () => reject(new Error(`connection attempt timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.interrupt = reject;
      // Whichever settles first wins: a settled promise ignores later calls.
      client.connectTCP(this.host, { port: this.port }).then(() => resolve(client), reject);
    })
      .then((connected) => {
        connected.setID(this.unitId);
        connected.setTimeout(this.timeoutMs);
        connected.on('close', () => {
          if (this.client === connected) this.interrupt?.(new Interrupted('link closed'));
        });
        return connected;
      })
      .catch((error: unknown) => {
        destroy(client);
        throw error;
      })
      .finally(() => {
        clearTimeout(timer);
        this.interrupt = undefined;
      });
  }

  private read(client: ModbusRTU, request: PlannedRequest): Promise<number[]> {
    this.requests += 1;
    const reply =
      request.kind === 'holding'
        ? client.readHoldingRegisters(request.address, request.count)
        : client.readInputRegisters(request.address, request.count);
    return new Promise<number[]>((resolve, reject) => {
      this.interrupt = reject;
      reply.then(
        (result) => {
          this.interrupt = undefined;
          resolve(result.data);
        },
        (error: unknown) => {
          this.interrupt = undefined;
          reject(error);
        },
      );
    });
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client) destroy(client);
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  private async sleepUntil(due: number): Promise<void> {
    // setTimeout works in whole ms and may wake a fraction early: sleep again for the rest.
    for (let left = due - performance.now(); left > 0 && !this.closed; left = due - performance.now()) {
      await this.sleep(left);
    }
  }
}

function destroy(client: ModbusRTU): void {
  try {
    client.destroy(() => {});
  } catch {
    // Destroying a client whose socket never opened may throw inside modbus-serial; nothing is left to free.
  }
}

function classify(error: unknown): PollFailure {
  if (error instanceof Interrupted) return 'connection';
  const e = error as { name?: unknown; errno?: unknown; code?: unknown; modbusCode?: unknown } | null;
  if (typeof e?.modbusCode === 'number') return 'exception';
  if (e?.errno === 'ETIMEDOUT' || e?.name === 'TransactionTimedOutError') return 'timeout';
  if (
    e?.name === 'PortNotOpenError' ||
    e?.errno === 'ECONNREFUSED' ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'EPIPE'
  )
    return 'connection';
  return 'protocol';
}

function describe(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const { message, code, errno } = error as { message?: unknown; code?: unknown; errno?: unknown };
    const tag = typeof code === 'string' ? code : typeof errno === 'string' ? errno : undefined;
    return tag && typeof message === 'string' && !message.includes(tag)
      ? `${tag}: ${message}`
      : String(message);
  }
  return String(error);
}

function integerIn(name: string, value: unknown, low: number, high: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high)
    throw invalidArgument(API, `${name} must be an integer in [${low}, ${high}]`, value);
  return value;
}

function finiteAtLeast(name: string, value: unknown, low: number, or = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low)
    throw invalidArgument(API, `${name} must be a finite number >= ${low} (ms)${or}`, value);
  return value;
}
