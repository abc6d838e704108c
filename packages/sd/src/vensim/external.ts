/**
 * Vensim's GET DIRECT / GET XLS functions: where their arguments point in a spreadsheet, and the
 * numbers read there. Browser-safe: the cells come from a {@link VensimWorkbook} that the caller
 * supplies (`loadVensim` in `@twinkit/sd/node` opens the files beside the model).
 */

/** A rectangle of cells, 0-based and inclusive. */
export interface CellRange {
  /** Sheet the range is on. */
  sheet: string;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/**
 * A spreadsheet (or data file) a Vensim model reads with `GET DIRECT CONSTANTS`, `GET XLS DATA`,
 * `GET DIRECT LOOKUPS` or `GET DIRECT SUBSCRIPT`. Rows and columns are 0-based (cell `B3` is row 2,
 * column 1).
 *
 * @example
 * ```ts
 * const grid = [[1, 2, 3]];
 * const book: VensimWorkbook = {
 *   sheets: ['Sheet1'],
 *   cell: (_sheet, row, col) => grid[row]?.[col],
 *   extent: () => ({ rows: 1, cols: 3 }),
 *   range: () => undefined,
 * };
 * readVensim(text, { workbook: () => book });
 * ```
 */
export interface VensimWorkbook {
  /** The names of its sheets; a text file's one sheet `*` matches any tab name. */
  readonly sheets: readonly string[];
  /** The value of a cell: a number, a text, or `undefined` when the cell is empty. */
  cell(sheet: string, row: number, col: number): number | string | undefined;
  /** How many rows and columns of the sheet hold cells (from A1). */
  extent(sheet: string): { rows: number; cols: number };
  /** The range a defined name (`var_d1`) stands for, seen from `sheet`; `undefined` when none. */
  range(name: string, sheet: string): CellRange | undefined;
}

/** The parsed arguments of one GET call. @internal */
export interface GetCall {
  /** `GET DIRECT CONSTANTS` and friends, as written (normalised). */
  fn: string;
  what: 'CONSTANTS' | 'DATA' | 'LOOKUPS';
  file: string;
  tab: string;
  /** DATA and LOOKUPS: the row number, column letter or name of the times (x values). */
  axis?: string;
  /** The first cell (or a name) of the values, without the transposing `*`. */
  cell: string;
  /** A trailing `*` on the cell: a 1-D array is read down a column, a 2-D one transposed. */
  transpose: boolean;
}

const GET_RE = /^\s*GET[\s_]+(DIRECT|XLS)[\s_]+(CONSTANTS|DATA|LOOKUPS)\s*\(([\s\S]*)\)\s*$/i;

/** Splits the quoted arguments of a GET call: `'a.xls', 'Sheet1', 'B2'`. @internal */
export function quotedArgs(body: string): string[] | null {
  const out: string[] = [];
  const re = /\s*'([^']*)'\s*(,|$)/y;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) return null;
    out.push(m[1]!);
    at = re.lastIndex;
    if (m[2] === '') break;
  }
  return at >= body.trimEnd().length ? out : null;
}

/** Parses `GET XLS DATA('f.xls', 'tab', '4', 'C5')`; null when the text is not a GET call. @internal */
export function parseGetCall(text: string): GetCall | { error: string } | null {
  const m = GET_RE.exec(text);
  if (!m) return null;
  const what = m[2]!.toUpperCase() as GetCall['what'];
  const fn = `GET ${m[1]!.toUpperCase()} ${what}`;
  const args = quotedArgs(m[3]!);
  const want = what === 'CONSTANTS' ? 3 : 4;
  if (!args || args.length !== want) {
    return { error: `${fn} takes ${want} quoted arguments ('file', 'tab', ...), got (${m[3]!.trim()})` };
  }
  const raw = args[want - 1]!.trim();
  const transpose = raw.endsWith('*');
  return {
    fn,
    what,
    file: args[0]!.trim(),
    tab: args[1]!.trim(),
    ...(what === 'CONSTANTS' ? {} : { axis: args[2]!.trim() }),
    cell: transpose ? raw.slice(0, -1).trim() : raw,
    transpose,
  };
}

/** `B3` -> row 2, column 1; null when the text is not a cell reference. @internal */
export function cellAddress(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d+)$/.exec(ref.trim());
  if (!m) return null;
  return { row: Number(m[2]) - 1, col: columnIndex(m[1]!) };
}

