import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument } from '@twinkit/core/internal';
import { type AbstractMatrix, Matrix } from 'ml-matrix';

/** A matrix given by the user: an array of rows, or an ml-matrix `Matrix`. */
export type MatrixLike = readonly (readonly number[])[] | AbstractMatrix;

/** A vector given by the user: an array of numbers or a `Float64Array`. */
export type VectorLike = readonly number[] | Float64Array;

/** A matrix read into row-major storage. @internal */
export interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

function shapeOf(value: unknown): string {
  if (Matrix.isMatrix(value)) return `${value.rows}x${value.columns}`;
  if (Array.isArray(value)) {
    const first = value[0];
    return `${value.length}x${Array.isArray(first) ? first.length : '?'}`;
  }
  return typeof value;
}

/**
 * Reads a matrix into row-major storage, checking shape (when `rows`/`cols` are given) and that every
 * entry is finite. The error names the matrix and both shapes.
 *
 * @internal
 */
export function readMatrix(
  api: string,
  name: string,
  value: unknown,
  rows?: number,
  cols?: number,
  out?: Float64Array,
): DenseMatrix {
  // Fast path: an array of rows of finite numbers with the expected shape (every predict of a filter
  // with F as a function reads one of these).
  if (rows !== undefined && cols !== undefined && Array.isArray(value) && value.length === rows) {
    const data = out ?? new Float64Array(rows * cols);
    let ok = true;
    for (let i = 0; i < rows && ok; i++) {
      const row = value[i] as unknown;
      if (!Array.isArray(row) || row.length !== cols) {
        ok = false;
        break;
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j] as unknown;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          ok = false;
          break;
        }
        data[i * cols + j] = v;
      }
    }
    if (ok) return { rows, cols, data };
  }
  let r: number;
  let c: number;
  let get: (i: number, j: number) => unknown;
  if (Matrix.isMatrix(value)) {
    r = value.rows;
    c = value.columns;
    get = (i, j) => value.get(i, j);
  } else if (Array.isArray(value) && value.every((row) => Array.isArray(row) || ArrayBuffer.isView(row))) {
    const arr = value as readonly ArrayLike<number>[];
    r = arr.length;
    c = arr[0]?.length ?? 0;
    for (let i = 1; i < r; i++) {
      if (arr[i]!.length !== c) {
        throw invalidArgument(
          api,
          `${name} must be a rectangular matrix (every row ${c} long), but row ${i} has length ${arr[i]!.length}`,
          value,
          'Pass an array of equally long rows.',
        );
      }
    }
    get = (i, j) => arr[i]![j];
  } else {
    throw invalidArgument(
      api,
      `${name} must be a matrix (an array of rows or an ml-matrix Matrix)`,
      value,
      `Pass ${name} as e.g. [[1, 0], [0, 1]].`,
    );
  }
  if ((rows !== undefined && r !== rows) || (cols !== undefined && c !== cols)) {
    throw new TwinkitError(
      `${api}: ${name} must be ${rows ?? r}x${cols ?? c}, got ${r}x${c} (${shapeOf(value)}). ` +
        `Give ${name} ${rows ?? r} rows and ${cols ?? c} columns to match the state and measurement sizes.`,
      { code: 'INVALID_ARGUMENT', details: { name, expected: [rows ?? r, cols ?? c], actual: [r, c] } },
    );
  }
  if (r === 0 || c === 0) {
    throw invalidArgument(
      api,
      `${name} must not be empty`,
      value,
      `Give ${name} at least one row and column.`,
    );
  }
  const data = out ?? new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const v = get(i, j);
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw invalidArgument(
          api,
          `${name}[${i}][${j}] must be a finite number`,
          v,
          `Fix entry (${i}, ${j}) of ${name}.`,
        );
      }
      data[i * c + j] = v;
    }
  }
  return { rows: r, cols: c, data };
}

/**
 * Reads a vector, checking its length (when given) and that every entry is finite.
 *
 * @internal
 */
export function readVector(
  api: string,
  name: string,
  value: unknown,
  length?: number,
  out?: Float64Array,
): Float64Array {
  if (
    length !== undefined &&
    (Array.isArray(value) || value instanceof Float64Array) &&
    value.length === length
  ) {
    const data = out ?? new Float64Array(length);
    let ok = true;
    for (let i = 0; i < length; i++) {
      const v = value[i] as unknown;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        ok = false;
        break;
      }
      data[i] = v;
    }
    if (ok) return data;
  }
  if (!(Array.isArray(value) || value instanceof Float64Array)) {
    throw invalidArgument(
      api,
      `${name} must be an array of numbers or a Float64Array`,
      value,
      `Pass ${name} as e.g. [0, 1].`,
    );
  }
  const arr = value as ArrayLike<unknown>;
  if (length !== undefined && arr.length !== length) {
    throw new TwinkitError(
      `${api}: ${name} must have length ${length}, got length ${arr.length} (${formatValue(value)}). ` +
        `Give ${name} exactly ${length} entries.`,
      { code: 'INVALID_ARGUMENT', details: { name, expected: length, actual: arr.length } },
    );
  }
  if (arr.length === 0)
    throw invalidArgument(api, `${name} must not be empty`, value, 'Give at least one entry.');
  const data = out ?? new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalidArgument(api, `${name}[${i}] must be a finite number`, v, `Fix entry ${i} of ${name}.`);
    }
    data[i] = v;
  }
  return data;
}
