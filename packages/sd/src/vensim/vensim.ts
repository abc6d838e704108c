/**
 * Reader of Vensim `.mdl` files: builds the same {@link SdModel} the XMILE reader builds, so the
 * compiler, runner, coupling, forks and snapshots work unchanged. Vensim's functions are mapped onto
 * the compiler's builtins; a construct twinkit cannot run exactly is refused with a
 * {@link VensimError} naming the construct, the variable and the line.
 */
import type { Expr, Subscript } from '../expression';
import {
  type EquationDef,
  type GraphicalFunction,
  SdModel,
  type VariableDef,
  validateGraphical,
  variableDef,
} from '../model/model';
import { canonicalName, displayName } from '../names';
import { ExternalReader, type GetCall, parseGetCall, quotedArgs, type VensimWorkbook } from './external';
import {
  type MdlEntry,
  parseLookupBody,
  parseVensimExpr,
  splitEntries,
  splitOutsideQuotes,
  type VExpr,
  VensimError,
  type VSub,
} from './parse';

export { VensimError } from './parse';

/**
 * Vensim's missing value `:NA:`, the number -2^109 that Vensim itself computes with (an ordinary
 * number: `:NA: + 1` is not NA, and a comparison `x = :NA:` is how models test for it). Vensim's
 * own output leaves a cell blank where a variable is `:NA:`.
 */
export const VENSIM_NA = -(2 ** 109);

/**
 * Options of {@link readVensim}.
 *
 * @example
 * ```ts
 * const model = readVensim(text, { file: 'supply.mdl' }); // errors say "supply.mdl line 12: ..."
 * ```
 */
export interface ReadVensimOptions {
  /** File name used in error messages and source locations. */
  file?: string;
  /**
   * Opens a spreadsheet or data file the model reads (`GET DIRECT CONSTANTS('inputs.xlsx', ...)`),
   * by the name the model gives it. `loadVensim` in `@twinkit/sd/node` passes one that opens the
   * files beside the model; without it a model that reads a file is refused, naming the file.
   */
  workbook?: (file: string) => VensimWorkbook;
  /**
   * The run's data files (Vensim's `.tab` / `.csv` output of another run, opened with
   * `workbook`): each data variable without an equation (`x:INTERPOLATE:`) is read from the
   * column of its name (`x[A,B]`); a variable with an equation keeps it.
   */
  dataFiles?: readonly string[];
}

const CONTROL = new Map([
  ['initial_time', 'starttime'],
  ['final_time', 'stoptime'],
  ['time_step', 'dt'],
  ['saveper', 'saveper'],
]);

/** Vensim functions that map one-to-one (same arguments) onto a compiler builtin. */
const DIRECT: Record<string, { fn: string; min: number; max: number }> = {
  ABS: { fn: 'abs', min: 1, max: 1 },
  EXP: { fn: 'exp', min: 1, max: 1 },
  LN: { fn: 'ln', min: 1, max: 1 },
  SQRT: { fn: 'sqrt', min: 1, max: 1 },
  SIN: { fn: 'sin', min: 1, max: 1 },
  COS: { fn: 'cos', min: 1, max: 1 },
  TAN: { fn: 'tan', min: 1, max: 1 },
  ARCSIN: { fn: 'arcsin', min: 1, max: 1 },
  ARCCOS: { fn: 'arccos', min: 1, max: 1 },
  ARCTAN: { fn: 'arctan', min: 1, max: 1 },
  SINH: { fn: 'sinh', min: 1, max: 1 },
  COSH: { fn: 'cosh', min: 1, max: 1 },
  TANH: { fn: 'tanh', min: 1, max: 1 },
  INTEGER: { fn: 'int', min: 1, max: 1 },
  MODULO: { fn: 'mod', min: 2, max: 2 },
  LOG: { fn: 'log', min: 2, max: 2 },
  MIN: { fn: 'min', min: 2, max: 2 },
  MAX: { fn: 'max', min: 2, max: 2 },
  XIDZ: { fn: 'xidz', min: 3, max: 3 },
  ZIDZ: { fn: 'zidz', min: 2, max: 2 },
  STEP: { fn: 'step', min: 2, max: 2 },
  RAMP: { fn: 'ramp', min: 3, max: 3 },
  SMOOTH: { fn: 'smth1', min: 2, max: 2 },
  SMOOTHI: { fn: 'smth1', min: 3, max: 3 },
  SMOOTH3: { fn: 'smth3', min: 2, max: 2 },
  SMOOTH3I: { fn: 'smth3', min: 3, max: 3 },
  DELAY1: { fn: 'delay1', min: 2, max: 2 },
  DELAY1I: { fn: 'delay1', min: 3, max: 3 },
  DELAY3: { fn: 'delay3', min: 2, max: 2 },
  DELAY3I: { fn: 'delay3', min: 3, max: 3 },
  TREND: { fn: 'trend', min: 3, max: 3 },
  FORECAST: { fn: 'forcst', min: 3, max: 3 },
  INITIAL: { fn: 'init', min: 1, max: 1 },
  NPV: { fn: 'npv', min: 4, max: 4 },
};

