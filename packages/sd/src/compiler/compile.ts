/**
 * Compiles an {@link SdModel} once into plain JavaScript functions over one `Float64Array` of
 * values (generated source + `new Function`). Arrays are expanded into scalar elements, stateful
 * builtins (SMTH*, DELAY1/3/N, TREND, FORCST) are lowered into internal stocks, and auxiliaries
 * are put in dependency order. Nothing walks an expression tree while the model runs.
 *
 * Layout of the value array: slots [0, stockCount) are the stocks (user stocks first, then the
 * internal stocks of stateful builtins), then every flow, auxiliary and internal value.
 */
import { TwinkitError } from '@twinkit/core';
import type { Expr, Subscript } from '../expression';
import type { EquationFunction, SdModel, SimSpecs } from '../model';
import type { DimensionDef, EquationDef, VariableDef } from '../model/model';
import { canonicalName } from '../names';
import { lookupTable, type RuntimeContext } from './runtime';

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

interface Node {
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
}

interface Scope {
  owner: Node;
  def: VariableDef;
  bindings: Map<string, number>;
  deps: Set<number>;
  dynamic: boolean;
}

/** Signals a model that cannot be compiled; names the variable and, when known, file and line. */
export class ModelCompileError extends TwinkitError {}

const MATH_1: Record<string, string> = {
  abs: 'Math.abs',
  exp: 'Math.exp',
  ln: 'Math.log',
  log10: 'Math.log10',
  sqrt: 'Math.sqrt',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  arcsin: 'Math.asin',
  arccos: 'Math.acos',
  arctan: 'Math.atan',
  asin: 'Math.asin',
  acos: 'Math.acos',
  atan: 'Math.atan',
  sinh: 'Math.sinh',
  cosh: 'Math.cosh',
  tanh: 'Math.tanh',
  int: 'Math.trunc', // The suite's canonical output (test_rounding) truncates toward zero.
  round: 'Math.round',
  sign: 'Math.sign',
};

const REDUCERS = new Set(['sum', 'mean', 'prod', 'size', 'stddev', 'min', 'max']);

const BUILTIN_NAMES: Record<string, string> = {
  time: 'time',
  dt: 'c.dt',
  time_step: 'c.dt',
  starttime: 'c.start',
  initial_time: 'c.start',
  stoptime: 'c.stop',
  final_time: 'c.stop',
  pi: 'Math.PI',
  inf: 'Infinity',
};

/** Builtins recognised but not implemented: named in the error instead of computing a wrong number. */
const KNOWN_UNSUPPORTED = new Set(['active_initial', 'history', 'self', 'rank', 'npv', 'irr']);

/**
 * Compiles a model into plain JavaScript functions; throws {@link ModelCompileError} naming the
 * variable (and file and line when known) for unknown names or functions, circular definitions,
 * a stock without an initial value, a division by a literal zero, or an unsupported construct.
 */
export function compileModel(model: SdModel): CompiledModel {
  return new Compiler(model).compile();
}

function where(def: VariableDef | null, extra = ''): string {
  if (!def) return extra;
  const loc = def.source.file
    ? ` (${def.source.file}${def.source.line ? ` line ${def.source.line}` : ''})`
    : '';
  return `variable ${JSON.stringify(def.name)}${extra}${loc}`;
}

function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  const s = String(x);
  return x < 0 ? `(${s})` : s;
}

class Compiler {
  private readonly nodes: Node[] = [];
  /** Element nodes of each variable key, in row-major element order. */
  private readonly elementsOf = new Map<string, Node[]>();
  private readonly graphicals: ((x: number) => number)[] = [];
  private readonly graphicalIndex = new Map<string, number>();
  private readonly functions: { fn: EquationFunction; deps: string[] }[] = [];
  private delayCount = 0;
  private usesRandom = false;
  private readonly delayPushes: string[] = [];

  constructor(private readonly model: SdModel) {}

  private fail(message: string, def: VariableDef | null, extra = ''): never {
    throw new ModelCompileError(`${where(def, extra)}: ${message}`, {
      code: 'INVALID_ARGUMENT',
      details: { variable: def?.name, file: def?.source.file, line: def?.source.line },
    });
  }

  private newNode(partial: Partial<Node> & Pick<Node, 'kind' | 'key' | 'name'>): Node {
    const node: Node = {
      id: this.nodes.length,
      def: null,
      expr: '0',
      rate: '0',
      deps: new Set(),
      dynamic: false,
      literal: false,
      nonNegative: false,
      output: false,
      slot: -1,
      captureId: -1,
      where: '',
      ...partial,
    };
    this.nodes.push(node);
    return node;
  }

  private dims(def: VariableDef): DimensionDef[] {
    const seen = new Set<string>();
    const out: DimensionDef[] = [];
    for (const d of def.dimensions) {
      // Some converted files repeat a dimension (`<dim name="X"/><dim name="X"/>`) for a 1-D array.
      if (seen.has(d)) continue;
      seen.add(d);
      const dim = this.model.dimensions.get(d);
      if (!dim) this.fail(`unknown dimension ${JSON.stringify(d)}`, def, '');
      out.push(dim);
    }
    return out;
  }

