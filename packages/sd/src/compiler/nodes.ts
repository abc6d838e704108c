/**
 * The compiler's graph: one node per scalar value (a stock, flow or auxiliary element, or an
 * internal value of a builtin), the scope an equation is compiled in, and small helpers shared by
 * the stages (resolve, builtins, order, emit).
 */
import { TwinkitError } from '@twinkit/core';
import type { VariableDef } from '../model/model';
import { canonicalName } from '../names';

/** One scalar value of the compiled model. @internal */
export interface Node {
  id: number;
  kind: 'stock' | 'flow' | 'aux' | 'initial' | 'previous' | 'internal';
  key: string;
  name: string;
  def: VariableDef | null;
  /** JS of the value (for stocks: the initial value). */
  expr: string;
  /** JS of the net rate (stocks only). */
  rate: string;
  deps: Set<number>;
  dynamic: boolean;
  literal: boolean;
  nonNegative: boolean;
  output: boolean;
  slot: number;
  /** For 'previous' nodes: the node captured at each step. */
  captureId: number;
  /** Description used in error messages. */
  where: string;
  /** Stocks: the flow nodes of their inflows and outflows, in the order listed (outflow priority). */
  inflows: number[];
  outflows: number[];
  /**
   * A flow limited by a non-negative stock: the node holding its requested (unlimited) value; -1
   * otherwise. The flow's own slot holds the limited value.
   */
  request: number;
  /** A statement emitted instead of `v[slot] = expr;` ('' for a value another statement writes). */
  statement: string | null;
  /** Set to NaN at the start of the initial pass (INIT(SELF): unknown until the variable has its value). */
  startsNaN: boolean;
}

/** Where an equation is being compiled: its owner node, bound subscripts and collected deps. @internal */
export interface Scope {
  owner: Node;
  def: VariableDef;
  bindings: Map<string, number>;
  deps: Set<number>;
  dynamic: boolean;
  /**
   * True in an initial value (a stock's initial equation, INIT's argument, an initial-value argument
   * of a stateful builtin): ACTIVE INITIAL variables read their initial value there.
   */
  initial?: boolean;
}

/** Signals a model that cannot be compiled; names the variable and, when known, file and line. */
export class ModelCompileError extends TwinkitError {}

/** `variable "Name"[extra] (file line n)` for error messages. @internal */
export function where(def: VariableDef | null, extra = ''): string {
  if (!def) return extra;
  const loc = def.source.file
    ? ` (${def.source.file}${def.source.line ? ` line ${def.source.line}` : ''})`
    : '';
  return `variable ${JSON.stringify(def.name)}${extra}${loc}`;
}

/** A number as a JS literal (negative numbers parenthesised). @internal */
export function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  const s = String(x);
  return x < 0 ? `(${s})` : s;
}

/** Canonical key of a possibly subscripted name: `Stock A[Entry 1]` -> `stock_a[entry_1]`. */
export function canonicalKey(name: string): string {
  const m = /^(.*?)\[(.*)\]\s*$/.exec(name);
  if (!m) return canonicalName(name);
  return `${canonicalName(m[1]!)}[${m[2]!
    .split(',')
    .map((x) => canonicalName(x))
    .join(',')}]`;
}

/** Every index combination of dimensions of the given sizes, row-major. @internal */
export function cartesian(sizes: number[]): number[][] {
  return cartesianOf(sizes.map((n) => Array.from({ length: n }, (_, i) => i)));
}

/** Every combination of one choice per position, row-major. @internal */
export function cartesianOf(choices: number[][]): number[][] {
  let out: number[][] = [[]];
  for (const c of choices) {
    const next: number[][] = [];
    for (const prefix of out) for (const x of c) next.push([...prefix, x]);
    out = next;
  }
  return out;
}
