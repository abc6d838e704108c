/**
 * Couples an SD model to a `Simulation` of `@twinkit/core`: the model is integrated lazily to
 * each event time, its stocks and constants are writable entries of the state vector, its flows
 * and auxiliaries readable ones, and threshold crossings of any variable are state events.
 */
import { type ContinuousModel, type Simulation, TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys, requireFinite, requirePositive } from '@twinkit/core/internal';
import { type CompiledModel, compileModel, type OutputVariable } from '../compiler';
import { SdModel } from '../model';
import { SdRun, type SdRunOptions, type SdVariableHandle } from '../runner';
import { SD_RUN_OPTION_KEYS } from '../runner/run';
import { readCouplingState, type SdCouplingState, writeCouplingState } from './state';

/** Which way a variable must cross its threshold to fire a crossing. */
export type CrossingDirection = 'up' | 'down' | 'either';

/** Options of {@link attachSdModel}. */
export interface AttachOptions extends Omit<SdRunOptions, 'random'> {
  /** Prefix of the state-vector names: stock `Health` becomes `<prefix>.health`. */
  prefix: string;
  /**
   * Name of the random stream the model's random builtins draw from; defaults to `<prefix>`
   * (`sim.rng(prefix)`), so the draws follow the simulation's seed and replication.
   */
  randomStream?: string;
  /**
   * Restores the run to a state returned by {@link SdCoupling.saveState} (or its JSON copy) instead of
   * integrating from the model's start. The model must be the one the state was saved from and the
   * saved run time must be at or before `sim.now`. The run is not integrated at attach: it stays at
   * the saved time until the simulation's next event brings it forward, as the original's would.
   * Method, dt and tolerances come from the state (options that name them must agree); values
   * from the state replace `parameters`; a recording restored run starts with no rows. Register
   * the same `onCrossing` watches again afterwards, in the same order.
   */
  state?: SdCouplingState;
}

const ATTACH_OPTION_KEYS: readonly string[] = [
  'prefix',
  'randomStream',
  'state',
  ...SD_RUN_OPTION_KEYS.filter((k) => k !== 'random'),
];

/** Options of {@link SdCoupling.onCrossing}. */
export interface CrossingOptions {
  /**
   * Width of the time bracket the crossing is located in (default `1e-9 * max(1, |t|)`): the
   * handler runs at a time `te` with the crossing of the integrated solution in `[te - tolerance, te]`,
   * so the variable has reached the threshold when the handler reads it.
   */
  tolerance?: number;
}

interface Crossing {
  output: OutputVariable;
  threshold: number;
  direction: CrossingDirection;
  handler: (time: number) => void;
  tolerance: number;
  active: boolean;
}

/** Turns a variable key into a state-vector name segment (letters, digits, `_`, `-`, dots, [index]). */
function stateName(key: string): string {
  const m = /^(.*?)(\[.*\])?$/.exec(key)!;
  const base = m[1]!
    .split('.')
    .map((seg) => seg.replace(/[^\w-]/g, '_').replace(/^(?=[^A-Za-z_])/, '_'))
    .join('.');
  const index = m[2] ? `[${m[2].slice(1, -1).replace(/[^\w,-]/g, '_')}]` : '';
  return base + index;
}

/**
 * An SD model attached to a simulation (see {@link attachSdModel}). Read and write it through the
 * simulation's state vector or through {@link SdCoupling.get} / {@link SdCoupling.set}.
 */
export class SdCoupling implements ContinuousModel {
  /** The run that holds the model's state. */
  readonly run: SdRun;
  /** The state-vector prefix. */
  readonly prefix: string;
  private readonly crossings: Crossing[] = [];
  private pending: Crossing[] = [];
  private pendingTime = Number.NaN;
  private detachFromClock: () => void;
  private attached = true;

