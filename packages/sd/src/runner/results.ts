import { TwinkitError } from '@twinkit/core';
import { canonicalKey } from '../compiler';

/** A column of {@link SdResults}. */
export interface ResultColumn {
  /** Name as in the model, with subscripts and module path. */
  name: string;
  /** Canonical key (XMILE name rules). */
  key: string;
  /** Kind of the model variable. */
  kind: 'stock' | 'flow' | 'aux';
}

/**
 * The column index of each columns array: every run of a compiled model shares its columns (see
 * SdRun), so a 40,000-column model builds this Map once, not once per run.
 */
const INDEXES = new WeakMap<readonly ResultColumn[], Map<string, number>>();

/**
 * The saved rows of a run: one row per save time, one column per stock, flow and auxiliary
 * element, in model order.
 *
 * @example
 * ```ts
 * const results = simulate(loadXmile('teacup.xmile')); // loadXmile from '@twinkit/sd/node'
 * results.times;                        // Float64Array of save times
 * results.series('Teacup Temperature'); // Float64Array, one value per save time
 * results.final('heat loss to room');   // names follow the XMILE rules
 * writeFileSync('out.csv', results.toCsv());
 * ```
 */
export class SdResults {
  private readonly index: Map<string, number>;

  /** @internal Built by {@link SdRun}; `data` is row-major. */
  constructor(
    /** Save times. */
    readonly times: Float64Array,
    /** Columns, in model order. */
    readonly columns: readonly ResultColumn[],
    private readonly data: Float64Array,
  ) {
    let index = INDEXES.get(columns);
    if (index === undefined) {
      index = new Map(columns.map((c, i) => [c.key, i]));
      INDEXES.set(columns, index);
    }
    this.index = index;
  }

  /** Number of saved rows. */
  get rowCount(): number {
    return this.times.length;
  }

  /** Returns true when the results hold a column of that name (XMILE name rules). */
  has(name: string): boolean {
    return this.index.has(canonicalKey(name));
  }

  /** Returns the values of one variable at every save time. */
  series(name: string): Float64Array {
    const j = this.column(name);
    const width = this.columns.length;
    const out = new Float64Array(this.times.length);
    for (let i = 0; i < out.length; i++) out[i] = this.data[i * width + j]!;
    return out;
  }

  /** Returns the value of one variable at save row `row`. */
  value(name: string, row: number): number {
    if (!Number.isInteger(row) || row < 0 || row >= this.times.length) {
      throw new TwinkitError(
        `SdResults.value(name, row): row must be an integer in [0, ${this.times.length}), got ${row}.`,
      );
    }
    return this.data[row * this.columns.length + this.column(name)]!;
  }

  /** Returns the last saved value of one variable. */
  final(name: string): number {
    return this.value(name, this.times.length - 1);
  }

  /** Renders the rows as CSV: `time` first, then every column with its name as in the model. */
  toCsv(): string {
    const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [['time', ...this.columns.map((c) => quote(c.name))].join(',')];
    const width = this.columns.length;
    for (let i = 0; i < this.times.length; i++) {
      const row = [String(this.times[i])];
      for (let j = 0; j < width; j++) row.push(String(this.data[i * width + j]));
      lines.push(row.join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  private column(name: string): number {
    const j = this.index.get(canonicalKey(name));
    if (j === undefined) {
      throw new TwinkitError(`SdResults: no column named ${JSON.stringify(name)}.`, {
        code: 'NOT_FOUND',
        details: { name },
      });
    }
    return j;
  }
}