  compile(): CompiledModel {
    // 1. One node per scalar element.
    for (const def of this.model.variables.values()) {
      const dims = this.dims(def);
      const combos = cartesian(dims.map((d) => d.elements.length));
      const list: Node[] = [];
      for (const combo of combos) {
        const suffixKey = dims.length ? `[${combo.map((i, p) => dims[p]!.elementKeys[i]).join(',')}]` : '';
        const suffixName = dims.length ? `[${combo.map((i, p) => dims[p]!.elements[i]).join(',')}]` : '';
        const kind = def.aliasOf !== null ? 'aux' : def.kind;
        list.push(
          this.newNode({
            kind,
            key: def.key + suffixKey,
            name: def.name + suffixName,
            def,
            output: true,
            nonNegative: def.nonNegative,
          }),
        );
      }
      this.elementsOf.set(def.key, list);
      if (def.graphical) {
        const { x, y, type } = def.graphical;
        this.graphicalIndex.set(def.key, this.graphicals.length);
        this.graphicals.push(lookupTable(Float64Array.from(x), Float64Array.from(y), type ?? 'continuous'));
      }
    }
    // 2. Equations.
    for (const def of this.model.variables.values()) {
      const dims = this.dims(def);
      const list = this.elementsOf.get(def.key)!;
      const combos = cartesian(dims.map((d) => d.elements.length));
      combos.forEach((combo, index) => {
        const node = list[index]!;
        const bindings = new Map<string, number>();
        dims.forEach((d, p) => {
          bindings.set(d.key, combo[p]!);
        });
        this.compileVariable(def, node, bindings, dims, combo, index);
      });
    }
    return this.link();
  }

  private compileVariable(
    def: VariableDef,
    node: Node,
    bindings: Map<string, number>,
    dims: DimensionDef[],
    combo: number[],
    index: number,
  ): void {
    const scope: Scope = { owner: node, def, bindings, deps: node.deps, dynamic: false };
    if (def.aliasOf !== null) {
      const target = this.model.variables.get(def.aliasOf);
      if (!target) this.fail(`is connected to ${JSON.stringify(def.aliasOf)}, which does not exist`, def);
      const targetNodes = this.elementsOf.get(target.key)!;
      const t = targetNodes.length === 1 ? targetNodes[0]! : targetNodes[index];
      if (!t) this.fail(`is connected to ${JSON.stringify(target.name)}, whose shape differs`, def);
      node.deps.add(t.id);
      node.expr = `v[@${t.id}]`;
      node.dynamic = true;
      return;
    }
    const elementKey = combo.map((i, p) => dims[p]!.elementKeys[i]).join(',');
    let eq: EquationDef | null = def.elementEquations.get(elementKey) ?? def.equation;
    if (!eq && def.elementEquations.size > 0 && dims.length > 1) {
      // A 2-D element equation may be given for a partial tuple; no such form is supported.
      eq = null;
    }
    if (!eq) {
      if (def.graphical && def.kind === 'aux') {
        // A table called only as a function; its value as a variable is its value at 0? No: not a value.
        node.output = false;
        node.expr = 'NaN';
        return;
      }
      this.fail(
        def.kind === 'stock' ? 'stock has no initial value' : 'has no equation',
        def,
        dims.length ? `[${elementKey}]` : '',
      );
    }
    let js: string;
    try {
      js = this.compileEquation(eq, scope, combo, dims);
    } catch (e) {
      if (e instanceof ModelCompileError) throw e;
      if (e instanceof TwinkitError) this.fail(e.message, def);
      throw e;
    }
    const elementTable = def.elementGraphicals?.get(elementKey);
    if (elementTable) {
      const k = this.graphicals.length;
      this.graphicals.push(
        lookupTable(
          Float64Array.from(elementTable.x),
          Float64Array.from(elementTable.y),
          elementTable.type ?? 'continuous',
        ),
      );
      js = `c.g[${k}](${js})`;
    } else if (def.graphical && def.kind !== 'stock') {
      js = `c.g[${this.graphicalIndex.get(def.key)!}](${js})`;
    }
    if (def.kind === 'flow' && def.nonNegative) js = `Math.max(0, ${js})`;
    node.expr = js;
    node.dynamic = scope.dynamic;
    node.literal = eq.kind === 'expr' && eq.expr.kind === 'number' && !def.graphical && !elementTable;
    if (def.kind === 'stock') {
      const terms: string[] = [];
      for (const [list, sign] of [
        [def.inflows, '+'],
        [def.outflows, '-'],
      ] as const) {
        for (const flowName of list) {
          const flowKey = this.qualify(flowName, def.scope);
          const flowNodes = this.elementsOf.get(flowKey);
          if (!flowNodes) this.fail(`names flow ${JSON.stringify(flowName)}, which does not exist`, def);
          const f = flowNodes.length === 1 ? flowNodes[0]! : flowNodes[index];
          if (!f || (flowNodes.length > 1 && flowNodes.length !== this.elementsOf.get(def.key)!.length)) {
            this.fail(`flow ${JSON.stringify(flowName)} has a different shape than the stock`, def);
          }
          terms.push(`${sign} v[@${f.id}]`);
        }
      }
      node.rate = terms.length ? terms.join(' ') : '0';
    }
  }

  private qualify(name: string, scope: string): string {
    const key = canonicalName(name);
    return scope ? `${scope}.${key}` : key;
  }

