import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { type DecodeContext, decodeReading, type Reading, type TwinEvent } from '../reading';
import type { SensorRegistry } from '../sensors';
import { ReadingChannel, type Source, SourceCounters, type SourceStats } from '../source';
import { type CsvColumn, csvFields, csvHeader, csvRecord } from './csv';
import { checkFileOptions } from './file-options';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** The file to replay. */
  readonly path: string;
  /** JSON Lines (one reading in the telemetry schema per line) or CSV (a header row of {@link CSV_COLUMNS} names). */
  readonly format: 'jsonl' | 'csv';
  /** `'asap'` (default): as fast as the consumer takes them; `{ factor }`: paced to the recorded timestamps, `factor` times real time. */
  readonly pace?: 'asap' | { readonly factor: number };
  /**
   * Replays the file again when it ends: `true` for ever (until `close()`), a number for that many
   * passes in all (`2`: twice). Each pass is shifted in time by the file's span plus one sampling
   * step, so time keeps going forward; default `false` (one pass).
   */
  readonly loop?: boolean | number;
  /** The sensor inventory: fills `unit` and `source` from the sensor, and rejects unknown sensors. */
  readonly sensors?: SensorRegistry;
  /** How many readings wait for the consumer at most (then reading the file waits); default 1024. */
  readonly capacity?: number;
  /** How many line numbers to keep per rejection reason in {@link FileSource.report}; default 100. */
  readonly keepLineNumbers?: number;
  /** The longest line read, in characters; a longer one is rejected as `'line_too_long'` without being held. Default 1 MiB. */
  readonly maxLineLength?: number;
}

/** The lines rejected for one reason, in {@link FileSourceReport}. */
export interface FileRejections {
  /** How many lines, over all passes. */
  readonly count: number;
  /** The first line numbers (1-based, in the file), at most `keepLineNumbers`. */
  readonly lines: readonly number[];
  /** What was wrong with the first of them. */
  readonly firstDetail: string;
}

/** What {@link FileSource.report} returns. */
export interface FileSourceReport {
  readonly path: string;
  readonly format: 'jsonl' | 'csv';
  /** Lines read over all passes (a CSV header not included). */
  readonly lines: number;
  /** Passes begun. */
  readonly passes: number;
  /** How far each pass after the first is shifted in time from the previous one, ms; null until the first pass ends. */
  readonly loopShiftMs: number | null;
  /** Rejected lines by reason (`'malformed_json'`, `'malformed_csv'`, `'invalid_value'`, `'blank_line'`, ...). */
  readonly rejected: Readonly<Record<string, FileRejections>>;
}

/** A {@link Source} replaying a file, with the line numbers of what it rejected. */
export interface FileSource extends Source {
  /** Returns the lines read and the rejected ones by reason, with their line numbers. */
  report(): FileSourceReport;
}

const KNOWN = ['path', 'format', 'pace', 'loop', 'sensors', 'capacity', 'keepLineNumbers', 'maxLineLength'];

type Rejected = { count: number; lines: number[]; firstDetail: string };

const NOT_BLANK = /\S/;

class FileReplay implements FileSource {
  readonly name: string;
  private readonly counters = new SourceCounters();
  private readonly channel: ReadingChannel;
  private readonly rejectedBy = new Map<string, Rejected>();
  private readonly passes: number;
  private readonly factor: number;
  private readonly capacity: number;
  private readonly keep: number;
  private readonly maxLine: number;
  private readonly context: { source: string; sensors: SensorRegistry | undefined; receivedAt: number };
  private columns: CsvColumn[] | undefined;
  private lineCount = 0;
  private pass = 0;
  private passReadings = 0;
  private shiftMs: number | null = null;
  private inFlight = 0;
  private starting: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private stream: ReadStream | undefined;
  private closed = false;
  private sleeping: { timer: ReturnType<typeof setTimeout>; wake: () => void } | undefined;
  // Pacing and looping.
  private paceOrigin = Number.NaN;
  private wallOrigin = 0;
  private minTime = Number.POSITIVE_INFINITY;
  private maxTime = Number.NEGATIVE_INFINITY;
  private minStep = Number.POSITIVE_INFINITY;
  private readonly lastBySensor = new Map<string, number>();

