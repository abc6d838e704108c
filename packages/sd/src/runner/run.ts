/**
 * Runs a compiled model: fixed-step Euler, RK2 (Heun) and RK4, and adaptive Dormand–Prince
 * (RK45) with relative and absolute tolerances (the methods are in `integrators.ts`); saves every
 * output at the save times.
 */
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys, requireFinite, requirePositive } from '@twinkit/core/internal';
import { type CompiledModel, compileModel, type OutputVariable } from '../compiler';
import { createContext, type RuntimeContext, type UniformSource } from '../compiler/runtime';
import { type IntegrationMethod, SdModel } from '../model';
import { Integrator } from './integrators';
import { type ResultColumn, SdResults } from './results';

/** Options of {@link SdRun} and {@link simulate}. */
export interface SdRunOptions {
  /** Overrides the model's integration method. */
  method?: IntegrationMethod;
  /** Overrides the integration step. */
  dt?: number;
  /** Relative tolerance of `rk45` (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance of `rk45` (default 1e-9). */
  atol?: number;
  /**
   * Uniform [0, 1) source for RANDOM, NORMAL and the other random builtins, e.g. a
   * `RandomStream` of `@twinkit/core` (`() => stream.random()`). Required when the model uses them.
   */
  random?: UniformSource;
  /** Parameter values that replace constants before the run starts (by variable name). */
  parameters?: Record<string, number>;
  /** Whether to keep a row per save time (default true); a coupled model may turn it off. */
  record?: boolean;
}

/**
 * Options of {@link SdRun} and {@link simulate}.
 *
 * @deprecated Use {@link SdRunOptions}: `RunOptions` is also the name of `Simulation.run`'s options
 * in `@twinkit/core`. Removed in the next release.
 */
export type RunOptions = SdRunOptions;

const METHODS: readonly IntegrationMethod[] = ['euler', 'rk2', 'rk4', 'rk45'];
/** The keys of {@link SdRunOptions}. @internal */
export const SD_RUN_OPTION_KEYS: readonly string[] = [
  'method',
  'dt',
  'rtol',
  'atol',
  'random',
  'parameters',
  'record',
];

/** A variable of a run resolved once (see {@link SdRun.variable}). */
export interface SdVariableHandle {
  /** The variable's name as the model spells it. */
  readonly name: string;
  /** Reads the variable at the run's current time. */
  get(): number;
  /** Writes a stock or a constant, as {@link SdRun.set} does. */
  set(value: number): void;
}

/**
 * One run of a compiled model: its state, its clock and its saved rows. Runs to the stop time
 * ({@link SdRun.run}) or lazily to any time ({@link SdRun.advanceTo}, used when coupled to a
 * `Simulation`): whole steps on the grid `start + k*dt`, then one partial step to land on the
 * requested time.
 *
 * @example
 * ```ts
 * const run = new SdRun(compileModel(model), { method: 'rk4' });
 * run.advanceTo(12.5);
 * run.get('Teacup Temperature');
 * run.set('Room Temperature', 20); // a parameter change takes effect now
 * const results = run.run();       // continues to the stop time
 * ```
 */

export class SdRun {
  /** The compiled model. */
  readonly model: CompiledModel;
  /** The integration method in use. */
  readonly method: IntegrationMethod;
  /** The integration step (for `rk45`: the save grid, each interval solved adaptively). */
  readonly dt: number;
  private readonly rtol: number;
  private readonly atol: number;
  private readonly values: Float64Array;
  private readonly context: RuntimeContext;
  private readonly record: boolean;
  private currentTime: number;
  private gridIndex = 0;
  private readonly saveEvery: number;
  private readonly rows: SdResultsBuilder;
  private readonly integrator: Integrator;

