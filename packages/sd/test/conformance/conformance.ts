/**
 * Runs a model of the SDXorg test suite and compares it with its canonical output, the way PySD
 * does (rtol = atol = 1e-5). Used by the conformance test and by scripts/conformance-report.ts.
 * @internal
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { canonicalKey } from '../../src/compiler';
import type { IntegrationMethod } from '../../src/model';
import { type LoadVensimOptions, loadVensim, loadXmile } from '../../src/node';
import { simulate } from '../../src/runner';
import { VENSIM_NA } from '../../src/vensim';

/** Outcome of one model. */
export interface ConformanceResult {
  /** Path relative to the suite root. */
  model: string;
  status: 'pass' | 'fail' | 'rejected';
  /** Columns compared (pass/fail). */
  columnsCompared: number;
  /** Rows compared (pass/fail). */
  rowsCompared: number;
  /** First mismatch (fail) or the error message (rejected). */
  detail: string;
}

/** Canonical output of a model: save times and named columns. */
export interface CanonicalOutput {
  times: number[];
  columns: Map<string, { name: string; values: number[]; blank: Set<number> }>;
}

/** Parses an `output.csv` / `output.tab` of the suite: CR, LF or CRLF lines, blank cells forward-filled. */
export function parseCanonicalOutput(text: string, separator: string): CanonicalOutput {
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  const split = (line: string) => line.split(separator).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const header = split(lines[0] ?? '');
  const times: number[] = [];
  const raw: number[][] = header.map(() => []);
  const blanks: Set<number>[] = header.map(() => new Set());
  for (const line of lines.slice(1)) {
    const cells = split(line);
    header.forEach((_, j) => {
      const cell = cells[j] ?? '';
      const prev = raw[j]![raw[j]!.length - 1];
      if (cell === '') blanks[j]!.add(raw[j]!.length);
      // Vensim leaves constant columns blank after the first row: forward-fill them.
      raw[j]!.push(cell === '' && prev !== undefined ? prev : Number(cell));
    });
  }
  const timeIndex = header.findIndex((h) => h.toLowerCase() === 'time');
  times.push(...(raw[Math.max(timeIndex, 0)] ?? []));
  const columns = new Map<string, { name: string; values: number[]; blank: Set<number> }>();
  header.forEach((h, j) => {
    if (j === timeIndex) return;
    columns.set(canonicalKey(h), { name: h, values: raw[j]!, blank: blanks[j]! });
  });
  return { times, columns };
}

/** Finds the canonical output file of a model: `output.csv`, else `output.tab`. */
export function canonicalOutputFile(modelPath: string): string | null {
  const dir = dirname(modelPath);
  for (const name of ['output.csv', 'output.tab']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Runs one model and compares it with its canonical output at rtol = atol = 1e-5. */
export function checkModel(
  modelPath: string,
  suiteRoot: string,
  options: {
    rtol?: number;
    atol?: number;
    method?: IntegrationMethod;
    outputFile?: string;
    /** Options of loadVensim (the run's data files). */
    vensim?: LoadVensimOptions;
  } = {},
): ConformanceResult {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-5;
  const model = relative(suiteRoot, modelPath);
  const outputFile =
    options.outputFile === undefined
      ? canonicalOutputFile(modelPath)
      : join(dirname(modelPath), options.outputFile);
  if (!outputFile)
    return { model, status: 'rejected', columnsCompared: 0, rowsCompared: 0, detail: 'no canonical output' };
  let results: ReturnType<typeof simulate>;
  try {
    const model = modelPath.endsWith('.mdl') ? loadVensim(modelPath, options.vensim) : loadXmile(modelPath);
    results = simulate(model, options.method ? { method: options.method } : {});
  } catch (e) {
    return {
      model,
      status: 'rejected',
      columnsCompared: 0,
      rowsCompared: 0,
      detail: (e as Error).message.replace(/\s+/g, ' '),
    };
  }
  const bytes = readFileSync(outputFile);
  let text = bytes.toString('utf8');
  // Some of Vensim's outputs are Latin-1 (test_unicode_characters): read them as such.
  if (text.includes('\uFFFD')) text = bytes.toString('latin1');
  const expected = parseCanonicalOutput(text, outputFile.endsWith('.tab') ? '\t' : ',');
  // Match rows by time.
  const rowOf = new Map<number, number>();
  const ours = results.times;
  let j = 0;
  expected.times.forEach((t, i) => {
    while (j < ours.length && ours[j]! < t - 1e-9 * Math.max(1, Math.abs(t))) j++;
    if (j < ours.length && Math.abs(ours[j]! - t) <= 1e-9 * Math.max(1, Math.abs(t))) rowOf.set(i, j);
  });
  if (rowOf.size === 0) {
    return {
      model,
      status: 'fail',
      columnsCompared: 0,
      rowsCompared: 0,
      detail: 'no save time in common with the canonical output',
    };
  }
  let compared = 0;
  let worst: { excess: number; text: string } | null = null;
  for (const [key, column] of expected.columns) {
    if (!results.has(key)) continue; // Columns the model does not hold (e.g. Vensim's SAVEPER).
    compared++;
    const series = results.series(key);
    for (const [i, r] of rowOf) {
      const want = column.values[i]!;
      const got = series[r]!;
      // Vensim leaves the cell of a :NA: value blank.
      if (got === VENSIM_NA && column.blank.has(i)) continue;
      const limit = atol + rtol * Math.abs(want);
      const diff = Math.abs(got - want);
      if (!(diff <= limit)) {
        const excess = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff / limit;
        if (!worst || excess > worst.excess) {
          worst = {
            excess,
            text: `${column.name} at time ${expected.times[i]}: expected ${want}, got ${got}`,
          };
        }
      }
    }
  }
  if (compared === 0) {
    return {
      model,
      status: 'fail',
      columnsCompared: 0,
      rowsCompared: rowOf.size,
      detail: 'no column of the canonical output matches a model variable',
    };
  }
  return worst
    ? { model, status: 'fail', columnsCompared: compared, rowsCompared: rowOf.size, detail: worst.text }
    : { model, status: 'pass', columnsCompared: compared, rowsCompared: rowOf.size, detail: '' };
}

/** Lists every `.xmile` (or, with `extension`, other) model file under the suite root, sorted. */
export function listXmileModels(suiteRoot: string, extension = '.xmile'): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(extension)) out.push(p);
    }
  };
  walk(suiteRoot);
  return out.sort();
}
