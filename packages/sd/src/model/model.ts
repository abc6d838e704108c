/**
 * The model representation: what an SD model is made of, independent of how it was written
 * (TypeScript calls or an XMILE file) and of how it runs (see `compiler/` and `runner/`).
 */
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys, requireFinite, requirePositive } from '@twinkit/core/internal';
import type { Expr } from '../expression';
import { isBlankEquation, parseEquation } from '../expression/parser';
import { canonicalName, displayName } from '../names';

/** XMILE integration method names, plus the adaptive Dormand–Prince method. */
export type IntegrationMethod = 'euler' | 'rk2' | 'rk4' | 'rk45';

/** Simulation specs: the time axis of a model (XMILE `<sim_specs>`). */
export interface SimSpecs {
  /** Initial time. */
  start: number;
  /** Final time. */
  stop: number;
  /** Integration step (for `rk45`: the first trial step and the output grid when `saveStep` is unset). */
  dt: number;
  /** Interval between saved rows; defaults to `dt`. */
  saveStep?: number;
  /** Integration method; defaults to `'euler'`. */
  method?: IntegrationMethod;
  /** Time unit label, informative only. */
  timeUnits?: string;
}

/**
 * A read-only view of the model's variables for equations written as TypeScript functions:
 * `view.name` reads the current value of a variable (canonical or display name).
 */
export type VariableView = Readonly<Record<string, number>>;

/** An equation written as a TypeScript function of the variables it reads and the time. */
export type EquationFunction = (view: VariableView, time: number) => number;

/** An equation: XMILE text (`"a * b"`), a number, or a TypeScript function. */
export type Equation = string | number | EquationFunction;

/** Where a definition came from, for error messages. */
export interface SourceLocation {
  file?: string;
  line?: number;
}

/** A compiled-to-be equation. @internal */
export type EquationDef =
  | { kind: 'expr'; expr: Expr; text: string }
  | { kind: 'fn'; fn: EquationFunction; dependsOn: string[] | null }
  | { kind: 'list'; values: number[]; text: string };

/** How a graphical function treats inputs between and beyond its points. */
export type GraphicalType = 'continuous' | 'extrapolate' | 'discrete';

/** A graphical function (lookup table). */
export interface GraphicalFunction {
  /** x-points, strictly increasing. */
  x: number[];
  /** y-points, one per x-point. */
  y: number[];
  /** `continuous` (default) clamps at the ends, `extrapolate` extends the end segments, `discrete` steps. */
  type?: GraphicalType;
}

/** A variable of the model. @internal */
export interface VariableDef {
  kind: 'stock' | 'flow' | 'aux';
  /** Display name, with the module path: `hares.hare density`. */
  name: string;
  /** Canonical name with the module path: `hares.hare_density`. */
  key: string;
  /** Canonical module path ('' at the root); names in equations resolve inside it. */
  scope: string;
  /** Canonical dimension names (arrayed variables). */
  dimensions: string[];
  /** Equation (initial value for stocks); null when the variable has none (module input). */
  equation: EquationDef | null;
  /** Element-wise equations keyed by canonical element names joined with ','. */
  elementEquations: Map<string, EquationDef>;
  inflows: string[];
  outflows: string[];
  nonNegative: boolean;
  graphical: GraphicalFunction | null;
  /** Element-specific graphical functions (keys as in `elementEquations`), applied to the equation. */
  elementGraphicals?: Map<string, GraphicalFunction>;
  /** Set by XMILE module connections: the variable takes this (fully qualified) variable's value. */
  aliasOf: string | null;
  source: SourceLocation;
  /** Unit label as the source gives it (XMILE `<units>`, Vensim's `~ units ~`), informative only. */
  units?: string;
  /** Documentation (XMILE `<doc>`, Vensim's `~ comment |`). */
  doc?: string;
}

