import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { type CellRange, VensimError, type VensimWorkbook } from '@twinkit/sd';
import { parse } from 'csv-parse/sync';

/** The part of SheetJS (`xlsx`) this module uses. */
interface SheetJs {
  read(
    data: Uint8Array,
    options: { type: 'buffer' },
  ): {
    SheetNames: string[];
    Sheets: Record<string, Record<string, { t?: string; v?: unknown } | string | undefined>>;
    Workbook?: { Names?: Array<{ Name: string; Ref: string; Sheet?: number }> };
  };
  utils: {
    decode_range(ref: string): { s: { r: number; c: number }; e: { r: number; c: number } };
    encode_cell(cell: { r: number; c: number }): string;
  };
}

let sheetJs: SheetJs | undefined;

/**
 * Loads SheetJS on the first model that reads a spreadsheet. Why this package: it is the only
 * reader on npm of the old binary `.xls` (BIFF in a Compound Document) besides `.xlsx`, and the
 * suite's models use both. It is an optional peer dependency: npm's 0.18.5 carries advisories
 * about crafted files (prototype pollution, ReDoS), acceptable here because a model's data files
 * are trusted like the model itself (a model is code); who reads spreadsheets installs it.
 * Loaded with `require` so that `loadVensim` stays synchronous.
 */
function loadSheetJs(api: string, file: string): SheetJs {
  if (sheetJs) return sheetJs;
  try {
    // A require resolved from this module: by its file in the CommonJS build, by its URL in ESM.
    const here = typeof __filename === 'string' ? __filename : import.meta.url;
    sheetJs = createRequire(here)('xlsx') as SheetJs;
    return sheetJs;
  } catch (e) {
    throw new VensimError(
      `${api}: the model reads the spreadsheet ${JSON.stringify(file)}, which needs the optional package ` +
        'xlsx (SheetJS), not installed: run `npm install xlsx`',
      { code: 'IO', cause: e },
    );
  }
}

/** Parses a tab- or comma-separated text file (csv-parse: quoted fields, embedded separators) into rows of numbers and texts. */
function textGrid(
  api: string,
  path: string,
  text: string,
  separator: string,
): Array<Array<number | string | undefined>> {
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: separator,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      skip_empty_lines: false,
    });
  } catch (e) {
    throw new VensimError(
      `${api}: cannot read the data file ${JSON.stringify(path)}: ${(e as Error).message}`,
      {
        code: 'IO',
        cause: e,
      },
    );
  }
  return rows.map((row) =>
    row.map((cell) => {
      if (cell === '') return undefined;
      const n = Number(cell);
      return Number.isFinite(n) ? n : cell;
    }),
  );
}

/**
 * Opens a data file a Vensim model reads: `.xls` / `.xlsx` (and the other formats SheetJS reads)
 * through the optional `xlsx` package, `.csv` and `.tab` / `.txt` as text (their one sheet `*`
 * stands for any tab name the model gives, which Vensim reads as the separator). @internal
 */
export function openWorkbook(api: string, path: string, file: string): VensimWorkbook {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new VensimError(
      `${api}: cannot read the data file ${JSON.stringify(path)}: ${(e as Error).message}`,
      {
        code: 'IO',
        cause: e,
      },
    );
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tab' || ext === '.txt') {
    const grid = textGrid(api, path, bytes.toString('utf8'), ext === '.csv' ? ',' : '\t');
    const cols = Math.max(0, ...grid.map((r) => r.length));
    return {
      sheets: ['*'],
      cell: (_sheet, row, col) => grid[row]?.[col],
      extent: () => ({ rows: grid.length, cols }),
      range: () => undefined,
    };
  }
  const xlsx = loadSheetJs(api, file);
  let book: ReturnType<SheetJs['read']>;
  try {
    book = xlsx.read(bytes, { type: 'buffer' });
  } catch (e) {
    throw new VensimError(
      `${api}: cannot read the spreadsheet ${JSON.stringify(path)}: ${(e as Error).message}`,
      {
        code: 'IO',
        cause: e,
      },
    );
  }
  const names = book.Workbook?.Names ?? [];
  const sheetOf = (name: string) => book.Sheets[name] ?? {};
  return {
    sheets: book.SheetNames,
    cell(sheet, row, col) {
      const c = sheetOf(sheet)[xlsx.utils.encode_cell({ r: row, c: col })];
      if (c === undefined || typeof c === 'string') return undefined;
      if (c.t === 'n' && typeof c.v === 'number') return c.v;
      if (c.t === 's' && typeof c.v === 'string') return c.v === '' ? undefined : c.v;
      return c.v === undefined || c.v === null ? undefined : String(c.v);
    },
    extent(sheet) {
      const ref = sheetOf(sheet)['!ref'];
      if (typeof ref !== 'string') return { rows: 0, cols: 0 };
      const r = xlsx.utils.decode_range(ref);
      return { rows: r.e.r + 1, cols: r.e.c + 1 };
    },
    range(name, sheet): CellRange | undefined {
      const own = book.SheetNames.indexOf(sheet);
      const lower = name.toLowerCase();
      const found =
        names.find((n) => n.Name.toLowerCase() === lower && n.Sheet === own) ??
        names.find((n) => n.Name.toLowerCase() === lower && n.Sheet === undefined) ??
        names.find((n) => n.Name.toLowerCase() === lower);
      if (!found) return undefined;
      const bang = found.Ref.lastIndexOf('!');
      const where = bang >= 0 ? found.Ref.slice(0, bang).replace(/^'(.*)'$/, '$1') : sheet;
      const r = xlsx.utils.decode_range(found.Ref.slice(bang + 1).replace(/\$/g, ''));
      return { sheet: where, top: r.s.r, left: r.s.c, bottom: r.e.r, right: r.e.c };
    },
  };
}