  /**
   * Prepares a run at the start time, with initial values computed.
   *
   * @param restore - @internal Continues from a saved run instead (no equation is evaluated, so no
   *   random number is drawn); `options` must carry the saved method, dt and tolerances.
   */
  constructor(model: CompiledModel | SdModel, options: SdRunOptions = {}, restore?: SdRunSnapshot) {
    const api = 'new SdRun(model, options)';
    rejectUnknownKeys(api, options, SD_RUN_OPTION_KEYS, "{ method: 'rk4', dt: 0.125 }");
    this.model = model instanceof SdModel ? compileModel(model) : model;
    const specs = this.model.specs;
    this.method = options.method ?? specs.method ?? 'euler';
    if (!METHODS.includes(this.method)) {
      throw invalidArgument(api, `method must be one of ${METHODS.join(', ')}`, this.method);
    }
    this.dt = options.dt === undefined ? specs.dt : requirePositive(api, 'options.dt', options.dt);
    this.rtol = options.rtol === undefined ? 1e-6 : requirePositive(api, 'options.rtol', options.rtol);
    this.atol = options.atol === undefined ? 1e-9 : requirePositive(api, 'options.atol', options.atol);
    if (this.model.tables.usesRandom && options.random === undefined) {
      throw invalidArgument(
        api,
        'the model uses random builtins (RANDOM, NORMAL, ...), so options.random is required',
        options.random,
        "Pass { random: () => sim.rng('sd').random() } or another uniform [0, 1) source.",
      );
    }
    const random =
      options.random ??
      (() => {
        throw new TwinkitError('SdRun: no random source was given.', { code: 'INVALID_STATE' });
      });
    const saveStep = specs.saveStep ?? this.dt;
    const ratio = saveStep / this.dt;
    if (ratio < 1 - 1e-9 || Math.abs(ratio - Math.round(ratio)) > 1e-6 * ratio) {
      throw invalidArgument(
        api,
        `the save step must be a whole multiple of dt (${this.dt})`,
        saveStep,
        'Choose a save step such as dt, 2*dt, ... or a dt that divides it.',
      );
    }
    this.saveEvery = Math.round(ratio);
    this.record = options.record ?? true;
    this.values = new Float64Array(this.model.slotCount);
    this.context = createContext(
      { dt: this.dt, start: specs.start, stop: specs.stop },
      this.model.tables.graphicals,
      this.model.tables.functions.map((f) => f.fn),
      this.model.tables.delayCount,
      random,
      this.model.slotCount,
    );
    this.integrator = new Integrator(this.model, this.values, this.context, this.rtol, this.atol, this.dt);
    // The view (each variable by name) is read only by equation functions: a model without them
    // skips defining a getter per variable (40,000 of them in a 10,000-element 3-D model) per run.
    if (this.model.tables.functions.length > 0) this.defineView();
    this.rows = new SdResultsBuilder(this.model.outputs);
    if (restore) {
      this.currentTime = restore.time;
      this.gridIndex = restore.gridIndex;
      this.integrator.adaptiveStep = restore.adaptiveStep;
      this.values.set(restore.values);
      restore.delays.forEach((h, i) => {
        this.context.dl[i]!.load(h.times, h.values);
      });
      this.context.setSpareNormal(restore.spareNormal);
      return;
    }
    this.currentTime = specs.start;
    const f = this.model.functions;
    const v = this.values;
    f.init(v, this.context, this.currentTime);
    for (const [name, value] of Object.entries(options.parameters ?? {})) this.setParameter(name, value);
    f.aux(v, this.context, this.currentTime);
    this.save();
  }

  /** The current model time. */
  get time(): number {
    return this.currentTime;
  }

  /** Reads a variable (stock, flow or auxiliary; `name[element]` for array elements) at the current time. */
  get(name: string): number {
    return this.values[this.output(name, 'SdRun.get(name)').slot]!;
  }

  /**
   * Writes a stock (the state jumps at the current time) or a constant (a parameter: dependent
   * equations use it from now on). Flows and auxiliaries computed from others cannot be written.
   */
  set(name: string, value: number): void {
    const api = 'SdRun.set(name, value)';
    requireFinite(api, 'value', value);
    this.write(this.output(name, api), value, api);
  }

  /**
   * Resolves a variable once and returns a handle that reads and writes it without looking the name
   * up again: for models that read or write the same variables at every event.
   *
   * @example
   * ```ts
   * const wear = run.variable('wear rate');
   * wear.set(2); // same rules as run.set('wear rate', 2)
   * wear.get();
   * ```
   */
  variable(name: string): SdVariableHandle {
    const api = 'SdRun.variable(name)';
    const out = this.output(name, api);
    const values = this.values;
    const setApi = `SdRun.variable(${JSON.stringify(out.name)}).set(value)`;
    return {
      name: out.name,
      get: () => values[out.slot]!,
      set: (value: number) => {
        requireFinite(setApi, 'value', value);
        this.write(out, value, setApi);
      },
    };
  }

