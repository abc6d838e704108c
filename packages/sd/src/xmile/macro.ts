/**
 * XMILE macros (XMILE 1.0 section 3.6): `<macro name="NAME">` at the top level of the file, with
 * `<parm>` parameters (a `default` attribute makes one optional), an `<eqn>` that is its value and
 * optional `<variables>` (stocks, flows and auxiliaries local to each call). A call `NAME(x, y)` in
 * any equation is expanded into its own instance of the macro's variables, named
 * `<macro> <n> <variable>` beside the caller (n counts the calls of that macro), with the arguments
 * substituted for the parameters; the call itself becomes the macro's `<eqn>`, substituted the same
 * way. So a macro with a stock gets one stock per call site, as in the Vensim reader. Recursion
 * (XMILE's `recursive_macros`) and a macro's own `<sim_specs>` are refused by name.
 * @internal
 */
import { BUILTIN_NAMES } from '../compiler/builtins';
import type { Expr } from '../expression/parser';
import type { SdModel } from '../model';
import type { EquationDef, VariableDef } from '../model/model';
import { canonicalName, displayName } from '../names';
import { child, children, type XmlElement } from './xml';

/** A macro's local variable, read once, instantiated per call. */
interface MacroVariable {
  kind: 'stock' | 'flow' | 'aux';
  key: string;
  name: string;
  expr: Expr;
  text: string;
  inflows: string[];
  outflows: string[];
  nonNegative: boolean;
  line: number;
  units?: string;
  doc?: string;
}

/** A macro as read from its `<macro>` element. @internal */
export interface XmileMacro {
  /** As written in the file. */
  name: string;
  key: string;
  params: { key: string; default: Expr | null }[];
  expr: Expr;
  text: string;
  variables: MacroVariable[];
  line: number;
}

/** What the macro reader needs of the XMILE reader. @internal */
export interface MacroReaderHost {
  fail(message: string, el?: { line?: number }, variable?: string): never;
  readEquation(el: XmlElement, name: string): EquationDef | null;
  nonNegative(v: XmlElement): boolean;
}

/** Elements of a `<macro>` that carry no meaning for the simulation. */
const IGNORED_MACRO_ELEMENTS = new Set(['doc', 'format', 'views', 'display', 'parm', 'eqn', 'variables']);

const MACRO_VARIABLE_ELEMENTS = new Set(['stock', 'flow', 'aux']);

