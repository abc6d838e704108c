/**
 * The saved state of an attached SD model as plain data, and its checks: what
 * {@link SdCoupling.saveState} writes and what `attachSdModel(sim, model, { prefix, state })` reads back.
 */
import { invalidArgument } from '@twinkit/core/internal';
import type { CompiledModel } from '../compiler';
import type { IntegrationMethod } from '../model';
import type { SdRunSnapshot } from '../runner/run';

/** A number as the state stores it: JSON cannot carry NaN, the infinities or -0, so they are spelled out. */
type StateNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/**
 * Plain, structured-cloneable (and JSON-safe) state of an attached SD model, as returned by
 * {@link SdCoupling.saveState} and accepted by `attachSdModel(sim, model, { prefix, state })`.
 *
 * Numbers are stored exactly: `JSON.parse(JSON.stringify(state))` restores the same bits (NaN,
 * `Infinity`, `-Infinity` and `-0`, which JSON cannot carry, are written as those strings).
 * Random-stream positions are not part of it: the random builtins draw from
 * `sim.rng(randomStream ?? prefix)`, whose position the simulation's own snapshot restores.
 * Crossing watches are not part of it either: they keep nothing between steps (see
 * {@link SdCoupling.saveState}), so registering the same watches again after attach is enough.
 */
export interface SdCouplingState {
  /** Format tag, always `'twinkit.sd.coupling'`. */
  format: 'twinkit.sd.coupling';
  /** Version of the format, `1`. */
  version: 1;
  /** Identity of the model the state was saved from; attach refuses a state whose identity differs. */
  model: {
    /** Number of output variables (stock, flow and auxiliary elements). */
    variables: number;
    /** Hash of the output variables' keys, kinds and slots, in model order. */
    names: string;
    /** Hash of the generated equations that move the state (initial-value code excluded). */
    equations: string;
    /** Number of slots of the value array. */
    slots: number;
    /** Number of integrated stocks, user stocks and the internal stocks of SMTH, DELAYn, TREND and FORCST. */
    stocks: number;
    /** Number of fixed DELAY histories. */
    delays: number;
    /** Start time of the sim specs (the step grid is `start + k * dt`). */
    start: number;
    /** Stop time of the sim specs (read by `STOPTIME`). */
    stop: number;
  };
  /** Integration method of the saved run. */
  method: IntegrationMethod;
  /** Integration step (for `rk45`: the grid each adaptive interval ends on). */
  dt: number;
  /** Relative tolerance of `rk45`. */
  rtol: number;
  /** Absolute tolerance of `rk45`. */
  atol: number;
  /** Model time of the run when it was saved (the run is saved as it is, even if behind the clock). */
  time: number;
  /** Index k of the last grid point `start + k * dt` reached; `time` lies in `[start + k dt, start + (k+1) dt)`. */
  gridIndex: number;
  /** Step the adaptive method tries next (`dt` for the fixed-step methods, which do not use it). */
  adaptiveStep: number;
  /**
   * The run's value array in slot order: stocks first (user stocks, then the pipeline stages of
   * SMTH1/3/N and DELAY1/3/N and the averages of TREND and FORCST), then flows, auxiliaries,
   * constants as events left them, and the remembered values of INIT and PREVIOUS.
   */
  values: StateNumber[];
  /** Recorded input history of each fixed `DELAY`, in the compiled model's order. */
  delays: { times: number[]; values: StateNumber[] }[];
  /** The second Box–Muller normal deviate the run keeps for its next normal draw, or null. */
  spareNormal: StateNumber | null;
}

const FORMAT = 'twinkit.sd.coupling';
const METHODS: readonly IntegrationMethod[] = ['euler', 'rk2', 'rk4', 'rk45'];
const identities = new WeakMap<CompiledModel, SdCouplingState['model']>();

/** Returns the identity of a compiled model (computed once per compiled model). */
function identityOf(model: CompiledModel): SdCouplingState['model'] {
  let identity = identities.get(model);
  if (identity === undefined) {
    // Initial-value code is left out: a restored run takes every value from the state.
    const dynamics = model.source.slice(Math.max(0, model.source.indexOf('\nfunction constants(')));
    identity = {
      variables: model.outputs.length,
      names: hash(
        model.outputs.map((o) => `${o.key}:${o.kind}:${o.slot}${o.parameter ? ':p' : ''}`).join('\n'),
      ),
      equations: hash(dynamics),
      slots: model.slotCount,
      stocks: model.stockCount,
      delays: model.tables.delayCount,
      start: model.specs.start,
      stop: model.specs.stop,
    };
    identities.set(model, identity);
  }
  return identity;
}