  private compileEquation(eq: EquationDef, scope: Scope, combo: number[], dims: DimensionDef[]): string {
    if (eq.kind === 'expr') return this.expr(eq.expr, scope);
    if (eq.kind === 'list') {
      const total = dims.reduce((n, d) => n * d.elements.length, 1);
      if (eq.values.length !== total) {
        this.fail(
          `lists ${eq.values.length} values for ${total} elements`,
          scope.def,
          ` (equation ${JSON.stringify(eq.text)})`,
        );
      }
      let flat = 0;
      for (let p = 0; p < dims.length; p++) flat = flat * dims[p]!.elements.length + combo[p]!;
      return num(eq.values[flat]!);
    }
    // A TypeScript function: find what it reads by calling it with a recording view.
    let deps = eq.dependsOn;
    if (deps === null) {
      const seen = new Set<string>();
      const recorder = new Proxy(
        {},
        {
          get: (_t, prop) => {
            if (typeof prop === 'string') seen.add(prop);
            return 1;
          },
        },
      );
      try {
        eq.fn(recorder as Record<string, number>, this.model.specs.start);
      } catch {
        // A function that throws on the recording view still lists what it read before throwing.
      }
      deps = [...seen];
    }
    for (const name of deps) {
      const key = this.qualify(name, scope.def.scope);
      const nodes = this.elementsOf.get(key);
      if (!nodes)
        this.fail(`function equation reads ${JSON.stringify(name)}, which does not exist`, scope.def);
      for (const n of nodes) scope.deps.add(n.id);
    }
    scope.dynamic = true;
    const k = this.functions.length;
    this.functions.push({ fn: eq.fn, deps });
    return `c.f[${k}](c.view, time)`;
  }

  // ---- expressions ---------------------------------------------------------------------------

  private expr(e: Expr, s: Scope): string {
    switch (e.kind) {
      case 'number':
        return num(e.value);
      case 'ref':
        return this.ref(e, s);
      case 'unary': {
        const x = this.expr(e.operand, s);
        if (e.op === 'not') return `(${x} === 0 ? 1 : 0)`;
        return e.op === '-' ? `(-${x})` : x;
      }
      case 'if':
        return `(${this.expr(e.condition, s)} !== 0 ? ${this.expr(e.then, s)} : ${this.expr(e.else, s)})`;
      case 'binary': {
        const l = this.expr(e.left, s);
        const r = this.expr(e.right, s);
        switch (e.op) {
          case '+':
          case '-':
          case '*':
            return `(${l} ${e.op} ${r})`;
          case '/':
            if (e.right.kind === 'number' && e.right.value === 0) {
              this.fail('divides by a literal zero', s.def, '');
            }
            return `(${l} / ${r})`;
          case '^':
            return `Math.pow(${l}, ${r})`;
          case 'mod':
            return `c.mod(${l}, ${r})`;
          case '=':
            return `(${l} === ${r} ? 1 : 0)`;
          case '<>':
            return `(${l} !== ${r} ? 1 : 0)`;
          case '<':
          case '<=':
          case '>':
          case '>=':
            return `(${l} ${e.op} ${r} ? 1 : 0)`;
          case 'and':
            return `((${l} !== 0) && (${r} !== 0) ? 1 : 0)`;
          case 'or':
            return `((${l} !== 0) || (${r} !== 0) ? 1 : 0)`;
        }
        break;
      }
      case 'call':
        return this.call(e, s);
    }
    throw new ModelCompileError(`unknown expression node ${JSON.stringify(e)}`);
  }

  private lookupVariable(name: string, s: Scope, absolute = false): VariableDef | undefined {
    const key = absolute ? name : this.qualify(name, s.def.scope);
    return this.model.variables.get(key);
  }

  /** Resolves a reference to the element nodes it designates (several for wildcards). */
  private refNodes(e: Extract<Expr, { kind: 'ref' }>, s: Scope, allowMany: boolean): Node[] {
    const def = this.lookupVariable(e.name, s, e.absolute);
    if (!def) {
      this.fail(`uses ${JSON.stringify(e.name)}, which is neither a variable nor a builtin`, s.def);
    }
    const nodes = this.elementsOf.get(def.key)!;
    const dims = this.dims(def);
    if (dims.length === 0) {
      if (e.subscripts && e.subscripts.length > 0) {
        this.fail(`subscripts ${JSON.stringify(def.name)}, which is not an array`, s.def);
      }
      return nodes;
    }
    const subs: Subscript[] = e.subscripts ?? dims.map((d) => ({ kind: 'name', name: d.key }) as const);
    if (subs.length !== dims.length) {
      this.fail(
        `uses ${JSON.stringify(def.name)} with ${subs.length} subscripts; it has ${dims.length} dimensions`,
        s.def,
      );
    }
    const choices: number[][] = subs.map((sub, p) => {
      const dim = dims[p]!;
      if (sub.kind === 'wildcard') {
        const b = s.bindings.get(`*${dim.key}`);
        return b !== undefined ? [b] : dim.elements.map((_, i) => i);
      }
      if (sub.kind === 'index') {
        const i = sub.value - 1;
        if (!Number.isInteger(i) || i < 0 || i >= dim.elements.length) {
          this.fail(`uses ${def.name}[${sub.value}], outside dimension ${JSON.stringify(dim.name)}`, s.def);
        }
        return [i];
      }
      const bound = s.bindings.get(sub.name);
      if (bound !== undefined) {
        const boundDim = this.model.dimensions.get(sub.name);
        if (sub.name === dim.key || (boundDim && boundDim.elements.length === dim.elements.length)) {
          return [bound];
        }
      }
      const el = dim.elementKeys.indexOf(sub.name);
      if (el >= 0) return [el];
      if (sub.name === dim.key || this.model.dimensions.has(sub.name)) {
        return dim.elements.map((_, i) => i);
      }
      return this.fail(
        `uses ${def.name}[${sub.name}]: ${JSON.stringify(sub.name)} is not an element of ${JSON.stringify(dim.name)}`,
        s.def,
      );
    });
    const out: Node[] = [];
    for (const combo of cartesianOf(choices)) {
      let flat = 0;
      for (let p = 0; p < dims.length; p++) flat = flat * dims[p]!.elements.length + combo[p]!;
      out.push(nodes[flat]!);
    }
    if (out.length > 1 && !allowMany) {
      this.fail(
        `uses ${JSON.stringify(def.name)} as a whole array where one value is needed; subscript it or wrap it in SUM/MIN/MAX/MEAN`,
        s.def,
      );
    }
    return out;
  }

