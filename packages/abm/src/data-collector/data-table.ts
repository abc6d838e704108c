import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { DATA_TABLE_OPTION_KEYS } from './option-keys';

/** A value a reporter may return: numbers and booleans are stored as doubles, strings as text. */
export type ReportValue = number | boolean | string;

/** Where rows go when a table is full (see {@link DataTableOptions}). */
export type ChunkSink = (chunk: DataTable) => void;

/** Storage policy of a {@link DataTable}. */
export interface DataTableOptions {
  /**
   * Keep at most this many rows in memory; adding one more throws (unless `window` or `sink` is
   * set). Default 10,000,000.
   */
  maxRows?: number;
  /** Keep only the latest `window` rows, dropping the oldest (counted in {@link DataTable.droppedRows}). */
  window?: number;
  /**
   * Streaming: when `chunkRows` rows are buffered, hand them to `sink` as a table and start over
   * (call {@link DataTable.flush} at the end for the rest). Memory stays bounded by `chunkRows`.
   */
  sink?: ChunkSink;
  /** Rows per chunk handed to `sink`; default 65,536. */
  chunkRows?: number;
}

type Column = { kind: 'number'; data: Float64Array } | { kind: 'text'; data: string[] };

/**
 * Stores rows of named values column by column (doubles in `Float64Array`s, text in arrays), with a
 * bounded, windowed or streaming policy, and exports to CSV and JSON. Data collectors fill one for
 * model-level and one for agent-level reporters.
 */
export class DataTable {
  /** Column names, in order. */
  readonly columns: readonly string[];
  private readonly store: Column[];
  private capacity: number;
  private start = 0;
  private rows = 0;
  private dropped = 0;
  private flushed = 0;
  private readonly maxRows: number;
  private readonly window: number | undefined;
  private readonly sink: ChunkSink | undefined;
  private readonly chunkRows: number;

  /** Creates an empty table with the given columns. */
  constructor(columns: readonly string[], options: DataTableOptions = {}) {
    const api = 'new DataTable(columns, options)';
    rejectUnknownKeys(api, options, DATA_TABLE_OPTION_KEYS, '{ window: 1000 }');
    if (new Set(columns).size !== columns.length)
      throw invalidArgument(api, 'column names must be unique', columns);
    const maxRows = options.maxRows ?? 10_000_000;
    if (!Number.isInteger(maxRows) || maxRows < 1)
      throw invalidArgument(api, 'maxRows must be an integer >= 1', maxRows);
    if (options.window !== undefined && (!Number.isInteger(options.window) || options.window < 1))
      throw invalidArgument(api, 'window must be an integer >= 1', options.window);
    const chunkRows = options.chunkRows ?? 65_536;
    if (!Number.isInteger(chunkRows) || chunkRows < 1)
      throw invalidArgument(api, 'chunkRows must be an integer >= 1', chunkRows);
    if (options.window !== undefined && options.sink !== undefined)
      throw invalidArgument(
        api,
        'pass either window or sink, not both',
        'both',
        'A window drops old rows; a sink streams them out.',
      );
    this.columns = [...columns];
    this.maxRows = maxRows;
    this.window = options.window;
    this.sink = options.sink;
    this.chunkRows = chunkRows;
    this.capacity = Math.min(1024, this.limit());
    this.store = columns.map(() => ({ kind: 'number', data: new Float64Array(this.capacity) }));
  }

  /** Number of rows held in memory. */
  get length(): number {
    return this.rows;
  }

  /** Rows dropped by a `window` policy so far. */
  get droppedRows(): number {
    return this.dropped;
  }

  /** Rows handed to the `sink` so far. */
  get flushedRows(): number {
    return this.flushed;
  }

  /** Appends one row: one value per column, in column order. */
  append(values: readonly ReportValue[]): void {
    if (values.length !== this.columns.length)
      throw invalidArgument(
        'DataTable.append(values)',
        `a row needs ${this.columns.length} values`,
        values.length,
      );
    if (this.rows === this.limit()) {
      if (this.window !== undefined) {
        this.start = (this.start + 1) % this.capacity;
        this.rows--;
        this.dropped++;
      } else if (this.sink !== undefined) {
        this.flush();
      } else {
        throw new TwinkitError(
          `DataTable.append(values): the table holds its maximum of ${this.maxRows} rows. Keep the latest rows with { window: n }, stream them with { sink, chunkRows }, or raise maxRows.`,
          { code: 'INVALID_STATE', details: { maxRows: this.maxRows } },
        );
      }
    }
    if (this.rows === this.capacity) this.grow();
    const slot = (this.start + this.rows) % this.capacity;
    for (let c = 0; c < values.length; c++) this.put(c, slot, values[c]!);
    this.rows++;
  }

  /** Hands the buffered rows to the sink (if any) and empties the buffer. */
  flush(): void {
    if (this.sink === undefined || this.rows === 0) return;
    const chunk = this.slice();
    this.flushed += this.rows;
    this.rows = 0;
    this.start = 0;
    this.sink(chunk);
  }