/** Reads the `<macro>` elements of the file; refuses what is not supported by name. @internal */
export function readMacros(elements: XmlElement[], host: MacroReaderHost): Map<string, XmileMacro> {
  const macros = new Map<string, XmileMacro>();
  for (const el of elements) {
    const name = el.attributes['name']?.trim();
    if (!name) host.fail('a <macro> has no name', el);
    const label = `macro ${name}`;
    const key = canonicalName(name!);
    if (macros.has(key)) host.fail(`${label} is defined twice`, el);
    if (el.attributes['namespace'] !== undefined) {
      host.fail(`${label}: a macro namespace (the "namespace" attribute) is not supported`, el);
    }
    for (const c of el.children) {
      if (c.prefix !== '' || IGNORED_MACRO_ELEMENTS.has(c.name)) continue;
      if (c.name === 'sim_specs') {
        host.fail(`${label}: <sim_specs> in a macro (its own integration) is not supported`, c);
      }
      host.fail(`${label}: <${c.name}> in a <macro> is not supported`, c);
    }
    const params: XmileMacro['params'] = [];
    const paramEls = children(el, 'parm');
    for (const p of paramEls) {
      const pkey = canonicalName(p.text);
      if (!pkey) host.fail(`${label}: a <parm> has no name`, p);
      if (params.some((q) => q.key === pkey)) host.fail(`${label}: parameter ${pkey} is given twice`, p);
      let dflt: Expr | null = null;
      const d = p.attributes['default'];
      if (d !== undefined) {
        const eq = host.readEquation({ ...p, text: d }, `${name}(${displayName(p.text)})`);
        if (eq?.kind !== 'expr') host.fail(`${label}: the default of parameter ${pkey} is empty`, p);
        dflt = eq!.expr;
      } else if (params.some((q) => q.default !== null)) {
        host.fail(
          `${label}: parameter ${pkey} has no default but follows one that has (only trailing parameters may be optional)`,
          p,
        );
      }
      params.push({ key: pkey, default: dflt });
    }
    const eqns = children(el, 'eqn');
    if (eqns.length !== 1) host.fail(`${label} needs one <eqn> (its value), got ${eqns.length}`, el);
    const variables: MacroVariable[] = [];
    const varsEls = children(el, 'variables');
    if (varsEls.length > 1) host.fail(`${label} has several <variables>`, varsEls[1]);
    const localNames = new Set(
      (varsEls[0]?.children ?? []).map((v) => canonicalName(v.attributes['name'] ?? '')).filter((k) => k),
    );
    // xmutil (Vensim's converter) writes the output's name as written, blanks included:
    // <eqn>EXPRESSION MACRO</eqn> for the variable "EXPRESSION MACRO"; read it as that variable.
    const eqnText = eqns[0]!.text.trim();
    const value: EquationDef | null = localNames.has(canonicalName(eqnText))
      ? { kind: 'expr', expr: { kind: 'ref', name: canonicalName(eqnText), subscripts: null }, text: eqnText }
      : host.readEquation(eqns[0]!, name!);
    if (value?.kind !== 'expr') host.fail(`${label}: its <eqn> must be one expression`, eqns[0]);
    for (const v of varsEls[0]?.children ?? []) {
      if (v.prefix !== '' || v.name === 'group' || v.name === 'alias') continue;
      const vname = v.attributes['name'];
      if (!MACRO_VARIABLE_ELEMENTS.has(v.name)) {
        const what =
          v.name === 'module' ? 'modules' : v.name === 'gf' ? 'graphical functions' : `<${v.name}>`;
        host.fail(`${label}: ${what} inside a macro are not supported`, v, vname);
      }
      if (!vname) host.fail(`${label}: a <${v.name}> has no name`, v);
      for (const unsupported of [
        'dimensions',
        'element',
        'gf',
        'init_eqn',
        'conveyor',
        'queue',
        'leak',
        'overflow',
        'queue_overflow',
      ]) {
        const x = child(v, unsupported);
        if (x) host.fail(`${label}: <${unsupported}> inside a macro is not supported`, x, vname);
      }
      const vkey = canonicalName(vname!);
      const ve = children(v, 'eqn');
      const isParam = params.some((p) => p.key === vkey);
      if (isParam && (ve.length > 0 || v.name === 'stock')) {
        host.fail(`${label}: ${v.name} ${vkey} has the name of a parameter`, v, vname);
      }
      if (variables.some((w) => w.key === vkey))
        host.fail(`${label}: variable ${vkey} is defined twice`, v, vname);
      if (ve.length !== 1 && !isParam) host.fail(`${label}: ${v.name} needs one <eqn>`, v, vname);
      // A flow or aux without an <eqn> named after a parameter is that parameter (xmutil writes
      // INTEG(input, initial) in a macro as a stock with the inflow <flow name="input"/>).
      const eq: EquationDef | null = isParam
        ? { kind: 'expr', expr: { kind: 'ref', name: vkey, subscripts: null }, text: vkey }
        : host.readEquation(ve[0]!, vname!);
      if (eq?.kind !== 'expr') host.fail(`${label}: ${v.name} needs an expression <eqn>`, v, vname);
      const mv: MacroVariable = {
        kind: v.name as MacroVariable['kind'],
        key: vkey,
        name: displayName(vname!),
        expr: eq!.expr,
        text: eq!.text,
        inflows: children(v, 'inflow').map((f) => canonicalName(f.text)),
        outflows: children(v, 'outflow').map((f) => canonicalName(f.text)),
        nonNegative: host.nonNegative(v),
        line: v.line,
      };
      const units = child(v, 'units')?.text.trim();
      if (units) mv.units = units;
      const doc = child(v, 'doc')?.text.trim();
      if (doc) mv.doc = doc;
      variables.push(mv);
    }
    const known = new Set([...params.map((p) => p.key), ...variables.map((v) => v.key)]);
    const check = (x: Expr, what: string, line: number, variable?: string) =>
      walkRefs(x, (ref) => {
        if (ref.subscripts) {
          host.fail(`${label}: subscripts (arrays) inside a macro are not supported`, { line }, variable);
        }
        if (!known.has(ref.name) && BUILTIN_NAMES[ref.name] === undefined) {
          host.fail(
            `${label}: ${what} uses ${JSON.stringify(ref.name)}, which is neither a parameter (<parm>) nor a variable of the macro`,
            { line },
            variable,
          );
        }
      });
    check(value!.expr, 'its <eqn>', eqns[0]!.line);
    params.forEach((p, i) => {
      if (!p.default) return;
      walkRefs(p.default, (ref) => {
        if (!params.slice(0, i).some((q) => q.key === ref.name) && BUILTIN_NAMES[ref.name] === undefined) {
          host.fail(
            `${label}: the default of parameter ${p.key} uses ${JSON.stringify(ref.name)}, which is not an earlier parameter`,
            paramEls[i],
          );
        }
      });
    });
    for (const v of variables) {
      check(v.expr, v.kind, v.line, v.name);
      for (const f of [...v.inflows, ...v.outflows]) {
        if (v.kind !== 'stock') break;
        if (!variables.some((w) => w.key === f && w.kind === 'flow')) {
          host.fail(
            `${label}: stock flow ${JSON.stringify(f)} is not a flow of the macro`,
            { line: v.line },
            v.name,
          );
        }
      }
    }
    macros.set(key, {
      name: name!,
      key,
      params,
      expr: value!.expr,
      text: value!.text,
      variables,
      line: el.line,
    });
  }
  return macros;
}