  constructor(private readonly options: FileSourceOptions) {
    this.name = `file ${options.path}`;
    this.capacity = options.capacity ?? 1024;
    this.channel = new ReadingChannel(this.counters, { capacity: this.capacity });
    this.passes =
      options.loop === true ? Number.POSITIVE_INFINITY : typeof options.loop === 'number' ? options.loop : 1;
    this.factor = typeof options.pace === 'object' ? options.pace.factor : 0;
    this.keep = options.keepLineNumbers ?? 100;
    this.maxLine = options.maxLineLength ?? 1 << 20;
    this.context = { source: options.path, sensors: options.sensors, receivedAt: 0 };
  }

  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    const path = this.options.path;
    if (this.closed)
      throw new TwinkitError(`${this.name}: start() after close(); make a new fileSource.`, {
        code: 'INVALID_STATE',
      });
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (cause) {
      throw new TwinkitError(
        `fileSource: cannot read ${JSON.stringify(path)}: ${(cause as Error).message}.`,
        {
          code: 'IO',
          cause,
        },
      );
    }
    if (!info.isFile())
      throw new TwinkitError(`fileSource: ${JSON.stringify(path)} is not a file.`, { code: 'IO' });
    this.replaying = this.replay().then(
      () => this.channel.end(),
      (error: unknown) => this.channel.end(this.closed ? undefined : error),
    );
  }

  /** Iterates the readings; leaving the loop early (break, return, throw) closes the source, as it ends a Node stream. */
  [Symbol.asyncIterator](): AsyncIterator<Reading> {
    this.start().catch((error: unknown) => this.channel.end(error));
    const inner = this.channel[Symbol.asyncIterator]();
    const iterator: AsyncIterableIterator<Reading> = {
      next: inner.next.bind(inner),
      return: async () => {
        await inner.return?.();
        await this.close();
        return { value: undefined, done: true };
      },
      throw: async (error: unknown) => {
        await inner.return?.();
        await this.close();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.destroy();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
    this.channel.discard('closed');
    // The reader stops at its next step; a reading it was handing over is then counted as dropped.
    await this.replaying;
  }

  stats(): SourceStats {
    return this.counters.snapshot(this.channel.size + this.inFlight);
  }

  onEvent(listener: (event: TwinEvent) => void): () => void {
    return this.counters.onEvent(listener);
  }

  report(): FileSourceReport {
    const rejected: Record<string, FileRejections> = {};
    for (const [reason, r] of this.rejectedBy) rejected[reason] = { ...r, lines: [...r.lines] };
    return {
      path: this.options.path,
      format: this.options.format,
      lines: this.lineCount,
      passes: this.pass,
      loopShiftMs: this.shiftMs,
      rejected,
    };
  }

  private reject(reason: string, line: number, detail: string): void {
    this.counters.rejected(reason);
    let r = this.rejectedBy.get(reason);
    if (r === undefined) {
      r = { count: 0, lines: [], firstDetail: detail };
      this.rejectedBy.set(reason, r);
    }
    r.count += 1;
    // Later passes meet the same lines again: they are counted, their numbers are known already.
    if (this.pass === 1 && r.lines.length < this.keep) r.lines.push(line);
  }

  /** Reads the file once per pass, line by line, never whole; each reading waits for room in the channel. */
  private async replay(): Promise<void> {
    while (this.pass < this.passes && !this.closed) {
      this.pass += 1;
      this.passReadings = 0;
      await this.readPass();
      if (this.pass === 1) {
        const span = this.maxTime - this.minTime;
        this.shiftMs = Number.isFinite(span)
          ? span + (Number.isFinite(this.minStep) ? this.minStep : 1000)
          : null;
      }
      // A pass without a single reading would loop for ever on nothing.
      if (this.passReadings === 0) break;
    }
  }

  private async readPass(): Promise<void> {
    const stream = createReadStream(this.options.path, { encoding: 'utf8', highWaterMark: 1 << 16 });
    this.stream = stream;
    const csv = this.options.format === 'csv';
    const maxLine = this.maxLine;
    let rest = '';
    let lineNo = 0;
    let skipping = false; // inside a line too long to hold
    let headerPending = csv;
    const shift = this.pass > 1 ? (this.pass - 1) * (this.shiftMs ?? 0) : 0;
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        if (this.closed) return;
        // One clock read per chunk: that is when these lines arrived from the file.
        this.context.receivedAt = Date.now();
        const text = rest.length > 0 ? rest + chunk : chunk;
        let start = 0;
        let nl = text.indexOf('\n', start);
        while (nl !== -1) {
          lineNo += 1;
          if (skipping) skipping = false;
          else {
            const line =
              text.charCodeAt(nl - 1) === 13 && nl > start
                ? text.slice(start, nl - 1)
                : text.slice(start, nl);
            if (headerPending) {
              this.columns = csvHeader(line, this.options.path);
              headerPending = false;
            } else {
              const reading = this.decodeLine(line, lineNo, csv, shift);
              if (reading !== undefined) {
                if (this.factor > 0) await this.paceTo(reading.time);
                if (this.closed) return;
                if (this.channel.size < this.capacity) this.channel.offer(reading);
                else {
                  this.inFlight = 1;
                  await this.channel.put(reading);
                  this.inFlight = 0;
                  if (this.closed) return;
                }
              }
            }
          }
          start = nl + 1;
          nl = text.indexOf('\n', start);
        }
        rest = text.slice(start);
        if (rest.length > maxLine && !skipping) {
          // Counted now, at its line number, and not held: memory stays bounded.
          this.lineCount += 1;
          this.counters.received();
          this.reject('line_too_long', lineNo + 1, `a line longer than ${maxLine} characters`);
          skipping = true;
        }
        if (skipping) rest = '';
      }
    } catch (cause) {
      if (this.closed) return;
      if (cause instanceof TwinkitError) throw cause;
      throw new TwinkitError(
        `fileSource: reading ${JSON.stringify(this.options.path)} failed: ${(cause as Error).message}.`,
        {
          code: 'IO',
          cause,
        },
      );
    }
    if (rest.length > 0 && !skipping && !this.closed) {
      // The last line, without a newline after it.
      lineNo += 1;
      const line = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
      if (headerPending) this.columns = csvHeader(line, this.options.path);
      else {
        const reading = this.decodeLine(line, lineNo, csv, shift);
        if (reading !== undefined) {
          if (this.factor > 0) await this.paceTo(reading.time);
          if (!this.closed) {
            this.inFlight = 1;
            await this.channel.put(reading);
            this.inFlight = 0;
          }
        }
      }
    }
  }

  /** Decodes one line into a reading (shifted by `shift` ms), or counts it rejected and returns undefined. */
  private decodeLine(line: string, lineNo: number, csv: boolean, shift: number): Reading | undefined {
    this.lineCount += 1;
    this.counters.received();
    // Blank: no character above a space (tested without trim's copy of every line).
    if (line.charCodeAt(0) !== 123 /* { */ && !NOT_BLANK.test(line)) {
      this.reject('blank_line', lineNo, 'an empty line');
      return undefined;
    }
    let input: unknown;
    if (csv) {
      const fields = csvFields(line);
      if (!Array.isArray(fields)) {
        this.reject('malformed_csv', lineNo, fields.detail);
        return undefined;
      }
      const parsed = csvRecord(this.columns as CsvColumn[], fields);
      if (!parsed.ok) {
        this.reject(parsed.reason, lineNo, parsed.detail);
        return undefined;
      }
      input = parsed.record;
    } else {
      try {
        input = JSON.parse(lineNo === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
      } catch (e) {
        this.reject(
          'malformed_json',
          lineNo,
          `${(e as Error).message} in ${JSON.stringify(line.slice(0, 60))}`,
        );
        return undefined;
      }
    }
    const context = this.context;
    context.source = this.options.path;
    if (input !== null && typeof input === 'object') {
      // A line without `source` takes its sensor's topic from the registry, else the file's path.
      const o = input as Record<string, unknown>;
      if (typeof o.source === 'string') context.source = o.source;
      else if (context.sensors && typeof o.sensor_id === 'string' && context.sensors.has(o.sensor_id))
        context.source = context.sensors.get(o.sensor_id).source;
    }
    const result = decodeReading(input, context as DecodeContext);
    if (!result.ok) {
      this.reject(result.reason, lineNo, result.detail);
      return undefined;
    }
    this.passReadings += 1;
    let reading = result.reading;
    if (this.pass === 1) {
      if (this.passes > 1) this.observe(reading);
    } else if (shift !== 0) {
      const time = reading.time + shift;
      reading = { ...reading, time, timestamp: new Date(time).toISOString() };
    }
    return reading;
  }

  /** Learns the file's span and its smallest sampling step (per sensor) in the first pass. */
  private observe(r: Reading): void {
    if (r.time < this.minTime) this.minTime = r.time;
    if (r.time > this.maxTime) this.maxTime = r.time;
    const last = this.lastBySensor.get(r.sensor_id);
    if (last !== undefined) {
      const step = r.time - last;
      if (step > 0 && step < this.minStep) this.minStep = step;
    }
    // Bounded: a file of ever-new sensor ids must not grow memory; 10,000 sensors are plenty to learn from.
    if (last !== undefined || this.lastBySensor.size < 10_000) this.lastBySensor.set(r.sensor_id, r.time);
  }

  /** Sleeps until the wall time at which a reading stamped `time` is due. */
  private async paceTo(time: number): Promise<void> {
    if (!Number.isFinite(this.paceOrigin)) {
      this.paceOrigin = time;
      this.wallOrigin = Date.now();
      return;
    }
    const due = this.wallOrigin + (time - this.paceOrigin) / this.factor;
    const wait = due - Date.now();
    if (wait < 1 || this.closed) return;
    await new Promise<void>((wake) => {
      this.sleeping = { timer: setTimeout(wake, wait), wake };
    });
    this.sleeping = undefined;
  }
}

