import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { DatabaseError, escapeIdentifier, Pool } from 'pg';
import { type Backoff, type BackoffOptions, backoffDelay, resolveBackoff } from '../backoff/backoff';
import type { TwinEvent } from '../reading';
import { type Sink, SinkCounters, type SinkMessage, type SinkStats } from '../sink';

/** How the readings table is stored: a TimescaleDB hypertable, or a plain table with indexes. */
export type Storage = 'hypertable' | 'table';

/** How a failed INSERT is retried: the backoff waits, and how many retries at most. */
export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt (default 3); only transient errors (connection, timeout, deadlock) are retried. */
  readonly attempts?: number;
}

/** Options of {@link postgresSink}. */
export interface PostgresSinkOptions {
  /** A PostgreSQL connection string, e.g. `postgres://postgres@127.0.0.1:5432/plant`. */
  readonly connectionString: string;
  /**
   * The readings table, created when missing: a lower-case identifier, optionally schema-qualified
   * (`readings`, `plant.readings`). Events go to `<table>_events`.
   */
  readonly table: string;
  /** Rows per INSERT at most (default 500). */
  readonly batchSize?: number;
  /** How long a partial batch may wait for more rows before it is written, in ms (default 1000). */
  readonly flushMs?: number;
  /** Messages held at most, in flight included (default 10,000; at least `batchSize`). */
  readonly maxBuffered?: number;
  /** Bytes held at most, estimated from the strings of each message (default 16 MiB). */
  readonly maxBufferedBytes?: number;
  /** What `write` does when the buffer is full: wait for room (default, backpressure) or reject. */
  readonly whenFull?: 'wait' | 'error';
  /** Retries of a failed INSERT. */
  readonly retry?: RetryOptions;
  /**
   * `'auto'` (default): a hypertable when the TimescaleDB extension is installed in the database, a
   * plain indexed table otherwise; `'require'`: refuse to run without it; `'off'`: a plain table.
   */
  readonly hypertable?: 'auto' | 'require' | 'off';
  /** Whether `event` messages are stored in `<table>_events` (default true); when false they are refused. */
  readonly events?: boolean;
  /** Connections in the pool (default 2). */
  readonly poolSize?: number;
  /** Connection and statement timeout, in ms (default 10,000). */
  readonly timeoutMs?: number;
  /** A name for errors (default `postgres <table>`). */
  readonly name?: string;
}

/** The counters of a {@link PostgresSink}: the common ones plus its INSERTs. */
export interface PostgresSinkStats extends SinkStats {
  /** How the readings table is stored; undefined until it is set up. */
  readonly storage: Storage | undefined;
  /** INSERT statements that succeeded. */
  readonly inserts: number;
  /** The most rows one INSERT carried. */
  readonly largestInsert: number;
  /** INSERTs retried after a transient error. */
  readonly retries: number;
  /** Rows of a batch rejected by a row-level error that were split off and retried in smaller INSERTs. */
  readonly splits: number;
  /** The last error met (also reported by `flush`, `close` and `onError`). */
  readonly lastError: string | undefined;
}

/** A PostgreSQL sink: a {@link Sink} that stores readings and events in tables. */
export interface PostgresSink extends Sink {
  /** Returns a snapshot of the counters. */
  stats(): PostgresSinkStats;
  /** Creates the tables if needed (the first write does too) and tells how readings are stored. */
  ready(): Promise<Storage>;
  /** How the readings table is stored; undefined until it is set up. */
  readonly storage: Storage | undefined;
  /** The readings table, as given. */
  readonly table: string;
  /** The events table (`<table>_events`), or undefined when events are refused. */
  readonly eventsTable: string | undefined;
  /** Calls `listener` with each error that made messages fail (as it happens); returns an unsubscribe function. */
  onError(listener: (error: TwinkitError) => void): () => void;
}

const OPTION_KEYS = [
  'connectionString',
  'table',
  'batchSize',
  'flushMs',
  'maxBuffered',
  'maxBufferedBytes',
  'whenFull',
  'retry',
  'hypertable',
  'events',
  'poolSize',
  'timeoutMs',
  'name',
] as const;

const API = 'postgresSink(options)';
// Lower case only: PostgreSQL folds unquoted names to lower case, so a mixed-case table would need
// quotes in every query of the history. 47 characters leave room for `_events_time_idx` (63 max).
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,46}$/;
const READING_COLUMNS = ['time', 'sensor_id', 'source', 'value', 'unit', 'quality', 'seq', 'received_at'];