  /** @internal Use {@link attachSdModel}. */
  constructor(sim: Simulation, model: CompiledModel, options: AttachOptions) {
    const api = 'attachSdModel(sim, model, options)';
    this.prefix = options.prefix;
    const { state, prefix: _prefix, randomStream: _randomStream, ...runOptions } = options;
    const stream = sim.rng(options.randomStream ?? options.prefix);
    const random = () => stream.next();
    if (state !== undefined) {
      const saved = readCouplingState(api, state, model, runOptions, sim.now);
      this.run = new SdRun(
        model,
        {
          record: false,
          ...runOptions,
          method: saved.method,
          dt: saved.dt,
          rtol: saved.rtol,
          atol: saved.atol,
          random,
        },
        saved,
      );
    } else {
      // A twin runs indefinitely: keep no rows unless asked ({ record: true }), the state vector is the output.
      this.run = new SdRun(model, { record: false, ...runOptions, random });
      if (sim.now < this.run.time) {
        throw invalidArgument(
          api,
          `the simulation clock must be at or after the model's start time ${this.run.time}`,
          sim.now,
          'Attach the model before running the simulation past its start, or change the sim specs start.',
        );
      }
      this.run.advanceTo(sim.now);
    }
    for (const out of model.outputs) {
      const name = `${this.prefix}.${stateName(out.key)}`;
      const writable = out.kind === 'stock' || out.parameter;
      // Resolved once: an event that reads or writes the state vector does not look the name up again.
      const variable = this.run.variable(out.key);
      sim.state.define(name, {
        get: variable.get,
        ...(writable ? { set: variable.set } : {}),
        description: `${out.kind} ${out.name} of SD model ${this.prefix}`,
      });
    }
    this.detachFromClock = sim.attachContinuous(this);
  }

  /** Reads a variable at the current model time. */
  get(name: string): number {
    return this.run.get(name);
  }

  /** Writes a stock or a constant (parameter) at the current time (see {@link SdRun.set}). */
  set(name: string, value: number): void {
    this.run.set(name, value);
  }

  /** Resolves a variable once for repeated reads and writes (see {@link SdRun.variable}). */
  variable(name: string): SdVariableHandle {
    return this.run.variable(name);
  }

  /**
   * Calls `handler(time)` each time `variable` crosses `threshold` in `direction` ('up': from
   * below to at-or-above, 'down': from above to at-or-below). The crossing is a state event on the
   * simulation's calendar, located by bisection inside the integration step (see
   * {@link CrossingOptions.tolerance}). Returns a function that cancels the watch.
   */
  onCrossing(
    variable: string,
    threshold: number,
    direction: CrossingDirection,
    handler: (time: number) => void,
    options: CrossingOptions = {},
  ): () => void {
    const api = 'SdCoupling.onCrossing(variable, threshold, direction, handler)';
    rejectUnknownKeys(`${api.slice(0, -1)}, options)`, options, ['tolerance'], '{ tolerance: 1e-6 }');
    const output = this.run.model.find(variable);
    if (!output) {
      throw invalidArgument(api, 'variable must name a stock, flow or auxiliary of the model', variable);
    }
    requireFinite(api, 'threshold', threshold);
    if (direction !== 'up' && direction !== 'down' && direction !== 'either') {
      throw invalidArgument(api, "direction must be 'up', 'down' or 'either'", direction);
    }
    if (typeof handler !== 'function') throw invalidArgument(api, 'handler must be a function', handler);
    const tolerance =
      options.tolerance === undefined
        ? Number.NaN
        : requirePositive(api, 'options.tolerance', options.tolerance);
    const crossing: Crossing = { output, threshold, direction, handler, tolerance, active: true };
    this.crossings.push(crossing);
    return () => {
      crossing.active = false;
      const i = this.crossings.indexOf(crossing);
      if (i >= 0) this.crossings.splice(i, 1);
    };
  }