  private write(out: OutputVariable, value: number, api: string): void {
    if (out.kind === 'stock') {
      this.values[out.slot] = value;
    } else if (out.parameter) {
      // A limited outflow's requested value (its slot holds the limited value, set by aux below).
      this.values[out.writeSlot ?? out.slot] = value;
      this.model.functions.constants(this.values, this.context, this.currentTime);
    } else {
      throw new TwinkitError(
        `${api}: ${JSON.stringify(out.name)} is a ${out.kind} computed from its equation, so it cannot be written. ` +
          'Write a stock or a constant (parameter) instead.',
        { code: 'READ_ONLY', details: { name: out.name } },
      );
    }
    this.model.functions.aux(this.values, this.context, this.currentTime);
  }

  /** Changes a constant (parameter); dependent equations use the new value from now on. */
  setParameter(name: string, value: number): void {
    const out = this.output(name, 'SdRun.setParameter(name, value)');
    if (!out.parameter) {
      throw invalidArgument(
        'SdRun.setParameter(name, value)',
        'name must designate a constant (an auxiliary whose equation is a number)',
        name,
        'Use set() for stocks.',
      );
    }
    this.set(name, value);
  }

  /** Integrates to exactly `time` (>= the current time): whole steps on the grid, then a partial step. */
  advanceTo(time: number): void {
    const api = 'SdRun.advanceTo(time)';
    requireFinite(api, 'time', time);
    const tol = this.dt * 1e-9;
    if (time < this.currentTime - tol) {
      throw invalidArgument(api, `time must be >= the current time ${this.currentTime}`, time);
    }
    const start = this.model.specs.start;
    for (;;) {
      if (this.method === 'euler' && this.currentTime === start + this.gridIndex * this.dt) {
        this.eulerWholeSteps(Math.floor((time - start) / this.dt + 1e-9));
      }
      const nextGrid = start + (this.gridIndex + 1) * this.dt;
      if (nextGrid <= time + tol) {
        this.stepTo(nextGrid);
        this.gridIndex++;
        this.currentTime = nextGrid;
        if (this.record && !this.suspendRecording && this.gridIndex % this.saveEvery === 0) this.save();
      } else {
        if (time > this.currentTime + tol) {
          this.stepTo(time);
          this.currentTime = time;
        }
        return;
      }
    }
  }

  /** Runs to the stop time of the sim specs and returns the saved rows. */
  run(): SdResults {
    const { start, stop } = this.model.specs;
    const steps = Math.round((stop - start) / this.dt);
    const end = start + steps * this.dt;
    this.advanceTo(Math.max(this.currentTime, end));
    return this.results();
  }

  /** Returns the rows saved so far. */
  results(): SdResults {
    return this.rows.build();
  }

  /** Copies the current values of every output variable (model order) into a new array. */
  currentValues(): Float64Array {
    const out = new Float64Array(this.model.outputs.length);
    this.model.outputs.forEach((o, i) => {
      out[i] = this.values[o.slot]!;
    });
    return out;
  }

  /**
   * Copies the current values of every output variable (model order) into a new array.
   *
   * @deprecated Use {@link SdRun.currentValues}: in twinkit a snapshot is a whole simulation's saved
   * state (`sim.snapshot()`). Removed in the next release.
   */
  snapshot(): Float64Array {
    return this.currentValues();
  }

  /** @internal The next time on the step grid after the current time. */
  nextGridTime(): number {
    return this.model.specs.start + (this.gridIndex + 1) * this.dt;
  }

  /** @internal Copies the integration state (values, clock); rows saved meanwhile are not kept. */
  capture(): SdRunState {
    return {
      values: this.values.slice(),
      time: this.currentTime,
      gridIndex: this.gridIndex,
      adaptiveStep: this.integrator.adaptiveStep,
    };
  }