  private ref(e: Extract<Expr, { kind: 'ref' }>, s: Scope): string {
    if (!e.absolute && !e.subscripts) {
      const builtin = BUILTIN_NAMES[e.name];
      if (builtin && (e.name === 'time' || !this.lookupVariable(e.name, s))) {
        if (e.name === 'time') s.dynamic = true;
        return builtin;
      }
    }
    const [node] = this.refNodes(e, s, false);
    return this.use(node!, s);
  }

  private use(node: Node, s: Scope): string {
    if (node.def?.graphical && node.def.equation === null) {
      this.fail(`uses graphical function ${JSON.stringify(node.def.name)} without an argument`, s.def);
    }
    s.deps.add(node.id);
    return `v[@${node.id}]`;
  }

  /** Compiles each element of an array-valued argument (free dimensions enumerated). */
  private arrayArg(e: Expr, s: Scope): string[] {
    const free: DimensionDef[] = [];
    const visit = (x: Expr): void => {
      if (x.kind === 'ref') {
        const def = this.lookupVariable(x.name, s, x.absolute);
        if (!def) return;
        const dims = this.dims(def);
        const subs = x.subscripts ?? dims.map((d) => ({ kind: 'name', name: d.key }) as Subscript);
        subs.forEach((sub, p) => {
          const dim = dims[p];
          if (!dim) return;
          const isFree =
            sub.kind === 'wildcard' ||
            (sub.kind === 'name' &&
              !s.bindings.has(sub.name) &&
              (sub.name === dim.key || this.model.dimensions.has(sub.name)));
          if (isFree && !free.some((f) => f.key === dim.key)) free.push(dim);
        });
      } else if (x.kind === 'unary') visit(x.operand);
      else if (x.kind === 'binary') {
        visit(x.left);
        visit(x.right);
      } else if (x.kind === 'if') {
        visit(x.condition);
        visit(x.then);
        visit(x.else);
      } else if (x.kind === 'call') x.args.forEach(visit);
    };
    visit(e);
    if (free.length === 0) return [this.expr(e, s)];
    const out: string[] = [];
    for (const combo of cartesian(free.map((d) => d.elements.length))) {
      const bindings = new Map(s.bindings);
      free.forEach((d, p) => {
        bindings.set(d.key, combo[p]!);
        bindings.set(`*${d.key}`, combo[p]!);
      });
      const inner: Scope = { ...s, bindings };
      out.push(this.expr(e, inner));
      s.dynamic ||= inner.dynamic;
    }
    return out;
  }

  private constantValue(e: Expr, s: Scope, what: string): number {
    const fold = (x: Expr): number => {
      if (x.kind === 'number') return x.value;
      if (x.kind === 'unary' && x.op === '-') return -fold(x.operand);
      if (x.kind === 'ref') {
        const def = this.lookupVariable(x.name, s, x.absolute);
        if (def?.equation?.kind === 'expr' && !def.dimensions.length) return fold(def.equation.expr);
      }
      if (x.kind === 'binary') {
        const l = fold(x.left);
        const r = fold(x.right);
        if (x.op === '+') return l + r;
        if (x.op === '-') return l - r;
        if (x.op === '*') return l * r;
        if (x.op === '/') return l / r;
      }
      this.fail(`${what} must be a constant`, s.def);
    };
    return fold(e);
  }

  private internalStock(s: Scope, label: string, init: string, initDeps: Set<number>): Node {
    const node = this.newNode({
      kind: 'stock',
      key: `#${label}`,
      name: `${label} in ${s.def.name}`,
      where: s.def.name,
      expr: init,
      deps: new Set(initDeps),
    });
    node.def = null;
    return node;
  }