interface ReadingRow {
  readonly kind: 'reading';
  readonly bytes: number;
  readonly values: readonly [string, string, string, string, string, string, number | null, string];
}
interface EventRow {
  readonly kind: 'event';
  readonly bytes: number;
  readonly values: readonly [string, string, string, string, string, string];
}
type Row = ReadingRow | EventRow;

/**
 * Stores readings in a PostgreSQL time-series table (and events in `<table>_events`), so a plant's
 * history can be queried with SQL. Creates the tables when missing; the readings table becomes a
 * TimescaleDB hypertable when that extension is installed, a plain table indexed on
 * `(sensor_id, time)` and `time` otherwise.
 *
 * Rows are written in batches of up to `batchSize` by one parameterised INSERT each, as soon as a
 * batch is full or `flushMs` after its first row. The buffer is bounded: `write` waits for room (or
 * rejects, `whenFull: 'error'`). A transient error (connection lost, timeout, deadlock) is retried
 * with backoff `retry.attempts` times; a row-level error (a constraint, a bad value) splits the batch
 * so only the offending rows fail. Failed messages are counted in `stats().failed`, reported to
 * `onError` listeners, and make the next `flush` or `close` reject: never lost silently. A reading
 * already stored for the same `(sensor_id, time)` is skipped and counted as `dropped.duplicate`.
 *
 * @example
 * ```ts
 * const sink = postgresSink({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', table: 'readings' });
 * await sink.write({ kind: 'reading', reading });
 * await sink.close(); // flushes; rejects if anything could not be stored
 * ```
 */
export function postgresSink(options: PostgresSinkOptions): PostgresSink {
  return new PostgresTableSink(options);
}

class PostgresTableSink implements PostgresSink {
  readonly name: string;
  /** A table takes readings and events (events only with `events: true`); a twin sends it nothing else. */
  readonly kinds: readonly SinkMessage['kind'][];
  readonly table: string;
  readonly eventsTable: string | undefined;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxBuffered: number;
  private readonly maxBufferedBytes: number;
  private readonly whenFull: 'wait' | 'error';
  private readonly retryAttempts: number;
  private readonly backoff: Backoff;
  private readonly hypertable: 'auto' | 'require' | 'off';
  private readonly pool: Pool;
  private readonly baseName: string;
  private readonly schema: string | undefined;
  private readonly quotedTable: string;
  private readonly quotedEvents: string | undefined;
  private readonly insertReadings: string;
  private readonly insertEvents: string | undefined;
  private readonly counters = new SinkCounters();

  private queue: Row[] = [];
  private inFlight = 0;
  private heldBytes = 0;
  private readonly waiters: { row: Row; resolve: () => void }[] = [];
  private urgent = false;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private setup: Promise<Storage> | undefined;
  private storageKind: Storage | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;
  private unreported: { count: number; error: unknown }[] = [];
  private readonly errorListeners = new Set<(error: TwinkitError) => void>();

  private inserts = 0;
  private largestInsert = 0;
  private retries = 0;
  private splits = 0;
  private lastError: string | undefined;