  /**
   * Returns the state of the run as plain data, to continue it later with
   * `attachSdModel(sim, model, { prefix, state })` (see {@link SdCouplingState}). Takes the run as it is,
   * without integrating it to `sim.now`, so the original's future does not change. Costs one pass
   * over the value array and the fixed-delay histories.
   *
   * Random-stream positions are not saved: the random builtins draw from
   * `sim.rng(randomStream ?? prefix)`, which the simulation's own snapshot restores. Crossing watches
   * are not saved: between steps they keep nothing (each look-ahead starts from the run's current
   * values), so the same watches registered again in the same order fire at the same times. Save
   * between events or from a process; saved from inside a crossing handler, the other crossings due
   * at that same instant are not carried over.
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(tank.saveState());
   * const copy = new Simulation({ seed: 1, startTime: sim.now });
   * attachSdModel(copy, model, { prefix: 'tank', state: JSON.parse(saved) });
   * ```
   */
  saveState(): SdCouplingState {
    return writeCouplingState(this.run.model, this.run.saveState());
  }

  /**
   * Returns the state of the run as plain data.
   *
   * @deprecated Use {@link SdCoupling.saveState}, the name every saveable part of twinkit uses.
   * Removed in the next release.
   */
  save(): SdCouplingState {
    return this.saveState();
  }

  /** Detaches the model from the simulation's clock (its state-vector entries stay readable). */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.detachFromClock();
  }

  // ---- ContinuousModel --------------------------------------------------------------------------

  /** @internal Looks ahead (on a copy of the state) for the first crossing in (now, horizon]. */
  nextStateEvent(horizon: number): number {
    // Called before every event of the simulation, so the common case (no crossing before the
    // next event) allocates nothing: the run's state is copied into two reused buffers and the
    // watched values into two reused arrays. (Copying with capture() allocated a Float64Array
    // per call, which took a third of a factory twin's run time.)
    if (this.pending.length > 0) this.pending = [];
    this.pendingTime = Number.NaN;
    // Cancelled watches leave `crossings` at once, so every entry is active.
    const active = this.crossings;
    const n = active.length;
    if (n === 0 || horizon <= this.run.time) return Number.POSITIVE_INFINITY;
    const run = this.run;
    const values = run.rawValues;
    if (this.previous.length !== n) {
      this.previous = new Float64Array(n);
      this.current = new Float64Array(n);
    }
    const origin = run.captureInto(this.origin);
    this.origin = origin;
    run.suspendRecording = true;
    try {
      let before = run.captureInto(this.before);
      this.before = before;
      let previous = this.previous;
      let current = this.current;
      for (let i = 0; i < n; i++) previous[i] = values[active[i]!.output.slot]! - active[i]!.threshold;
      while (run.time < horizon) {
        const next = Math.min(run.nextGridTime(), horizon);
        run.advanceTo(next);
        // A horizon within the run's time tolerance (dt × 1e-9) of its clock counts as reached: the
        // run does not move for it, and the values cannot have crossed anything.
        if (run.time < next) break;
        let crossedAny = false;
        for (let i = 0; i < n; i++) {
          const c = active[i]!;
          const value = values[c.output.slot]! - c.threshold;
          current[i] = value;
          if (crosses(c.direction, previous[i]!, value)) crossedAny = true;
        }
        if (crossedAny) {
          const before0 = Array.from(previous);
          const crossed = active.filter((c, i) => crosses(c.direction, before0[i]!, current[i]!));
          const located = this.locate(before, next, crossed, before0, [...active]);
          this.pending = located.crossings;
          this.pendingTime = located.time;
          return located.time;
        }
        const swap = previous;
        previous = current;
        current = swap;
        before = run.captureInto(before);
      }
      this.previous = previous;
      this.current = current;
      return Number.POSITIVE_INFINITY;
    } finally {
      run.rewind(origin);
      run.suspendRecording = false;
    }
  }

  // Reused by nextStateEvent (see there).
  private origin: ReturnType<SdRun['capture']> | null = null;
  private before: ReturnType<SdRun['capture']> | null = null;
  private previous = new Float64Array(0);
  private current = new Float64Array(0);

  /** @internal */
  advanceTo(t: number): void {
    if (t > this.run.time) this.run.advanceTo(t);
  }

  /** @internal */
  fireStateEvents(t: number): void {
    if (t !== this.pendingTime) return;
    const due = this.pending;
    this.pending = [];
    this.pendingTime = Number.NaN;
    for (const c of due) if (c.active) c.handler(t);
  }

  /** Bisects [start of step, end] until the bracket is within every crossing's tolerance. */
  private locate(
    before: ReturnType<SdRun['capture']>,
    end: number,
    crossed: Crossing[],
    previous: number[],
    active: Crossing[],
  ): { time: number; crossings: Crossing[] } {
    const run = this.run;
    const values = run.rawValues;
    let lo = before.time;
    let hi = end;
    const tolerance = Math.min(
      ...crossed.map((c) => (Number.isNaN(c.tolerance) ? 1e-9 * Math.max(1, Math.abs(end)) : c.tolerance)),
    );
    let firstAtHi = crossed;
    while (hi - lo > tolerance) {
      const mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      run.rewind(before);
      run.advanceTo(mid);
      const now = active.map((c) => values[c.output.slot]! - c.threshold);
      const crossedByMid = active.filter((c, i) =>
        crosses(c.direction, previous[active.indexOf(c)]!, now[i]!),
      );
      if (crossedByMid.length > 0) {
        hi = mid;
        firstAtHi = crossedByMid;
      } else lo = mid;
    }
    return { time: hi, crossings: firstAtHi };
  }
}

