/**
 * Stage 1 of the compiler: resolves a model into a graph of scalar nodes. Arrays are expanded into
 * one node per element, names and subscripts are resolved, and each equation is compiled into a
 * JavaScript expression over the value array (`v[@id]` until slots are assigned); builtins come
 * from the table in `builtins.ts`.
 */
import { TwinkitError } from '@twinkit/core';
import type { Expr, Subscript } from '../expression';
import type { EquationFunction, SdModel } from '../model';
import type { DimensionDef, EquationDef, VariableDef } from '../model/model';
import { canonicalName } from '../names';
import {
  BUILTIN_NAMES,
  BUILTINS,
  type Builtin,
  type BuiltinHost,
  KNOWN_UNSUPPORTED,
  REDUCERS,
} from './builtins';
import { cartesian, cartesianOf, ModelCompileError, type Node, num, type Scope, where } from './nodes';
import { lookupTable } from './runtime';

/** True for an equation that is a whole ACTIVE_INITIAL(value, initial) call. */
function isActiveInitial(eq: EquationDef | null): boolean {
  return eq?.kind === 'expr' && eq.expr.kind === 'call' && eq.expr.fn === 'active_initial';
}

export class Compiler implements BuiltinHost {
  readonly nodes: Node[] = [];
  /** Element nodes of each variable key, in row-major element order. */
  private readonly elementsOf = new Map<string, Node[]>();
  readonly graphicals: ((x: number) => number)[] = [];
  private readonly graphicalIndex = new Map<string, number>();
  readonly functions: { fn: EquationFunction; deps: string[] }[] = [];
  delayCount = 0;
  usesRandom = false;
  readonly delayPushes: string[] = [];
  /** ACTIVE INITIAL elements: the element's node id -> the node holding its initial value. */
  private readonly activeInitial = new Map<number, Node>();

  constructor(readonly model: SdModel) {}

  graphicalSlot(def: VariableDef): number {
    return this.graphicalIndex.get(def.key)!;
  }

  useRandom(): void {
    this.usesRandom = true;
  }

  timeStep(): number {
    return this.model.specs.dt;
  }

  readsActiveInitial(e: Expr, s: Scope): boolean {
    if (this.activeInitial.size === 0) return false;
    switch (e.kind) {
      case 'number':
        return false;
      case 'ref': {
        const def = this.lookupVariable(e.name, s, e.absolute);
        return !!def && (this.elementsOf.get(def.key) ?? []).some((n) => this.activeInitial.has(n.id));
      }
      case 'unary':
        return this.readsActiveInitial(e.operand, s);
      case 'binary':
        return this.readsActiveInitial(e.left, s) || this.readsActiveInitial(e.right, s);
      case 'if':
        return [e.condition, e.then, e.else].some((x) => this.readsActiveInitial(x, s));
      case 'call':
        return e.args.some((x) => this.readsActiveInitial(x, s));
    }
    return false;
  }

  isSelf(e: Expr, s: Scope): boolean {
    return (
      e.kind === 'ref' &&
      e.name === 'self' &&
      !e.absolute &&
      e.subscripts === null &&
      this.lookupVariable('self', s) === undefined
    );
  }

  addDelay(push: (k: number) => string): number {
    const k = this.delayCount++;
    this.delayPushes.push(push(k));
    return k;
  }

  fail(message: string, def: VariableDef | null, extra = ''): never {
    throw new ModelCompileError(`${where(def, extra)}: ${message}`, {
      code: 'INVALID_ARGUMENT',
      details: { variable: def?.name, file: def?.source.file, line: def?.source.line },
    });
  }