function walkRefs(x: Expr, visit: (ref: Extract<Expr, { kind: 'ref' }>) => void): void {
  switch (x.kind) {
    case 'ref':
      visit(x);
      return;
    case 'call':
      for (const a of x.args) walkRefs(a, visit);
      return;
    case 'unary':
      walkRefs(x.operand, visit);
      return;
    case 'binary':
      walkRefs(x.left, visit);
      walkRefs(x.right, visit);
      return;
    case 'if':
      walkRefs(x.condition, visit);
      walkRefs(x.then, visit);
      walkRefs(x.else, visit);
      return;
    default:
      return;
  }
}

/** Rebuilds an expression, replacing its unsubscripted references by `ref(name)`'s result. */
function mapRefs(x: Expr, ref: (r: Extract<Expr, { kind: 'ref' }>) => Expr): Expr {
  if (x.kind === 'ref') return x.subscripts ? x : ref(x);
  return mapChildren(x, (y) => mapRefs(y, ref));
}

/** `x` with each of its direct sub-expressions replaced by `f` of it (the tree walk both rewrites share). */
function mapChildren(x: Expr, f: (y: Expr) => Expr): Expr {
  switch (x.kind) {
    case 'call':
      return { ...x, args: x.args.map(f) };
    case 'unary':
      return { ...x, operand: f(x.operand) };
    case 'binary':
      return { ...x, left: f(x.left), right: f(x.right) };
    case 'if': {
      const condition = f(x.condition);
      const then = f(x.then);
      return { ...x, condition, then, else: f(x.else) };
    }
    default:
      return x;
  }
}

/**
 * Replaces every macro call in the model's equations by its expansion, adding the variables of
 * each call to the model. @internal
 */
