/**
 * Reads XMILE (`.xmile`, `.stmx`) models into an {@link SdModel}: sim specs, stocks, flows,
 * auxiliaries, graphical functions, modules (flattened with dotted names), non-negative stocks
 * and flows, 1-D and 2-D arrays, macros (expanded per call, see `./macro.ts`). Anything not supported fails with an error that names the
 * construct, the variable and the file.
 */
import { TwinkitError } from '@twinkit/core';
import { rejectUnknownKeys } from '@twinkit/core/internal';
import { EquationSyntaxError, type Expr, isBlankEquation, parseEquation } from '../expression/parser';
import {
  type GraphicalFunction,
  type GraphicalType,
  type IntegrationMethod,
  SdModel,
  type SimSpecs,
} from '../model';
import { type EquationDef, type VariableDef, validateGraphical } from '../model/model';
import { canonicalName, displayName } from '../names';
import { expandMacroCalls, readMacros, type XmileMacro } from './macro';
import { child, children, parseXml, type XmlElement } from './xml';

/** Signals an XMILE file that cannot be read: names the file, the variable and the construct. */
export class XmileError extends TwinkitError {}

/** Options of {@link parseXmile}. */
export interface ParseXmileOptions {
  /** File name used in error messages. */
  file?: string;
}

const METHOD_NAMES: Record<string, IntegrationMethod> = {
  euler: 'euler',
  rk2: 'rk2',
  rk4: 'rk4',
  rk45: 'rk45',
  'runge-kutta 4': 'rk4',
  'runge-kutta 2': 'rk2',
};

/** Elements that carry layout or grouping only; the model's meaning does not depend on them. */
const IGNORED_VARIABLE_ELEMENTS = new Set([
  'group',
  'button',
  'text_box',
  'graphics_frame',
  'alias',
  // Legacy files put variables directly in <model>, next to these layout elements.
  'display',
  'interface',
  'views',
  'style',
  'simulation_delay',
]);

/**
 * Parses an XMILE document (its text) into a model. Works anywhere, a browser included; to read a
 * file from disk in Node, use `loadXmile(path)` from `@twinkit/sd/node`.
 *
 * @example
 * ```ts
 * const model = parseXmile(await (await fetch('/models/SIR.xmile')).text(), { file: 'SIR.xmile' });
 * const results = simulate(model);
 * ```
 */
export function parseXmile(source: string, options: ParseXmileOptions = {}): SdModel {
  rejectUnknownKeys('parseXmile(source, options)', options, ['file'], "{ file: 'model.xmile' }");
  return new XmileReader(source, options.file ?? '<xmile>').read();
}

/**
 * Parses an XMILE document (its text) into a model.
 *
 * @deprecated Use {@link parseXmile}: the same function under the name that says it parses text
 * (`loadXmile` in `@twinkit/sd/node` reads a file). Removed in the next release.
 */
export const readXmile: (source: string, options?: ParseXmileOptions) => SdModel = parseXmile;

/**
 * Options of {@link parseXmile}.
 *
 * @deprecated Use {@link ParseXmileOptions}. Removed in the next release.
 */
export type ReadXmileOptions = ParseXmileOptions;

function parseNumber(text: string): number {
  const t = text.trim();
  return t === '' ? Number.NaN : Number(t);
}

class XmileReader {
  private readonly models = new Map<string, XmlElement>();
  private nonNegativeStocks = false;
  private nonNegativeFlows = false;
  private model!: SdModel;
  private macros = new Map<string, XmileMacro>();
  /** Calls of macros whose names have blanks, written with the blanks (as xmutil does). */
  private spacedMacroCalls: { pattern: RegExp; key: string }[] = [];
  /** The display-name prefix of each module scope (for the variables of macro calls). */
  private readonly namePrefixes = new Map<string, string>([['', '']]);

  constructor(
    private readonly source: string,
    private readonly file: string,
  ) {}

  private fail(message: string, el?: XmlElement | { line?: number }, variable?: string): never {
    const at = el?.line !== undefined ? ` line ${el.line}` : '';
    const v = variable ? `variable ${JSON.stringify(variable)}: ` : '';
    throw new XmileError(`${this.file}${at}: ${v}${message}`, {
      code: 'PARSE',
      details: { file: this.file, line: el?.line, variable },
    });
  }