  private call(e: Extract<Expr, { kind: 'call' }>, s: Scope): string {
    const fn = e.fn;
    const args = e.args;
    const arity = (min: number, max = min): void => {
      if (args.length < min || args.length > max) {
        this.fail(
          `calls ${fn.toUpperCase()} with ${args.length} arguments; it takes ${min === max ? min : `${min} to ${max}`}`,
          s.def,
        );
      }
    };
    const a = (i: number): string => this.expr(args[i]!, s);
    const math = MATH_1[fn];
    if (math) {
      arity(1);
      return `${math}(${a(0)})`;
    }
    // A graphical function called by name: table(x).
    const gfDef = this.lookupVariable(fn, s);
    if (gfDef?.graphical) {
      arity(1);
      return `c.g[${this.graphicalIndex.get(gfDef.key)!}](${a(0)})`;
    }
    switch (fn) {
      case 'pi':
        arity(0);
        return 'Math.PI';
      case 'time':
        arity(0);
        s.dynamic = true;
        return 'time';
      case 'dt':
        arity(0);
        return 'c.dt';
      case 'starttime':
        arity(0);
        return 'c.start';
      case 'stoptime':
        arity(0);
        return 'c.stop';
      case 'log':
        arity(1, 2);
        return args.length === 1 ? `Math.log10(${a(0)})` : `(Math.log(${a(0)}) / Math.log(${a(1)}))`;
      case 'mod':
        arity(2);
        return `c.mod(${a(0)}, ${a(1)})`;
      case 'exprnd':
      case 'exponential':
        arity(1, 2);
        this.usesRandom = true;
        s.dynamic = true;
        return `(-(${a(0)}) * Math.log(1 - c.rand()))`;
      case 'if_then_else':
        arity(3);
        return `(${a(0)} !== 0 ? ${a(1)} : ${a(2)})`;
      case 'safediv':
      case 'xidz':
      case 'zidz': {
        if (fn === 'zidz') arity(2);
        else if (fn === 'xidz') arity(3);
        else arity(2, 3);
        const alt = args.length === 3 ? a(2) : '0';
        return `c.safediv(${a(0)}, ${a(1)}, ${alt})`;
      }
      case 'min':
      case 'max': {
        const list = args.length === 1 ? this.arrayArg(args[0]!, s) : args.map((x) => this.expr(x, s));
        if (list.length === 0) arity(1, Number.POSITIVE_INFINITY);
        return `Math.${fn}(${list.join(', ')})`;
      }
      case 'sum':
      case 'mean':
      case 'prod':
      case 'size':
      case 'stddev': {
        arity(1);
        const list = this.arrayArg(args[0]!, s);
        if (fn === 'size') return String(list.length);
        if (fn === 'sum') return `(${list.join(' + ')})`;
        if (fn === 'prod') return `(${list.join(' * ')})`;
        if (fn === 'mean') return `((${list.join(' + ')}) / ${list.length})`;
        return `c.stddev([${list.join(', ')}])`;
      }
      case 'step':
        arity(2);
        s.dynamic = true;
        return `c.step(time, ${a(0)}, ${a(1)})`;
      case 'ramp':
        arity(2, 3);
        s.dynamic = true;
        return `c.ramp(time, ${a(0)}, ${a(1)}, ${args.length === 3 ? a(2) : 'Infinity'})`;
      case 'pulse':
        arity(1, 3);
        s.dynamic = true;
        return `c.pulse(time, c.dt, ${a(0)}, ${args.length > 1 ? a(1) : 'c.start'}, ${args.length > 2 ? a(2) : '0'})`;
      case 'random':
      case 'uniform':
        arity(2, 3);
        this.usesRandom = true;
        s.dynamic = true;
        return `c.uniform(${a(0)}, ${a(1)})`;
      case 'normal':
        arity(2, 3);
        this.usesRandom = true;
        s.dynamic = true;
        return `c.normal(${a(0)}, ${a(1)})`;
      case 'lognormal':
        arity(2, 3);
        this.usesRandom = true;
        s.dynamic = true;
        return `c.lognormal(${a(0)}, ${a(1)})`;
      case 'poisson':
        arity(1, 2);
        this.usesRandom = true;
        s.dynamic = true;
        return `c.poisson(${a(0)})`;
      case 'triangular':
        arity(3, 4);
        this.usesRandom = true;
        s.dynamic = true;
        return `c.triangular(${a(0)}, ${a(1)}, ${a(2)})`;
      case 'lookup': {
        arity(2);
        const table = args[0]!;
        const def = table.kind === 'ref' ? this.lookupVariable(table.name, s, table.absolute) : undefined;
        if (!def?.graphical) this.fail('LOOKUP needs a graphical function as its first argument', s.def);
        return `c.g[${this.graphicalIndex.get(def.key)!}](${a(1)})`;
      }
      case 'init': {
        arity(1);
        const inner: Scope = { ...s, deps: new Set(), dynamic: false };
        const x = this.expr(args[0]!, inner);
        const node = this.newNode({
          kind: 'initial',
          key: `#init`,
          name: `INIT in ${s.def.name}`,
          expr: x,
          deps: inner.deps,
        });
        s.deps.add(node.id);
        return `v[@${node.id}]`;
      }
      case 'previous': {
        arity(1, 2);
        const inner: Scope = { ...s, deps: new Set(), dynamic: false };
        const x = this.expr(args[0]!, inner);
        const capture = this.newNode({
          kind: 'internal',
          key: '#previous_input',
          name: `PREVIOUS input in ${s.def.name}`,
          expr: x,
          deps: inner.deps,
          dynamic: true,
        });
        const initScope: Scope = { ...s, deps: new Set(), dynamic: false };
        const init = args.length > 1 ? this.expr(args[1]!, initScope) : x;
        const node = this.newNode({
          kind: 'previous',
          key: '#previous',
          name: `PREVIOUS in ${s.def.name}`,
          expr: init,
          deps: args.length > 1 ? initScope.deps : new Set(inner.deps),
          captureId: capture.id,
        });
        s.deps.add(node.id);
        s.dynamic = true;
        return `v[@${node.id}]`;
      }
      case 'delay': {
        arity(2, 3);
        const inner: Scope = { ...s, deps: new Set(), dynamic: false };
        const x = this.expr(args[0]!, inner);
        const input = this.newNode({
          kind: 'internal',
          key: '#delay_input',
          name: `DELAY input in ${s.def.name}`,
          expr: x,
          deps: inner.deps,
          dynamic: true,
        });
        // Without an initial value, the delay returns the input's initial value until time - delay
        // reaches the start time.
        const initialInput = this.newNode({
          kind: 'initial',
          key: '#delay_initial',
          name: `DELAY initial input in ${s.def.name}`,
          expr: `v[@${input.id}]`,
          deps: new Set([input.id]),
        });
        const k = this.delayCount++;
        this.delayPushes.push(`c.dl[${k}].push(time, v[@${input.id}]);`);
        s.deps.add(input.id);
        s.dynamic = true;
        const init = args.length > 2 ? a(2) : `v[@${initialInput.id}]`;
        s.deps.add(initialInput.id);
        return `c.dl[${k}].get(time - ${a(1)}, ${init})`;
      }
      case 'smth1':
      case 'smth3':
      case 'smthn':
      case 'delay1':
      case 'delay3':
      case 'delayn': {
        const nth = fn.endsWith('n');
        arity(nth ? 3 : 2, nth ? 4 : 3);
        const order = fn.endsWith('1')
          ? 1
          : fn.endsWith('3')
            ? 3
            : this.constantValue(args[2]!, s, `the order of ${fn.toUpperCase()}`);
        if (!Number.isInteger(order) || order < 1) {
          this.fail(`${fn.toUpperCase()} order must be an integer >= 1, got ${order}`, s.def);
        }
        const initArg = nth ? 3 : 2;
        const inner: Scope = { ...s, deps: new Set(), dynamic: false };
        const x = this.expr(args[0]!, inner);
        const time = this.expr(args[1]!, inner);
        const init = args.length > initArg ? this.expr(args[initArg]!, inner) : x;
        // The caller reads only the last stage (a stock): no ordering edge to the input, so a
        // smooth or delay inside a feedback loop is not a circular definition.
        const stageTime = order === 1 ? time : `(${time} / ${order})`;
        const isDelay = fn.startsWith('delay');
        const stages: Node[] = [];
        for (let i = 0; i < order; i++) {
          const stock = this.internalStock(
            s,
            `${fn.toUpperCase()} stage ${i + 1}`,
            isDelay ? `(${init} * ${stageTime})` : init,
            inner.deps,
          );
          stages.push(stock);
        }
        stages.forEach((stock, i) => {
          const upstream =
            i === 0 ? x : isDelay ? `(v[@${stages[i - 1]!.id}] / ${stageTime})` : `v[@${stages[i - 1]!.id}]`;
          stock.rate = isDelay
            ? `${upstream} - v[@${stock.id}] / ${stageTime}`
            : `(${upstream} - v[@${stock.id}]) / ${stageTime}`;
        });
        const last = stages[stages.length - 1]!;
        s.deps.add(last.id);
        s.dynamic = true;
        return isDelay ? `(v[@${last.id}] / ${stageTime})` : `v[@${last.id}]`;
      }
      case 'trend':
      case 'forcst': {
        const isTrend = fn === 'trend';
        arity(isTrend ? 2 : 3, isTrend ? 3 : 4);
        const inner: Scope = { ...s, deps: new Set(), dynamic: false };
        const x = this.expr(args[0]!, inner);
        const avg = this.expr(args[1]!, inner);
        const initIndex = isTrend ? 2 : 3;
        const initTrend = args.length > initIndex ? this.expr(args[initIndex]!, inner) : '0';
        for (const d of inner.deps) s.deps.add(d);
        const stock = this.internalStock(
          s,
          `${fn.toUpperCase()} average`,
          `(${x} / (1 + ${initTrend} * ${avg}))`,
          inner.deps,
        );
        stock.rate = `(${x} - v[@${stock.id}]) / ${avg}`;
        s.deps.add(stock.id);
        s.dynamic = true;
        const trend = `((${x} - v[@${stock.id}]) / (v[@${stock.id}] * ${avg}))`;
        return isTrend ? trend : `(${x} * (1 + ${trend} * ${this.expr(args[2]!, s)}))`;
      }
      default:
        if (KNOWN_UNSUPPORTED.has(fn) || REDUCERS.has(fn)) {
          this.fail(`uses ${fn.toUpperCase()}, which twinkit does not support yet`, s.def);
        }
        this.fail(`calls unknown function ${fn.toUpperCase()}`, s.def);
    }
  }

