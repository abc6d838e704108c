/**
 * Test-only helpers: reading the reference fixtures (`fixtures/` at the repository root;
 * see fixtures/README.md) and comparing numbers with the tolerance the fixtures state.
 *
 * @internal
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file under the repository's fixtures folder. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../../../../fixtures/${relative}`, import.meta.url));
}

/** Reads a JSON fixture. */
export function readJsonFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as T;
}

/** Reads a CSV fixture with a header row into records of numbers (`NaN` for 'nan' or empty cells). */
export function readCsvFixture(relative: string): Record<string, number>[] {
  const lines = readFileSync(fixturePath(relative), 'utf8')
    .split(/\r\n|\n|\r/)
    .filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const record: Record<string, number> = {};
    header.forEach((name, i) => {
      const cell = cells[i]?.trim() ?? '';
      record[name] = cell === '' || cell.toLowerCase() === 'nan' ? Number.NaN : Number(cell);
    });
    return record;
  });
}

/** Returns a description of the mismatch, or null when |a − e| <= abs + rel·|e|. */
export function mismatch(actual: number, expected: number, abs = 1e-9, rel = 1e-8): string | null {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? null : `expected NaN, got ${actual}`;
  const ok = Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
  return ok ? null : `expected ${expected}, got ${actual} (diff ${actual - expected})`;
}

/** Collects mismatches of named values at a step into `errors`. */
export function compareAll(
  errors: string[],
  label: string,
  pairs: [name: string, actual: number, expected: number][],
  abs = 1e-9,
  rel = 1e-8,
): void {
  for (const [name, actual, expected] of pairs) {
    const m = mismatch(actual, expected, abs, rel);
    if (m !== null) errors.push(`${label} ${name}: ${m}`);
  }
}
