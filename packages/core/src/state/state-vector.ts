import { formatValue, invalidArgument, rejectUnknownKeys, TwinkitError } from '../errors';

/** How a state variable is defined: a plain value, or an owner-defined getter (and optional setter). */
export type StateVariableOptions =
  | {
      /** Initial value of a plain variable (default 0). Plain variables are writable. */
      initial?: number;
      get?: undefined;
      set?: undefined;
      /** Unit of measure, for reports and adapters (e.g. `'celsius'`). */
      unit?: string;
      /** What the variable means. */
      description?: string;
    }
  | {
      initial?: undefined;
      /** Reads the current value from its owner (a stock, a resource, an agent set). */
      get: () => number;
      /**
       * Writes the value through its owner, so a correction is consistent with the model. Without
       * `set` the variable is read-only.
       */
      set?: (value: number) => void;
      unit?: string;
      description?: string;
    };

const STATE_VARIABLE_OPTION_KEYS: readonly string[] = ['initial', 'get', 'set', 'unit', 'description'];

/** What {@link StateVector.describe} tells about a variable. */
export interface StateVariableInfo {
  name: string;
  writable: boolean;
  ownerDefined: boolean;
  unit: string | undefined;
  description: string | undefined;
}

interface Variable {
  name: string;
  value: number;
  get: (() => number) | undefined;
  set: ((value: number) => void) | undefined;
  unit: string | undefined;
  description: string | undefined;
}

/** Receives writes made from outside the model, so that forks can replay them. @internal */
export interface StateWriteObserver {
  /** Whether a write now comes from outside the model (only such writes are journaled). */
  isExternal(): boolean;
  /** Called before an external write is applied; returns a function to call after it. */
  beginExternalWrite(names: readonly string[], values: ArrayLike<number>): (() => void) | null;
}

function readOnly(name: string): TwinkitError {
  return new TwinkitError(
    `state.set(${formatValue(name)}): the variable is read-only: its owner registered it with get and no set, so writing it has no defined meaning. Change the model through its owner's API, or register the variable with { get, set }.`,
    { code: 'READ_ONLY', details: { name } },
  );
}

const NAME_RULE = /^[A-Za-z_][\w-]*(?:\[[\w,-]+\])?(?:\.[\w-]+(?:\[[\w,-]+\])?)*$/;

/**
 * A prepared selection of state variables for hot loops (filters): the names are resolved once.
 * Create it with {@link StateVector.select}.
 */
export class StateSelection {
  /** The selected names, in order. */
  readonly names: readonly string[];
  private readonly vector: StateVector;
  private readonly variables: Variable[];

  /** @internal */
  constructor(vector: StateVector, names: readonly string[], variables: Variable[]) {
    this.vector = vector;
    this.names = names;
    this.variables = variables;
  }

  /** Number of selected variables. */
  get length(): number {
    return this.variables.length;
  }

  /** Reads the selected values into `out` (or a new Float64Array) and returns it. */
  read(out?: Float64Array): Float64Array {
    const n = this.variables.length;
    const result = out ?? new Float64Array(n);
    if (result.length !== n) {
      throw invalidArgument(
        'StateSelection.read(out)',
        `out must have length ${n} (one slot per selected variable)`,
        result.length,
      );
    }
    for (let i = 0; i < n; i++) {
      const v = this.variables[i]!;
      result[i] = v.get === undefined ? v.value : v.get();
    }
    return result;
  }

  /** Writes `values` (one per selected variable) through each variable's owner. */
  write(values: ArrayLike<number>): void {
    this.vector.write(this.names, values);
  }
}

/**
 * The named, numeric view of a model that estimation reads and corrects, and that adapters publish.
 * Each paradigm registers its variables under dotted names (`line1.machine.health`); users register
 * their own. Names are unique. Plain variables hold a number; owner-defined variables read and write
 * through their owner, and are read-only unless the owner gives a `set`.
 *
 * @example
 * ```ts
 * sim.state.define('line1.temp', { initial: 20, unit: 'celsius' });
 * sim.state.define('line1.queue.length', { get: () => queue.length }); // read-only
 * sim.state.set('line1.temp', 21.5);
 * const x = sim.state.read(['line1.temp', 'line1.queue.length']); // Float64Array
 * ```
 */
export class StateVector {
  private readonly variables = new Map<string, Variable>();
  private readonly observer: StateWriteObserver | null;

  /** @internal Created by the simulation. */
  constructor(observer: StateWriteObserver | null = null) {
    this.observer = observer;
  }

  /** All registered names, in registration order. */
  get names(): string[] {
    return [...this.variables.keys()];
  }

  /** Number of registered variables. */
  get size(): number {
    return this.variables.size;
  }

  /** Whether a variable with this name exists. */
  has(name: string): boolean {
    return this.variables.has(name);
  }