  read(): SdModel {
    const root = parseXml(this.source, this.file);
    if (root.name !== 'xmile') this.fail(`the root element is <${root.name}>, expected <xmile>`, root);
    const specs = this.readSpecs(root);
    this.model = new SdModel(specs);
    for (const dims of children(root, 'dimensions')) {
      for (const dim of children(dims, 'dim')) this.readDimension(dim);
    }
    const behavior = child(root, 'behavior');
    if (behavior) {
      if (child(behavior, 'non_negative')) {
        this.nonNegativeStocks = true;
        this.nonNegativeFlows = true;
      }
      const s = child(behavior, 'stock');
      if (s && child(s, 'non_negative')) this.nonNegativeStocks = true;
      const f = child(behavior, 'flow');
      if (f && child(f, 'non_negative')) this.nonNegativeFlows = true;
    }
    const modelEls = children(root, 'model');
    if (modelEls.length === 0) this.fail('no <model> element', root);
    for (const m of modelEls) {
      const name = m.attributes['name'];
      if (name !== undefined) this.models.set(canonicalName(name), m);
    }
    const main = modelEls.find((m) => m.attributes['name'] === undefined) ?? modelEls[0]!;
    for (const m of children(root, 'macro')) {
      const words = (m.attributes['name'] ?? '').trim().split(/[\s_]+/);
      if (words.length < 2 || words.some((w) => !/^\w+$/.test(w))) continue;
      this.spacedMacroCalls.push({
        pattern: new RegExp(`(?<![\\w."])${words.join('[\\s_]+')}(?=\\s*\\()`, 'gi'),
        key: canonicalName(words.join(' ')),
      });
    }
    this.macros = readMacros(children(root, 'macro'), {
      fail: (message, el, variable) => this.fail(message, el, variable),
      readEquation: (el, name) => this.readEquation(el, name, false),
      nonNegative: (v) => this.readNonNegative(v),
    });
    this.readModel(main, '', '', new Map(), new Set([main]));
    if (this.macros.size > 0) {
      expandMacroCalls(this.model, this.macros, this.namePrefixes, this.file, (message, line, variable) =>
        this.fail(message, { line }, variable),
      );
    }
    return this.model;
  }

  private readSpecs(root: XmlElement): SimSpecs {
    const el = child(root, 'sim_specs');
    if (!el) this.fail('no <sim_specs> element (start, stop and dt are required)', root);
    const value = (name: string, required: boolean): number | undefined => {
      const c = child(el!, name);
      if (!c) {
        if (required) this.fail(`<sim_specs> has no <${name}>`, el);
        return undefined;
      }
      const x = parseNumber(c.text);
      if (!Number.isFinite(x)) this.fail(`<${name}> must be a number, got ${JSON.stringify(c.text)}`, c);
      if (name === 'dt' && (c.attributes['reciprocal'] ?? '').toLowerCase() === 'true') return 1 / x;
      return x;
    };
    const start = value('start', true)!;
    const stop = value('stop', true)!;
    const dt = value('dt', false) ?? 1;
    const saveStep =
      value('save_step', false) ??
      value('savestep', false) ??
      (el!.attributes['save_interval'] ? parseNumber(el!.attributes['save_interval']) : undefined);
    const methodName = (el!.attributes['method'] ?? 'euler').trim().toLowerCase();
    const method = METHOD_NAMES[methodName];
    if (!method) {
      this.fail(
        `integration method ${JSON.stringify(el!.attributes['method'])} is not supported (use Euler, RK2 or RK4)`,
        el,
      );
    }
    const specs: SimSpecs = { start, stop, dt, method: method! };
    if (saveStep !== undefined && Number.isFinite(saveStep) && saveStep > 0) specs.saveStep = saveStep;
    if (el!.attributes['time_units']) specs.timeUnits = el!.attributes['time_units'];
    return specs;
  }