  /**
   * @internal Returns everything the run continues from: settings, clock, grid position, adaptive
   * step, the value array, fixed-delay histories and the kept normal deviate. Arrays are views of the
   * live state: copy them before the run moves on.
   */
  saveState(): SdRunSnapshot {
    return {
      method: this.method,
      dt: this.dt,
      rtol: this.rtol,
      atol: this.atol,
      time: this.currentTime,
      gridIndex: this.gridIndex,
      adaptiveStep: this.integrator.adaptiveStep,
      values: this.values,
      delays: this.context.dl.map((delay) => delay.history()),
      spareNormal: this.context.spareNormal(),
    };
  }

  /**
   * @internal Copies the state into `target` (reusing its value array when it fits) and returns it;
   * with null, allocates one. For look-aheads that run before every event.
   */
  captureInto(target: SdRunState | null): SdRunState {
    if (target === null || target.values.length !== this.values.length) return this.capture();
    target.values.set(this.values);
    target.time = this.currentTime;
    target.gridIndex = this.gridIndex;
    target.adaptiveStep = this.integrator.adaptiveStep;
    return target;
  }

  /**
   * @internal Rewinds to a state from {@link capture}. Fixed-delay histories rewind by themselves:
   * a push at an earlier time drops the later entries.
   */
  rewind(state: SdRunState): void {
    this.values.set(state.values);
    this.currentTime = state.time;
    this.gridIndex = state.gridIndex;
    this.integrator.adaptiveStep = state.adaptiveStep;
  }

  /** @internal While true, advancing saves no rows (look-ahead for state events). */
  suspendRecording = false;

  /** @internal The value array (read by coupling code for speed). */
  get rawValues(): Float64Array {
    return this.values;
  }

  private output(name: string, api: string): OutputVariable {
    const out = this.model.find(name);
    if (!out) {
      throw new TwinkitError(
        `${api}: no variable named ${JSON.stringify(name)} in the model. ` +
          `Known names include ${this.model.outputs
            .slice(0, 5)
            .map((o) => JSON.stringify(o.name))
            .join(', ')}.`,
        { code: 'NOT_FOUND', details: { name } },
      );
    }
    return out;
  }

  private defineView(): void {
    const view = this.context.view;
    const v = this.values;
    for (const o of this.model.outputs) {
      const slot = o.slot;
      const getter = { get: () => v[slot]!, enumerable: true, configurable: true };
      for (const alias of new Set([o.key, o.name, o.name.replace(/ /g, '_')])) {
        Object.defineProperty(view, alias, getter);
      }
    }
  }

  private save(): void {
    this.checkFinite(0, 0);
    this.rows.add(this.currentTime, this.values);
  }

  /** Takes the whole Euler steps up to grid index `toIndex` in the generated loop. */
  private eulerWholeSteps(toIndex: number): void {
    const from = this.gridIndex;
    if (toIndex <= from) return;
    const saving = this.record && !this.suspendRecording;
    const saveEvery = saving ? this.saveEvery : 0;
    const firstRow = this.rows.count;
    if (saving) {
      const saves = Math.floor(toIndex / this.saveEvery) - Math.floor(from / this.saveEvery);
      this.rows.reserve(saves);
    }
    const start = this.model.specs.start;
    const end = this.model.functions.runEuler(
      this.values,
      this.context,
      start,
      this.dt,
      from,
      toIndex,
      saveEvery,
      this.rows.data,
      this.rows.times,
      firstRow,
    );
    this.gridIndex = toIndex;
    this.currentTime = start + toIndex * this.dt;
    if (saving) {
      this.rows.accept(end);
      if (this.context.finite !== 0) this.checkFinite(firstRow, end);
    } else this.checkFinite(0, 0);
  }

  /** Throws naming the first variable that is not finite in saved rows [from, to) or, without rows, now. */
  private checkFinite(from: number, to: number): void {
    const outputs = this.model.outputs;
    if (to > from) {
      const width = outputs.length;
      const data = this.rows.data;
      for (let k = from * width; k < to * width; k++) {
        const x = data[k]!;
        if (x - x !== 0) this.numericError(outputs[k % width]!, this.rows.times[Math.floor(k / width)]!, x);
      }
      return;
    }
    for (const o of outputs) {
      const x = this.values[o.slot]!;
      if (x - x !== 0) this.numericError(o, this.currentTime, x);
    }
  }