/** `A` -> 0, `AZ` -> 51. @internal */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The cell name of a row and column (for messages): 2, 1 -> `B3`. @internal */
export function cellName(row: number, col: number): string {
  let letters = '';
  let c = col + 1;
  while (c > 0) {
    const r = (c - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    c = Math.floor((c - 1) / 26);
  }
  return `${letters}${row + 1}`;
}

/** Reads the GET calls of one model from its workbooks, with messages that name what failed. @internal */
export class ExternalReader {
  private readonly books = new Map<string, VensimWorkbook>();

  constructor(
    private readonly open: ((file: string) => VensimWorkbook) | undefined,
    /** Throws the reader's error for the current equation. */
    private readonly fail: (message: string) => never,
  ) {}

  private book(fn: string, file: string): VensimWorkbook {
    const known = this.books.get(file);
    if (known) return known;
    if (!this.open) {
      return this.fail(
        `${fn} reads ${JSON.stringify(file)}, but readVensim(text) was given no workbook to read it from: ` +
          'load the model with loadVensim(path) from @twinkit/sd/node (it opens the files beside the model), ' +
          'or pass options.workbook',
      );
    }
    const book = this.open(file);
    this.books.set(file, book);
    return book;
  }

  private sheet(fn: string, book: VensimWorkbook, file: string, tab: string): string {
    if (book.sheets.includes(tab)) return tab;
    if (book.sheets.length === 1 && book.sheets[0] === '*') return '*';
    const lower = book.sheets.find((s) => s.toLowerCase() === tab.toLowerCase());
    if (lower) return lower;
    return this.fail(
      `${fn}: ${JSON.stringify(file)} has no sheet ${JSON.stringify(tab)} (it has ${book.sheets.map((s) => JSON.stringify(s)).join(', ')})`,
    );
  }

  /** A cell reference or a defined name: the range it stands for (one cell for a reference). */
  private where(fn: string, book: VensimWorkbook, file: string, sheet: string, ref: string): CellRange {
    const cell = cellAddress(ref);
    if (cell) return { sheet, top: cell.row, left: cell.col, bottom: cell.row, right: cell.col };
    const range = book.range(ref, sheet);
    if (range) return range;
    return this.fail(
      `${fn}: ${JSON.stringify(ref)} is neither a cell (B3) nor a name defined in ${JSON.stringify(file)}`,
    );
  }

  private number(fn: string, book: VensimWorkbook, file: string, sheet: string, row: number, col: number) {
    const v = book.cell(sheet, row, col);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    const what = v === undefined ? 'is empty' : `holds ${JSON.stringify(v)}, not a number`;
    return this.fail(
      `${fn}: cell ${cellName(row, col)} of ${JSON.stringify(file)} sheet ${JSON.stringify(sheet)} ${what}`,
    );
  }

  /**
   * GET DIRECT CONSTANTS: the value at `index` (one per varying subscript of the left side, 0, 1
   * or 2 of them): a 1-D array along a row (down a column with `*`), a 2-D one rows by columns.
   */
  constants(get: GetCall, shape: number[]): (index: number[]) => number {
    const book = this.book(get.fn, get.file);
    const sheet = this.sheet(get.fn, book, get.file, get.tab);
    const at = this.where(get.fn, book, get.file, sheet, get.cell);
    if (shape.length > 2) {
      this.fail(
        `${get.fn} fills at most 2 subscripts that vary (rows and columns); this left side has ${shape.length}: define it for one element of the others at a time`,
      );
    }
    return (index) => {
      let row = 0;
      let col = 0;
      if (index.length === 1) {
        if (get.transpose) row = index[0]!;
        else col = index[0]!;
      } else if (index.length === 2) {
        row = get.transpose ? index[1]! : index[0]!;
        col = get.transpose ? index[0]! : index[1]!;
      }
      return this.number(get.fn, book, get.file, at.sheet, at.top + row, at.left + col);
    };
  }

  /**
   * GET DIRECT DATA / LOOKUPS: the (x, y) points of series `k`. The x values (times) are a row
   * (`'4'`), a column (`'A'`) or a named range; the series lie one per row (x along a row) or one
   * per column, from the first cell on. Pairs with an empty or non-numeric x or y are skipped, as
   * Vensim skips missing values.
   */
  series(get: GetCall, k: number): Array<[number, number]> {
    const book = this.book(get.fn, get.file);
    const sheet = this.sheet(get.fn, book, get.file, get.tab);
    const at = this.where(get.fn, book, get.file, sheet, get.cell);
    const axis = get.axis!;
    let horizontal: boolean;
    let xLine: number; // The row (horizontal) or column of the x values.
    let from: number;
    let to: number;
    const extent = book.extent(at.sheet);
    if (/^\d+$/.test(axis)) {
      horizontal = true;
      xLine = Number(axis) - 1;
      from = at.left;
      to = extent.cols - 1;
    } else if (/^[A-Za-z]{1,3}$/.test(axis) && !book.range(axis, sheet)) {
      horizontal = false;
      xLine = columnIndex(axis);
      from = at.top;
      to = extent.rows - 1;
    } else {
      const r = this.where(get.fn, book, get.file, sheet, axis);
      horizontal = r.top === r.bottom;
      xLine = horizontal ? r.top : r.left;
      from = horizontal ? r.left : r.top;
      to = horizontal ? r.right : r.bottom;
    }
    const points: Array<[number, number]> = [];
    for (let i = from; i <= to; i++) {
      const x = horizontal ? book.cell(at.sheet, xLine, i) : book.cell(at.sheet, i, xLine);
      const y = horizontal ? book.cell(at.sheet, at.top + k, i) : book.cell(at.sheet, i, at.left + k);
      if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) {
        points.push([x, y]);
      }
    }
    if (points.length === 0) {
      const first = horizontal ? cellName(at.top + k, from) : cellName(from, at.left + k);
      this.fail(
        `${get.fn}: no numbers from cell ${first} of ${JSON.stringify(get.file)} sheet ${JSON.stringify(sheet)}`,
      );
    }
    return points;
  }

  /**
   * The series of a run's data file (Vensim's tabular output): a first row `Time`, name, name...
   * with times down the first column, or the same transposed. Blank cells are skipped.
   */
  columns(file: string): Array<[string, Array<[number, number]>]> {
    const api = 'data file';
    const book = this.book(api, file);
    const sheet = book.sheets[0]!;
    const { rows, cols } = book.extent(sheet);
    const head = book.cell(sheet, 0, 0);
    if (typeof head !== 'string' || head.trim().toLowerCase() !== 'time') {
      return this.fail(
        `the data file ${JSON.stringify(file)} does not start with a Time column or row (cell A1)`,
      );
    }
    const down = typeof book.cell(sheet, 0, 1) === 'string';
    const out: Array<[string, Array<[number, number]>]> = [];
    const lines = down ? cols : rows;
    const length = down ? rows : cols;
    for (let j = 1; j < lines; j++) {
      const name = down ? book.cell(sheet, 0, j) : book.cell(sheet, j, 0);
      if (typeof name !== 'string') continue;
      const points: Array<[number, number]> = [];
      for (let i = 1; i < length; i++) {
        const t = down ? book.cell(sheet, i, 0) : book.cell(sheet, 0, i);
        const v = down ? book.cell(sheet, i, j) : book.cell(sheet, j, i);
        if (typeof t === 'number' && typeof v === 'number') points.push([t, v]);
      }
      if (points.length > 0) out.push([name, points]);
    }
    return out;
  }

  /** GET DIRECT SUBSCRIPT(file, tab, first, last, prefix): the element names in the cells. */
  subscript(fn: string, args: string[]): string[] {
    if (args.length !== 5) {
      this.fail(
        `${fn} takes 5 quoted arguments ('file', 'tab', 'first cell', 'last cell', 'prefix'), got ${args.length}`,
      );
    }
    const [file, tab, first, last, prefix] = args.map((a) => a.trim()) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const book = this.book(fn, file);
    const sheet = this.sheet(fn, book, file, tab);
    const a = this.where(fn, book, file, sheet, first);
    const b = this.where(fn, book, file, sheet, last);
    const out: string[] = [];
    for (let r = a.top; r <= b.bottom; r++) {
      for (let c = a.left; c <= b.right; c++) {
        const v = book.cell(a.sheet, r, c);
        if (v === undefined || v === '') continue;
        out.push(`${prefix ?? ''}${typeof v === 'number' ? String(v) : v.trim()}`);
      }
    }
    if (out.length === 0) this.fail(`${fn}: no element names in ${first}:${last} of ${JSON.stringify(file)}`);
    return out;
  }
}