/** A 64-bit string hash (two multiplicative 32-bit lanes), as 16 hex digits. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

function encode(x: number): StateNumber {
  if (x - x === 0) return x === 0 && 1 / x < 0 ? '-0' : x;
  return x === Number.POSITIVE_INFINITY ? 'Infinity' : x === Number.NEGATIVE_INFINITY ? '-Infinity' : 'NaN';
}

function encodeAll(xs: ArrayLike<number>): StateNumber[] {
  const out = new Array<StateNumber>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = encode(xs[i]!);
  return out;
}

/** Decodes a stored number; undefined when `x` is not one. */
function decode(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  switch (x) {
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
    default:
      return undefined;
  }
}

/** Writes a run's snapshot as plain data. @internal */
export function writeCouplingState(model: CompiledModel, run: SdRunSnapshot): SdCouplingState {
  return {
    format: FORMAT,
    version: 1,
    model: { ...identityOf(model) },
    method: run.method,
    dt: run.dt,
    rtol: run.rtol,
    atol: run.atol,
    time: run.time,
    gridIndex: run.gridIndex,
    adaptiveStep: run.adaptiveStep,
    values: encodeAll(run.values),
    delays: run.delays.map((h) => ({ times: Array.from(h.times), values: encodeAll(h.values) })),
    spareNormal: Number.isNaN(run.spareNormal) ? null : encode(run.spareNormal),
  };
}

/** The settings of {@link AttachOptions} that a restored run must agree with. */
interface RunSettings {
  method?: IntegrationMethod;
  dt?: number;
  rtol?: number;
  atol?: number;
}

/**
 * Checks a saved state against the model, the attach options and the clock, and reads it back into
 * a run snapshot (typed arrays). Throws `invalidArgument` naming `api`, the rule, the value and the remedy.
 * @internal
 */
