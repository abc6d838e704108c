import { type FileHandle, open } from 'node:fs/promises';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument } from '@twinkit/core/internal';
import { messageBody, type Sink, SinkCounters, type SinkMessage, type SinkStats } from '../sink';
import { CSV_COLUMNS, csvField } from './csv';
import { checkFileOptions } from './file-options';

/** Options of {@link fileSink}. */
export interface FileSinkOptions {
  /** The file to append to (made if missing). */
  readonly path: string;
  /**
   * `'jsonl'`: one JSON document per line (a reading in the telemetry schema, an event in the event
   * schema, a payload as it is); `'csv'`: readings only, under a header row of {@link CSV_COLUMNS}.
   */
  readonly format: 'jsonl' | 'csv';
  /** The most bytes held before `write` waits for the file; default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** How many bytes make a write to the file; default 64 KiB. */
  readonly batchBytes?: number;
  /** The longest a message waits in the buffer before it is written, ms; default 1000; `false`: only when a batch is full, on flush and on close. */
  readonly flushIntervalMs?: number | false;
}

const KNOWN = ['path', 'format', 'maxBufferedBytes', 'batchBytes', 'flushIntervalMs'];
const CSV_HEADER = CSV_COLUMNS.join(',');

class FileWriter implements Sink {
  readonly name: string;
  /** A CSV file takes readings only; JSON Lines every kind. */
  readonly kinds: readonly SinkMessage['kind'][] | undefined;
  private readonly counters = new SinkCounters();
  private readonly maxBytes: number;
  private readonly batchBytes: number;
  private readonly interval: number | false;
  private handle: Promise<FileHandle> | undefined;
  private lines: string[] = [];
  private bufferedBytes = 0;
  private writing: Promise<void> | undefined;
  private writingCount = 0;
  private writingBytes = 0;
  private failure: TwinkitError | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: FileSinkOptions) {
    this.name = `file ${options.path}`;
    this.kinds = options.format === 'csv' ? ['reading'] : undefined;
    this.maxBytes = options.maxBufferedBytes ?? 1 << 20;
    this.batchBytes = Math.min(options.batchBytes ?? 1 << 16, this.maxBytes);
    this.interval = options.flushIntervalMs ?? 1000;
  }

  async write(message: SinkMessage): Promise<void> {
    this.counters.written();
    let line: string;
    try {
      if (this.closing)
        throw new TwinkitError(`${this.name}: write() after close().`, { code: 'INVALID_STATE' });
      if (this.failure) throw this.failure;
      line = this.serialize(message);
    } catch (error) {
      this.counters.failed();
      throw error;
    }
    const bytes = Buffer.byteLength(line);
    // Backpressure: the buffer is bounded; the writer waits for the file to take a batch.
    while (
      this.bufferedBytes + this.writingBytes + bytes > this.maxBytes &&
      this.bufferedBytes + this.writingBytes > 0
    ) {
      if (this.writing) await this.writing.catch(() => undefined);
      else this.startWrite();
      if (this.failure) {
        this.counters.failed();
        throw this.failure;
      }
    }
    this.lines.push(line);
    this.bufferedBytes += bytes;
    this.schedule();
  }

  /** Starts a write when a batch is full; otherwise makes sure a timer will write what waits. */
  private schedule(): void {
    if (this.writing || this.lines.length === 0 || this.failure) return;
    if (this.bufferedBytes >= this.batchBytes) this.startWrite();
    else if (this.interval !== false && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.writing && this.lines.length > 0) this.startWrite();
      }, this.interval);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    for (;;) {
      if (this.writing) await this.writing.catch(() => undefined);
      else if (this.lines.length > 0 && !this.failure) this.startWrite();
      else break;
    }
    if (this.failure) throw this.failure;
  }

  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    let error: unknown;
    try {
      await this.flush();
    } catch (e) {
      error = e;
    }
    if (!this.failure) {
      try {
        // Opened even when nothing was written: a run without readings leaves its (empty) file.
        const handle = await this.file();
        await handle.sync();
        await handle.close();
      } catch (e) {
        error ??=
          e instanceof TwinkitError
            ? e
            : new TwinkitError(`${this.name}: closing failed: ${(e as Error).message}.`, {
                code: 'IO',
                cause: e,
              });
      }
    } else if (this.handle) {
      // After a failed write the file may still be open; after a failed open there is nothing to close.
      await this.handle.then((h) => h.close()).catch(() => undefined);
    }
    if (error !== undefined) throw error;
  }

  stats(): SinkStats {
    return this.counters.snapshot(
      this.lines.length + this.writingCount,
      this.bufferedBytes + this.writingBytes,
    );
  }

  private serialize(message: SinkMessage): string {
    if (message === null || typeof message !== 'object' || typeof message.kind !== 'string')
      throw invalidArgument(
        `${this.name}: write(message)`,
        "message must be a sink message { kind: 'reading' | 'event' | ... }",
        message,
      );
    if (this.options.format === 'jsonl') return `${JSON.stringify(messageBody(message))}\n`;
    if (message.kind !== 'reading')
      throw invalidArgument(
        `${this.name}: write(message)`,
        'a CSV file sink takes readings only',
        message.kind,
        "Write events and payloads to a format: 'jsonl' sink.",
      );
    const r = message.reading;
    return `${csvField(r.timestamp)},${r.value},${csvField(r.sensor_id)},${csvField(r.unit)},${r.quality},${csvField(r.source)},${r.seq ?? ''}\n`;
  }

  /** Opens the file for appending (once); a CSV file gets its header, or has its header checked. */
  private file(): Promise<FileHandle> {
    this.handle ??= (async () => {
      const path = this.options.path;
      let handle: FileHandle;
      try {
        handle = await open(path, 'a+');
      } catch (cause) {
        throw new TwinkitError(
          `fileSink: cannot open ${JSON.stringify(path)} for appending: ${(cause as Error).message}.`,
          {
            code: 'IO',
            cause,
          },
        );
      }
      if (this.options.format === 'csv') {
        const { size } = await handle.stat();
        if (size === 0) await handle.appendFile(`${CSV_HEADER}\n`);
        else {
          const head = Buffer.alloc(Math.min(size, CSV_HEADER.length + 2));
          await handle.read(head, 0, head.length, 0);
          const first = head
            .toString('utf8')
            .replace(/^\uFEFF/, '')
            .split(/\r?\n/)[0];
          if (first !== CSV_HEADER) {
            await handle.close();
            throw new TwinkitError(
              `fileSink: ${JSON.stringify(path)} is a CSV whose header is not ${JSON.stringify(CSV_HEADER)} (it starts ${JSON.stringify(first?.slice(0, 80))}); appending readings would mix columns. Use another path.`,
              { code: 'IO' },
            );
          }
        }
      }
      return handle;
    })();
    return this.handle;
  }

  /** Writes what is buffered as one batch; one write at a time, so batches land in order. */
  private startWrite(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.lines;
    const count = lines.length;
    const bytes = this.bufferedBytes;
    this.lines = [];
    this.bufferedBytes = 0;
    this.writingCount = count;
    this.writingBytes = bytes;
    this.writing = (async () => {
      try {
        const handle = await this.file();
        await handle.appendFile(lines.join(''));
        this.counters.delivered(count);
      } catch (cause) {
        this.failure ??=
          cause instanceof TwinkitError
            ? cause
            : new TwinkitError(
                `fileSink: writing ${JSON.stringify(this.options.path)} failed: ${(cause as Error).message}.`,
                {
                  code: 'IO',
                  cause,
                },
              );
        // What cannot be written now never will be: the batch and the rest of the buffer fail.
        this.counters.failed(count + this.lines.length);
        this.lines = [];
        this.bufferedBytes = 0;
        throw this.failure;
      } finally {
        this.writingCount = 0;
        this.writingBytes = 0;
        this.writing = undefined;
      }
      // What was written meanwhile goes next (a full batch) or within flushIntervalMs.
      this.schedule();
    })();
    // Failures are reported by write, flush and close; this promise is only waited on.
    this.writing.catch(() => undefined);
  }
}