  /** Returns a column's values in row order (a copy): numbers or strings. */
  column(name: string): number[] | string[] {
    const c = this.columns.indexOf(name);
    if (c < 0)
      throw invalidArgument('DataTable.column(name)', `name must be one of ${this.columns.join(', ')}`, name);
    const col = this.store[c]!;
    const out: (number | string)[] = [];
    for (let r = 0; r < this.rows; r++) out.push(col.data[(this.start + r) % this.capacity]!);
    return out as number[] | string[];
  }

  /** Returns a numeric column as a new `Float64Array` (throws for a text column). */
  numbers(name: string): Float64Array {
    const c = this.columns.indexOf(name);
    const col = this.store[c];
    if (col === undefined || col.kind !== 'number')
      throw invalidArgument('DataTable.numbers(name)', 'name must be a numeric column', name);
    const out = new Float64Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = col.data[(this.start + r) % this.capacity]!;
    return out;
  }

  /** Returns row `index` as an object. */
  row(index: number): Record<string, number | string> {
    if (!Number.isInteger(index) || index < 0 || index >= this.rows)
      throw invalidArgument(
        'DataTable.row(index)',
        `index must be an integer in [0, ${this.rows - 1}]`,
        index,
      );
    const slot = (this.start + index) % this.capacity;
    const out: Record<string, number | string> = {};
    this.columns.forEach((name, c) => {
      out[name] = this.store[c]!.data[slot]!;
    });
    return out;
  }

  /** Renders the rows as CSV (RFC 4180 quoting; numbers in JavaScript's shortest round-trip form). */
  toCSV(options: { header?: boolean } = {}): string {
    rejectUnknownKeys('DataTable.toCSV(options)', options, ['header'], '{ header: false }');
    const lines: string[] = [];
    if (options.header ?? true) lines.push(this.columns.map(csvField).join(','));
    for (let r = 0; r < this.rows; r++) {
      const slot = (this.start + r) % this.capacity;
      lines.push(this.store.map((col) => csvField(col.data[slot]!)).join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  /** Returns the table column-wise as plain JSON data: `{ columnName: values[] }`. */
  toJSON(): Record<string, number[] | string[]> {
    const out: Record<string, number[] | string[]> = {};
    for (const name of this.columns) out[name] = this.column(name);
    return out;
  }

  private limit(): number {
    if (this.window !== undefined) return this.window;
    if (this.sink !== undefined) return this.chunkRows;
    return this.maxRows;
  }

  private put(c: number, slot: number, value: ReportValue): void {
    const col = this.store[c]!;
    if (typeof value === 'number' || typeof value === 'boolean') {
      if (col.kind === 'number') col.data[slot] = +value;
      else col.data[slot] = String(value);
      return;
    }
    if (typeof value === 'string') {
      if (col.kind === 'text') {
        col.data[slot] = value;
        return;
      }
      if (this.rows > 0 || this.dropped > 0 || this.flushed > 0)
        throw invalidArgument(
          `DataTable column ${this.columns[c]}`,
          'a column that started numeric cannot take text',
          value,
          'Return the same kind of value from a reporter every time.',
        );
      // First row: the column becomes a text column.
      this.store[c] = { kind: 'text', data: new Array<string>(this.capacity).fill('') };
      (this.store[c]!.data as string[])[slot] = value;
      return;
    }
    throw invalidArgument(
      `DataTable column ${this.columns[c]}`,
      'a reported value must be a number, boolean or string',
      value,
      'Make the reporter return a value for every agent and step.',
    );
  }

  private grow(): void {
    const capacity = Math.min(this.capacity * 2, this.limit());
    for (let c = 0; c < this.store.length; c++) {
      const col = this.store[c]!;
      if (col.kind === 'number') {
        const data = new Float64Array(capacity);
        for (let r = 0; r < this.rows; r++) data[r] = col.data[(this.start + r) % this.capacity]!;
        this.store[c] = { kind: 'number', data };
      } else {
        const data = new Array<string>(capacity).fill('');
        for (let r = 0; r < this.rows; r++) data[r] = col.data[(this.start + r) % this.capacity]!;
        this.store[c] = { kind: 'text', data };
      }
    }
    this.start = 0;
    this.capacity = capacity;
  }

  private slice(): DataTable {
    const copy = new DataTable(this.columns, { maxRows: Math.max(1, this.rows) });
    for (let c = 0; c < this.store.length; c++) {
      const col = this.store[c]!;
      if (col.kind === 'number') {
        const data = new Float64Array(Math.max(1, this.rows));
        for (let r = 0; r < this.rows; r++) data[r] = col.data[(this.start + r) % this.capacity]!;
        copy.store[c] = { kind: 'number', data };
      } else {
        const data = new Array<string>(Math.max(1, this.rows)).fill('');
        for (let r = 0; r < this.rows; r++) data[r] = col.data[(this.start + r) % this.capacity]!;
        copy.store[c] = { kind: 'text', data };
      }
    }
    copy.capacity = Math.max(1, this.rows);
    copy.rows = this.rows;
    return copy;
  }
}

function csvField(value: number | string): string {
  if (typeof value === 'number') return String(value);
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