  private numericError(o: OutputVariable, time: number, value: number): never {
    throw new TwinkitError(
      `SdRun: ${JSON.stringify(o.name)} is ${value} at time ${time} ` +
        '(a division by zero or a function outside its domain). Check its equation and inputs.',
      { code: 'NUMERIC', details: { variable: o.name, time, value } },
    );
  }

  /** Moves the state from the current time to `target` with the configured method. */
  private stepTo(target: number): void {
    const h = target - this.currentTime;
    if (h <= 0) return;
    const f = this.model.functions;
    f.commit(this.values, this.context, this.currentTime);
    this.integrator.step(this.method, this.currentTime, target);
    f.aux(this.values, this.context, target);
  }
}

/** The integration state of a run, for look-ahead. @internal */
export interface SdRunState {
  values: Float64Array;
  time: number;
  gridIndex: number;
  adaptiveStep: number;
}

/** Everything a run continues from (see {@link SdRun.saveState}). @internal */
export interface SdRunSnapshot {
  method: IntegrationMethod;
  dt: number;
  rtol: number;
  atol: number;
  time: number;
  gridIndex: number;
  adaptiveStep: number;
  /** The value array in slot order. */
  values: ArrayLike<number>;
  /** Recorded inputs of each fixed DELAY, in the order of the compiled model. */
  delays: { times: ArrayLike<number>; values: ArrayLike<number> }[];
  /** The kept Box–Muller deviate, NaN when none. */
  spareNormal: number;
}

/** The result columns of each compiled model's outputs, built once and shared (frozen) by its runs. */
const COLUMNS = new WeakMap<readonly OutputVariable[], readonly ResultColumn[]>();

function columnsOf(outputs: readonly OutputVariable[]): readonly ResultColumn[] {
  let columns = COLUMNS.get(outputs);
  if (columns === undefined) {
    columns = Object.freeze(outputs.map((o) => Object.freeze({ name: o.name, key: o.key, kind: o.kind })));
    COLUMNS.set(outputs, columns);
  }
  return columns;
}

/** Accumulates saved rows. @internal */
class SdResultsBuilder {
  data = new Float64Array(1024);
  times = new Float64Array(64);
  count = 0;
  private readonly slots: Int32Array;

  constructor(private readonly outputs: readonly OutputVariable[]) {
    this.slots = Int32Array.from(outputs.map((o) => o.slot));
  }

  /** Makes room for `extra` more rows. */
  reserve(extra: number): void {
    const rows = this.count + extra;
    if (rows > this.times.length) {
      const t = new Float64Array(Math.max(rows, this.times.length * 2));
      t.set(this.times.subarray(0, this.count));
      this.times = t;
    }
    const cells = rows * this.slots.length;
    if (cells > this.data.length) {
      const d = new Float64Array(Math.max(cells, this.data.length * 2));
      d.set(this.data.subarray(0, this.count * this.slots.length));
      this.data = d;
    }
  }

  /** Marks rows written directly into `data`/`times` as saved, up to row `end`. */
  accept(end: number): void {
    this.count = end;
  }

  add(time: number, values: Float64Array): void {
    const width = this.slots.length;
    this.reserve(1);
    this.times[this.count] = time;
    const base = this.count * width;
    for (let j = 0; j < width; j++) this.data[base + j] = values[this.slots[j]!]!;
    this.count++;
  }

  build(): SdResults {
    const width = this.slots.length;
    return new SdResults(
      // Views, not copies: rows already saved are never written again (new rows go after them).
      this.times.subarray(0, this.count),
      columnsOf(this.outputs),
      this.data.subarray(0, this.count * width),
    );
  }
}

/**
 * Compiles (if needed) and runs a model from its start to its stop time; returns every stock,
 * flow and auxiliary at each save time.
 */
export function simulate(model: SdModel | CompiledModel, options: SdRunOptions = {}): SdResults {
  rejectUnknownKeys('simulate(model, options)', options, SD_RUN_OPTION_KEYS, "{ method: 'rk4' }");
  return new SdRun(model, options).run();
}