  /**
   * Registers a variable. Names are dotted identifiers (`line1.machine.health`, `sd.stock[a1]`) and
   * unique.
   *
   * @throws TwinkitError for a malformed or duplicate name, a non-finite initial value, or a `set`
   * without a `get`.
   */
  define(name: string, options: StateVariableOptions = {}): void {
    const api = `state.define(${formatValue(name)})`;
    if (typeof name !== 'string' || !NAME_RULE.test(name)) {
      throw invalidArgument(
        'state.define(name)',
        'name must be a dotted identifier such as "line1.machine.health" (letters, digits, _ and -, segments separated by dots, an optional [index] per segment)',
        name,
      );
    }
    if (this.variables.has(name)) {
      throw new TwinkitError(
        `${api}: a variable with this name is already defined; names in the state vector are unique. Choose another name or prefix (for example "line2.${name}").`,
        { code: 'DUPLICATE', details: { name } },
      );
    }
    rejectUnknownKeys(api, options, STATE_VARIABLE_OPTION_KEYS, '{ initial: 0 }');
    const opts = options as {
      initial?: unknown;
      get?: unknown;
      set?: unknown;
      unit?: string;
      description?: string;
    };
    if (opts.get !== undefined && typeof opts.get !== 'function') {
      throw invalidArgument(api, 'get must be a function returning a number', opts.get);
    }
    if (opts.set !== undefined && typeof opts.set !== 'function') {
      throw invalidArgument(api, 'set must be a function taking a number', opts.set);
    }
    if (opts.set !== undefined && opts.get === undefined) {
      throw invalidArgument(
        api,
        'an owner-defined variable needs get as well as set',
        'set without get',
        'Pass { get, set }.',
      );
    }
    if (opts.get !== undefined && opts.initial !== undefined) {
      throw invalidArgument(
        api,
        'initial is for plain variables; an owner-defined variable reads its value from get',
        opts.initial,
        'Drop initial, or drop get/set.',
      );
    }
    let value = 0;
    if (opts.initial !== undefined) {
      if (typeof opts.initial !== 'number' || !Number.isFinite(opts.initial)) {
        throw invalidArgument(api, 'initial must be a finite number', opts.initial);
      }
      value = opts.initial;
    }
    this.variables.set(name, {
      name,
      value,
      get: opts.get as (() => number) | undefined,
      set: opts.set as ((value: number) => void) | undefined,
      unit: opts.unit,
      description: opts.description,
    });
  }

  /** Removes a variable (its owner is gone); returns whether it existed. */
  remove(name: string): boolean {
    return this.variables.delete(name);
  }

  /** Reads one variable. */
  get(name: string): number {
    const v = this.lookup(name, 'state.get');
    return v.get === undefined ? v.value : v.get();
  }

  /**
   * Writes one variable: a plain variable takes the value; an owner-defined one passes it to its owner.
   *
   * @throws TwinkitError for an unknown or read-only variable or a non-finite value.
   */
  set(name: string, value: number): void {
    if (this.observer?.isExternal()) {
      this.write([name], [value]);
      return;
    }
    // Writes from inside the model (every event of a twin may make some): no arrays, no journal.
    const v = this.lookup(name, 'state.set');
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidArgument(`state.set(${formatValue(name)})`, 'value must be a finite number', value);
    }
    if (v.get !== undefined && v.set === undefined) throw readOnly(name);
    if (v.set !== undefined) v.set(value);
    else v.value = value;
  }

  /** Reads several variables into a new Float64Array, in the order given. */
  read(names: readonly string[]): Float64Array {
    const out = new Float64Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const v = this.lookup(names[i]!, 'state.read');
      out[i] = v.get === undefined ? v.value : v.get();
    }
    return out;
  }

  /**
   * Writes several variables at once; all are validated before any is written.
   *
   * @throws TwinkitError for a length mismatch, an unknown or read-only variable, or a non-finite value.
   */
  write(names: readonly string[], values: ArrayLike<number>): void {
    if (names.length !== values.length) {
      throw invalidArgument(
        'state.write(names, values)',
        `values must have one entry per name (${names.length})`,
        `${values.length} values`,
      );
    }
    const targets: Variable[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = this.lookup(name, 'state.write');
      const value = values[i]!;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalidArgument(`state.set(${formatValue(name)})`, 'value must be a finite number', value);
      }
      if (v.get !== undefined && v.set === undefined) throw readOnly(name);
      targets.push(v);
    }
    const done = this.observer?.beginExternalWrite(names, values) ?? null;
    try {
      for (let i = 0; i < targets.length; i++) {
        const v = targets[i]!;
        const value = values[i]!;
        if (v.set !== undefined) v.set(value);
        else v.value = value;
      }
    } finally {
      done?.();
    }
  }

  /** Resolves names once and returns a selection for repeated reads and writes. */
  select(names: readonly string[]): StateSelection {
    const variables = names.map((name) => this.lookup(name, 'state.select'));
    return new StateSelection(this, [...names], variables);
  }

  /**
   * Reads every variable into a plain object (for reports and publishing).
   *
   * @example
   * ```ts
   * sim.state.define('queue.length', { initial: 3 });
   * sim.state.toObject(); // { 'queue.length': 3 }
   * ```
   */
  toObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of this.variables.values()) out[v.name] = v.get === undefined ? v.value : v.get();
    return out;
  }

  /**
   * Reads every variable into a plain object.
   *
   * @deprecated Use {@link StateVector.toObject}: in twinkit a snapshot is a whole simulation's saved
   * state (`sim.snapshot()`). Removed in the next release.
   */
  snapshot(): Record<string, number> {
    return this.toObject();
  }

  /** Describes a variable: whether it is writable, its unit and meaning. */
  describe(name: string): StateVariableInfo {
    const v = this.lookup(name, 'state.describe');
    return {
      name: v.name,
      writable: v.get === undefined || v.set !== undefined,
      ownerDefined: v.get !== undefined,
      unit: v.unit,
      description: v.description,
    };
  }

  private lookup(name: string, api: string): Variable {
    const v = this.variables.get(name);
    if (v === undefined) {
      const known = [...this.variables.keys()];
      const hint =
        known.length === 0
          ? 'No variables are defined yet.'
          : `Known names include ${known
              .slice(0, 5)
              .map((n) => JSON.stringify(n))
              .join(', ')}${known.length > 5 ? ', ...' : ''}.`;
      throw new TwinkitError(
        `${api}(${formatValue(name)}): no state variable has this name. ${hint} Define it with sim.state.define(name, ...).`,
        {
          code: 'NOT_FOUND',
          details: { name },
        },
      );
    }
    return v;
  }
}