  private readDimension(dim: XmlElement): void {
    const name = dim.attributes['name'];
    if (!name) this.fail('a <dim> has no name', dim);
    const elems = children(dim, 'elem').map((e) => e.attributes['name'] ?? '');
    if (elems.length > 0) this.model.dimension(name!, elems);
    else {
      const size = parseNumber(dim.attributes['size'] ?? '');
      if (!Number.isInteger(size) || size < 1) {
        this.fail(`dimension ${JSON.stringify(name)} needs <elem> children or a size >= 1`, dim);
      }
      this.model.dimension(name!, size);
    }
  }

  private readModel(
    el: XmlElement,
    keyPrefix: string,
    namePrefix: string,
    connections: Map<string, string>,
    visiting: Set<XmlElement>,
  ): void {
    // Legacy (pre-1.0) files put variables directly in <model>.
    const variables = child(el, 'variables') ?? el;
    const scope = keyPrefix.endsWith('.') ? keyPrefix.slice(0, -1) : keyPrefix;
    this.namePrefixes.set(scope, namePrefix);
    const conveyors: { def: VariableDef; el: XmlElement }[] = [];
    const leaks: { def: VariableDef; el: XmlElement; flow: XmlElement }[] = [];
    const unset: { def: VariableDef; el: XmlElement }[] = [];
    const queues: { def: VariableDef; el: XmlElement; stock: XmlElement }[] = [];
    for (const v of variables.children) {
      // Vendor extensions (<isee:dependencies>, ...) repeat or annotate what the standard elements say.
      if (IGNORED_VARIABLE_ELEMENTS.has(v.name) || v.prefix !== '') continue;
      if (v.name === 'module') {
        this.readModule(v, keyPrefix, namePrefix, visiting);
        continue;
      }
      if (v.name !== 'stock' && v.name !== 'flow' && v.name !== 'aux' && v.name !== 'gf') {
        this.fail(`<${v.name}> is not a supported XMILE variable element`, v, v.attributes['name']);
      }
      const rawName = v.attributes['name'];
      if (rawName === undefined) this.fail(`a <${v.name}> has no name`, v);
      const key = keyPrefix + canonicalName(rawName!);
      const def: VariableDef = {
        kind: v.name === 'gf' ? 'aux' : (v.name as VariableDef['kind']),
        name: namePrefix + displayName(rawName!),
        key,
        scope,
        dimensions: this.readDims(v),
        equation: null,
        elementEquations: new Map(),
        inflows: children(v, 'inflow').map((f) => canonicalName(f.text)),
        outflows: children(v, 'outflow').map((f) => canonicalName(f.text)),
        nonNegative: this.readNonNegative(v),
        graphical: null,
        aliasOf: connections.get(canonicalName(rawName!)) ?? null,
        source: { file: this.file, line: v.line },
      };
      // <units> and <doc>: kept as documentation (SdModel.describeVariable), not checked.
      const units = child(v, 'units')?.text.trim();
      if (units) def.units = units;
      const doc = child(v, 'doc')?.text.trim();
      if (doc) def.doc = doc;
      if (v.name === 'gf') def.graphical = this.readGraphical(v, def.name);
      else {
        const gf = child(v, 'gf');
        if (gf) def.graphical = this.readGraphical(gf, def.name);
      }
      if (def.aliasOf === null) {
        const eqns = children(v, 'eqn');
        if (eqns.length === 1)
          def.equation = this.readEquation(eqns[0]!, def.name, def.dimensions.length > 0);
        else if (eqns.length > 1) this.readElementList(eqns, def);
        for (const element of children(v, 'element')) {
          const sub = element.attributes['subscript'];
          if (sub === undefined) this.fail('an <element> has no subscript attribute', element, def.name);
          const elementKey = sub!
            .split(',')
            .map((s) => canonicalName(s))
            .join(',');
          const gf = child(element, 'gf');
          if (gf) {
            def.elementGraphicals ??= new Map();
            def.elementGraphicals.set(elementKey, this.readGraphical(gf, `${def.name}[${sub}]`));
          }
          const e = child(element, 'eqn');
          if (!e) {
            // An element graphical function applies to the variable's own equation.
            if (gf && eqns.length === 1) continue;
            this.fail(`element [${sub}] has no <eqn>`, element, def.name);
          }
          const eq = this.readEquation(e!, def.name, false);
          if (eq) def.elementEquations.set(elementKey, eq);
        }
        if (def.kind === 'stock' && !def.equation && def.elementEquations.size === 0) {
          this.fail('stock has no initial value (<eqn>)', v, def.name);
        }
        this.readInitEquation(v, def);
        if (def.kind !== 'stock' && !def.equation && def.elementEquations.size === 0 && !def.graphical) {
          // A conveyor's outflow may have none (the conveyor gives its value): checked below.
          if (def.kind === 'flow') unset.push({ def, el: v });
          else this.fail(`${v.name} has no equation (<eqn>)`, v, def.name);
        }
      }
      if (v.name === 'stock') {
        const queue = child(v, 'queue');
        if (queue) queues.push({ def, el: queue, stock: v });
        const conveyor = child(v, 'conveyor');
        if (conveyor) conveyors.push({ def, el: conveyor });
      }
      if (v.name === 'flow') {
        const leak = child(v, 'leak');
        if (leak) leaks.push({ def, el: leak, flow: v });
        for (const name of ['overflow', 'queue_overflow']) {
          const x = child(v, name);
          if (x) this.fail(`<${name}/> (queue and conveyor overflows) is not supported`, x, def.name);
        }
      }
      this.model.addDefinition(def);
    }
    for (const leak of leaks) {
      for (const option of ['leak_integers', 'leak_start', 'leak_end']) {
        const x = child(leak.el, option) ?? child(leak.flow, option);
        if (x) this.fail(`<${option}> of a conveyor leakage flow is not supported`, x, leak.def.name);
      }
    }
    for (const q of queues) this.readQueue(q.def, q.el, q.stock, keyPrefix, conveyors);
    const leakKeys = new Set(leaks.map((l) => l.def.key));
    const conveyorOutflows = new Set(conveyors.flatMap((c) => c.def.outflows.map((f) => keyPrefix + f)));
    for (const c of conveyors) this.readConveyor(c.def, c.el, keyPrefix, leakKeys, conveyorOutflows);
    for (const leak of leaks) {
      if (!conveyors.some((c) => c.def.outflows.some((f) => keyPrefix + f === leak.def.key))) {
        this.fail('<leak/> flow is not an outflow of a conveyor', leak.el, leak.def.name);
      }
    }
    for (const f of unset) if (!f.def.equation) this.fail('flow has no equation (<eqn>)', f.el, f.def.name);
  }