  // ---- ordering and code generation -----------------------------------------------------------

  private link(): CompiledModel {
    const nodes = this.nodes;
    // Dynamic propagation: a value is dynamic when it reads time, a stock or a dynamic value.
    const isState = (n: Node) => n.kind === 'stock' || n.kind === 'previous';
    let changed = true;
    for (const n of nodes) if (isState(n)) n.dynamic = true;
    while (changed) {
      changed = false;
      for (const n of nodes) {
        if (n.dynamic || n.kind === 'initial') continue;
        for (const d of n.deps) {
          const dn = nodes[d]!;
          if (dn.dynamic && dn.kind !== 'initial') {
            n.dynamic = true;
            changed = true;
            break;
          }
        }
      }
    }
    // Slots: stocks first.
    let slot = 0;
    for (const n of nodes) if (n.kind === 'stock') n.slot = slot++;
    const stockCount = slot;
    for (const n of nodes) if (n.kind !== 'stock') n.slot = slot++;
    const slotCount = slot;

    // Init order: everything, following deps (stocks included).
    const initOrder = this.order(nodes, (n) => [...n.deps], 'initial values');
    // Runtime order: dynamic non-state values, deps on non-state values only.
    const runtime = nodes.filter((n) => !isState(n) && n.kind !== 'initial' && n.dynamic);
    const inRuntime = new Set(runtime.map((n) => n.id));
    const runtimeOrder = this.order(runtime, (n) => [...n.deps].filter((d) => inRuntime.has(d)), 'equations');
    const constants = initOrder.filter(
      (n) => !isState(n) && n.kind !== 'initial' && !n.dynamic && !n.literal,
    );

    const fix = (js: string) => js.replace(/@(\d+)/g, (_m, id: string) => String(nodes[Number(id)]!.slot));
    const line = (n: Node) => `v[${n.slot}] = ${fix(n.expr)};`;
    const initBody = initOrder.map(line).join('\n');
    const constBody = constants.map(line).join('\n');
    // Arrayed equations become loops, so a 1,000-element model stays a small, optimisable function.
    const loopAuxBody = loopify(runtimeOrder.map(line)).join('\n');
    const ratesBody = nodes.filter((n) => n.kind === 'stock').map((n) => `d[${n.slot}] = ${fix(n.rate)};`);
    const ratesLoopBody = loopify(ratesBody).join('\n');
    const commitBody = [
      ...this.delayPushes.map(fix),
      ...nodes
        .filter((n) => n.kind === 'previous')
        .map((n) => `v[${n.slot}] = v[${nodes[n.captureId]!.slot}];`),
    ].join('\n');
    // The Euler loop, generated whole so V8 sees one hot function with everything inlined.
    const stocks = nodes.filter((n) => n.kind === 'stock');
    const outputNodes = nodes.filter((n) => n.output && n.def);
    const useLocals = stocks.length <= 32;
    const eulerLines = [
      'for (let i = from; i < to; i++) {',
      commitBody,
      ...(useLocals
        ? stocks.map((n, k) => `const d${k} = ${fix(n.rate)};`)
        : loopify(stocks.map((n) => `d[${n.slot}] = ${fix(n.rate)};`))),
      ...loopify(
        stocks.map((n, k) => {
          const rate = useLocals ? `d${k}` : `d[${n.slot}]`;
          return n.nonNegative
            ? `{ const x = v[${n.slot}] + dt * ${rate}; v[${n.slot}] = x < 0 ? 0 : x; }`
            : `v[${n.slot}] += dt * ${rate};`;
        }),
      ),
      'time = start + (i + 1) * dt;',
      loopAuxBody,
      'if (saveEvery > 0 && (i + 1) % saveEvery === 0) {',
      'const base = row * width;',
      'times[row] = time;',
      ...loopify(outputNodes.map((n, j) => `out[base + ${j}] = v[${n.slot}];`)),
      // x - x is 0 for a finite x and NaN otherwise: one sum tells whether a saved value is not finite.
      ...(outputNodes.length <= 64
        ? [`finite += ${outputNodes.map((n) => `(v[${n.slot}] - v[${n.slot}])`).join(' + ')};`]
        : [`for (let k = 0; k < width; k++) finite += out[base + k] - out[base + k];`]),
      'row++;',
      '}',
      '}',
    ];
    // Small models without function equations keep every value in a local inside the loop
    // (registers instead of loads and stores through the array), written back at the end.
    let eulerLoop = eulerLines.join('\n');
    const registerSlots = new Set<number>();
    if (slotCount <= 256 && this.functions.length === 0 && !/for \(let k/.test(eulerLoop)) {
      eulerLoop = eulerLoop.replace(/\bv\[(\d+)\]/g, (_m, n: string) => {
        registerSlots.add(Number(n));
        return `s${n}`;
      });
    }
    const registers = [...registerSlots];
    const eulerBody = [
      'let time = start + from * dt;',
      `const width = ${outputNodes.length};`,
      'const d = c.scratch;',
      'let finite = 0;',
      ...registers.map((n) => `let s${n} = v[${n}];`),
      eulerLoop,
      ...registers.map((n) => `v[${n}] = s${n};`),
      'c.finite = finite;',
      'return row;',
    ].join('\n');
    const source = [
      `function init(v, c, time) {\n${initBody}\n}`,
      `function constants(v, c, time) {\n${constBody}\n}`,
      `function aux(v, c, time) {\n${loopAuxBody}\n}`,
      `function rates(v, c, time, d) {\n${ratesLoopBody}\n}`,
      `function commit(v, c, time) {\n${commitBody}\n}`,
      `function runEuler(v, c, start, dt, from, to, saveEvery, out, times, row) {\n${eulerBody}\n}`,
    ].join('\n');
    // The model is compiled once into JS on purpose (see the file header).
    const factory = new Function(`${source}\nreturn { init, constants, aux, rates, commit, runEuler };`);
    const functions = factory() as ModelFunctions;

    const outputs: OutputVariable[] = nodes
      .filter((n) => n.output && n.def)
      .map((n) => ({
        name: n.name,
        key: n.key,
        kind: n.def!.aliasOf !== null ? 'aux' : n.def!.kind,
        slot: n.slot,
        parameter: n.literal && n.def!.kind !== 'stock',
      }));
    const byKey = new Map(outputs.map((o) => [o.key, o]));
    const nonNegativeStocks = Int32Array.from(
      nodes.filter((n) => n.kind === 'stock' && n.nonNegative).map((n) => n.slot),
    );
    return {
      specs: { ...this.model.specs },
      slotCount,
      stockCount,
      nonNegativeStocks,
      outputs,
      functions,
      tables: {
        graphicals: this.graphicals,
        functions: this.functions,
        delayCount: this.delayCount,
        usesRandom: this.usesRandom,
      },
      source,
      find: (name: string) => byKey.get(canonicalKey(name)),
    };
  }

  private order(list: Node[], depsOf: (n: Node) => number[], what: string): Node[] {
    const state = new Map<number, number>(); // 1 visiting, 2 done
    const out: Node[] = [];
    const stack: Node[] = [];
    const visit = (n: Node): void => {
      const st = state.get(n.id);
      if (st === 2) return;
      if (st === 1) {
        const start = stack.indexOf(n);
        const cycle = [...stack.slice(start), n].map((x) => (x.def ? x.name : x.name));
        throw new ModelCompileError(
          `circular definition in the ${what}: ${cycle.join(' -> ')}. ` +
            'Break the loop with a stock (or an INIT/PREVIOUS/DELAY).',
          { code: 'INVALID_ARGUMENT', details: { cycle } },
        );
      }
      state.set(n.id, 1);
      stack.push(n);
      for (const d of depsOf(n)) visit(this.nodes[d]!);
      stack.pop();
      state.set(n.id, 2);
      out.push(n);
    };
    for (const n of list) visit(n);
    return out;
  }
}

const NUMBER_TOKEN = /(?<![\w.$])(\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![\w.])/g;

/**
 * Folds runs of generated lines that differ only in integer literals varying by a constant
 * stride (the elements of an arrayed equation: `v[10] = v[3] / 20;`, `v[11] = v[4] / 20;`, ...)
 * into one `for` loop. Order is kept, so the result is the same as the unrolled lines. @internal
 */
export function loopify(lines: string[], minRun = 4): string[] {
  const parsed = lines.map((text) => {
    const numbers: number[] = [];
    const skeleton = text.replace(NUMBER_TOKEN, (m) => {
      numbers.push(Number(m));
      return '#';
    });
    return { text, skeleton, numbers };
  });
  const out: string[] = [];
  let i = 0;
  while (i < parsed.length) {
    const first = parsed[i]!;
    let j = i + 1;
    let strides: number[] | null = null;
    while (j < parsed.length) {
      const next = parsed[j]!;
      if (next.skeleton !== first.skeleton || next.numbers.length !== first.numbers.length) break;
      const k = j - i;
      if (strides === null) {
        strides = next.numbers.map((x, p) => x - first.numbers[p]!);
        if (
          strides.some((st, p) => !Number.isInteger(st) || (st !== 0 && !Number.isInteger(first.numbers[p]!)))
        )
          break;
      }
      if (next.numbers.some((x, p) => x !== first.numbers[p]! + k * strides![p]!)) break;
      j++;
    }
    const count = j - i;
    if (count >= minRun && strides) {
      let p = 0;
      const body = first.skeleton.replace(/#/g, () => {
        const base = first.numbers[p]!;
        const stride = strides![p]!;
        p++;
        if (stride === 0) return String(base);
        return stride === 1 ? `(${base} + k)` : `(${base} + ${stride} * k)`;
      });
      out.push(`for (let k = 0; k < ${count}; k++) { ${body} }`);
    } else {
      for (let k = i; k < j; k++) out.push(parsed[k]!.text);
    }
    i = j;
  }
  return out;
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

function cartesian(sizes: number[]): number[][] {
  return cartesianOf(sizes.map((n) => Array.from({ length: n }, (_, i) => i)));
}

function cartesianOf(choices: number[][]): number[][] {
  let out: number[][] = [[]];
  for (const c of choices) {
    const next: number[][] = [];
    for (const prefix of out) for (const x of c) next.push([...prefix, x]);
    out = next;
  }
  return out;
}