/**
 * What a model says of one of its variables, for documentation: the unit label and comment its
 * source gives (units are not checked). Returned by {@link SdModel.describeVariable}.
 */
export interface SdVariableInfo {
  /** Display name, with the module path (`hares.hare density`). */
  name: string;
  /** Stock, flow or auxiliary (constants and graphical functions are auxiliaries). */
  kind: 'stock' | 'flow' | 'aux';
  /** Dimension names of an arrayed variable (empty for a scalar). */
  dimensions: string[];
  /** Unit label (XMILE `<units>`, Vensim's `~ units ~` without its `[min, max]` range), when given. */
  units?: string;
  /** Documentation (XMILE `<doc>`, Vensim's comment), when given. */
  doc?: string;
  /** Where the definition came from. */
  source: SourceLocation;
}

/**
 * A variable definition with the defaults of a plain scalar variable at the root (no equation,
 * elements, flows, limit, graphical function or alias), overridden by `fields`. Every reader builds
 * its definitions through it, so a new field gets its default in one place. @internal
 */
export function variableDef(
  fields: Pick<VariableDef, 'kind' | 'name' | 'key' | 'source'> & Partial<VariableDef>,
): VariableDef {
  return {
    scope: '',
    dimensions: [],
    equation: null,
    elementEquations: new Map(),
    inflows: [],
    outflows: [],
    nonNegative: false,
    graphical: null,
    aliasOf: null,
    ...fields,
  };
}

/** A dimension (subscript range) of arrayed variables. @internal */
export interface DimensionDef {
  name: string;
  key: string;
  elements: string[];
  elementKeys: string[];
}

const SIM_SPECS_KEYS: readonly string[] = ['start', 'stop', 'dt', 'saveStep', 'method', 'timeUnits'];
const CONSTANT_OPTION_KEYS: readonly string[] = ['dimensions', 'units', 'doc', 'source'];
const VARIABLE_OPTION_KEYS: readonly string[] = [
  'dimensions',
  'elements',
  'dependsOn',
  'units',
  'doc',
  'source',
];
const STOCK_OPTION_KEYS: readonly string[] = [
  'initial',
  'inflows',
  'outflows',
  'nonNegative',
  ...VARIABLE_OPTION_KEYS,
];
const FLOW_OPTION_KEYS: readonly string[] = ['nonNegative', ...VARIABLE_OPTION_KEYS];
const GRAPHICAL_OPTION_KEYS: readonly string[] = ['x', 'y', 'type', 'input', ...VARIABLE_OPTION_KEYS];

/** Options shared by every variable. */
export interface VariableOptions {
  /** Dimension names for an arrayed (apply-to-all) variable. */
  dimensions?: string[];
  /** Element-specific equations of an arrayed variable, keyed by element names (`'a'`, `'a,d'`). */
  elements?: Record<string, Equation>;
  /** Names a function equation reads; needed only when tracing cannot see them (see {@link SdModel.aux}). */
  dependsOn?: string[];
  /** Unit label, informative only (see {@link SdModel.describeVariable}). */
  units?: string;
  /** Documentation of the variable, informative only (see {@link SdModel.describeVariable}). */
  doc?: string;
  /** Where the definition came from, used in error messages. */
  source?: SourceLocation;
}

/** Options of {@link SdModel.stock}. */
export interface StockOptions extends VariableOptions {
  /** Initial value: a number, an equation string or a function. Required. */
  initial: Equation;
  /** Flows that add to the stock. */
  inflows?: string[];
  /** Flows that drain the stock. */
  outflows?: string[];
  /** Keeps the stock at or above zero (XMILE `<non_negative/>`). */
  nonNegative?: boolean;
}

/** Options of {@link SdModel.flow}. */
export interface FlowOptions extends VariableOptions {
  /** Keeps the flow at or above zero (a uniflow, XMILE `<non_negative/>`). */
  nonNegative?: boolean;
}