/**
 * Replays recorded telemetry from a JSON Lines or CSV file as a {@link Source}: streamed line by
 * line (never read whole), as fast as the consumer takes the readings or paced to their recorded
 * timestamps, once or in a loop. A line that is not a reading (malformed JSON or CSV, a value that
 * is not a finite number, a missing field, an unknown sensor, a blank line) is counted under its
 * reason with its line number (`report()`), never a crash and never a NaN reading. CSV files have a
 * header row of {@link CSV_COLUMNS} names (at least `timestamp` and `value`); values are parsed
 * strictly (`''`, `'abc'`, `'1e'` are rejected).
 *
 * @example
 * ```ts
 * const source = fileSource({ path: 'telemetry.jsonl', format: 'jsonl', pace: { factor: 10 } });
 * for await (const reading of source) console.log(reading.sensor_id, reading.value);
 * console.log(source.stats(), source.report().rejected);
 * ```
 */
export function fileSource(options: FileSourceOptions): FileSource {
  const api = 'fileSource(options)';
  checkFileOptions(api, options, KNOWN, "{ path: 'telemetry.jsonl', format: 'jsonl' }");
  const pace = options.pace;
  if (pace !== undefined && pace !== 'asap') {
    if (pace === null || typeof pace !== 'object')
      throw invalidArgument(
        api,
        "pace must be 'asap' or { factor }",
        pace,
        'Example: { factor: 10 } replays ten times faster than recorded.',
      );
    rejectUnknownKeys(`${api}: pace`, pace, ['factor']);
    if (typeof pace.factor !== 'number' || !Number.isFinite(pace.factor) || pace.factor <= 0)
      throw invalidArgument(api, 'pace.factor must be a finite number > 0', pace.factor);
  }
  const loop = options.loop;
  if (
    loop !== undefined &&
    typeof loop !== 'boolean' &&
    !(typeof loop === 'number' && Number.isInteger(loop) && loop >= 1)
  )
    throw invalidArgument(api, 'loop must be true, false or a number of passes >= 1', loop);
  for (const key of ['capacity', 'keepLineNumbers', 'maxLineLength'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= (key === 'keepLineNumbers' ? 0 : 1)))
      throw invalidArgument(api, `${key} must be an integer >= ${key === 'keepLineNumbers' ? 0 : 1}`, v);
  }
  const sensors = options.sensors;
  if (
    sensors !== undefined &&
    (sensors === null || typeof sensors.has !== 'function' || typeof sensors.get !== 'function')
  )
    throw invalidArgument(
      api,
      'sensors must be a sensor registry',
      sensors,
      'Make one with defineSensors([...]).',
    );
  return new FileReplay(options);
}