  constructor(options: PostgresSinkOptions) {
    rejectUnknownKeys(
      API,
      options,
      OPTION_KEYS,
      "{ connectionString: 'postgres://postgres@127.0.0.1:5432/plant', table: 'readings' }",
    );
    if (options === undefined)
      throw invalidArgument(API, 'options are required: { connectionString, table, ... }', options);
    const o = options;
    if (typeof o.connectionString !== 'string' || o.connectionString.length === 0)
      throw invalidArgument(
        API,
        'connectionString must be a non-empty string',
        o.connectionString === undefined ? undefined : typeof o.connectionString,
        "Example: 'postgres://postgres@127.0.0.1:5432/plant'.",
      );
    const parts = typeof o.table === 'string' ? o.table.split('.') : [];
    if (parts.length === 0 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p)))
      throw invalidArgument(
        API,
        'table must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 47 characters), optionally schema-qualified',
        o.table,
        "Example: 'readings' or 'plant.readings'. PostgreSQL folds unquoted names to lower case, so mixed case would need quotes in every query.",
      );
    this.table = o.table;
    const base = parts.at(-1) as string;
    this.baseName = base;
    this.schema = parts.length === 2 ? parts[0] : undefined;
    const schema = this.schema === undefined ? '' : `${escapeIdentifier(this.schema)}.`;
    this.quotedTable = `${schema}${escapeIdentifier(base)}`;
    const events = o.events ?? true;
    if (typeof events !== 'boolean') throw invalidArgument(API, 'events must be true or false', o.events);
    this.eventsTable = events ? `${o.table}_events` : undefined;
    this.quotedEvents = events ? `${schema}${escapeIdentifier(`${base}_events`)}` : undefined;

    this.batchSize = integerIn('batchSize', o.batchSize ?? 500, 1, 100_000);
    this.flushMs = finiteIn('flushMs', o.flushMs ?? 1000, 0);
    this.maxBuffered = integerIn('maxBuffered', o.maxBuffered ?? 10_000, 1, Number.MAX_SAFE_INTEGER);
    if (this.maxBuffered < this.batchSize)
      throw invalidArgument(
        API,
        `maxBuffered must be at least batchSize (${this.batchSize})`,
        this.maxBuffered,
        'A full batch must fit in the buffer.',
      );
    this.maxBufferedBytes = integerIn('maxBufferedBytes', o.maxBufferedBytes ?? 16 * 2 ** 20, 1, 2 ** 40);
    const whenFull = o.whenFull ?? 'wait';
    if (whenFull !== 'wait' && whenFull !== 'error')
      throw invalidArgument(API, "whenFull must be 'wait' or 'error'", o.whenFull);
    this.whenFull = whenFull;
    const { attempts, ...backoff } = o.retry ?? {};
    this.backoff = resolveBackoff(API, backoff, 'retry', { initialMs: 100, maxMs: 5000 }, ['attempts']);
    this.retryAttempts = integerIn('retry.attempts', attempts ?? 3, 0, 100);
    const hypertable = o.hypertable ?? 'auto';
    if (hypertable !== 'auto' && hypertable !== 'require' && hypertable !== 'off')
      throw invalidArgument(API, "hypertable must be 'auto', 'require' or 'off'", o.hypertable);
    this.hypertable = hypertable;
    const poolSize = integerIn('poolSize', o.poolSize ?? 2, 1, 100);
    const timeoutMs = integerIn('timeoutMs', o.timeoutMs ?? 10_000, 1, 2 ** 31 - 1);
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0))
      throw invalidArgument(API, 'name must be a non-empty string', o.name);
    this.name = o.name ?? `postgres ${o.table}`;

    // One statement text for every batch size: the rows travel as one array per column, so the
    // statement is parsed and planned once per connection (a named prepared statement), values are
    // never spliced into SQL, and no batch meets PostgreSQL's 65,535-parameter ceiling.
    this.insertReadings =
      `INSERT INTO ${this.quotedTable} (${READING_COLUMNS.join(', ')}) ` +
      'SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[]) ' +
      'ON CONFLICT (sensor_id, time) DO NOTHING';
    this.insertEvents = this.quotedEvents
      ? `INSERT INTO ${this.quotedEvents} (event_id, time, event_type, severity, source, details) ` +
        'SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) ' +
        'ON CONFLICT (event_id) DO NOTHING'
      : undefined;
    this.kinds = this.quotedEvents ? ['reading', 'event'] : ['reading'];

    this.pool = new Pool({
      connectionString: o.connectionString,
      max: poolSize,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      // An idle pool does not keep the process alive; close() still ends it.
      allowExitOnIdle: true,
    });
    // An idle connection that dies emits 'error' on the pool; unhandled, it would crash the process.
    // The next query gets a fresh connection, and its own error if the server is gone.
    this.pool.on('error', (error) => {
      this.lastError = describe(error);
    });
  }

  get storage(): Storage | undefined {
    return this.storageKind;
  }

  ready(): Promise<Storage> {
    if (!this.setup) {
      this.setup = this.createTables();
      // A failed setup is tried again by the next batch (the database may come back).
      this.setup.catch(() => {
        this.setup = undefined;
      });
    }
    return this.setup;
  }

  async write(message: SinkMessage): Promise<void> {
    if (this.closed || this.closing) {
      this.counters.written();
      this.counters.failed();
      throw new TwinkitError(`${this.name}: write(message): the sink is closed.`, { code: 'INVALID_STATE' });
    }
    let row: Row;
    try {
      row = this.toRow(message);
    } catch (error) {
      // Refused before it was buffered: counted, and the writer hears of it now.
      this.counters.written();
      this.counters.failed();
      throw error;
    }
    if (this.hasRoom(row)) {
      this.enqueue(row);
      return;
    }
    if (this.whenFull === 'error') {
      this.counters.written();
      this.counters.failed();
      throw new TwinkitError(
        `${this.name}: write(message): the buffer is full (${this.held} messages, ${this.heldBytes} bytes; maxBuffered ${this.maxBuffered}). The database is slower than the writes, or down.`,
        { code: 'IO', details: { held: this.held, heldBytes: this.heldBytes } },
      );
    }
    await new Promise<void>((resolve) => this.waiters.push({ row, resolve }));
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.draining || this.waiters.length > 0) {
      this.urgent = true;
      this.kick();
      if (!this.draining) break;
      await this.draining;
    }
    this.report();
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        this.closed = true;
        clearTimeout(this.timer);
        await this.pool.end();
      }
    })();
    return this.closing;
  }

  stats(): PostgresSinkStats {
    return {
      ...this.counters.snapshot(this.held, this.heldBytes),
      storage: this.storageKind,
      inserts: this.inserts,
      largestInsert: this.largestInsert,
      retries: this.retries,
      splits: this.splits,
      lastError: this.lastError,
    };
  }

  onError(listener: (error: TwinkitError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  private get held(): number {
    return this.queue.length + this.inFlight;
  }

  private hasRoom(row: Row): boolean {
    if (this.waiters.length > 0) return false; // first come, first served
    if (this.held === 0) return true; // one message always fits, however large
    return this.held < this.maxBuffered && this.heldBytes + row.bytes <= this.maxBufferedBytes;
  }

  private enqueue(row: Row): void {
    this.counters.written();
    this.queue.push(row);
    this.heldBytes += row.bytes;
    if (this.queue.length >= this.batchSize) this.kick();
    else this.armTimer();
  }

  private armTimer(): void {
    if (this.timer || this.urgent || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.urgent = true;
      this.kick();
    }, this.flushMs);
  }

  /** Starts writing batches, one INSERT at a time (so rows keep their order), unless already writing. */
  private kick(): void {
    if (this.draining) return;
    const due = () => this.queue.length >= this.batchSize || (this.urgent && this.queue.length > 0);
    if (!due()) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.draining = (async () => {
      while (due()) {
        const batch = this.queue.splice(0, this.batchSize);
        this.inFlight += batch.length;
        await this.deliver(batch);
        this.inFlight -= batch.length;
        for (const row of batch) this.heldBytes -= row.bytes;
        this.admitWaiters();
      }
      if (this.queue.length === 0) this.urgent = false;
    })().finally(() => {
      this.draining = undefined;
      this.kick();
      this.armTimer();
    });
  }

  /** Moves waiting writes into the freed room; enqueued here, so a flush never misses one. */
  private admitWaiters(): void {
    while (this.waiters.length > 0) {
      const next = this.waiters[0] as { row: Row; resolve: () => void };
      if (
        this.held > 0 &&
        (this.held >= this.maxBuffered || this.heldBytes + next.row.bytes > this.maxBufferedBytes)
      )
        return;
      this.waiters.shift();
      this.enqueue(next.row);
      next.resolve();
    }
  }

  /** Stores a batch; every row ends delivered, dropped as a duplicate, or failed. Never throws. */
  private async deliver(batch: Row[]): Promise<void> {
    const readings = batch.filter((r): r is ReadingRow => r.kind === 'reading');
    const events = batch.filter((r): r is EventRow => r.kind === 'event');
    if (readings.length > 0) await this.store(readings, this.insertReadings);
    if (events.length > 0 && this.insertEvents) await this.store(events, this.insertEvents);
  }

  private async store(rows: readonly Row[], sql: string): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.ready();
        const columns = rows[0]?.values.map((_, c) => rows.map((r) => r.values[c])) ?? [];
        const result = await this.pool.query({
          name: `twinkit-${sql.length}-${hash(sql)}`,
          text: sql,
          values: columns,
        });
        const stored = result.rowCount ?? 0;
        this.inserts += 1;
        this.largestInsert = Math.max(this.largestInsert, rows.length);
        this.counters.delivered(stored);
        this.counters.dropped('duplicate', rows.length - stored);
        return;
      } catch (error) {
        this.lastError = describe(error);
        if (isTransient(error) && attempt < this.retryAttempts) {
          this.retries += 1;
          await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, this.backoff)));
          continue;
        }
        if (isRowLevel(error) && rows.length > 1) {
          // One bad row fails the whole statement: split, so the good rows are still stored.
          this.splits += 1;
          const half = Math.ceil(rows.length / 2);
          await this.store(rows.slice(0, half), sql);
          await this.store(rows.slice(half), sql);
          return;
        }
        this.fail(rows.length, error, attempt);
        return;
      }
    }
  }

  private fail(count: number, error: unknown, retried: number): void {
    this.counters.failed(count);
    this.unreported.push({ count, error });
    const failure = new TwinkitError(
      `${this.name}: ${count} message${count === 1 ? '' : 's'} could not be stored in ${this.table}${retried > 0 ? ` after ${retried} retr${retried === 1 ? 'y' : 'ies'}` : ''}: ${describe(error)}.`,
      { code: 'IO', cause: error, details: { failed: count, retried } },
    );
    for (const listener of this.errorListeners) {
      try {
        listener(failure);
      } catch {
        // A faulty listener must not stop the sink; it is the caller's code.
      }
    }
  }

  /** Rejects with what failed since the last report. */
  private report(): void {
    if (this.unreported.length === 0) return;
    const failures = this.unreported;
    this.unreported = [];
    const count = failures.reduce((n, f) => n + f.count, 0);
    const causes = [...new Set(failures.map((f) => describe(f.error)))];
    throw new TwinkitError(
      `${this.name}: ${count} message${count === 1 ? '' : 's'} could not be stored in ${this.table} (counted in stats().failed): ${causes.slice(0, 3).join('; ')}${causes.length > 3 ? `; and ${causes.length - 3} more` : ''}.`,
      { code: 'IO', cause: failures[0]?.error, details: { failed: count, causes } },
    );
  }

  private async createTables(): Promise<Storage> {
    const client = await this.pool.connect();
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.quotedTable} (
          time timestamptz NOT NULL,
          sensor_id text NOT NULL,
          source text NOT NULL,
          value double precision NOT NULL,
          unit text NOT NULL,
          quality text NOT NULL,
          seq bigint,
          received_at timestamptz NOT NULL,
          PRIMARY KEY (sensor_id, time))`,
      );
      const present = await client.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2',
        [this.schema ?? null, this.baseName],
      );
      const missing = READING_COLUMNS.filter((c) => !present.rows.some((r) => r.column_name === c));
      if (missing.length > 0)
        throw new TwinkitError(
          `${this.name}: table ${this.table} exists without the columns ${missing.join(', ')}. Use another table name, or add the columns (${READING_COLUMNS.join(', ')}).`,
          { code: 'INVALID_STATE', details: { missing } },
        );
      if (this.quotedEvents) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.quotedEvents} (
            event_id text PRIMARY KEY,
            time timestamptz NOT NULL,
            event_type text NOT NULL,
            severity text NOT NULL,
            source text NOT NULL,
            details jsonb NOT NULL)`,
        );
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${escapeIdentifier(`${this.baseName}_events_time_idx`)} ON ${this.quotedEvents} (time)`,
        );
      }
      let storage: Storage = 'table';
      if (this.hypertable !== 'off') {
        const timescale = await client.query(
          "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'",
        );
        if ((timescale.rowCount ?? 0) > 0) {
          await client.query(
            "SELECT create_hypertable($1::regclass, 'time', if_not_exists => TRUE, migrate_data => TRUE)",
            [this.quotedTable],
          );
          storage = 'hypertable';
        } else if (this.hypertable === 'require') {
          throw new TwinkitError(
            `${this.name}: hypertable 'require': the TimescaleDB extension is not installed in this database. Install it and run CREATE EXTENSION timescaledb, or use hypertable: 'auto' for a plain table.`,
            { code: 'UNSUPPORTED' },
          );
        }
      }
      if (storage === 'table') {
        // The primary key serves per-sensor history; this index serves time ranges across sensors
        // (a hypertable has its own on time).
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${escapeIdentifier(`${this.baseName}_time_idx`)} ON ${this.quotedTable} (time)`,
        );
      }
      this.storageKind = storage;
      return storage;
    } finally {
      client.release();
    }
  }

  private toRow(message: SinkMessage): Row {
    const api = `${this.name}: write(message)`;
    if (message === null || typeof message !== 'object')
      throw invalidArgument(
        api,
        "message must be { kind: 'reading', reading } or { kind: 'event', event }",
        message,
      );
    if (message.kind === 'reading') {
      const r = message.reading;
      if (r === null || typeof r !== 'object') throw invalidArgument(api, 'reading must be a Reading', r);
      if (typeof r.value !== 'number' || !Number.isFinite(r.value))
        throw invalidArgument(api, `reading.value must be a finite number (sensor ${r.sensor_id})`, r.value);
      for (const key of ['timestamp', 'sensor_id', 'source', 'unit', 'quality'] as const) {
        if (typeof r[key] !== 'string' || r[key].length === 0)
          throw invalidArgument(api, `reading.${key} must be a non-empty string`, r[key]);
      }
      if (!Number.isFinite(Date.parse(r.timestamp)))
        throw invalidArgument(api, 'reading.timestamp must be an ISO-8601 date-time', r.timestamp);
      if (typeof r.receivedAt !== 'number' || !Number.isFinite(r.receivedAt))
        throw invalidArgument(api, 'reading.receivedAt must be a finite number (epoch ms)', r.receivedAt);
      if (r.seq !== undefined && !(Number.isSafeInteger(r.seq) && r.seq >= 0))
        throw invalidArgument(api, 'reading.seq must be an integer >= 0 when given', r.seq);
      return {
        kind: 'reading',
        bytes: 64 + r.timestamp.length + r.sensor_id.length + r.source.length + r.unit.length,
        values: [
          r.timestamp,
          r.sensor_id,
          r.source,
          // String(-0) is '0': spelled out, so the stored double is the reading's to the last bit.
          Object.is(r.value, -0) ? '-0' : String(r.value),
          r.unit,
          r.quality,
          r.seq ?? null,
          new Date(r.receivedAt).toISOString(),
        ],
      };
    }
    if (message.kind === 'event') {
      if (!this.insertEvents)
        throw invalidArgument(
          api,
          'events are refused (events: false)',
          message.event?.event_type,
          'Pass events: true to store them in <table>_events.',
        );
      const e: TwinEvent = message.event;
      if (e === null || typeof e !== 'object') throw invalidArgument(api, 'event must be a TwinEvent', e);
      for (const key of ['event_id', 'timestamp', 'event_type', 'severity', 'source'] as const) {
        if (typeof e[key] !== 'string' || e[key].length === 0)
          throw invalidArgument(api, `event.${key} must be a non-empty string`, e[key]);
      }
      if (!Number.isFinite(Date.parse(e.timestamp)))
        throw invalidArgument(api, 'event.timestamp must be an ISO-8601 date-time', e.timestamp);
      let details: string;
      try {
        details = JSON.stringify(e.details ?? {});
      } catch (error) {
        throw invalidArgument(api, `event.details must be JSON-serialisable (${describe(error)})`, e.details);
      }
      return {
        kind: 'event',
        bytes: 64 + details.length + e.event_id.length + e.event_type.length + e.source.length,
        values: [e.event_id, e.timestamp, e.event_type, e.severity, e.source, details],
      };
    }
    throw invalidArgument(
      api,
      `a postgres sink stores readings and events; '${String((message as { kind?: unknown }).kind)}' messages have no table here`,
      (message as { kind?: unknown }).kind,
      'Send state, KPIs and predictions to an mqttSink or a fileSink.',
    );
  }
}

/** Transient: the link, a timeout, a deadlock or serialisation conflict, a server shutting down or out of resources. */
function isTransient(error: unknown): boolean {
  if (error instanceof TwinkitError) return false;
  if (error instanceof DatabaseError) return /^(08|40|53|57|58)/.test(error.code ?? '');
  // Not an answer from the server: a network error (refused, reset, timed out connecting).
  return true;
}

/** Row-level: a data exception (22) or an integrity constraint (23); other rows of the batch may be fine. */
function isRowLevel(error: unknown): boolean {
  return error instanceof DatabaseError && /^(22|23)/.test(error.code ?? '');
}

function describe(error: unknown): string {
  if (error instanceof DatabaseError) return `${error.message} (SQLSTATE ${error.code})`;
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

function integerIn(name: string, value: unknown, low: number, high: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high)
    throw invalidArgument(API, `${name} must be an integer in [${low}, ${high}]`, value);
  return value;
}

function finiteIn(name: string, value: unknown, low: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low)
    throw invalidArgument(API, `${name} must be a finite number >= ${low} (ms)`, value);
  return value;
}