/** Options of {@link SdModel.graphical}. */
export interface GraphicalOptions extends GraphicalFunction, VariableOptions {
  /** The input of the table; omit for a table that is only called as a function (`table(x)`). */
  input?: Equation;
}

function toEquationDef(api: string, name: string, eq: Equation, dependsOn?: string[]): EquationDef {
  if (typeof eq === 'number') {
    requireFinite(api, `the equation of ${JSON.stringify(name)}`, eq);
    return { kind: 'expr', expr: { kind: 'number', value: eq }, text: String(eq) };
  }
  if (typeof eq === 'function') return { kind: 'fn', fn: eq, dependsOn: dependsOn ?? null };
  if (typeof eq !== 'string') {
    throw invalidArgument(api, 'an equation must be a string, a number or a function', eq);
  }
  if (isBlankEquation(eq)) {
    throw invalidArgument(api, `the equation of ${JSON.stringify(name)} must not be empty`, eq);
  }
  try {
    return { kind: 'expr', expr: parseEquation(eq), text: eq };
  } catch (e) {
    if (e instanceof TwinkitError) {
      throw new TwinkitError(`${api}: equation of ${JSON.stringify(name)} does not parse: ${e.message}`, {
        code: 'PARSE',
        cause: e,
      });
    }
    throw e;
  }
}

/**
 * Builds a system dynamics model from stocks, flows, auxiliaries, constants and graphical
 * functions; {@link compileModel} turns it into fast code and {@link SdRun} runs it.
 *
 * @example
 * ```ts
 * const m = new SdModel({ start: 0, stop: 30, dt: 0.125 });
 * m.stock('Teacup Temperature', { initial: 180, outflows: ['Heat Loss'] });
 * m.flow('Heat Loss', '(Teacup_Temperature - Room_Temperature) / Characteristic_Time');
 * m.constant('Room Temperature', 70);
 * m.constant('Characteristic Time', 10);
 * const results = simulate(m);
 * results.series('Teacup Temperature'); // Float64Array, one value per save time
 * ```
 */
export class SdModel {
  /** The time axis. */
  readonly specs: SimSpecs;
  /** @internal */
  readonly variables = new Map<string, VariableDef>();
  /** @internal */
  readonly dimensions = new Map<string, DimensionDef>();

  /** Creates an empty model with the given time axis. */
  constructor(specs: SimSpecs) {
    const api = 'new SdModel(specs)';
    rejectUnknownKeys(api, specs, SIM_SPECS_KEYS, '{ start: 0, stop: 30, dt: 0.25 }');
    requireFinite(api, 'specs.start', specs?.start);
    requireFinite(api, 'specs.stop', specs.stop);
    requirePositive(api, 'specs.dt', specs.dt, 'Pass the integration step, e.g. { dt: 0.25 }.');
    if (specs.stop < specs.start) {
      throw invalidArgument(api, `specs.stop must be >= specs.start (${specs.start})`, specs.stop);
    }
    if (specs.saveStep !== undefined) requirePositive(api, 'specs.saveStep', specs.saveStep);
    if (specs.method !== undefined && !['euler', 'rk2', 'rk4', 'rk45'].includes(specs.method)) {
      throw invalidArgument(
        api,
        'specs.method must be one of euler, rk2, rk4, rk45',
        specs.method,
        'XMILE names "Euler", "RK2", "RK4" are accepted by the XMILE reader.',
      );
    }
    this.specs = { ...specs };
  }

  /** Declares a dimension (subscript range) by its element names or by its size (elements "1".."n"). */
  dimension(name: string, elements: string[] | number): this {
    const api = 'SdModel.dimension(name, elements)';
    const list =
      typeof elements === 'number'
        ? Array.from({ length: elements }, (_, i) => String(i + 1))
        : elements.map((e) => displayName(e));
    if (list.length === 0) throw invalidArgument(api, 'a dimension needs at least one element', elements);
    const key = canonicalName(name);
    if (this.dimensions.has(key)) throw invalidArgument(api, 'dimension names must be unique', name);
    this.dimensions.set(key, { name, key, elements: list, elementKeys: list.map(canonicalName) });
    return this;
  }