/** A `~ units ~` field without its `[min, max]` or `[min, max, step]` range. */
function vensimUnits(text: string): string {
  return text.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

/** Vensim functions that read other elements of their argument than their own: built element by element. */
const ELEMENTWISE = new Set(['INVERT MATRIX', 'VECTOR SORT ORDER', 'VECTOR RANK', 'VECTOR REORDER']);

/** Vector functions over a `dim!` subscript, expanded into explicit operations. */
const VECTOR: Record<string, 'sum' | 'prod' | 'min' | 'max'> = {
  SUM: 'sum',
  PROD: 'prod',
  VMIN: 'min',
  VMAX: 'max',
};

interface Dim {
  name: string;
  key: string;
  elements: string[];
  keys: string[];
  /** Other dimensions this one maps onto: element keys of the target, one per own element. */
  maps: Map<string, string[]>;
}

interface LhsSub {
  /** Canonical name: a dimension or an element. */
  key: string;
  /** The element keys it stands for. */
  elements: string[];
  isDim: boolean;
}

interface VarEq {
  entry: MdlEntry;
  name: string;
  key: string;
  subs: LhsSub[];
  except: LhsSub[][];
  /** `=` equation, `lookup` definition, number list, or data read from a file. */
  kind: 'expr' | 'lookup' | 'list' | 'data';
  expr?: VExpr;
  points?: Array<[number, number]>;
  list?: number[];
  /** GET LOOKUPS / GET DATA: the points of each element (tuple key `a,b`). */
  tables?: Map<string, Array<[number, number]>>;
  /** A data variable: how values between its times are read. */
  mode?: 'interpolate' | 'hold backward' | 'look forward' | 'raw';
}

interface Ctx {
  eq: VarEq;
  /** Dimension (by key) -> element key, for an element of an expanded equation. */
  subst: Map<string, string> | null;
  /** True in an initial value: ACTIVE INITIAL variables read their initial value. */
  initial?: boolean;
}

/**
 * Reads a Vensim `.mdl` model from its text (browser-safe; `loadVensim` in `@twinkit/sd/node`
 * reads a file).
 *
 * @example
 * ```ts
 * const model = readVensim(`
 * Population = INTEG(births, 100) ~ people ~ |
 * births = Population * 0.02 ~ people/year ~ |
 * INITIAL TIME = 0 ~~| FINAL TIME = 10 ~~| TIME STEP = 0.25 ~~| SAVEPER = 1 ~~|
 * `);
 * simulate(model).final('Population'); // 100 * 1.005^40
 * ```
 * @throws VensimError naming the construct, the variable and the line of what twinkit cannot run.
 */
export function readVensim(text: string, options: ReadVensimOptions = {}): SdModel {
  return new VensimReader(text, options.file ?? '<mdl>', options.workbook, options.dataFiles).read();
}

class VensimReader {
  private readonly dims = new Map<string, Dim>();
  private readonly elementOwner = new Map<string, Dim>();
  private readonly eqs = new Map<string, VarEq[]>();
  private readonly varDims = new Map<string, Dim[]>();
  private readonly lookups = new Set<string>();
  private readonly stocks = new Set<string>();
  private readonly control = new Map<string, VarEq>();
  /** Variables defined by ACTIVE INITIAL -> the name of the variable holding their initial value. */
  private readonly activeInitial = new Map<string, string>();
  private readonly activeDeps = new Map<string, boolean>();

  /** True when an expression reads an ACTIVE INITIAL variable, directly or through others. */
  private readsActive(x: VExpr): boolean {
    if (this.activeInitial.size === 0) return false;
    if (x.kind === 'ref') {
      const k = canonicalName(x.name);
      return this.activeInitial.has(k) || (!this.stocks.has(k) && this.dependsOnActive(k));
    }
    if (x.kind === 'call') return x.args.some((y) => this.readsActive(y));
    if (x.kind === 'unary') return this.readsActive(x.operand);
    if (x.kind === 'binary') return this.readsActive(x.left) || this.readsActive(x.right);
    return false;
  }

  /** True when the variable's value (not a stock's) depends on an ACTIVE INITIAL variable. */
  private dependsOnActive(key: string): boolean {
    const known = this.activeDeps.get(key);
    if (known !== undefined) return known;
    this.activeDeps.set(key, false);
    let found = false;
    const visit = (x: VExpr): void => {
      if (found) return;
      if (x.kind === 'ref') {
        const k = canonicalName(x.name);
        if (this.activeInitial.has(k) || (!this.stocks.has(k) && this.eqs.has(k) && this.dependsOnActive(k)))
          found = true;
      } else if (x.kind === 'call') x.args.forEach(visit);
      else if (x.kind === 'unary') visit(x.operand);
      else if (x.kind === 'binary') {
        visit(x.left);
        visit(x.right);
      }
    };
    if (!this.stocks.has(key)) for (const eq of this.eqs.get(key) ?? []) if (eq.expr) visit(eq.expr);
    this.activeDeps.set(key, found);
    return found;
  }
  private saveper = 1;
  private dt = 1;
  private start = 0;

  /** The value of a constant expression (numbers, constants of the model, TIME STEP), else null. */
  private fold(x: VExpr, seen = new Set<string>(), initial = false): number | null {
    if (x.kind === 'number') return x.value;
    if (x.kind === 'na') return VENSIM_NA;
    if (initial && x.kind === 'call' && normFn(x.fn) === 'STEP' && x.args.length === 2) {
      const h = this.fold(x.args[0]!, seen, initial);
      const at = this.fold(x.args[1]!, seen, initial);
      return h === null || at === null ? null : this.start >= at ? h : 0;
    }
    if (x.kind === 'unary' && x.op !== 'not') {
      const v = this.fold(x.operand, seen, initial);
      return v === null ? null : x.op === '-' ? -v : v;
    }
    if (x.kind === 'binary' && ['+', '-', '*', '/'].includes(x.op)) {
      const l = this.fold(x.left, seen, initial);
      const r = this.fold(x.right, seen, initial);
      if (l === null || r === null) return null;
      return x.op === '+' ? l + r : x.op === '-' ? l - r : x.op === '*' ? l * r : l / r;
    }
    if (x.kind === 'ref' && !x.subscripts) {
      const key = canonicalName(x.name);
      if (key === 'time_step') return this.dt;
      const list = this.eqs.get(key);
      if (list?.length !== 1 || list[0]!.subs.length > 0 || !list[0]!.expr || seen.has(key)) return null;
      seen.add(key);
      return this.fold(list[0]!.expr, seen, initial);
    }
    return null;
  }
  private model!: SdModel;

  constructor(
    private readonly text: string,
    private readonly file: string,
    workbook?: (file: string) => VensimWorkbook,
    private readonly dataFiles: readonly string[] = [],
  ) {
    this.ext = new ExternalReader(workbook, (message) => this.fail(message, this.at.line, this.at.variable));
  }

  private readonly ext: ExternalReader;
  /** The entry being read, for the messages of the GET functions. */
  private at: { line?: number; variable?: string } = {};

  private fail(message: string, line?: number, variable?: string): never {
    const at = line !== undefined ? ` line ${line}` : '';
    const v = variable ? `variable ${JSON.stringify(variable)}: ` : '';
    throw new VensimError(`${this.file}${at}: ${v}${message}`, {
      code: 'PARSE',
      details: { file: this.file, line, variable },
    });
  }

  read(): SdModel {
    const text = this.extractMacros();
    const entries = splitEntries(text).filter((e) => !e.equation.startsWith('*'));
    const pending: MdlEntry[] = [];
    for (const e of entries) {
      if (!this.readDimension(e)) pending.push(e);
    }
    for (const q of this.pendingEquiv) {
      const target = this.dims.get(canonicalName(q.target));
      if (!target) this.fail(`subscript equivalence names unknown range ${q.target.trim()}`, q.line);
      this.addDim(q.name, target!.elements, q.line);
    }
    this.resolveMaps();
    for (const e of pending) this.readEquation(e);
    this.expandMacros();
    for (const [key, list] of this.eqs) {
      if (list.some((eq) => eq.expr?.kind === 'call' && normFn(eq.expr.fn) === 'ACTIVE INITIAL')) {
        for (const eq of list) activeParts(eq);
        let name = `${list[0]!.name} initial value`;
        while (this.eqs.has(canonicalName(name))) name += ' ';
        this.activeInitial.set(key, name);
      }
    }
    this.model = new SdModel(this.readSpecs());
    for (const d of this.dims.values()) this.model.dimension(d.name, d.elements);
    for (const [key, list] of this.eqs) this.varDims.set(key, this.dimsOf(list));
    for (const [key, name] of this.activeInitial)
      this.varDims.set(canonicalName(name), this.varDims.get(key)!);
    for (const [key, list] of this.eqs) this.build(key, list);
    return this.model;
  }

  // ---- subscripts -----------------------------------------------------------------------------

  private readDimension(e: MdlEntry): boolean {
    const eq = e.equation;
    const equiv = /^([^=:[\]()]+)<->\s*([^=:[\]()]+)$/.exec(eq);
    if (equiv) {
      this.pendingEquiv.push({ name: equiv[1]!, target: equiv[2]!, line: e.line });
      return true;
    }
    const m = /^("[^"]*"|[^=:[\]()"]+):(?!=)([\s\S]*)$/.exec(eq);
    if (!m || /^\s*(EXCEPT|INTERPOLATE|RAW|HOLD BACKWARD|LOOK FORWARD)/i.test(m[2]!)) return false;
    const name = m[1]!;
    let body = m[2]!;
    let mapping: string | null = null;
    const arrow = body.indexOf('->');
    if (arrow >= 0) {
      mapping = body.slice(arrow + 2).trim();
      body = body.slice(0, arrow);
    }
    const getSub = /^\s*(GET[\s_]+\w+[\s_]+SUBSCRIPT)\s*\(([\s\S]*)\)\s*$/i.exec(body);
    let elements: string[];
    if (getSub) {
      const fn = normFn(getSub[1]!);
      this.at = { line: e.line, variable: displayName(name) };
      const args = quotedArgs(getSub[2]!);
      if (!args)
        this.fail(
          `${fn} takes quoted arguments ('file', 'tab', 'first', 'last', 'prefix')`,
          e.line,
          name.trim(),
        );
      elements = this.ext.subscript(fn, args!).map(displayName);
    } else elements = this.rangeElements(body, e.line, name);
    const dim = this.addDim(name, elements, e.line);
    if (mapping) this.pendingMaps.push({ dim, mapping, line: e.line, name, count: elements.length });
    return true;
  }

  private readonly pendingMaps: Array<{
    dim: Dim;
    mapping: string;
    line: number;
    name: string;
    count: number;
  }> = [];
  private readonly pendingEquiv: Array<{ name: string; target: string; line: number }> = [];

  private resolveMaps(): void {
    for (const { dim, mapping, line, name, count } of this.pendingMaps) {
      const elements = { length: count };
      const e = { line };
      for (const target of splitOutsideQuotes(mapping, ',')) {
        const t = target.trim();
        const explicit = /^\(\s*([^:]+):([\s\S]*)\)$/.exec(t);
        if (explicit) {
          const list = this.rangeElements(explicit[2]!, e.line, name).map(canonicalName);
          if (list.length !== elements.length) {
            this.fail(
              `mapping to ${explicit[1]!.trim()} lists ${list.length} elements, expected ${elements.length}`,
              e.line,
              name.trim(),
            );
          }
          dim.maps.set(canonicalName(explicit[1]!), list);
        } else {
          const td = this.dims.get(canonicalName(t));
          if (!td || td.keys.length !== elements.length) {
            this.fail(
              `subscript mapping -> ${t} needs a range of ${elements.length} elements defined before it`,
              e.line,
              name.trim(),
            );
          }
          dim.maps.set(td!.key, td!.keys);
        }
      }
    }
  }

  private rangeElements(body: string, line: number, name: string): string[] {
    const out: string[] = [];
    for (const raw of splitOutsideQuotes(body, ',')) {
      const item = raw.trim();
      if (item === '') continue;
      const seq = /^\(\s*([^\d\s-]*?)(\d+)\s*-\s*([^\d\s-]*?)(\d+)\s*\)$/.exec(item);
      if (seq) {
        const from = Number(seq[2]);
        const to = Number(seq[4]);
        for (let i = from; i <= to; i++) out.push(`${seq[1]}${i}`);
        continue;
      }
      const sub = this.dims.get(canonicalName(item));
      if (sub && canonicalName(item) !== canonicalName(name)) {
        out.push(...sub.elements);
        continue;
      }
      if (/[()=]/.test(item))
        this.fail(`malformed subscript range element ${JSON.stringify(item)}`, line, name.trim());
      out.push(displayName(item));
    }
    if (out.length === 0) this.fail('subscript range has no elements', line, name.trim());
    return out;
  }

  private addDim(name: string, elements: string[], line: number): Dim {
    const key = canonicalName(name);
    if (this.dims.has(key)) this.fail('subscript range defined twice', line, displayName(name));
    const dim: Dim = {
      name: displayName(name),
      key,
      elements,
      keys: elements.map(canonicalName),
      maps: new Map(),
    };
    this.dims.set(key, dim);
    for (const k of dim.keys) {
      const owner = this.elementOwner.get(k);
      if (!owner || owner.keys.length < dim.keys.length) this.elementOwner.set(k, dim);
    }
    return dim;
  }

  private lhsSub(name: string, line: number, variable: string): LhsSub {
    const key = canonicalName(name);
    const dim = this.dims.get(key);
    if (dim) return { key, elements: dim.keys, isDim: true };
    if (this.elementOwner.has(key)) return { key, elements: [key], isDim: false };
    return this.fail(
      `subscript ${JSON.stringify(name.trim())} is neither a range nor an element`,
      line,
      variable,
    );
  }

  // ---- equations ------------------------------------------------------------------------------

  private readEquation(e: MdlEntry, register = true): VarEq {
    const text = e.equation;
    const parts = splitOutsideQuotes(text, '=');
    let lhs: string;
    let rhs: string | null;
    if (parts.length > 1) {
      lhs = parts[0]!;
      rhs = parts.slice(1).join('=');
      if (rhs.startsWith('=')) rhs = rhs.slice(1); // `==`: an unchangeable constant.
    } else {
      lhs = text;
      rhs = null;
    }
    const data = /:(INTERPOLATE|RAW|HOLD BACKWARD|LOOK FORWARD):/i.exec(lhs);
    let dataMode: VarEq['mode'] | undefined;
    let get: GetCall | undefined;
    /** A data variable without an equation: its values come from the run's data files. */
    let fromDataFiles = false;
    if (data || (parts.length > 1 && lhs.endsWith(':')) || (rhs === null && !/[(]/.test(lhs))) {
      const nm = displayName(
        lhs.slice(0, data ? data.index : lhs.endsWith(':') ? -1 : undefined).replace(/\[.*$/, ''),
      );
      const keyword = data ? data[1]!.toUpperCase().replace(/\s+/g, ' ') : 'INTERPOLATE';
      dataMode = keyword.toLowerCase() as VarEq['mode'];
      if (rhs === null) {
        fromDataFiles = true;
        if (this.dataFiles.length === 0) {
          this.fail(
            `is a data variable (${data ? `:${keyword}:` : 'no equation'}) whose values come from the run's data files, and none was given: ` +
              'pass them as loadVensim(path, { dataFiles: ["data.tab"] }) (options.dataFiles of readVensim)',
            e.line,
            nm,
          );
        }
      } else {
        const call = parseGetCall(rhs);
        if (!call || 'error' in call || call.what !== 'DATA') {
          this.fail(
            `data variables (${data ? `:${keyword}:` : ':='}${getName(rhs)}, values read from a data file) must be GET DIRECT DATA or GET XLS DATA` +
              (call && 'error' in call ? `: ${call.error}` : call ? `: ${call.fn} does not read data` : ''),
            e.line,
            nm,
          );
        }
        get = call as GetCall;
      }
      lhs = lhs.slice(0, data ? data.index : lhs.endsWith(':') ? -1 : undefined);
    } else if (rhs !== null) {
      const call = parseGetCall(rhs);
      if (call && 'error' in call) {
        this.fail(call.error, e.line, displayName(lhs.replace(/\[.*$/, '')));
      }
      if (call) get = call;
    }
    let except: string[] = [];
    const ex = /:EXCEPT:/i.exec(lhs);
    if (ex) {
      except = [...lhs.slice(ex.index + ex[0].length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
      lhs = lhs.slice(0, ex.index);
    }
    let lookupBody: string | null = null;
    if (rhs === null && !fromDataFiles) {
      // A lookup definition: name( [(x0,y0)-(x1,y1)], (x,y), ... ).
      const open = lhs.indexOf('(');
      if (open < 0 || !lhs.trimEnd().endsWith(')')) {
        const nm = displayName(lhs.replace(/\[.*$/, ''));
        if (/:(INTERPOLATE|RAW|HOLD BACKWARD|LOOK FORWARD):/i.test(text) || !/[=(]/.test(text)) {
          this.fail('data variables (values read from a .vdf or data file) are not supported', e.line, nm);
        }
        this.fail(`cannot read the entry ${JSON.stringify(text.slice(0, 60))}`, e.line, nm);
      }
      lookupBody = lhs.trimEnd().slice(open + 1, -1);
      lhs = lhs.slice(0, open);
    }
    const sm = /^([^[]*)(?:\[([^\]]*)\])?\s*$/.exec(lhs.trim());
    if (!sm) this.fail(`cannot read the left side ${JSON.stringify(lhs.trim())}`, e.line);
    const name = displayName(sm![1]!);
    const key = canonicalName(name);
    if (key === '') this.fail('an equation has no variable name', e.line);
    const subs = sm![2] ? splitOutsideQuotes(sm![2], ',').map((s) => this.lhsSub(s, e.line, name)) : [];
    const eq: VarEq = {
      entry: e,
      name,
      key,
      subs,
      except: except.map((x) => splitOutsideQuotes(x, ',').map((s) => this.lhsSub(s, e.line, name))),
      kind: 'expr',
    };
    if (lookupBody !== null && /^\s*GET[\s_]/i.test(lookupBody)) {
      const call = parseGetCall(lookupBody);
      if (!call || 'error' in call || call.what !== 'LOOKUPS') {
        this.fail(
          call && 'error' in call
            ? call.error
            : 'a lookup read from a file must be GET DIRECT LOOKUPS or GET XLS LOOKUPS',
          e.line,
          name,
        );
      }
      get = call as GetCall;
      lookupBody = null;
    }
    if (fromDataFiles) {
      this.at = { line: e.line, variable: name };
      this.readDataColumns(eq, dataMode!);
    } else if (get) {
      this.at = { line: e.line, variable: name };
      this.readGet(eq, get, dataMode);
    } else if (lookupBody !== null) {
      eq.kind = 'lookup';
      try {
        eq.points = parseLookupBody(lookupBody);
      } catch (err) {
        this.fail(`lookup table does not parse: ${(err as Error).message}`, e.line, name);
      }
      this.lookups.add(key);
    } else {
      let body = rhs!.trim();
      const tabbed = /^TABBED\s+ARRAY\s*\(([\s\S]*)\)$/i.exec(body);
      if (tabbed) body = tabbed[1]!.trim().split(/\s+/).join(',');
      if (subs.length > 0 && /^[-+0-9.eE\s,;]+$/.test(body) && /[,;]/.test(body)) {
        eq.kind = 'list';
        eq.list = body
          .split(/[,;]/)
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map(Number);
        if (eq.list.some((x) => !Number.isFinite(x))) this.fail('malformed list of numbers', e.line, name);
      } else {
        if (body === '') this.fail('equation is empty', e.line, name);
        try {
          eq.expr = parseVensimExpr(body);
        } catch (err) {
          this.fail(`equation does not parse: ${(err as Error).message}`, e.line, name);
        }
        const top = eq.expr!;
        if (top.kind === 'call' && normFn(top.fn) === 'INTEG') this.stocks.add(key);
      }
    }
    if (!register) return eq;
    if (CONTROL.has(key)) {
      this.control.set(key, eq);
      return eq;
    }
    const list = this.eqs.get(key) ?? [];
    list.push(eq);
    this.eqs.set(key, list);
    return eq;
  }

  /**
   * Reads a GET DIRECT / GET XLS call into the equation: CONSTANTS into a list of numbers, LOOKUPS
   * into a table per element, DATA into a table of time per element (`mode` says how to read
   * between its times). The subscripts of the left side with more than one element are the ones
   * the cells vary over.
   */
  private readGet(eq: VarEq, get: GetCall, mode: VarEq['mode']): void {
    const tuples = this.tuples(eq);
    const varying = eq.subs.map((s, p) => ({ s, p })).filter(({ s }) => s.elements.length > 1);
    const index = (t: string[]) => varying.map(({ s, p }) => s.elements.indexOf(t[p]!));
    if (get.what === 'CONSTANTS') {
      if (mode)
        this.fail(`${get.fn} gives constants, not data: write = instead of :=`, eq.entry.line, eq.name);
      const read = this.ext.constants(
        get,
        varying.map(({ s }) => s.elements.length),
      );
      eq.kind = 'list';
      eq.list = tuples.map((t) => read(index(t)));
      if (eq.subs.length === 0) {
        eq.kind = 'expr';
        eq.expr = { kind: 'number', value: eq.list[0]! };
      }
      return;
    }
    if (varying.length > 1 && get.transpose) {
      this.fail(
        `${get.fn} with * reads one series per subscript value; this left side varies over ${varying.length}`,
        eq.entry.line,
        eq.name,
      );
    }
    const linear = (t: string[]) =>
      varying.reduce((k, { s, p }) => k * s.elements.length + s.elements.indexOf(t[p]!), 0);
    eq.tables = new Map(tuples.map((t) => [t.join(','), this.ext.series(get, linear(t))]));
    if (get.what === 'LOOKUPS') {
      eq.kind = 'lookup';
      eq.points = eq.tables.get(tuples[0]!.join(','))!;
      this.lookups.add(eq.key);
    } else {
      eq.kind = 'data';
      eq.mode = mode ?? 'interpolate';
    }
  }

  /** The columns of the run's data files, by variable key and element tuple (`name|a,b`). */
  private columns: Map<string, Array<[number, number]>> | null = null;

  private dataColumns(): Map<string, Array<[number, number]>> {
    if (this.columns) return this.columns;
    this.columns = new Map();
    for (const file of this.dataFiles) {
      for (const [name, points] of this.ext.columns(file)) {
        const m = /^([^[]*)(?:\[([^\]]*)\])?\s*$/.exec(name.trim());
        if (!m) continue;
        const subs = m[2] ? splitOutsideQuotes(m[2], ',').map((x) => canonicalName(x)) : [];
        const key = `${canonicalName(m[1]!)}|${subs.join(',')}`;
        if (!this.columns.has(key)) this.columns.set(key, points);
      }
    }
    return this.columns;
  }

  /** A data variable without an equation: each element is a column of the run's data files. */
  private readDataColumns(eq: VarEq, mode: NonNullable<VarEq['mode']>): void {
    const columns = this.dataColumns();
    eq.kind = 'data';
    eq.mode = mode;
    eq.tables = new Map();
    for (const t of this.tuples(eq)) {
      const points = columns.get(`${eq.key}|${t.join(',')}`);
      if (!points) {
        this.fail(
          `is a data variable, but the data files (${this.dataFiles.join(', ')}) have no column ${eq.name}${t.length > 0 ? `[${t.join(',')}]` : ''}`,
          eq.entry.line,
          eq.name,
        );
      }
      eq.tables.set(t.join(','), points!);
    }
  }

  // ---- macros ---------------------------------------------------------------------------------

  private readonly macros = new Map<
    string,
    { name: string; params: string[]; body: MdlEntry[]; line: number }
  >();
  private macroCalls = 0;

  /** Takes the :MACRO: ... :END OF MACRO: blocks out of the text (keeping its line numbers). */
  private extractMacros(): string {
    return this.text.replace(
      /:MACRO:([^\n(]*)\(([^)]*)\)([\s\S]*?):END OF MACRO:/gi,
      (all, name: string, params: string, body: string, offset: number) => {
        const line = this.text.slice(0, offset).split('\n').length;
        const macroName = normFn(name);
        if (params.includes(':'))
          this.fail(`macro ${macroName} has output parameters (":"), which are not supported`, line);
        const header = `:MACRO:${name}(${params})`;
        const bodyLine = line + (header.match(/\n/g)?.length ?? 0);
        const entries = splitEntries(body).map((e) => ({ ...e, line: e.line + bodyLine - 1 }));
        this.macros.set(macroName, {
          name: macroName,
          params: params.split(',').map((p) => canonicalName(p)),
          body: entries,
          line,
        });
        return all.replace(/[^\n]/g, ' ');
      },
    );
  }

  /** Replaces each macro call by a reference to the output of a new instance of the macro's equations. */
  private expandMacros(): void {
    if (this.macros.size === 0) return;
    for (const list of [...this.eqs.values()]) {
      for (const eq of list) if (eq.expr) eq.expr = this.expandCalls(eq.expr, eq, 0);
    }
  }

  private expandCalls(x: VExpr, eq: VarEq, depth: number): VExpr {
    const rec = (y: VExpr): VExpr => this.expandCalls(y, eq, depth);
    if (x.kind === 'unary') return { ...x, operand: rec(x.operand) };
    if (x.kind === 'binary') return { ...x, left: rec(x.left), right: rec(x.right) };
    if (x.kind !== 'call') return x;
    const args = x.args.map(rec);
    const macro = this.macros.get(normFn(x.fn));
    if (!macro) return { ...x, args };
    if (depth > 20) this.fail(`macro ${macro.name} calls itself`, eq.entry.line, eq.name);
    if (eq.subs.length > 0)
      this.fail(
        `calls macro ${macro.name} in a subscripted equation, which is not supported`,
        eq.entry.line,
        eq.name,
      );
    if (args.length !== macro.params.length) {
      this.fail(
        `calls macro ${macro.name} with ${args.length} arguments; it takes ${macro.params.length}`,
        eq.entry.line,
        eq.name,
      );
    }
    const k = ++this.macroCalls;
    const body = macro.body.map((e) => this.readEquation(e, false));
    const locals = new Set(body.map((b) => b.key));
    const outKey = canonicalName(macro.name);
    if (!locals.has(outKey))
      this.fail(`macro ${macro.name} does not define its output ${macro.name}`, macro.line);
    const local = (key: string) => `${macro.name.toLowerCase()} ${k} ${key.replace(/_/g, ' ')}`;
    const params = new Map(macro.params.map((p, i) => [p, args[i]!]));
    const subst = (y: VExpr): VExpr => {
      if (y.kind === 'ref' && !y.subscripts) {
        const key = canonicalName(y.name);
        const arg = params.get(key);
        if (arg) return arg;
        if (locals.has(key)) return { ...y, name: local(key) };
        return y;
      }
      if (y.kind === 'unary') return { ...y, operand: subst(y.operand) };
      if (y.kind === 'binary') return { ...y, left: subst(y.left), right: subst(y.right) };
      if (y.kind === 'call') return { ...y, args: y.args.map(subst) };
      return y;
    };
    for (const b of body) {
      if (b.subs.length > 0 || b.kind !== 'expr')
        this.fail(
          `macro ${macro.name} defines a subscripted or lookup variable, which is not supported`,
          b.entry.line,
          b.name,
        );
      const name = local(b.key);
      const inst: VarEq = {
        ...b,
        name,
        key: canonicalName(name),
        expr: this.expandCalls(subst(b.expr!), b, depth + 1),
      };
      if (inst.expr!.kind === 'call' && normFn(inst.expr!.fn) === 'INTEG') this.stocks.add(inst.key);
      this.eqs.set(inst.key, [inst]);
    }
    return { kind: 'ref', name: local(outKey), subscripts: null };
  }

  private readSpecs(): { start: number; stop: number; dt: number; saveStep?: number } {
    const values = new Map<string, number>();
    const value = (key: string, fallback?: number): number => {
      const known = values.get(key);
      if (known !== undefined) return known;
      const eq = this.control.get(key);
      if (!eq) {
        if (fallback !== undefined) return fallback;
        this.fail(`the model has no ${key.replace(/_/g, ' ').toUpperCase()}`);
      }
      const fold = (x: VExpr): number => {
        if (x.kind === 'number') return x.value;
        if (x.kind === 'unary' && x.op !== 'not') return x.op === '-' ? -fold(x.operand) : fold(x.operand);
        if (x.kind === 'ref' && CONTROL.has(canonicalName(x.name)) && canonicalName(x.name) !== key) {
          return value(canonicalName(x.name));
        }
        if (x.kind === 'binary' && ['+', '-', '*', '/'].includes(x.op)) {
          const l = fold(x.left);
          const r = fold(x.right);
          return x.op === '+' ? l + r : x.op === '-' ? l - r : x.op === '*' ? l * r : l / r;
        }
        return this.fail(
          `${eq!.name} must be a constant expression (a control variable that changes is not supported)`,
          eq!.entry.line,
          eq!.name,
        );
      };
      const v = fold(eq!.expr ?? { kind: 'number', value: Number.NaN });
      values.set(key, v);
      return v;
    };
    const start = value('initial_time');
    const stop = value('final_time');
    const dt = value('time_step', 1);
    const saveStep = value('saveper', dt);
    const ratio = saveStep / dt;
    if (!(dt > 0) || Math.abs(ratio - Math.round(ratio)) > 1e-9 * ratio || Math.round(ratio) < 1) {
      const eq = this.control.get('saveper');
      this.fail(
        `SAVEPER (${saveStep}) must be a whole multiple of TIME STEP (${dt})`,
        eq?.entry.line,
        eq ? 'SAVEPER' : undefined,
      );
    }
    this.saveper = saveStep;
    this.dt = dt;
    this.start = start;
    return { start, stop, dt, saveStep };
  }

  /** The dimensions of a variable: per position, the range that holds every element defined. */
  private dimsOf(list: VarEq[]): Dim[] {
    const first = list[0]!;
    const n = first.subs.length;
    const out: Dim[] = [];
    for (const eq of list) {
      if (eq.subs.length !== n) {
        this.fail(
          `is defined with ${eq.subs.length} subscripts here and ${n} elsewhere`,
          eq.entry.line,
          eq.name,
        );
      }
    }
    for (let p = 0; p < n; p++) {
      const used = new Set<string>();
      for (const eq of list) for (const k of eq.subs[p]!.elements) used.add(k);
      const direct = list.find((eq) => eq.subs[p]!.isDim && eq.subs[p]!.elements.length === used.size);
      let best: Dim | undefined = direct ? this.dims.get(direct.subs[p]!.key) : undefined;
      if (!best) {
        for (const d of this.dims.values()) {
          if ([...used].every((k) => d.keys.includes(k)) && (!best || d.keys.length < best.keys.length))
            best = d;
        }
      }
      if (!best)
        this.fail(
          `no subscript range holds all the elements it is defined for`,
          first.entry.line,
          first.name,
        );
      if (!direct && best!.keys.length > used.size) {
        // Defined for some elements of a range only: Vensim gives the variable just those elements.
        const keys = best!.keys.filter((k) => used.has(k));
        const elements = best!.elements.filter((_, i) => used.has(best!.keys[i]!));
        const name = `${best!.name} of ${first.name}${n > 1 ? ` ${p + 1}` : ''}`;
        const dim: Dim = { name, key: canonicalName(name), elements, keys, maps: new Map() };
        this.dims.set(dim.key, dim);
        this.model.dimension(name, elements);
        best = dim;
      }
      if (out.includes(best!)) {
        // The same range twice (x[Dims, Dims]): the compiler's dimensions are distinct, so a copy.
        const name = `${best!.name} of ${first.name} ${p + 1}`;
        const key = canonicalName(name);
        let dim = this.dims.get(key);
        if (!dim) {
          dim = { ...best!, name, key, maps: new Map() };
          this.dims.set(key, dim);
          this.model.dimension(name, dim.elements);
        }
        best = dim;
      }
      out.push(best!);
    }
    return out;
  }

  // ---- building the model ---------------------------------------------------------------------

  private build(key: string, list: VarEq[]): void {
    const first = list[0]!;
    const dims = this.varDims.get(key)!;
    // Units (without Vensim's [min, max] range) and the comment, kept as documentation: the first
    // entry of the variable that gives each.
    const units = list.map((eq) => vensimUnits(eq.entry.units)).find((u) => u !== '');
    const doc = list.map((eq) => eq.entry.comment.replace(/\s+/g, ' ').trim()).find((c) => c !== '');
    const def = variableDef({
      kind: 'aux',
      name: first.name,
      key,
      dimensions: dims.map((d) => d.key),
      source: { file: this.file, line: first.entry.line },
      ...(units ? { units } : {}),
      ...(doc ? { doc } : {}),
    });
    const existing = this.model.variables.get(key);
    if (existing) {
      // A flow made by an INTEG that decomposed into this variable: already added.
      return;
    }
    if (first.kind === 'lookup') {
      if (dims.length > 0) {
        // A table per element, each a graphical function of its own: name[a](x) calls name[a]'s.
        for (const eq of list) {
          if (eq.kind !== 'lookup') this.fail('mixes lookup tables and equations', eq.entry.line, eq.name);
          for (const t of this.tuples(eq)) {
            const name = this.elementLookupName(first.name, t);
            if (this.model.variables.has(canonicalName(name))) {
              this.fail(`lookup element [${t.join(',')}] is defined twice`, eq.entry.line, eq.name);
            }
            this.model.addDefinition({
              ...def,
              name,
              key: canonicalName(name),
              dimensions: [],
              elementEquations: new Map(),
              graphical: this.graphical(eq.tables?.get(t.join(',')) ?? eq.points!, eq),
            });
          }
        }
        return;
      }
      if (list.length > 1) this.fail('lookup table defined twice', list[1]!.entry.line, first.name);
      def.graphical = this.graphical(first.points!, first);
      this.model.addDefinition(def);
      return;
    }
    if (this.stocks.has(key)) {
      this.buildStock(def, list, dims);
      return;
    }
    for (const eq of list) {
      if (eq.expr?.kind === 'call' && normFn(eq.expr.fn) === 'WITH LOOKUP') {
        if (list.length > 1)
          this.fail('WITH LOOKUP defined element by element is not supported', eq.entry.line, eq.name);
        const [input, table] = eq.expr.args;
        if (eq.expr.args.length !== 2 || table?.kind !== 'lookup') {
          this.fail(
            'WITH LOOKUP needs an input and a table ([(x0,y0)-(x1,y1)],(x,y),...)',
            eq.entry.line,
            eq.name,
          );
        }
        def.graphical = this.graphical(table!.points, eq);
        this.fillEquations(def, list, dims, () => input!);
        this.model.addDefinition(def);
        return;
      }
    }
    if (this.activeInitial.has(key)) {
      // ACTIVE INITIAL(expr, init): expr while running; initial values read a variable holding init.
      const hidden: VariableDef = { ...def, name: this.activeInitial.get(key)!, elementEquations: new Map() };
      hidden.key = canonicalName(hidden.name);
      this.fillEquations(hidden, list, dims, (eq) => activeParts(eq).init, true);
      this.model.addDefinition(hidden);
      this.fillEquations(def, list, dims, (eq) => activeParts(eq).expr);
      this.model.addDefinition(def);
      return;
    }
    this.fillEquations(def, list, dims, (eq) => eq.expr!);
    this.model.addDefinition(def);
  }

  private graphical(points0: Array<[number, number]>, eq: VarEq): GraphicalFunction {
    // Points out of order are sorted by x, as Vensim does (test_subscripted_lookups: lookup2dim[B,E]).
    const points = [...points0].sort((p, q) => p[0] - q[0]);
    const api = `${this.file} line ${eq.entry.line}`;
    try {
      return validateGraphical(api, eq.name, {
        x: points.map((p) => p[0]),
        y: points.map((p) => p[1]),
        type: 'continuous',
      });
    } catch (err) {
      return this.fail(`lookup table is malformed: ${(err as Error).message}`, eq.entry.line, eq.name);
    }
  }

  private exprDef(expr: Expr, eq: VarEq): EquationDef {
    return { kind: 'expr', expr, text: eq.entry.equation };
  }

  /** Sets the variable's equation (apply-to-all) or its element equations. */
  private fillEquations(
    def: VariableDef,
    list: VarEq[],
    dims: Dim[],
    pick: (eq: VarEq) => VExpr,
    initial = false,
  ): void {
    const whole = (eq: VarEq) =>
      list.length === 1 &&
      eq.except.length === 0 &&
      eq.subs.every((s, p) => s.isDim && s.key === dims[p]!.key);
    for (const eq of list) {
      if (eq.kind === 'data') {
        for (const t of this.tuples(eq)) {
          const call = this.dataCall(def, eq, t);
          if (eq.subs.length === 0) def.equation = this.exprDef(call, eq);
          else this.setElement(def, t.join(','), this.exprDef(call, eq), eq);
        }
        continue;
      }
      if (eq.kind === 'list') {
        const tuples = this.tuples(eq);
        if (tuples.length !== eq.list!.length) {
          this.fail(`has ${eq.list!.length} numbers for ${tuples.length} elements`, eq.entry.line, eq.name);
        }
        if (whole(eq)) def.equation = { kind: 'list', values: eq.list!, text: eq.entry.equation };
        else {
          tuples.forEach((t, i) => {
            this.setElement(
              def,
              t.join(','),
              { kind: 'expr', expr: { kind: 'number', value: eq.list![i]! }, text: String(eq.list![i]) },
              eq,
            );
          });
        }
        continue;
      }
      const expr = pick(eq);
      if (whole(eq) && this.safeWhole(expr, eq)) {
        def.equation = this.exprDef(this.tr(expr, { eq, subst: null, initial }), eq);
        continue;
      }
      for (const t of this.tuples(eq)) {
        const subst = new Map<string, string>();
        eq.subs.forEach((s, p) => {
          if (s.isDim) subst.set(s.key, t[p]!);
        });
        // The variable's own dimensions stand for the element too.
        dims.forEach((d, p) => {
          if (!subst.has(d.key)) subst.set(d.key, t[p]!);
        });
        this.setElement(def, t.join(','), this.exprDef(this.tr(expr, { eq, subst, initial }), eq), eq);
      }
    }
  }

  /**
   * The value of a data variable's element at the current time: a table of its own, read by
   * linear interpolation (:INTERPOLATE:), as a step holding the last value (:HOLD BACKWARD:), or
   * the next value (:LOOK FORWARD:, a step over the reversed, negated times). Before the first
   * time and after the last one, the first and last values hold.
   */
  private dataCall(def: VariableDef, eq: VarEq, t: string[]): Expr {
    const points = eq.tables!.get(t.join(','))!;
    let name = `${def.name} data${t.length > 0 ? ` ${t.join(' ')}` : ''}`;
    while (this.eqs.has(canonicalName(name)) || this.model.variables.has(canonicalName(name))) name += ' ';
    const forward = eq.mode === 'look forward';
    const table = forward ? points.map(([x, y]) => [-x, y] as [number, number]).reverse() : points;
    const graphical = this.graphical(table, eq);
    if (eq.mode !== 'interpolate') graphical.type = 'discrete';
    const time: Expr = { kind: 'call', fn: 'time', args: [] };
    if (eq.mode === 'raw') {
      // :RAW: the value at the file's own times, :NA: between them.
      const times = this.graphical(
        points.map(([x]) => [x, x] as [number, number]),
        eq,
      );
      times.type = 'discrete';
      let tname = `${name} times`;
      while (this.eqs.has(canonicalName(tname)) || this.model.variables.has(canonicalName(tname)))
        tname += ' ';
      for (const [n, g] of [
        [name, graphical],
        [tname, times],
      ] as const) {
        this.model.addDefinition(
          variableDef({
            kind: 'aux',
            name: n,
            key: canonicalName(n),
            graphical: g,
            source: { file: this.file, line: eq.entry.line },
          }),
        );
      }
      const at: Expr = { kind: 'call', fn: canonicalName(tname), args: [time] };
      const gap: Expr = {
        kind: 'call',
        fn: 'abs',
        args: [{ kind: 'binary', op: '-', left: time, right: at }],
      };
      const tol: Expr = {
        kind: 'binary',
        op: '*',
        left: { kind: 'number', value: 1e-9 },
        right: {
          kind: 'call',
          fn: 'max',
          args: [
            { kind: 'number', value: 1 },
            { kind: 'call', fn: 'abs', args: [time] },
          ],
        },
      };
      return ifExpr(
        { kind: 'binary', op: '<=', left: gap, right: tol },
        { kind: 'call', fn: canonicalName(name), args: [time] },
        { kind: 'number', value: VENSIM_NA },
      );
    }
    this.model.addDefinition(
      variableDef({
        kind: 'aux',
        name,
        key: canonicalName(name),
        graphical,
        source: { file: this.file, line: eq.entry.line },
      }),
    );
    return {
      kind: 'call',
      fn: canonicalName(name),
      args: [forward ? { kind: 'unary', op: '-', operand: time } : time],
    };
  }

  private setElement(def: VariableDef, key: string, eq: EquationDef, src: VarEq): void {
    if (def.elementEquations.has(key))
      this.fail(`element [${key}] is defined twice`, src.entry.line, src.name);
    def.elementEquations.set(key, eq);
  }

  /** Element tuples (canonical keys) an equation defines, minus its :EXCEPT: ones. */
  private tuples(eq: VarEq): string[][] {
    let out: string[][] = [[]];
    for (const s of eq.subs) out = out.flatMap((t) => s.elements.map((e) => [...t, e]));
    return out.filter((t) => !eq.except.some((ex) => ex.every((s, p) => s.elements.includes(t[p]!))));
  }

  /** True when an apply-to-all equation reads only its own dimensions, the way the compiler binds them. */
  private safeWhole(e: VExpr, eq: VarEq): boolean {
    const lhs = new Set(eq.subs.map((s) => s.key));
    let ok = true;
    const visit = (x: VExpr): void => {
      if (!ok) return;
      // These read other elements than their own: built element by element.
      if (x.kind === 'call' && ELEMENTWISE.has(normFn(x.fn))) ok = false;
      if (x.kind === 'ref' || x.kind === 'call') {
        if (x.subscripts) {
          const rd = x.kind === 'ref' ? this.varDims.get(canonicalName(x.name)) : undefined;
          x.subscripts.forEach((s, p) => {
            const k = canonicalName(s.name);
            if (s.bang) return;
            if (this.dims.has(k) && (!lhs.has(k) || rd?.[p]?.key !== k)) ok = false;
          });
        }
        if (x.kind === 'call') x.args.forEach(visit);
        if (x.kind === 'ref' && !x.subscripts) {
          const rd = this.varDims.get(canonicalName(x.name));
          if (rd && rd.length > 0) ok = false;
        }
      } else if (x.kind === 'unary') visit(x.operand);
      else if (x.kind === 'binary') {
        visit(x.left);
        visit(x.right);
      }
    };
    visit(e);
    return ok;
  }

  private buildStock(def: VariableDef, list: VarEq[], dims: Dim[]): void {
    def.kind = 'stock';
    const parts = list.map((eq) => {
      const e = eq.expr!;
      if (e.kind !== 'call' || normFn(e.fn) !== 'INTEG') {
        this.fail('a stock must be an INTEG for every element', eq.entry.line, eq.name);
      }
      if (e.args.length !== 2)
        this.fail(`INTEG takes 2 arguments (rate, initial), got ${e.args.length}`, eq.entry.line, eq.name);
      return { rate: e.args[0]!, init: e.args[1]! };
    });
    // A rate that is a sum of flows (+f, -g) names them as in- and outflows, as XMILE does.
    const flows = list.length === 1 ? this.decompose(parts[0]!.rate, list[0]!, dims) : null;
    if (flows) {
      for (const f of flows) {
        (f.sign > 0 ? def.inflows : def.outflows).push(f.key);
      }
    } else {
      let name = `${def.name} net flow`;
      while (this.eqs.has(canonicalName(name)) || this.model.variables.has(canonicalName(name))) name += ' ';
      const flow: VariableDef = {
        ...def,
        kind: 'flow',
        name: displayName(name),
        key: canonicalName(name),
        elementEquations: new Map(),
        inflows: [],
        outflows: [],
      };
      const rates = new Map(list.map((eq, i) => [eq, parts[i]!.rate]));
      this.fillEquations(flow, list, dims, (eq) => rates.get(eq)!);
      this.model.addDefinition(flow);
      def.inflows = [flow.key];
    }
    const inits = new Map(list.map((eq, i) => [eq, parts[i]!.init]));
    this.fillEquations(def, list, dims, (eq) => inits.get(eq)!, true);
    this.model.addDefinition(def);
  }

  /** Splits `a + b - c` into flows when each term is a plain reference to a non-stock variable. */
  private decompose(rate: VExpr, eq: VarEq, dims: Dim[]): Array<{ key: string; sign: number }> | null {
    const out: Array<{ key: string; sign: number }> = [];
    const ownSubs = eq.subs.map((s) => s.key);
    if (!eq.subs.every((s, p) => s.isDim && s.key === dims[p]!.key)) return null;
    const visit = (x: VExpr, sign: number): boolean => {
      if (x.kind === 'binary' && (x.op === '+' || x.op === '-')) {
        return visit(x.left, sign) && visit(x.right, x.op === '-' ? -sign : sign);
      }
      if (x.kind === 'unary' && x.op !== 'not') return visit(x.operand, x.op === '-' ? -sign : sign);
      if (x.kind !== 'ref') return false;
      const key = canonicalName(x.name);
      const list = this.eqs.get(key);
      if (!list || this.stocks.has(key) || this.lookups.has(key) || out.some((o) => o.key === key))
        return false;
      const rd = this.varDims.get(key)!;
      const subs = (x.subscripts ?? []).map((s) => (s.bang ? '!' : canonicalName(s.name)));
      if (subs.length !== ownSubs.length || subs.some((s, p) => s !== ownSubs[p] || rd[p]?.key !== s))
        return false;
      if (rd.length !== dims.length) return false;
      if (
        list.some(
          (e) => e.kind === 'lookup' || (e.expr?.kind === 'call' && normFn(e.expr.fn) === 'WITH LOOKUP'),
        )
      )
        return false;
      out.push({ key, sign });
      return true;
    };
    if (!visit(rate, 1) || out.length === 0) return null;
    // The flows become flows (kind 'flow') of the model when they are built.
    for (const f of out) this.markFlow(f.key);
    return out;
  }

  private markFlow(key: string): void {
    const existing = this.model.variables.get(key);
    if (existing) {
      if (existing.kind === 'aux') existing.kind = 'flow';
      return;
    }
    this.build(key, this.eqs.get(key)!);
    this.model.variables.get(key)!.kind = 'flow';
  }

  // ---- expressions ----------------------------------------------------------------------------

  private refuse(what: string, ctx: Ctx): never {
    return this.fail(what, ctx.eq.entry.line, ctx.eq.name);
  }

  private sub(s: VSub, p: number, refKey: string, ctx: Ctx): Subscript {
    const k = canonicalName(s.name);
    if (s.bang) this.refuse(`uses ${s.name}! outside SUM, PROD, VMIN or VMAX`, ctx);
    const rd = this.varDims.get(refKey)?.[p];
    const dim = this.dims.get(k);
    if (!dim) {
      if (/^\d+$/.test(s.name) && !this.elementOwner.has(k)) return { kind: 'index', value: Number(s.name) };
      return { kind: 'name', name: k };
    }
    if (!ctx.subst) return { kind: 'name', name: k };
    let el = ctx.subst.get(k);
    if (el === undefined) {
      // A mapped range: k maps onto a bound range, or a bound range maps onto k.
      for (const [bound, e] of ctx.subst) {
        const bd = this.dims.get(bound);
        const to = bd?.maps.get(k);
        if (to && bd) {
          el = to[bd.keys.indexOf(e)];
          break;
        }
        const from = dim.maps.get(bound);
        if (from) {
          const i = from.indexOf(e);
          if (i >= 0) {
            el = dim.keys[i];
            break;
          }
        }
      }
    }
    if (el === k) return { kind: 'name', name: k }; // An apply-to-all dimension, bound by the compiler.
    if (el === undefined)
      this.refuse(`subscript ${s.name} of ${refKey} is not set by the left side or a mapping`, ctx);
    if (rd && !rd.keys.includes(el!)) {
      // The element is in a range that maps onto the referenced variable's range.
      const owner = [...this.dims.values()].find((d) => d.keys.includes(el!) && d.maps.has(rd.key));
      if (owner) el = owner.maps.get(rd.key)![owner.keys.indexOf(el!)];
      else if (!dim.maps.has(rd.key))
        this.refuse(`element ${el} of ${s.name} is not in range ${rd.name} of ${refKey}`, ctx);
      else el = dim.maps.get(rd.key)![dim.keys.indexOf(el!)];
    }
    return { kind: 'name', name: el! };
  }

  /** Translates a Vensim expression into the XMILE expression tree the compiler reads. */
  private tr(x: VExpr, ctx: Ctx): Expr {
    switch (x.kind) {
      case 'number':
        return { kind: 'number', value: x.value };
      case 'na':
        return { kind: 'number', value: VENSIM_NA };
      case 'lookup':
        return this.refuse('a lookup table is only allowed as the second argument of WITH LOOKUP', ctx);
      case 'unary':
        return { kind: 'unary', op: x.op, operand: this.tr(x.operand, ctx) };
      case 'binary':
        return {
          kind: 'binary',
          op: x.op as Extract<Expr, { kind: 'binary' }>['op'],
          left: this.tr(x.left, ctx),
          right: this.tr(x.right, ctx),
        };
      case 'ref': {
        const key = canonicalName(x.name);
        if (!x.subscripts) {
          if (key === 'time') return { kind: 'call', fn: 'time', args: [] };
          const control = CONTROL.get(key);
          if (control === 'saveper') return { kind: 'number', value: this.saveper };
          if (control) return { kind: 'call', fn: control, args: [] };
        }
        if (this.lookups.has(key)) this.refuse(`uses lookup table ${x.name} without an argument`, ctx);
        if (ctx.initial && this.activeInitial.has(key)) {
          return this.tr({ ...x, name: this.activeInitial.get(key)! }, { ...ctx, initial: false });
        }
        if (ctx.initial && this.dependsOnActive(key)) {
          this.refuse(
            `an initial value reads ${x.name}, which depends on an ACTIVE INITIAL variable; only direct references are supported`,
            ctx,
          );
        }
        if (!this.eqs.has(key) && !this.varDims.has(key)) {
          this.refuse(`uses ${JSON.stringify(x.name)}, which the model does not define`, ctx);
        }
        return {
          kind: 'ref',
          name: key,
          subscripts: x.subscripts ? x.subscripts.map((s, p) => this.sub(s, p, key, ctx)) : null,
        };
      }
      case 'call':
        return this.call(x, ctx);
    }
  }

  private call(x: Extract<VExpr, { kind: 'call' }>, ctx: Ctx): Expr {
    const fn = normFn(x.fn);
    const key = canonicalName(x.fn);
    const args = x.args;
    if (x.subscripts) {
      if (!this.lookups.has(key)) this.refuse(`calls ${x.fn}[...], which is not a lookup table`, ctx);
      if (args.length !== 1)
        this.refuse(`calls lookup ${x.fn} with ${args.length} arguments; it takes 1`, ctx);
      const tuple = x.subscripts.map((sub) => {
        const k = canonicalName(sub.name);
        if (sub.bang) this.refuse(`calls lookup ${x.fn} with ${sub.name}!`, ctx);
        if (!this.dims.has(k)) return k;
        const el = ctx.subst?.get(k);
        if (el === undefined || el === k) {
          this.refuse(`calls lookup ${x.fn}[${sub.name}] where ${sub.name} is not set by the left side`, ctx);
        }
        return el!;
      });
      const name = canonicalName(this.elementLookupName(x.fn, tuple));
      if (
        !this.varDims.has(key) ||
        (!this.model.variables.has(name) && !this.lookupElementExists(key, tuple))
      ) {
        this.refuse(`calls lookup ${x.fn}[${tuple.join(',')}], which has no table for that element`, ctx);
      }
      return { kind: 'call', fn: name, args: [this.tr(args[0]!, ctx)] };
    }
    if (this.lookups.has(key)) {
      if (args.length !== 1)
        this.refuse(`calls lookup ${x.fn} with ${args.length} arguments; it takes 1`, ctx);
      return { kind: 'call', fn: key, args: [this.tr(args[0]!, ctx)] };
    }
    const arity = (min: number, max = min) => {
      if (args.length < min || args.length > max) {
        this.refuse(
          `calls ${fn} with ${args.length} arguments; it takes ${min === max ? min : `${min} to ${max}`}`,
          ctx,
        );
      }
    };
    const a = (i: number) => this.tr(args[i]!, ctx);
    const t = (): Expr => ({ kind: 'call', fn: 'time', args: [] });
    const dt = (): Expr => ({ kind: 'call', fn: 'dt', args: [] });
    const bin = (op: string, left: Expr, right: Expr): Expr => ({
      kind: 'binary',
      op: op as Extract<Expr, { kind: 'binary' }>['op'],
      left,
      right,
    });
    const direct = DIRECT[fn];
    if (direct) {
      arity(direct.min, direct.max);
      const init = (i: number) => this.tr(args[i]!, { ...ctx, initial: true });
      if (direct.fn === 'init') return { kind: 'call', fn: 'init', args: [init(0)] };
      const stateful = ['smth1', 'smth3', 'delay1', 'delay3'].includes(direct.fn);
      if (stateful && args.length === 3) return { kind: 'call', fn: direct.fn, args: [a(0), a(1), init(2)] };
      if (direct.fn === 'smth1' && this.readsActive(args[0]!)) {
        // An explicit stock, so its initial value depends on the ACTIVE INITIAL value only (the
        // compiler's SMTH1 orders its start after its input's, a loop through ACTIVE INITIAL).
        if (ctx.subst || ctx.eq.subs.length > 0) {
          this.refuse('SMOOTH of an ACTIVE INITIAL variable in a subscripted equation is not supported', ctx);
        }
        const k = ++this.macroCalls;
        const stage = `${ctx.eq.name} smooth ${k}`;
        const source = { file: this.file, line: ctx.eq.entry.line };
        const stageRef: Expr = { kind: 'ref', name: canonicalName(stage), subscripts: null };
        const rate: Expr = bin('/', bin('-', a(0), stageRef), a(1));
        this.model.addDefinition(
          variableDef({
            source,
            kind: 'flow',
            name: `${stage} change`,
            key: canonicalName(`${stage} change`),
            equation: { kind: 'expr', expr: rate, text: ctx.eq.entry.equation },
          }),
        );
        this.model.addDefinition(
          variableDef({
            source,
            kind: 'stock',
            name: stage,
            key: canonicalName(stage),
            inflows: [canonicalName(`${stage} change`)],
            equation: { kind: 'expr', expr: init(0), text: ctx.eq.entry.equation },
          }),
        );
        return stageRef;
      }
      if (stateful && this.readsActive(args[0]!)) {
        // The stages start from the input's initial value: ACTIVE INITIAL variables give theirs.
        return { kind: 'call', fn: direct.fn, args: [a(0), a(1), init(0)] };
      }
      return { kind: 'call', fn: direct.fn, args: args.map((_, i) => a(i)) };
    }
    const vector = VECTOR[fn];
    if (vector) {
      arity(1);
      return this.vector(vector, args[0]!, ctx);
    }
    switch (fn) {
      case 'IF THEN ELSE':
        arity(3);
        return ifExpr(a(0), a(1), a(2));
      case 'DELAY FIXED': {
        // Vensim fixes the delay at its initial value, rounded to a whole number of steps (at least one).
        arity(3);
        const steps: Expr = {
          kind: 'call',
          fn: 'max',
          args: [
            { kind: 'number', value: 1 },
            { kind: 'call', fn: 'round', args: [bin('/', a(1), dt())] },
          ],
        };
        const delay: Expr = { kind: 'call', fn: 'init', args: [bin('*', steps, dt())] };
        return { kind: 'call', fn: 'delay', args: [a(0), delay, a(2)] };
      }
      case 'GAME':
        // Outside a game (Vensim's interactive mode) GAME passes its input through.
        arity(1);
        return a(0);
      case 'ELMCOUNT': {
        arity(1);
        const d = args[0]!.kind === 'ref' ? this.dims.get(canonicalName(args[0]!.name)) : undefined;
        if (!d) this.refuse('ELMCOUNT needs a subscript range', ctx);
        return { kind: 'number', value: d!.keys.length };
      }
      case 'POWER':
        arity(2);
        return bin('^', a(0), a(1));
      case 'SMOOTH N': {
        arity(4);
        return { kind: 'call', fn: 'smthn', args: [a(0), a(1), this.orderArg(args[3]!, ctx), a(2)] };
      }
      case 'DELAY N': {
        arity(4);
        // Vensim fixes the order at its initial value (test_delays: 2 + STEP(1, 10) stays 2), and
        // lowers it when each stage would be shorter than TIME STEP.
        const order = this.fold(args[3]!, new Set(), true);
        const delay = this.fold(args[1]!, new Set(), true);
        if (order === null) {
          this.refuse(
            'DELAY N with an order that is not a constant is not supported (the order must be a constant expression at the initial time)',
            ctx,
          );
        }
        let n = order!;
        if (delay !== null && this.dt > 0 && delay / n < this.dt) {
          n = Math.max(1, Math.floor(delay / this.dt + 1e-9));
        }
        if (this.fold(args[1]!) === null) return this.delayNVarying(args, n, ctx);
        return { kind: 'call', fn: 'delayn', args: [a(0), a(1), { kind: 'number', value: n }, a(2)] };
      }
      case 'PULSE': {
        // 1 from start for width (TIME STEP when width is 0), else 0.
        arity(2);
        const start = a(0);
        const width: Expr = { kind: 'call', fn: 'max', args: [a(1), dt()] };
        return ifExpr(
          bin('and', bin('>=', t(), start), bin('<', t(), bin('+', start, width))),
          { kind: 'number', value: 1 },
          { kind: 'number', value: 0 },
        );
      }
      case 'PULSE TRAIN': {
        arity(4);
        const start = a(0);
        const width: Expr = { kind: 'call', fn: 'max', args: [a(1), dt()] };
        const between = a(2);
        const end = a(3);
        const phase: Expr = { kind: 'call', fn: 'mod', args: [bin('-', t(), start), between] };
        const on = bin('and', bin('and', bin('>=', t(), start), bin('<=', t(), end)), bin('<', phase, width));
        return ifExpr(on, { kind: 'number', value: 1 }, { kind: 'number', value: 0 });
      }
      case 'RANDOM UNIFORM':
        arity(3);
        return { kind: 'call', fn: 'uniform', args: [a(0), a(1)] };
      case 'SAMPLE IF TRUE': {
        arity(3);
        const top = ctx.eq.expr;
        if (top !== x) this.refuse('SAMPLE IF TRUE is supported only as the whole equation', ctx);
        const self: Expr = {
          kind: 'ref',
          name: ctx.eq.key,
          subscripts: ctx.subst
            ? this.varDims
                .get(ctx.eq.key)!
                .map((d) => ({ kind: 'name', name: ctx.subst!.get(d.key)! }) as Subscript)
            : null,
        };
        return ifExpr(a(0), a(1), { kind: 'call', fn: 'previous', args: [self, a(2)] });
      }
      case 'INVERT MATRIX':
        arity(2);
        return this.invertMatrix(args, ctx);
      case 'VECTOR SORT ORDER':
      case 'VECTOR RANK':
      case 'VECTOR REORDER':
        arity(2);
        return this.vectorOrder(fn, args, ctx);
      case 'VECTOR SELECT':
        arity(5);
        return this.vectorSelect(args, ctx);
      case 'INTEG':
        return this.refuse('INTEG is supported only as the whole equation of a stock', ctx);
      case 'WITH LOOKUP':
        return this.refuse('WITH LOOKUP is supported only as the whole equation of a variable', ctx);
      default:
        return this.refuse(`uses the Vensim function ${fn}, which twinkit does not support`, ctx);
    }
  }

  /**
   * DELAY N(input, delay, init, n) whose delay time changes: Vensim's stages each keep the delay
   * time of the step the material entered them (stage j of the step at time t drains with the
   * delay time of t - j steps), and the output divides by the delay time of the previous step.
   * Built as explicit stocks and PREVIOUS chains (checked by test_delays).
   */
  private delayNVarying(args: VExpr[], n: number, ctx: Ctx): Expr {
    if (ctx.subst || ctx.eq.subs.length > 0) {
      this.refuse('DELAY N with a delay time that changes, in a subscripted equation, is not supported', ctx);
    }
    if (!Number.isInteger(n) || n < 1) this.refuse(`DELAY N order must be an integer >= 1, got ${n}`, ctx);
    const k = ++this.macroCalls;
    const base = `${ctx.eq.name} delay n ${k}`;
    const source = { file: this.file, line: ctx.eq.entry.line };
    const text = ctx.eq.entry.equation;
    const ref = (name: string): Expr => ({ kind: 'ref', name: canonicalName(name), subscripts: null });
    const num = (value: number): Expr => ({ kind: 'number', value });
    const bin = (op: '+' | '-' | '*' | '/', left: Expr, right: Expr): Expr => ({
      kind: 'binary',
      op,
      left,
      right,
    });
    const add = (kind: 'aux' | 'flow' | 'stock', name: string, expr: Expr, inflows: string[] = []) =>
      this.model.addDefinition(
        variableDef({
          source,
          kind,
          name,
          key: canonicalName(name),
          inflows: inflows.map(canonicalName),
          equation: { kind: 'expr', expr, text },
        }),
      );
    const input = this.tr(args[0]!, ctx);
    const init = this.tr(args[2]!, { ...ctx, initial: true });
    add('aux', `${base} time 0`, this.tr(args[1]!, ctx));
    const time0 = { kind: 'call', fn: 'init', args: [ref(`${base} time 0`)] } as Expr;
    // time j: the delay time j steps ago (the initial one before the start).
    for (let j = 1; j <= Math.max(n - 1, 1); j++) {
      add('aux', `${base} time ${j}`, {
        kind: 'call',
        fn: 'previous',
        args: [ref(`${base} time ${j - 1}`), time0],
      });
    }
    const outflow = (j: number): Expr => bin('/', ref(`${base} stage ${j}`), ref(`${base} time ${j}`));
    for (let j = 0; j < n; j++) {
      const inflow = j === 0 ? input : outflow(j - 1);
      add('flow', `${base} stage ${j} change`, bin('*', num(n), bin('-', inflow, outflow(j))));
      add('stock', `${base} stage ${j}`, bin('*', init, time0), [`${base} stage ${j} change`]);
    }
    return bin('/', ref(`${base} stage ${n - 1}`), ref(`${base} time 1`));
  }

  /**
   * VECTOR SORT ORDER(v[..., d], direction), VECTOR RANK(v[..., d], direction) and VECTOR
   * REORDER(v[..., d], order[..., s]): along the last subscript of the vector, the element of the
   * left side's last subscript (its place in its range, so `s` may be a range mapped onto `d`).
   */
  private vectorOrder(fn: string, args: VExpr[], ctx: Ctx): Expr {
    const v = args[0]!;
    const subs = v.kind === 'ref' ? (v.subscripts ?? []) : [];
    const d = subs.length > 0 ? this.dims.get(canonicalName(subs[subs.length - 1]!.name)) : undefined;
    if (!d || subs.some((s) => s.bang)) {
      this.refuse(`${fn} needs a variable whose last subscript is a range (v[..., range])`, ctx);
    }
    const last = ctx.eq.subs[ctx.eq.subs.length - 1];
    const own = last ? ctx.subst?.get(last.key) : undefined;
    const lastDim = last?.isDim ? this.dims.get(last.key) : undefined;
    if (!lastDim || own === undefined || own === last!.key) {
      this.refuse(`${fn}: the left side's last subscript must be a range of ${d!.keys.length} elements`, ctx);
    }
    if (lastDim!.keys.length !== d!.keys.length) {
      this.refuse(
        `${fn}: the left side's last range ${lastDim!.name} has ${lastDim!.keys.length} elements, the vector's ${d!.name} ${d!.keys.length}`,
        ctx,
      );
    }
    const values = d!.keys.map((e) => {
      const subst = new Map(ctx.subst!);
      subst.set(d!.key, e);
      return this.tr(v, { ...ctx, subst });
    });
    const num = (value: number): Expr => ({ kind: 'number', value });
    if (fn === 'VECTOR REORDER') {
      return { kind: 'call', fn: 'vector_pick', args: [this.tr(args[1]!, ctx), ...values] };
    }
    return {
      kind: 'call',
      fn: fn === 'VECTOR RANK' ? 'vector_rank' : 'vector_sort_order',
      args: [num(lastDim!.keys.indexOf(own!)), this.tr(args[1]!, ctx), ...values],
    };
  }

  /**
   * INVERT MATRIX(m[..., rows, cols], n): the element of the inverse of the n x n matrix over the
   * argument's last two subscripts that this element of the left side stands for.
   */
  private invertMatrix(args: VExpr[], ctx: Ctx): Expr {
    const m = args[0]!;
    const n = this.fold(args[1]!, new Set(), true);
    const subs = m.kind === 'ref' ? (m.subscripts ?? []) : [];
    const rows = subs.length >= 2 ? this.dims.get(canonicalName(subs[subs.length - 2]!.name)) : undefined;
    const cols = subs.length >= 2 ? this.dims.get(canonicalName(subs[subs.length - 1]!.name)) : undefined;
    if (!rows || !cols || subs.some((s) => s.bang)) {
      this.refuse(
        'INVERT MATRIX needs a variable whose last two subscripts are ranges (m[rows, cols], no "!")',
        ctx,
      );
    }
    if (n === null || n !== rows!.keys.length || n !== cols!.keys.length) {
      this.refuse(
        `INVERT MATRIX size ${n === null ? 'is not a constant' : n} must be the number of elements of ${rows!.name} and of ${cols!.name}`,
        ctx,
      );
    }
    const row = ctx.subst?.get(rows!.key);
    const col = ctx.subst?.get(cols!.key);
    if (row === undefined || col === undefined || row === rows!.key || col === cols!.key) {
      this.refuse(`INVERT MATRIX: ${rows!.name} and ${cols!.name} must be subscripts of the left side`, ctx);
    }
    const values: Expr[] = [];
    for (const r of rows!.keys) {
      for (const c of cols!.keys) {
        const subst = new Map(ctx.subst!);
        subst.set(rows!.key, r);
        subst.set(cols!.key, c);
        values.push(this.tr(m, { ...ctx, subst }));
      }
    }
    const num = (value: number): Expr => ({ kind: 'number', value });
    return {
      kind: 'call',
      fn: 'invert_matrix_element',
      args: [num(rows!.keys.indexOf(row!)), num(cols!.keys.indexOf(col!)), num(n!), ...values],
    };
  }

  /**
   * VECTOR SELECT(selection[d!], expression[d!], missing, numerical action, error action): over
   * every combination of the `!` ranges of both arrays, the elements of the expression whose
   * selection is not zero, combined as the numerical action says (Vensim's 0 to 10).
   */
  private vectorSelect(args: VExpr[], ctx: Ctx): Expr {
    const bangs = bangRanges([args[0]!, args[1]!]);
    if (bangs.length === 0) this.refuse('VECTOR SELECT needs arrays over a range (x[range!])', ctx);
    let combos: string[][] = [[]];
    for (const b of bangs) {
      const d = this.dims.get(b);
      if (!d) this.refuse(`${b}! is not a subscript range`, ctx);
      combos = combos.flatMap((c) => d!.keys.map((e) => [...c, e]));
    }
    // A `d!` subscript stands for the element of the combination; the same range without `!` (in
    // the other array) keeps the left side's element.
    const pick = (x: VExpr, c: string[]): VExpr => {
      if (x.kind === 'ref' || x.kind === 'call') {
        const subscripts = x.subscripts
          ? x.subscripts.map((s) =>
              s.bang ? { name: c[bangs.indexOf(canonicalName(s.name))]!, bang: false } : s,
            )
          : null;
        if (x.kind === 'ref') return { ...x, subscripts };
        return { ...x, subscripts, args: x.args.map((y) => pick(y, c)) };
      }
      if (x.kind === 'unary') return { ...x, operand: pick(x.operand, c) };
      if (x.kind === 'binary') return { ...x, left: pick(x.left, c), right: pick(x.right, c) };
      return x;
    };
    const terms = (arg: VExpr): Expr[] =>
      combos.map((c) => {
        const subst = new Map(ctx.subst ?? []);
        if (!ctx.subst) for (const s of ctx.eq.subs) if (s.isDim) subst.set(s.key, s.key);
        return this.tr(pick(arg, c), { ...ctx, subst });
      });
    const sel = terms(args[0]!);
    const values = terms(args[1]!);
    const a = (i: number) => this.tr(args[i]!, ctx);
    return { kind: 'call', fn: 'vector_select', args: [a(2), a(3), a(4), ...sel, ...values] };
  }

  /** The name of the graphical function of one element of a subscripted lookup. */
  private elementLookupName(name: string, tuple: string[]): string {
    return `${displayName(name)} table ${tuple.join(' ')}`;
  }

  private lookupElementExists(key: string, tuple: string[]): boolean {
    return (this.eqs.get(key) ?? []).some((eq) =>
      this.tuples(eq).some((t) => t.join(',') === tuple.join(',')),
    );
  }

  /** The order of SMOOTH N: Vensim fixes it at its initial value (checked by test_smooth). */
  private orderArg(x: VExpr, ctx: Ctx): Expr {
    const v = this.fold(x, new Set(), true);
    return v === null ? this.tr(x, ctx) : { kind: 'number', value: v };
  }

  private readonly hoisted = new Map<string, string>();

  /** True when an expression has a subscript that is a range without `!` (it varies by element). */
  private readsRange(x: VExpr): boolean {
    if ((x.kind === 'ref' || x.kind === 'call') && x.subscripts) {
      if (x.subscripts.some((s) => !s.bang && this.dims.has(canonicalName(s.name)))) return true;
    }
    if (x.kind === 'ref') {
      // An unsubscripted arrayed variable stands for its element: it varies too.
      return !x.subscripts && (this.varDims.get(canonicalName(x.name))?.length ?? 0) > 0;
    }
    if (x.kind === 'call') return x.args.some((y) => this.readsRange(y));
    if (x.kind === 'unary') return this.readsRange(x.operand);
    if (x.kind === 'binary') return this.readsRange(x.left) || this.readsRange(x.right);
    return false;
  }

  /** SUM/PROD/VMIN/VMAX over the `dim!` subscripts of `arg`, expanded element by element. */
  private vector(op: 'sum' | 'prod' | 'min' | 'max', arg: VExpr, ctx: Ctx): Expr {
    const bangs = bangRanges([arg]);
    if (bangs.length === 0)
      this.refuse(`${op.toUpperCase()} needs an argument summed over a range (x[range!])`, ctx);
    let combos: string[][] = [[]];
    for (const b of bangs) {
      const d = this.dims.get(b);
      if (!d) this.refuse(`${b}! is not a subscript range`, ctx);
      combos = combos.flatMap((c) => d!.keys.map((e) => [...c, e]));
    }
    const unbang = (x: VExpr): VExpr => {
      if (x.kind === 'ref' || x.kind === 'call') {
        const subscripts = x.subscripts ? x.subscripts.map((s) => ({ name: s.name, bang: false })) : null;
        if (x.kind === 'ref') return { ...x, subscripts };
        return { ...x, subscripts, args: x.args.map(unbang) };
      }
      if (x.kind === 'unary') return { ...x, operand: unbang(x.operand) };
      if (x.kind === 'binary') return { ...x, left: unbang(x.left), right: unbang(x.right) };
      return x;
    };
    const plain = unbang(arg);
    const arrayed = ctx.subst !== null || ctx.eq.subs.length > 0;
    if (arrayed && !ctx.initial && combos.length > 1 && !this.readsRange(arg)) {
      // The same total for every element: computed once, in a variable of its own.
      const signature = JSON.stringify([op, plain]);
      let name = this.hoisted.get(signature);
      if (name === undefined) {
        name = `${op} ${this.hoisted.size + 1} in ${ctx.eq.name}`;
        this.hoisted.set(signature, name);
        const key = canonicalName(name);
        this.varDims.set(key, []);
        const inner = { eq: ctx.eq, subst: new Map<string, string>() };
        const terms = combos.map((c) => {
          inner.subst = new Map(bangs.map((b, i) => [b, c[i]!]));
          return this.tr(plain, inner);
        });
        const expr: Expr =
          op === 'min' || op === 'max'
            ? { kind: 'call', fn: op, args: terms }
            : balanced(op === 'sum' ? '+' : '*', terms);
        this.model.addDefinition(
          variableDef({
            kind: 'aux',
            name,
            key,
            equation: this.exprDef(expr, ctx.eq),
            source: { file: this.file, line: ctx.eq.entry.line },
          }),
        );
      }
      return { kind: 'ref', name: canonicalName(name), subscripts: null };
    }
    const terms = combos.map((c) => {
      const subst = new Map(ctx.subst ?? []);
      if (!ctx.subst) {
        // Keep the left side's dimensions as names: bind them to themselves.
        for (const s of ctx.eq.subs) if (s.isDim) subst.set(s.key, s.key);
      }
      bangs.forEach((b, i) => {
        subst.set(b, c[i]!);
      });
      return this.tr(plain, { eq: ctx.eq, subst });
    });
    if (op === 'min' || op === 'max') return { kind: 'call', fn: op, args: terms };
    return balanced(op === 'sum' ? '+' : '*', terms);
  }
}

/** The ranges marked `range!` in the subscripts of `exprs`, canonical names, in order of appearance. */
function bangRanges(exprs: readonly VExpr[]): string[] {
  const bangs: string[] = [];
  const visit = (x: VExpr): void => {
    if ((x.kind === 'ref' || x.kind === 'call') && x.subscripts) {
      for (const s of x.subscripts) {
        const k = canonicalName(s.name);
        if (s.bang && !bangs.includes(k)) bangs.push(k);
      }
    }
    if (x.kind === 'call') x.args.forEach(visit);
    else if (x.kind === 'unary') visit(x.operand);
    else if (x.kind === 'binary') {
      visit(x.left);
      visit(x.right);
    }
  };
  for (const x of exprs) visit(x);
  return bangs;
}

/** `t1 op t2 op ...` as a balanced tree (a sum of 10,000 elements stays 14 levels deep). */
function balanced(op: '+' | '*', terms: Expr[]): Expr {
  if (terms.length === 1) return terms[0]!;
  const mid = terms.length >> 1;
  return {
    kind: 'binary',
    op,
    left: balanced(op, terms.slice(0, mid)),
    right: balanced(op, terms.slice(mid)),
  };
}

/** The XMILE `IF c THEN a ELSE b` node. */
function ifExpr(condition: Expr, then: Expr, otherwise: Expr): Expr {
  return { kind: 'if', condition, then, else: otherwise };
}

/** The two arguments of `ACTIVE INITIAL(expr, init)`, the whole equation of `eq`. */
function activeParts(eq: VarEq): { expr: VExpr; init: VExpr } {
  const e = eq.expr;
  if (e?.kind !== 'call' || normFn(e.fn) !== 'ACTIVE INITIAL' || e.args.length !== 2) {
    throw new VensimError(
      `line ${eq.entry.line}: variable ${JSON.stringify(eq.name)}: ACTIVE INITIAL(expression, initial) must be the whole equation of every element`,
      { code: 'PARSE' },
    );
  }
  return { expr: e.args[0]!, init: e.args[1]! };
}

/** `, GET XLS DATA` when the equation calls a GET function, else ''. */
function getName(rhs: string | null): string {
  const m = /\b(GET\s+\w+\s+\w+)\s*\(/i.exec(rhs ?? '');
  return m ? `, ${normFn(m[1]!)}` : '';
}

/** Upper-case function name with single blanks (`if then else` -> `IF THEN ELSE`). */
function normFn(name: string): string {
  return name
    .replace(/[\s_]+/g, ' ')
    .trim()
    .toUpperCase();
}