export function expandMacroCalls(
  model: SdModel,
  macros: Map<string, XmileMacro>,
  namePrefixes: Map<string, string>,
  file: string,
  fail: (message: string, line: number | undefined, variable: string) => never,
): void {
  for (const def of model.variables.values()) {
    const macro = macros.get(def.scope ? def.key.slice(def.scope.length + 1) : def.key);
    if (macro) {
      fail(
        `has the name of macro ${macro.name} (line ${macro.line}); a call ${macro.name}(...) would be ambiguous`,
        def.source.line,
        def.name,
      );
    }
  }
  const calls = new Map<string, number>();
  interface Caller {
    scope: string;
    name: string;
    line: number | undefined;
    arrayed: boolean;
    /** The macros being expanded, outermost first (recursion check). */
    stack: string[];
  }
  const expand = (x: Expr, at: Caller): Expr => {
    const rec = (y: Expr) => expand(y, at);
    if (x.kind !== 'call') return mapChildren(x, rec);
    const args = x.args.map(rec);
    const macro = macros.get(x.fn);
    if (!macro) return { ...x, args };
    if (at.stack.includes(macro.key)) {
      const path = [...at.stack, macro.key].map((k) => macros.get(k)!.name).join(' -> ');
      fail(
        `macro ${macro.name} calls itself (${path}); recursive macros are not supported`,
        at.line,
        at.name,
      );
    }
    if (at.arrayed) {
      fail(`calls macro ${macro.name} in an arrayed equation, which is not supported`, at.line, at.name);
    }
    const required = macro.params.filter((p) => p.default === null).length;
    if (args.length < required || args.length > macro.params.length) {
      const takes =
        required === macro.params.length ? `${required}` : `${required} to ${macro.params.length}`;
      fail(
        `calls macro ${macro.name} with ${args.length} argument${args.length === 1 ? '' : 's'}; it takes ${takes}`,
        at.line,
        at.name,
      );
    }
    const bound = new Map<string, Expr>();
    macro.params.forEach((p, i) => {
      const arg = args[i] ?? mapRefs(p.default!, (r) => bound.get(r.name) ?? r);
      bound.set(p.key, arg);
    });
    // The call's number: the first for which no variable of the instance exists yet.
    const prefix = at.scope ? `${at.scope}.` : '';
    let k = calls.get(macro.key) ?? 0;
    const localKey = (n: number, v: string) => canonicalName(`${macro.key} ${n} ${v}`);
    do {
      k++;
    } while (macro.variables.some((v) => model.variables.has(prefix + localKey(k, v.key))));
    calls.set(macro.key, k);
    const locals = new Map(macro.variables.map((v) => [v.key, localKey(k, v.key)]));
    const subst = (y: Expr): Expr =>
      mapRefs(y, (r) => {
        const arg = bound.get(r.name);
        if (arg) return structuredClone(arg);
        const local = locals.get(r.name);
        return local ? { ...r, name: local } : r;
      });
    const inner: Caller = { ...at, stack: [...at.stack, macro.key] };
    const namePrefix = namePrefixes.get(at.scope) ?? '';
    for (const v of macro.variables) {
      const name = `${namePrefix}${displayName(macro.name)} ${k} ${v.name}`;
      const def: VariableDef = {
        kind: v.kind,
        name,
        key: prefix + locals.get(v.key)!,
        scope: at.scope,
        dimensions: [],
        equation: null,
        elementEquations: new Map(),
        inflows: v.inflows.map((f) => locals.get(f)!),
        outflows: v.outflows.map((f) => locals.get(f)!),
        nonNegative: v.nonNegative,
        graphical: null,
        aliasOf: null,
        source: { file, line: v.line },
      };
      if (v.units !== undefined) def.units = v.units;
      if (v.doc !== undefined) def.doc = v.doc;
      model.addDefinition(def);
      def.equation = {
        kind: 'expr',
        expr: expand(subst(v.expr), { ...inner, name, line: v.line }),
        text: v.text,
      };
    }
    return expand(subst(macro.expr), inner);
  };
  for (const def of [...model.variables.values()]) {
    const at: Caller = {
      scope: def.scope,
      name: def.name,
      line: def.source.line,
      arrayed: def.dimensions.length > 0,
      stack: [],
    };
    if (def.equation?.kind === 'expr')
      def.equation = { ...def.equation, expr: expand(def.equation.expr, at) };
    for (const [element, eq] of def.elementEquations) {
      if (eq.kind === 'expr') def.elementEquations.set(element, { ...eq, expr: expand(eq.expr, at) });
    }
  }
}