  /** Adds a stock (a level that integrates its inflows minus its outflows). */
  stock(name: string, options: StockOptions): this {
    const api = 'SdModel.stock(name, options)';
    rejectUnknownKeys(api, options, STOCK_OPTION_KEYS, "{ initial: 100, inflows: ['births'] }");
    if (options === undefined || (options.initial === undefined && options.elements === undefined)) {
      throw invalidArgument(
        api,
        `stock ${JSON.stringify(name)} needs an initial value`,
        options?.initial,
        'Pass { initial: 100 } or an equation string.',
      );
    }
    const def = this.add(api, 'stock', name, options);
    def.equation =
      options.initial === undefined ? null : toEquationDef(api, name, options.initial, options.dependsOn);
    def.inflows = (options.inflows ?? []).map((f) => canonicalName(f));
    def.outflows = (options.outflows ?? []).map((f) => canonicalName(f));
    def.nonNegative = options.nonNegative ?? false;
    return this;
  }

  /** Adds a flow (a rate that stocks name as inflow or outflow). */
  flow(name: string, equation: Equation, options: FlowOptions = {}): this {
    const api = 'SdModel.flow(name, equation)';
    rejectUnknownKeys(
      'SdModel.flow(name, equation, options)',
      options,
      FLOW_OPTION_KEYS,
      '{ nonNegative: true }',
    );
    const def = this.add(api, 'flow', name, options);
    def.equation = toEquationDef(api, name, equation, options.dependsOn);
    def.nonNegative = options.nonNegative ?? false;
    return this;
  }

  /**
   * Adds an auxiliary: an equation string (`'a * b'`), or a function `(v, time) => v.a * v.b`.
   * A function's inputs are found by calling it once with a recording view; list them in
   * `dependsOn` when some are read only on branches that recording call does not take.
   */
  aux(name: string, equation: Equation, options: VariableOptions = {}): this {
    const api = 'SdModel.aux(name, equation)';
    rejectUnknownKeys(
      'SdModel.aux(name, equation, options)',
      options,
      VARIABLE_OPTION_KEYS,
      "{ units: 'people' }",
    );
    const def = this.add(api, 'aux', name, options);
    def.equation = toEquationDef(api, name, equation, options.dependsOn);
    return this;
  }

  /** Adds a constant: an auxiliary with a fixed number that events may change (a parameter). */
  constant(name: string, value: number, options: Omit<VariableOptions, 'elements' | 'dependsOn'> = {}): this {
    requireFinite('SdModel.constant(name, value)', `the value of ${JSON.stringify(name)}`, value);
    rejectUnknownKeys(
      'SdModel.constant(name, value, options)',
      options,
      CONSTANT_OPTION_KEYS,
      "{ units: 'people' }",
    );
    return this.aux(name, value, options);
  }

  /** Adds a graphical function (lookup table) applied to `input`, or callable as `name(x)`. */
  graphical(name: string, options: GraphicalOptions): this {
    const api = 'SdModel.graphical(name, options)';
    rejectUnknownKeys(api, options, GRAPHICAL_OPTION_KEYS, "{ x: [0, 1], y: [0, 2], input: 'load' }");
    const gf = validateGraphical(api, name, options);
    const def = this.add(api, 'aux', name, options);
    def.graphical = gf;
    def.equation = options.input === undefined ? null : toEquationDef(api, name, options.input);
    return this;
  }

