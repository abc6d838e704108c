/**
 * Compiles an {@link SdModel} once into plain JavaScript functions over one `Float64Array` of
 * values (generated source + `new Function`). Arrays are expanded into scalar elements, stateful
 * builtins (SMTH*, DELAY1/3/N, TREND, FORCST) are lowered into internal stocks, and auxiliaries
 * are put in dependency order. Nothing walks an expression tree while the model runs.
 *
 * The stages, one file each: `resolve.ts` (names, subscripts and equations into a graph of scalar
 * nodes), `builtins.ts` (the table of builtin functions), `order.ts` (dynamic values, slots and
 * evaluation orders), `emit.ts` (the generated code).
 *
 * Layout of the value array: slots [0, stockCount) are the stocks (user stocks first, then the
 * internal stocks of stateful builtins), then every flow, auxiliary and internal value.
 */
import type { EquationFunction, SdModel, SimSpecs } from '../model';
import { emit } from './emit';
import type { OutflowLimit } from './limits';
import { Compiler } from './resolve';
import type { RuntimeContext } from './runtime';

export { canonicalKey, ModelCompileError } from './nodes';

/** The generated functions of a compiled model. @internal */
export interface ModelFunctions {
  init(v: Float64Array, c: RuntimeContext, time: number): void;
  constants(v: Float64Array, c: RuntimeContext, time: number): void;
  aux(v: Float64Array, c: RuntimeContext, time: number): void;
  rates(v: Float64Array, c: RuntimeContext, time: number, d: Float64Array): void;
  commit(v: Float64Array, c: RuntimeContext, time: number): void;
  /**
   * Whole Euler steps from grid index `from` to `to` in one generated loop (rates, updates and
   * equations inlined), saving a row every `saveEvery` steps (0: none) into `out`/`times` from
   * row `row`; returns the next free row. Precondition: equations evaluated at step `from`.
   */
  runEuler(
    v: Float64Array,
    c: RuntimeContext,
    start: number,
    dt: number,
    from: number,
    to: number,
    saveEvery: number,
    out: Float64Array,
    times: Float64Array,
    row: number,
  ): number;
}

/** One named, saved variable (a scalar or one element of an array) of a compiled model. */
export interface OutputVariable {
  /** Name as in the model, with subscripts: `Stock A[Entry 1]`, module path dotted: `hares.births`. */
  name: string;
  /** Canonical key: lower-case, `_` for blanks: `stock_a[entry_1]`. */
  key: string;
  /** Kind of the model variable. */
  kind: 'stock' | 'flow' | 'aux';
  /** Slot in the value array. */
  slot: number;
  /** True for a constant whose value events may change with `setParameter`. */
  parameter: boolean;
  /**
   * @internal Slot a parameter write goes to when it differs from `slot`: the requested value of
   * an outflow that a non-negative stock limits (`slot` holds the limited value).
   */
  writeSlot?: number;
}

/**
 * A model compiled into JavaScript, ready to run any number of times ({@link SdRun}).
 */
export interface CompiledModel {
  /** The time axis the model was compiled with. */
  readonly specs: Readonly<SimSpecs>;
  /** Number of slots of the value array. */
  readonly slotCount: number;
  /** Number of stock slots (user and internal), the integrated state: slots [0, stockCount). */
  readonly stockCount: number;
  /** Stock slots that are kept at or above zero. */
  readonly nonNegativeStocks: Int32Array;
  /** @internal The limited outflows of each non-negative stock, upstream stocks first. */
  readonly outflowLimits: readonly OutflowLimit[];
  /** Every stock, flow and auxiliary element, in model order. */
  readonly outputs: readonly OutputVariable[];
  /** @internal */
  readonly functions: ModelFunctions;
  /** @internal Helpers and tables the generated code reads. */
  readonly tables: CompiledTables;
  /** The generated JavaScript source, for inspection. */
  readonly source: string;
  /** Finds an output variable by name (XMILE rules: case-insensitive, blanks and `_` equivalent). */
  find(name: string): OutputVariable | undefined;
}

/** @internal */
export interface CompiledTables {
  graphicals: ((x: number) => number)[];
  functions: { fn: EquationFunction; deps: string[] }[];
  delayCount: number;
  usesRandom: boolean;
}

/**
 * Compiles a model into plain JavaScript functions; throws {@link ModelCompileError} naming the
 * variable (and file and line when known) for unknown names or functions, circular definitions,
 * a stock without an initial value, a division by a literal zero, or an unsupported construct.
 */
export function compileModel(model: SdModel): CompiledModel {
  const compiler = new Compiler(model).resolve();
  compiler.checkActiveInitial();
  return emit(compiler);
}