export function readCouplingState(
  api: string,
  state: unknown,
  model: CompiledModel,
  options: RunSettings,
  now: number,
): SdRunSnapshot {
  const remedy =
    'Pass what SdCoupling.saveState() returned (or its JSON.parse(JSON.stringify(...)) copy) unchanged.';
  const fail = (rule: string, value: unknown, fix = remedy) => invalidArgument(api, rule, value, fix);
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw fail('options.state must be an object returned by SdCoupling.saveState()', state);
  }
  const s = state as Partial<Record<keyof SdCouplingState, unknown>>;
  if (s.format !== FORMAT) throw fail(`options.state.format must be '${FORMAT}'`, s.format);
  if (s.version !== 1) {
    throw fail(
      'options.state.version must be 1 (the only version this @twinkit/sd reads)',
      s.version,
      'Save the state again with this version of @twinkit/sd.',
    );
  }

  // Same model: compare the identity field by field, so the error says what differs.
  const identity = identityOf(model);
  const saved = s.model;
  if (saved === null || typeof saved !== 'object') throw fail('options.state.model must be an object', saved);
  const otherModel = 'Attach the model the state was saved from, or save a state from this model.';
  const what: Record<keyof SdCouplingState['model'], string> = {
    variables: 'number of variables',
    names: 'variable names, kinds or order (hash)',
    slots: 'number of value slots',
    stocks: 'number of stocks (user and internal)',
    delays: 'number of fixed DELAYs',
    equations: 'equations (hash of the generated code)',
    start: 'start time',
    stop: 'stop time',
  };
  for (const key of Object.keys(what) as (keyof typeof what)[]) {
    const value = (saved as Record<string, unknown>)[key];
    if (!Object.is(value, identity[key])) {
      throw fail(
        `options.state must come from the same model, but its ${what[key]} differs: ` +
          `${JSON.stringify(value)} in the state, ${JSON.stringify(identity[key])} in this model`,
        value,
        otherModel,
      );
    }
  }

  // Integration settings: the state's, unless the options name others (a contradiction).
  if (typeof s.method !== 'string' || !METHODS.includes(s.method as IntegrationMethod)) {
    throw fail(`options.state.method must be one of ${METHODS.join(', ')}`, s.method);
  }
  const method = s.method as IntegrationMethod;
  const positive = (name: 'dt' | 'rtol' | 'atol'): number => {
    const x = s[name];
    if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) {
      throw fail(`options.state.${name} must be a finite number > 0`, x);
    }
    return x;
  };
  const settings = { method, dt: positive('dt'), rtol: positive('rtol'), atol: positive('atol') };
  for (const key of ['method', 'dt', 'rtol', 'atol'] as const) {
    const given = options[key];
    if (given !== undefined && given !== settings[key]) {
      throw fail(
        `options.${key} must match the saved run's ${key} ${JSON.stringify(settings[key])} when options.state is given`,
        given,
        `Leave options.${key} out (the state's is used) or pass ${JSON.stringify(settings[key])}.`,
      );
    }
  }

  // Clock and grid position.
  const time = s.time;
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw fail('options.state.time must be a finite number', time);
  }
  if (time > now) {
    throw fail(
      `options.state.time must be <= the simulation clock ${now} (the saved run cannot be moved back in time)`,
      time,
      'Restore into a simulation whose clock is at or after the saved time, e.g. new Simulation({ seed, startTime: state.time }).',
    );
  }
  const gridIndex = s.gridIndex;
  const { start } = model.specs;
  const tolerance = settings.dt * 1e-9;
  if (
    typeof gridIndex !== 'number' ||
    !Number.isSafeInteger(gridIndex) ||
    gridIndex < 0 ||
    start + gridIndex * settings.dt > time + tolerance ||
    start + (gridIndex + 1) * settings.dt <= time - tolerance
  ) {
    throw fail(
      `options.state.gridIndex must be the integer k >= 0 with start + k * dt <= time < start + (k + 1) * dt (time ${time}, dt ${settings.dt}, start ${start})`,
      gridIndex,
    );
  }
  const adaptiveStep = s.adaptiveStep;
  if (typeof adaptiveStep !== 'number' || !(adaptiveStep > 0) || !Number.isFinite(adaptiveStep)) {
    throw fail('options.state.adaptiveStep must be a finite number > 0', adaptiveStep);
  }

  // Values, delay histories and the kept normal deviate.
  const values = readNumbers(s.values, identity.slots, 'options.state.values', fail);
  if (!Array.isArray(s.delays) || s.delays.length !== identity.delays) {
    throw fail(`options.state.delays must be an array of ${identity.delays} delay histories`, s.delays);
  }
  const delays = s.delays.map((h: unknown, i) => {
    const where = `options.state.delays[${i}]`;
    const history = (h ?? {}) as { times?: unknown; values?: unknown };
    if (!Array.isArray(history.times)) throw fail(`${where}.times must be an array of times`, history.times);
    const times = new Float64Array(history.times.length);
    for (let k = 0; k < times.length; k++) {
      const t = history.times[k];
      if (typeof t !== 'number' || !Number.isFinite(t) || (k > 0 && t < times[k - 1]!)) {
        throw fail(`${where}.times must be finite numbers in increasing order`, t);
      }
      times[k] = t;
    }
    return { times, values: readNumbers(history.values, times.length, `${where}.values`, fail) };
  });
  const spare = s.spareNormal === null ? Number.NaN : decode(s.spareNormal);
  if (spare === undefined) throw fail('options.state.spareNormal must be a number or null', s.spareNormal);

  return { ...settings, time, gridIndex, adaptiveStep, values, delays, spareNormal: spare };
}

function readNumbers(
  list: unknown,
  length: number,
  where: string,
  fail: (rule: string, value: unknown) => Error,
): Float64Array {
  if (!Array.isArray(list) || list.length !== length) {
    throw fail(
      `${where} must be an array of length ${length}`,
      Array.isArray(list) ? `an array of length ${list.length}` : list,
    );
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = decode(list[i]);
    if (x === undefined) {
      throw fail(`${where}[${i}] must be a number or one of "NaN", "Infinity", "-Infinity", "-0"`, list[i]);
    }
    out[i] = x;
  }
  return out;
}