  /**
   * A conveyor (XMILE 4.3) with a constant transit time `<len>`: what enters leaves `len` later,
   * and the initial contents (the stock's `<eqn>`) are spread evenly along it, so they leave at
   * `initial / len` per time unit during the first `len`. The conveyor's one outflow that is not a
   * leak takes that value (its own `<eqn>`, if any, is replaced): a fixed delay of the inflows.
   *
   * Linear leakage: each outflow marked `<leak/>` has a leak fraction as its `<eqn>`, the part of
   * what enters (fraction evaluated when it enters) that leaks, evenly over the whole length: what
   * enters at rate r at time u leaks r * fraction / N at each of the N = len / DT steps it is on the
   * belt, and the normal outflow gets r * (1 - the sum of the fractions) at u + len. With leakage
   * the initial contents are on the belt as if entered at a constant rate before the start, with
   * the start's fractions, and leaked since (isee's steady state; see `$conveyor` in builtins.ts).
   *
   * `<capacity>`: the conveyor's one inflow is limited to the room there is, so the contents never
   * exceed the capacity: `in(t) = MIN(its equation, MAX(0, (capacity - contents(t)) / DT + the
   * outflows and leaks at t))`; what is held back stays upstream (in the stock the inflow drains, or
   * is never sent from a cloud). An inflow that is itself a conveyor's outflow would have to arrest
   * that conveyor: refused. Everything else of a conveyor is refused by name.
   */
  private readConveyor(
    def: VariableDef,
    el: XmlElement,
    keyPrefix: string,
    leakKeys: Set<string>,
    conveyorOutflows: Set<string>,
  ): void {
    for (const option of [
      'in_limit',
      'sample',
      'arrest',
      'discrete',
      'batch_integrity',
      'one_at_a_time',
      'exponential_leak',
      'leak_start',
      'leak_end',
    ]) {
      const x = child(el, option);
      if (x) this.fail(`conveyor <${option}> is not supported (only a conveyor with a <len>)`, x, def.name);
    }
    const len = child(el, 'len');
    if (!len) this.fail('conveyor has no <len> (transit time)', el, def.name);
    if (def.dimensions.length > 0) this.fail('arrayed conveyors are not supported', el, def.name);
    const leakOuts = def.outflows.filter((f) => leakKeys.has(keyPrefix + f));
    const capacityEl = child(el, 'capacity');
    if ((leakOuts.length > 0 || capacityEl) && this.model.specs.method !== 'euler') {
      this.fail(
        `conveyor ${leakOuts.length > 0 ? 'leakage' : '<capacity>'} is supported with Euler integration only ` +
          `(the file asks for ${this.model.specs.method})`,
        el,
        def.name,
      );
    }
    const normal = def.outflows.filter((f) => !leakKeys.has(keyPrefix + f));
    if (normal.length !== 1) {
      this.fail(
        `conveyor has ${normal.length} outflows that are not leaks; only a conveyor with exactly one ` +
          '(and any number of <leak/> flows) is supported',
        el,
        def.name,
      );
    }
    if (def.equation?.kind !== 'expr') {
      this.fail('conveyor needs one <eqn> expression (its initial contents)', el, def.name);
    }
    const lenEq = this.readEquation(len!, def.name, false);
    if (lenEq?.kind !== 'expr') this.fail('conveyor <len> must be one expression', len, def.name);
    const flow = (name: string): VariableDef => {
      const f = this.model.variables.get(keyPrefix + name);
      if (f?.kind !== 'flow') {
        this.fail(`conveyor outflow ${JSON.stringify(name)} is not a flow of the model`, el, def.name);
      }
      return f!;
    };
    const out = flow(normal[0]!);
    const ref = (name: string): Expr => ({ kind: 'ref', name, subscripts: null });
    const num = (value: number): Expr => ({ kind: 'number', value });
    const bin = (op: '+' | '-' | '*', left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
    const input: Expr =
      def.inflows.length === 0 ? num(0) : def.inflows.map(ref).reduce((l, r) => bin('+', l, r));
    const stock = def.scope ? def.key.slice(def.scope.length + 1) : def.key;
    const fractions = leakOuts.map((name) => {
      const leak = flow(name);
      if (leak.equation?.kind !== 'expr') {
        this.fail('a conveyor leakage flow needs one <eqn> expression (its leak fraction)', el, leak.name);
      }
      return { leak, fraction: leak.equation! };
    });
    const total = fractions.map((f) => f.fraction.expr).reduce((l, r) => bin('+', l, r), num(0));
    let kept = input;
    for (const { leak, fraction } of fractions) {
      kept = bin('-', kept, bin('*', input, fraction.expr));
      leak.equation = {
        kind: 'expr',
        expr: {
          kind: 'call',
          fn: '$conveyor_leak',
          args: [bin('*', input, fraction.expr), lenEq!.expr, ref(stock), fraction.expr, total],
        },
        text: `linear leakage of ${def.name} (fraction ${fraction.text}, len ${lenEq!.text})`,
      };
    }
    const capacity = child(el, 'capacity');
    if (capacity) {
      const cap = this.readEquation(capacity, def.name, false);
      if (cap?.kind !== 'expr') this.fail('conveyor <capacity> must be one expression', capacity, def.name);
      if (def.inflows.length !== 1) {
        this.fail(
          `conveyor <capacity> with ${def.inflows.length} inflows is not supported (only one inflow)`,
          capacity,
          def.name,
        );
      }
      const inflow = flow(def.inflows[0]!);
      if (conveyorOutflows.has(inflow.key)) {
        this.fail(
          `conveyor <capacity> fed by another conveyor's outflow ${JSON.stringify(inflow.name)} is not ` +
            'supported (the conveyor upstream would have to arrest)',
          capacity,
          def.name,
        );
      }
      if (inflow.equation?.kind !== 'expr') {
        this.fail('the inflow of a conveyor with <capacity> needs one <eqn> expression', el, inflow.name);
      }
      const leaving = def.outflows.map(ref).reduce((l, r) => bin('+', l, r));
      const room = bin(
        '+',
        { kind: 'binary', op: '/', left: bin('-', cap!.expr, ref(stock)), right: ref('dt') },
        leaving,
      );
      const wanted = inflow.equation!;
      inflow.equation = {
        kind: 'expr',
        expr: {
          kind: 'call',
          fn: 'min',
          args: [wanted.expr, { kind: 'call', fn: 'max', args: [num(0), room] }],
        },
        text: `${wanted.text}, limited by the capacity of ${def.name} (${cap!.text})`,
      };
    }
    out.equation = {
      kind: 'expr',
      expr: { kind: 'call', fn: '$conveyor', args: [kept, lenEq!.expr, ref(stock), total] },
      text: `conveyor output of ${def.name} (len ${lenEq!.text})`,
    };
  }

  /**
   * A queue (XMILE 4.4) with one outflow that is the inflow of a conveyor: each DT the whole queue is
   * offered to the conveyor, `out(t) = queue(t) / DT` (its own `<eqn>`, if any, is replaced), and
   * the conveyor's capacity limits it, so what does not fit waits in the queue. With continuous
   * amounts and one outflow the order of the FIFO is not observable. Options of `<queue>` (batches,
   * several outflows, arrays, a queue that does not feed a conveyor) are refused by name.
   */
  private readQueue(
    def: VariableDef,
    el: XmlElement,
    stockElement: XmlElement,
    keyPrefix: string,
    conveyors: { def: VariableDef; el: XmlElement }[],
  ): void {
    for (const option of el.children) {
      this.fail(`<queue> option <${option.name}> is not supported`, option, def.name);
    }
    if (child(stockElement, 'discrete')) this.fail('discrete queues are not supported', el, def.name);
    if (def.dimensions.length > 0) this.fail('arrayed queues are not supported', el, def.name);
    if (this.model.specs.method !== 'euler') {
      this.fail(
        `<queue> is supported with Euler integration only (the file asks for ${this.model.specs.method})`,
        el,
        def.name,
      );
    }
    if (def.outflows.length !== 1) {
      this.fail(
        `<queue> with ${def.outflows.length} outflows is not supported (only one, into a conveyor)`,
        el,
        def.name,
      );
    }
    const name = def.outflows[0]!;
    const out = this.model.variables.get(keyPrefix + name);
    if (out?.kind !== 'flow') {
      this.fail(`queue outflow ${JSON.stringify(name)} is not a flow of the model`, el, def.name);
    }
    if (!conveyors.some((c) => c.def.inflows.includes(name))) {
      this.fail(
        `<queue> whose outflow ${JSON.stringify(out!.name)} is not the inflow of a conveyor is not supported`,
        el,
        def.name,
      );
    }
    const stock = def.scope ? def.key.slice(def.scope.length + 1) : def.key;
    out!.equation = {
      kind: 'expr',
      expr: {
        kind: 'binary',
        op: '/',
        left: { kind: 'ref', name: stock, subscripts: null },
        right: { kind: 'ref', name: 'dt', subscripts: null },
      },
      text: `the queue ${def.name} offered to its conveyor`,
    };
  }

  private readModule(v: XmlElement, keyPrefix: string, namePrefix: string, visiting: Set<XmlElement>): void {
    const rawName = v.attributes['name'];
    if (!rawName) this.fail('a <module> has no name', v);
    const modelName = canonicalName(v.attributes['model'] ?? rawName!);
    const sub = this.models.get(modelName);
    if (!sub)
      this.fail(
        `module refers to model ${JSON.stringify(modelName)}, which the file does not define`,
        v,
        rawName,
      );
    if (visiting.has(sub!)) this.fail('module includes itself (recursive modules)', v, rawName);
    const moduleKey = keyPrefix + canonicalName(rawName!);
    const connections = new Map<string, string>();
    for (const c of children(v, 'connect')) {
      let to = canonicalName(c.attributes['to'] ?? '');
      const from = canonicalName(c.attributes['from'] ?? '');
      if (!to || !from) this.fail('a <connect> needs both "to" and "from"', c, rawName);
      if (to.startsWith(`${canonicalName(rawName!)}.`)) to = to.slice(canonicalName(rawName!).length + 1);
      connections.set(to, keyPrefix + from.replace(/^\./, ''));
    }
    const subVariables = child(sub!, 'variables') ?? sub!;
    const inner = new Set(subVariables.children.map((c) => canonicalName(c.attributes['name'] ?? '')));
    for (const [to] of connections) {
      if (!inner.has(to)) {
        this.fail(
          `connects to ${JSON.stringify(to)}, which model ${JSON.stringify(modelName)} does not define`,
          v,
          rawName,
        );
      }
    }
    const nextVisiting = new Set(visiting);
    nextVisiting.add(sub!);
    this.readModel(
      sub!,
      `${moduleKey}.`,
      `${namePrefix}${displayName(rawName!)}.`,
      connections,
      nextVisiting,
    );
  }

  /**
   * Some converted files give an arrayed variable one `<eqn>` per element, in row-major element
   * order, instead of `<element subscript="...">` blocks; read them as element equations.
   */
  private readElementList(eqns: XmlElement[], def: VariableDef): void {
    const dims: string[][] = [];
    for (const d of [...new Set(def.dimensions)]) {
      const dim = this.model.dimensions.get(d);
      if (!dim) this.fail(`unknown dimension ${JSON.stringify(d)}`, eqns[0], def.name);
      dims.push(dim!.elementKeys);
    }
    const tuples = dims.reduce<string[][]>((acc, els) => acc.flatMap((t) => els.map((e) => [...t, e])), [[]]);
    if (dims.length === 0 || tuples.length !== eqns.length) {
      this.fail(
        `has ${eqns.length} <eqn> elements; only an arrayed variable may have several, one per element (${tuples.length})`,
        eqns[1],
        def.name,
      );
    }
    eqns.forEach((e, i) => {
      const eq = this.readEquation(e, def.name, false);
      if (eq) def.elementEquations.set(tuples[i]!.join(','), eq);
    });
  }

  private readDims(v: XmlElement): string[] {
    const out: string[] = [];
    const visit = (el: XmlElement) => {
      for (const c of el.children) {
        if (c.name === 'dim') out.push(canonicalName(c.attributes['name'] ?? ''));
        else if (c.name === 'dimensions') visit(c);
      }
    };
    for (const d of children(v, 'dimensions')) visit(d);
    return out;
  }

  private readNonNegative(v: XmlElement): boolean {
    const el = child(v, 'non_negative');
    if (el) return el.text.trim().toLowerCase() !== 'false';
    if (v.name === 'stock') return this.nonNegativeStocks;
    if (v.name === 'flow') return this.nonNegativeFlows;
    return false;
  }

  /**
   * `<init_eqn>` beside `<eqn>` (ACTIVE INITIAL, as Vensim's conversions and Simlin write it): the
   * variable's value while running is its `<eqn>`, initial values read the `<init_eqn>`. Stored as
   * the call ACTIVE_INITIAL(eqn, init_eqn), which the compiler implements.
   */
  private readInitEquation(v: XmlElement, def: VariableDef): void {
    for (const element of children(v, 'element')) {
      const inner = child(element, 'init_eqn');
      if (inner)
        this.fail(
          "<init_eqn> inside an <element> is not supported (give it beside the variable's <eqn>)",
          inner,
          def.name,
        );
    }
    const el = child(v, 'init_eqn');
    if (!el) return;
    if (def.kind === 'stock')
      this.fail('a stock has an <init_eqn>; its <eqn> is already its initial value', el, def.name);
    const init = this.readEquation(el, def.name, false);
    if (!init) return;
    if (init.kind !== 'expr') this.fail('<init_eqn> must be one expression', el, def.name);
    const wrap = (eq: EquationDef): EquationDef => {
      if (eq.kind !== 'expr')
        this.fail('<init_eqn> needs an expression <eqn>, not a list of numbers', el, def.name);
      return {
        kind: 'expr',
        expr: { kind: 'call', fn: 'active_initial', args: [eq.expr, init.expr] },
        text: `ACTIVE_INITIAL(${eq.text}, ${init.text})`,
      };
    };
    if (def.equation) def.equation = wrap(def.equation);
    for (const [k, eq] of def.elementEquations) def.elementEquations.set(k, wrap(eq));
  }

  private readEquation(el: XmlElement, name: string, arrayed: boolean): EquationDef | null {
    let text = el.text;
    // EXPRESSION MACRO(x) calls the macro "EXPRESSION MACRO": read it as EXPRESSION_MACRO(x).
    for (const call of this.spacedMacroCalls) text = text.replace(call.pattern, call.key);
    if (isBlankEquation(text)) return null;
    if (text.includes('???')) {
      this.fail(
        'equation is "???" (a failed conversion left no equation); fix the model in its source tool',
        el,
        name,
      );
    }
    const trimmed = text.trim();
    if (arrayed && /^[-+0-9.eE\s,;]+$/.test(trimmed) && /[,;]/.test(trimmed)) {
      const values = trimmed
        .split(/[,;]/)
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(Number);
      if (values.some((x) => !Number.isFinite(x)))
        this.fail(`malformed list of numbers ${JSON.stringify(trimmed)}`, el, name);
      return { kind: 'list', values, text: trimmed };
    }
    let expr: Expr;
    try {
      expr = parseEquation(text);
    } catch (e) {
      if (e instanceof EquationSyntaxError) {
        const call = /([A-Za-z_][\w]*(?:\s+[A-Za-z_][\w]*)+)\s*\(/.exec(trimmed);
        if (call && !/\b(if|then|else|and|or|not|mod)\b/i.test(call[1]!)) {
          this.fail(
            `calls ${JSON.stringify(call[1])}, which is neither a builtin nor defined by a <macro> in the file`,
            el,
            name,
          );
        }
        this.fail(`equation does not parse: ${e.message}`, el, name);
      }
      throw e;
    }
    return { kind: 'expr', expr, text: trimmed };
  }

  private readGraphical(gf: XmlElement, name: string): GraphicalFunction {
    const api = `${this.file} line ${gf.line}`;
    const list = (el: XmlElement | undefined): number[] | null => {
      if (!el) return null;
      const sep = el.attributes['sep'] ?? ',';
      const items = el.text.split(sep).map((s) => s.trim());
      const values = items.filter((s) => s !== '').map(Number);
      if (values.some((x) => !Number.isFinite(x)))
        this.fail(`graphical function has a non-number point in ${JSON.stringify(el.text)}`, el, name);
      return values;
    };
    const y = list(child(gf, 'ypts'));
    if (!y || y.length === 0) this.fail('graphical function has no <ypts>', gf, name);
    let x = list(child(gf, 'xpts'));
    if (!x) {
      const xscale = child(gf, 'xscale');
      if (!xscale) this.fail('graphical function has neither <xpts> nor <xscale>', gf, name);
      const min = parseNumber(xscale!.attributes['min'] ?? '');
      const max = parseNumber(xscale!.attributes['max'] ?? '');
      if (!Number.isFinite(min) || !Number.isFinite(max))
        this.fail('<xscale> needs numeric min and max', xscale, name);
      const count = y!.length;
      x =
        count === 1 ? [min] : Array.from({ length: count }, (_, i) => min + ((max - min) * i) / (count - 1));
    }
    let type: GraphicalType = 'continuous';
    const t = (gf.attributes['type'] ?? '').toLowerCase();
    if (t === 'extrapolate' || t === 'discrete' || t === 'continuous') type = t;
    else if (t !== '') this.fail(`graphical function type ${JSON.stringify(t)} is not supported`, gf, name);
    if ((gf.attributes['discrete'] ?? '').toLowerCase() === 'true') type = 'discrete';
    return validateGraphical(api, name, { x, y: y!, type });
  }
}