  /**
   * Describes a variable: its kind, dimensions, and the unit label and documentation its source
   * gives (a reader's XMILE `<units>`/`<doc>` or Vensim `~ units ~ comment |`, or the `units`/`doc`
   * options). Names are matched as in equations (case-insensitive, spaces and underscores equivalent).
   *
   * @example
   * ```ts
   * const m = new SdModel({ start: 0, stop: 10, dt: 1 });
   * m.constant('Room Temperature', 70, { units: 'degF', doc: 'Air around the cup.' });
   * m.describeVariable('room_temperature').units; // 'degF'
   * ```
   */
  describeVariable(name: string): SdVariableInfo {
    const def = this.variables.get(canonicalName(String(name)));
    if (!def) {
      throw invalidArgument(
        'SdModel.describeVariable(name)',
        'name must designate a variable of the model',
        name,
        'describeVariables() lists them.',
      );
    }
    return describe(def, this.dimensions);
  }

  /** Describes every variable of the model (see {@link SdModel.describeVariable}), in model order. */
  describeVariables(): SdVariableInfo[] {
    return [...this.variables.values()].map((def) => describe(def, this.dimensions));
  }

  /** @internal Adds a variable definition built by a reader (XMILE). */
  addDefinition(def: VariableDef): void {
    if (this.variables.has(def.key)) {
      throw invalidArgument(
        'SdModel',
        'variable names must be unique (case-insensitive, spaces and underscores equivalent)',
        def.name,
        'Rename one of the two variables.',
      );
    }
    this.variables.set(def.key, def);
  }

  private add(api: string, kind: VariableDef['kind'], name: string, options: VariableOptions): VariableDef {
    if (typeof name !== 'string' || canonicalName(name) === '') {
      throw invalidArgument(api, 'a variable needs a non-empty name', name);
    }
    const key = canonicalName(name);
    const def = variableDef({
      kind,
      name: displayName(name),
      key,
      scope: key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '',
      dimensions: (options.dimensions ?? []).map((d) => canonicalName(d)),
      source: options.source ?? {},
      ...(options.units !== undefined ? { units: options.units } : {}),
      ...(options.doc !== undefined ? { doc: options.doc } : {}),
    });
    for (const [element, eq] of Object.entries(options.elements ?? {})) {
      const elementKey = element
        .split(',')
        .map((e) => canonicalName(e))
        .join(',');
      def.elementEquations.set(elementKey, toEquationDef(api, `${name}[${element}]`, eq, options.dependsOn));
    }
    this.addDefinition(def);
    return def;
  }
}

function describe(def: VariableDef, dimensions: Map<string, DimensionDef>): SdVariableInfo {
  return {
    name: def.name,
    kind: def.kind,
    dimensions: def.dimensions.map((d) => dimensions.get(d)?.name ?? d),
    ...(def.units !== undefined ? { units: def.units } : {}),
    ...(def.doc !== undefined ? { doc: def.doc } : {}),
    source: { ...def.source },
  };
}

/** Checks a graphical function's points. @internal */
export function validateGraphical(api: string, name: string, gf: GraphicalFunction): GraphicalFunction {
  const { x, y } = gf;
  if (!Array.isArray(x) || !Array.isArray(y) || x.length === 0 || x.length !== y.length) {
    throw invalidArgument(
      api,
      `graphical function ${JSON.stringify(name)} needs as many x-points as y-points (at least one)`,
      { x: x?.length, y: y?.length },
    );
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw invalidArgument(api, `graphical function ${JSON.stringify(name)} has a non-finite point`, [
        x[i],
        y[i],
      ]);
    }
    if (i > 0 && x[i]! < x[i - 1]!) {
      throw invalidArgument(
        api,
        `graphical function ${JSON.stringify(name)} needs non-decreasing x-points`,
        x,
      );
    }
  }
  const type = gf.type ?? 'continuous';
  if (!['continuous', 'extrapolate', 'discrete'].includes(type)) {
    throw invalidArgument(api, 'graphical type must be continuous, extrapolate or discrete', type);
  }
  return { x: [...x], y: [...y], type };
}