function crosses(direction: CrossingDirection, before: number, after: number): boolean {
  const up = before < 0 && after >= 0;
  const down = before > 0 && after <= 0;
  return direction === 'up' ? up : direction === 'down' ? down : up || down;
}

/**
 * Attaches an SD model to a simulation: the model runs on the simulation's clock (integrated
 * lazily to each event time with whole steps and one partial step), registers every variable in
 * the state vector as `<prefix>.<name>` (stocks and constants writable), and draws its random
 * builtins from `sim.rng(prefix)`. Call it inside a `defineModel` body so forks rebuild it.
 * With `{ state }` (from {@link SdCoupling.saveState}) it continues a saved run instead of starting one.
 *
 * @example
 * ```ts
 * const sd = attachSdModel(sim, model, { prefix: 'line1.machine' });
 * sd.onCrossing('Health', 0.2, 'down', () => sim.state.set('line1.machine.health', 1));
 * sim.run({ until: 100 });
 * ```
 */
export function attachSdModel(
  sim: Simulation,
  model: SdModel | CompiledModel,
  options: AttachOptions,
): SdCoupling {
  const api = 'attachSdModel(sim, model, options)';
  rejectUnknownKeys(api, options, ATTACH_OPTION_KEYS, "{ prefix: 'plant' }");
  if (
    !options ||
    typeof options.prefix !== 'string' ||
    !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(options.prefix)
  ) {
    throw invalidArgument(
      api,
      'options.prefix must be a dotted identifier such as "line1.machine"',
      options?.prefix,
      'Pass { prefix: "plant" }.',
    );
  }
  if (!sim || typeof sim.attachContinuous !== 'function') {
    throw new TwinkitError(`${api}: sim must be a Simulation of @twinkit/core.`);
  }
  const compiled = model instanceof SdModel ? compileModel(model) : model;
  return new SdCoupling(sim, compiled, options);
}

/**
 * Attaches an SD model to a simulation.
 *
 * @deprecated Use {@link attachSdModel}: the same function under a name that says what it attaches.
 * Removed in the next release.
 */
export const attach: (sim: Simulation, model: SdModel | CompiledModel, options: AttachOptions) => SdCoupling =
  attachSdModel;