/**
 * Appends a twin's readings (and, in JSON Lines, events and payloads) to a file. Writes are
 * buffered (bounded by `maxBufferedBytes`: past it, `write` waits for the file, so a fast writer is
 * slowed rather than memory grown) and go to the file one batch at a time, at least every
 * `flushIntervalMs`; `close()` flushes, fsyncs and closes. A file written in JSON Lines or CSV is
 * read back by {@link fileSource}. The counters add up: `written = delivered + failed + buffered`.
 *
 * @example
 * ```ts
 * const sink = fileSink({ path: 'out.jsonl', format: 'jsonl' });
 * await sink.write({ kind: 'reading', reading });
 * await sink.close();
 * console.log(sink.stats()); // { written: 1, delivered: 1, failed: 0, buffered: 0, ... }
 * ```
 */
export function fileSink(options: FileSinkOptions): Sink {
  const api = 'fileSink(options)';
  checkFileOptions(api, options, KNOWN, "{ path: 'out.jsonl', format: 'jsonl' }");
  for (const key of ['maxBufferedBytes', 'batchBytes'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw invalidArgument(api, `${key} must be an integer >= 1`, v);
  }
  const f = options.flushIntervalMs;
  if (f !== undefined && f !== false && !(typeof f === 'number' && Number.isFinite(f) && f > 0))
    throw invalidArgument(api, 'flushIntervalMs must be a finite number > 0 or false', f);
  return new FileWriter(options);
}