  newNode(partial: Partial<Node> & Pick<Node, 'kind' | 'key' | 'name'>): Node {
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
      inflows: [],
      outflows: [],
      request: -1,
      statement: null,
      startsNaN: false,
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

  /** Builds the graph: one node per scalar element, then every equation compiled to JS. */
  resolve(): this {
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
      combos.forEach((combo, index) => {
        const elementKey = combo.map((i, p) => dims[p]!.elementKeys[i]).join(',');
        const eq = def.elementEquations.get(elementKey) ?? def.equation;
        if (def.aliasOf !== null || !isActiveInitial(eq)) return;
        const node = list[index]!;
        if (def.kind === 'stock') {
          this.fail(
            'uses ACTIVE_INITIAL as the initial value of a stock; a stock has only an initial value',
            def,
          );
        }
        this.activeInitial.set(
          node.id,
          this.newNode({
            kind: 'initial',
            key: `${node.key}#active_initial`,
            name: `${node.name} initial value`,
          }),
        );
      });
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
    return this;
  }

  private compileVariable(
    def: VariableDef,
    node: Node,
    bindings: Map<string, number>,
    dims: DimensionDef[],
    combo: number[],
    index: number,
  ): void {
    const scope: Scope = {
      owner: node,
      def,
      bindings,
      deps: node.deps,
      dynamic: false,
      initial: def.kind === 'stock',
    };
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
          (sign === '+' ? node.inflows : node.outflows).push(f.id);
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
    const initialNode = this.activeInitial.get(scope.owner.id);
    if (initialNode && eq.kind === 'expr' && eq.expr.kind === 'call') {
      // ACTIVE_INITIAL(value, initial): the value while running; initial values read the initial.
      const args = eq.expr.args;
      if (args.length !== 2) {
        this.fail(
          `calls ACTIVE_INITIAL with ${args.length} arguments; it takes 2 (value, initial value)`,
          scope.def,
        );
      }
      const initScope: Scope = { ...scope, deps: initialNode.deps, dynamic: false, initial: true };
      initialNode.expr = this.expr(args[1]!, initScope);
      return this.expr(args[0]!, scope);
    }
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

  expr(e: Expr, s: Scope): string {
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

  lookupVariable(name: string, s: Scope, absolute = false): VariableDef | undefined {
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
    if (e.name === 'self' && !e.absolute && !this.lookupVariable('self', s)) this.failSelf(s);
    if (!e.absolute && !e.subscripts) {
      const builtin = BUILTIN_NAMES[e.name];
      if (builtin && (e.name === 'time' || !this.lookupVariable(e.name, s))) {
        if (e.name === 'time') s.dynamic = true;
        return builtin;
      }
    }
    const [node] = this.refNodes(e, s, false);
    const initialNode = s.initial ? this.activeInitial.get(node!.id) : undefined;
    if (initialNode) {
      s.deps.add(initialNode.id);
      return `v[@${initialNode.id}]`;
    }
    return this.use(node!, s);
  }

  /**
   * Refuses an initial value that reads an ACTIVE INITIAL variable through another variable
   * (`stock = y`, `y = x * 2`): at the start time y would be computed from x's running value, not
   * its initial value. Direct references read the initial value.
   */
  checkActiveInitial(): void {
    if (this.activeInitial.size === 0) return;
    const active = new Set(this.activeInitial.keys());
    const reaches = new Map<number, Node | null>();
    const through = (id: number, seen: Set<number>): Node | null => {
      const known = reaches.get(id);
      if (known !== undefined) return known;
      if (seen.has(id)) return null;
      seen.add(id);
      const n = this.nodes[id]!;
      let found: Node | null = active.has(id) ? n : null;
      if (!found && n.kind !== 'stock' && n.kind !== 'previous' && n.kind !== 'initial') {
        for (const d of n.deps) {
          found = through(d, seen);
          if (found) break;
        }
      }
      reaches.set(id, found);
      return found;
    };
    for (const n of this.nodes) {
      if (n.kind !== 'stock' && n.kind !== 'initial' && n.kind !== 'previous') continue;
      for (const d of n.deps) {
        const dn = this.nodes[d]!;
        if (dn.kind === 'stock' || dn.kind === 'previous' || dn.kind === 'initial') continue;
        const found = through(d, new Set());
        if (!found) continue;
        const owner = n.def ?? [...this.model.variables.values()].find((v) => v.name === n.where) ?? null;
        const via = found === dn ? '' : ` through ${JSON.stringify(dn.name)}`;
        this.fail(
          `the initial value of ${JSON.stringify(n.name)} reads the ACTIVE INITIAL variable ` +
            `${JSON.stringify(found.name)}${via} as it runs, not its initial value. Only a direct reference in ` +
            "a stock's initial value, INIT or an initial-value argument reads the initial value; reference it directly there",
          owner,
        );
      }
    }
  }

  private failSelf(s: Scope): never {
    this.fail(
      'uses SELF outside PREVIOUS(SELF, init) and INIT(SELF). SELF (XMILE 3.5.6) stands for the variable ' +
        'whose equation it is; twinkit accepts it only as the first argument of PREVIOUS (with an initial ' +
        "value) or as the argument of INIT. Elsewhere, write the variable's own name",
      s.def,
    );
  }

  private use(node: Node, s: Scope): string {
    if (node.def?.graphical && node.def.equation === null) {
      this.fail(`uses graphical function ${JSON.stringify(node.def.name)} without an argument`, s.def);
    }
    s.deps.add(node.id);
    return `v[@${node.id}]`;
  }

  /** Compiles each element of an array-valued argument (free dimensions enumerated). */
  arrayArg(e: Expr, s: Scope): string[] {
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

  constantValue(e: Expr, s: Scope, what: string): number {
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

  internalStock(s: Scope, label: string, init: string, initDeps: Set<number>): Node {
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

  call(e: Extract<Expr, { kind: 'call' }>, s: Scope): string {
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
    const builtin = Object.hasOwn(BUILTINS, fn) ? BUILTINS[fn] : undefined;
    const emit = (b: Builtin): string => {
      if (b.arity) arity(b.arity[0], b.arity[1]);
      if (b.random) this.usesRandom = true;
      if (b.dynamic) s.dynamic = true;
      return b.emit({ fn, args, s, host: this, a, arity });
    };
    if (builtin?.beforeTables) return emit(builtin);
    // A graphical function called by name: table(x).
    const gfDef = this.lookupVariable(fn, s);
    if (gfDef?.graphical) {
      arity(1);
      return `c.g[${this.graphicalIndex.get(gfDef.key)!}](${a(0)})`;
    }
    if (builtin) return emit(builtin);
    if (fn === 'self' && !gfDef) this.failSelf(s);
    if (fn === 'active_initial') {
      this.fail(
        'uses ACTIVE_INITIAL inside an expression; it is supported only as the whole equation of an ' +
          'auxiliary or flow (ACTIVE_INITIAL(value, initial value), or an <init_eqn> beside the <eqn>)',
        s.def,
      );
    }
    if (KNOWN_UNSUPPORTED.has(fn) || REDUCERS.has(fn)) {
      this.fail(`uses ${fn.toUpperCase()}, which twinkit does not support yet`, s.def);
    }
    this.fail(`calls unknown function ${fn.toUpperCase()}`, s.def);
  }
}
