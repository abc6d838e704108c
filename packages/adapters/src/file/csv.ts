import { TwinkitError } from '@twinkit/core';
import { closestMatch } from '@twinkit/core/internal';
import { parse } from 'csv-parse/sync';

/** The CSV columns of a reading, in the order {@link fileSink} writes them; `timestamp` and `value` are required. */
export const CSV_COLUMNS = ['timestamp', 'value', 'sensor_id', 'unit', 'quality', 'source', 'seq'] as const;

/** One column of {@link CSV_COLUMNS}. */
export type CsvColumn = (typeof CSV_COLUMNS)[number];

// A decimal number and nothing else: no hex ('0x10'), no 'Infinity', no blanks, no '1e' or '.'.
const STRICT_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const STRICT_INTEGER = /^\d+$/;

/** Parses a number strictly: `''`, `'abc'`, `'1e'`, `' 1'` and `'0x10'` give undefined, never NaN or 0. */
export function strictNumber(text: string): number | undefined {
  return STRICT_NUMBER.test(text) ? Number(text) : undefined;
}

/**
 * Splits one CSV line into fields. A line without a quote is split at its commas (RFC 4180 has
 * nothing else to say about it); a line with quotes goes to csv-parse on its own. Each line is
 * parsed alone because csv-parse's error recovery (`skip_records_with_error`) resynchronises badly:
 * after a stray quote it swallowed the good lines around it without a word, and after
 * `max_record_size` it stopped emitting records altogether (both seen with csv-parse 6.1), which
 * would lose readings uncounted. Telemetry records never span lines, so nothing is lost by this.
 * Returns the fields, or the reason the line is not CSV.
 */
export function csvFields(line: string): string[] | { readonly detail: string } {
  if (!line.includes('"')) return line.split(',');
  try {
    const records = parse(line, { relax_column_count: true }) as string[][];
    if (records.length !== 1) return { detail: `expected one record, got ${records.length}` };
    return records[0] as string[];
  } catch (e) {
    return { detail: (e as Error).message };
  }
}

/** Reads the header line of a reading CSV; throws a clear error for unknown, repeated or missing columns. */
export function csvHeader(line: string, path: string): CsvColumn[] {
  const fields = csvFields(line.replace(/^\uFEFF/, ''));
  const api = `fileSource(${JSON.stringify(path)})`;
  if (!Array.isArray(fields))
    throw new TwinkitError(`${api}: the CSV header is not CSV (${fields.detail}).`, { code: 'PARSE' });
  const known = CSV_COLUMNS as readonly string[];
  const seen = new Set<string>();
  for (const name of fields) {
    if (!known.includes(name)) {
      const near = closestMatch(name, known);
      throw new TwinkitError(
        `${api}: unknown CSV column ${JSON.stringify(name)}; the columns are ${known.join(', ')}.${near ? ` Did you mean '${near}'?` : ''}`,
        { code: 'PARSE', details: { column: name } },
      );
    }
    if (seen.has(name))
      throw new TwinkitError(`${api}: the CSV column ${JSON.stringify(name)} appears twice.`, {
        code: 'PARSE',
      });
    seen.add(name);
  }
  for (const required of ['timestamp', 'value']) {
    if (!seen.has(required))
      throw new TwinkitError(
        `${api}: the CSV header has no ${JSON.stringify(required)} column (header: ${JSON.stringify(line)}); it needs at least timestamp and value.`,
        { code: 'PARSE' },
      );
  }
  return fields as CsvColumn[];
}

/**
 * Turns the fields of one data line into the object {@link decodeReading} takes, or says why not:
 * `value` and `seq` are parsed strictly, empty optional fields are left out.
 */
export function csvRecord(
  columns: readonly CsvColumn[],
  fields: readonly string[],
):
  | { readonly ok: true; readonly record: Record<string, unknown> }
  | {
      readonly ok: false;
      readonly reason: 'malformed_csv' | 'invalid_value' | 'invalid_field';
      readonly detail: string;
    } {
  if (fields.length !== columns.length)
    return {
      ok: false,
      reason: 'malformed_csv',
      detail: `${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${columns.length}`,
    };
  const record: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as CsvColumn;
    const text = fields[i] as string;
    if (column === 'value') {
      const value = strictNumber(text);
      if (value === undefined)
        return {
          ok: false,
          reason: 'invalid_value',
          detail: `value must be a decimal number, got ${JSON.stringify(text)}`,
        };
      record.value = value;
    } else if (text === '') {
      if (column === 'timestamp') record.timestamp = text; // decodeReading names it
    } else if (column === 'seq') {
      if (!STRICT_INTEGER.test(text))
        return {
          ok: false,
          reason: 'invalid_field',
          detail: `seq must be an integer >= 0, got ${JSON.stringify(text)}`,
        };
      record.seq = Number(text);
    } else {
      record[column] = text;
    }
  }
  return { ok: true, record };
}

/** Quotes a CSV field when it needs it (a comma, a quote, a line break, or blanks at an end). */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
