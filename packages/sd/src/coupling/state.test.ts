import { defineModel, Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import type { IntegrationMethod } from '../model';
import { SdModel } from '../model';
import { attachSdModel, type SdCoupling } from './attach';
import type { SdCouplingState } from './state';

/**
 * A level filled at a rate that events change, drained through a pipeline: a fixed DELAY, a
 * DELAY3, a SMTH1, TREND, PREVIOUS and INIT, so every kind of internal state the runtime keeps.
 */
function plant(
  method: IntegrationMethod,
  variant: { start?: number; drain?: string; gap?: string; extra?: boolean } = {},
): SdModel {
  const dt = method === 'rk45' ? 0.5 : 0.25;
  const m = new SdModel({ start: variant.start ?? 0, stop: 100, dt, method });
  m.stock('Level', { initial: 5, inflows: ['fill'], outflows: ['drain'] });
  m.flow('fill', 'supply');
  m.flow('drain', variant.drain ?? 'Level / tau');
  m.constant('supply', 2);
  m.constant('tau', 3);
  m.stock('Backlog', { initial: 0, inflows: ['arrivals'], outflows: ['shipped'] });
  m.flow('arrivals', 'DELAY(fill, 1.5) + DELAY3(drain, 2) * 0.5');
  m.flow('shipped', 'Backlog / 2');
  m.aux('smoothed', 'SMTH1(Level, 2)');
  m.aux('previous level', 'PREVIOUS(Level, 0)');
  m.aux('growth', 'Level - INIT(Level)');
  m.aux('trend', 'TREND(Level, 2, 0)');
  m.aux(variant.gap ?? 'gap', 'smoothed - previous_level + growth * 0.01 + trend');
  if (variant.extra) m.constant('spare', 1);
  return m;
}

/** The events of the test as plain data: at each time, the supply a process sets. */
const PLAN: readonly { at: number; supply: number }[] = [
  { at: 2.5, supply: 4 },
  { at: 6, supply: 0.5 },
  { at: 9.5, supply: 3 },
  { at: 13, supply: 1 },
  { at: 17.25, supply: 5 },
];

/** Starts the process that carries out the part of PLAN still ahead of the clock. */
function startPlan(sim: Simulation): void {
  sim.process(function* () {
    for (const step of PLAN) {
      if (step.at <= sim.now) continue; // carried out before the save
      yield sim.timeout(step.at - sim.now);
      if (sim.now !== step.at) throw new Error(`plan step for ${step.at} ran at ${sim.now}`);
      sim.state.set('plant.supply', step.supply);
    }
  });
}

/** Attaches the plant (restored from `state` if given), registers its watches and starts the plan. */
function build(sim: Simulation, method: IntegrationMethod, state?: SdCouplingState) {
  // A tight tolerance makes rk45 take several steps per dt interval, so its step size matters.
  const rtol = method === 'rk45' ? 1e-11 : undefined;
  const sd = attachSdModel(sim, plant(method), {
    prefix: 'plant',
    ...(rtol ? { rtol } : {}),
    ...(state ? { state } : {}),
  });
  const crossings: string[] = [];
  sd.onCrossing('Level', 8, 'up', (t) => {
    crossings.push(`level ${t}`);
    sim.state.set('plant.level', 6); // a release
  });
  sd.onCrossing('Backlog', 6, 'either', (t) => crossings.push(`backlog ${t}`));
  startPlan(sim);
  return { sd, crossings };
}

/** The bits of every output variable, as hex strings (so -0, NaN and one-ulp differences show). */
function bits(values: Float64Array): string[] {
  return Array.from(new BigUint64Array(values.buffer, values.byteOffset, values.length), (b) =>
    b.toString(16),
  );
}

/** Runs to each time and records the bits of every variable there. */
function sample(sim: Simulation, sd: SdCoupling, times: number[]): { time: number; bits: string[] }[] {
  return times.map((t) => {
    sim.run({ until: t });
    return { time: sim.now, bits: bits(sd.run.currentValues()) };
  });
}

const SEED = 11;
const T1 = 4.4; // on neither grid (0.25 nor 0.5), nearer the next grid point than the last
const SAMPLES = [5, 6, 7.77, 9.5, 12.3, 16, 18.1, 20];

describe('SdCoupling.saveState and attachSdModel({ state })', () => {
  for (const method of ['euler', 'rk2', 'rk4', 'rk45'] as const) {
    it(`${method}: a restored model continues bit for bit, with the same crossings`, () => {
      const sim = new Simulation({ seed: SEED });
      const original = build(sim, method);
      sim.run({ until: T1 });
      const state = original.sd.saveState();
      const crossingsBefore = original.crossings.length;
      expect(crossingsBefore).toBeGreaterThanOrEqual(1);
      expect(state.time).toBe(T1);
      expect(state.gridIndex).toBe(Math.floor(T1 / state.dt)); // a partial step past the grid
      if (method === 'rk45') expect(state.adaptiveStep).toBeLessThan(state.dt / 2);
      expect(state.delays).toHaveLength(1);
      expect(state.delays[0]!.times.length).toBeGreaterThan(0);

      const copy = new Simulation({ seed: SEED, startTime: sim.now });
      const restored = build(copy, method, state);
      const a = sample(sim, original.sd, SAMPLES);
      const b = sample(copy, restored.sd, SAMPLES);
      expect(b).toEqual(a);
      expect(restored.crossings).toEqual(original.crossings.slice(crossingsBefore));
      expect(restored.crossings.filter((c) => c.startsWith('level')).length).toBeGreaterThanOrEqual(1);
      expect(restored.crossings.filter((c) => c.startsWith('backlog')).length).toBeGreaterThanOrEqual(1);
      // Everything the runtime keeps (delay histories, grid position, adaptive step) ends equal too.
      expect(original.sd.save()).toEqual(original.sd.saveState()); // the deprecated alias
      expect(restored.sd.saveState()).toEqual(original.sd.saveState());
    });
  }

  it('saving changes nothing in the original run', () => {
    const run = (save: boolean) => {
      const sim = new Simulation({ seed: SEED });
      const { sd, crossings } = build(sim, 'rk45');
      sim.run({ until: T1 });
      if (save) sd.saveState();
      return { samples: sample(sim, sd, SAMPLES), crossings };
    };
    expect(run(true)).toEqual(run(false));
  });

  it('saves the run as it is when it is behind the clock, and restores it there', () => {
    const sim = new Simulation({ seed: SEED });
    const { sd } = build(sim, 'rk4');
    sim.run({ until: T1 });
    sd.detach();
    sim.run({ until: 8 });
    const state = sd.saveState();
    expect(state.time).toBe(T1);
    const copy = new Simulation({ seed: SEED, startTime: 8 });
    const restored = attachSdModel(copy, plant('rk4'), { prefix: 'plant', state });
    expect(restored.run.time).toBe(T1);
    expect(bits(restored.run.currentValues())).toEqual(bits(sd.run.currentValues()));
    copy.run({ until: 9 });
    expect(restored.run.time).toBe(9);
  });

  it('survives JSON.stringify / JSON.parse and structuredClone exactly (NaN slots and -0 included)', () => {
    const model = () => {
      const m = new SdModel({ start: 0, stop: 50, dt: 0.1, method: 'rk4' });
      m.stock('S', { initial: 1, inflows: ['gain'] });
      m.flow('gain', 'shape(S / 10) + offset + DELAY(S, 0.35) * 0.01');
      // A table called only as a function occupies a slot that holds NaN.
      m.graphical('shape', { x: [0, 1, 2], y: [0, 1, 0.5] });
      m.constant('offset', 1);
      return m;
    };
    const sim = new Simulation({ seed: 3 });
    const sd = attachSdModel(sim, model(), { prefix: 'p' });
    sim.run({ until: 1.234 });
    sim.state.set('p.offset', -0);
    const state = sd.saveState();
    expect(state.values).toContain('NaN');
    expect(state.values).toContain('-0');
    const json = JSON.parse(JSON.stringify(state)) as SdCouplingState;
    expect(json).toEqual(state);
    const copies = [json, structuredClone(state)].map((saved) => {
      const copy = new Simulation({ seed: 3, startTime: sim.now });
      const restored = attachSdModel(copy, model(), { prefix: 'p', state: saved });
      expect(Object.is(restored.get('offset'), -0)).toBe(true);
      expect(bits(restored.run.currentValues())).toEqual(bits(sd.run.currentValues()));
      return { copy, restored };
    });
    sim.run({ until: 4 });
    for (const { copy, restored } of copies) {
      copy.run({ until: 4 });
      expect(bits(restored.run.currentValues())).toEqual(bits(sd.run.currentValues()));
    }
  });

  it('keeps the spare normal deviate, so random builtins continue the same draws', () => {
    const model = () => {
      const m = new SdModel({ start: 0, stop: 50, dt: 0.25, method: 'euler' });
      m.stock('S', { initial: 10, inflows: ['noise'], outflows: ['drain'] });
      m.flow('noise', 'NORMAL(1, 0.5)');
      m.flow('drain', 'S * 0.1');
      return m;
    };
    const sim = new Simulation({ seed: 7 });
    const sd = attachSdModel(sim, model(), { prefix: 'tank' });
    sim.run({ until: 2.6 });
    const state = sd.saveState();
    expect(state.spareNormal).not.toBeNull(); // an odd number of normal draws so far
    const copy = new Simulation({ seed: 7, startTime: sim.now });
    // What the simulation's own snapshot does: the stream continues from the same position.
    copy.rng('tank').restoreState(sim.rng('tank').saveState());
    const restored = attachSdModel(copy, model(), { prefix: 'tank', state });
    expect(sample(copy, restored, [3, 5.5, 9])).toEqual(sample(sim, sd, [3, 5.5, 9]));
  });

  it("works as the SD part of a definition's snapshot hooks (random builtins continue from the restored stream)", () => {
    const build = (sim: Simulation, state?: SdCouplingState) => {
      const m = new SdModel({ start: 0, stop: 50, dt: 0.25, method: 'rk4' });
      m.stock('S', { initial: 10, inflows: ['noise'], outflows: ['drain'] });
      m.flow('noise', 'NORMAL(2, 0.5)');
      m.flow('drain', 'SMTH1(S, 1) * 0.1');
      const sd = attachSdModel(sim, m, { prefix: 'tank', ...(state ? { state } : {}) });
      const releases: number[] = []; // times S was let down to 9
      sd.onCrossing('S', 12, 'up', (t) => {
        releases.push(t);
        sim.state.set('tank.s', 9);
      });
      return { sd, releases };
    };
    const def = defineModel((sim) => build(sim), {
      snapshot: {
        saveState: (model) => model.sd.saveState(),
        restoreState: (sim, _params, state: SdCouplingState) => build(sim, state),
      },
    });
    const live = def.create({ seed: 5 });
    live.run({ until: 3.3 });
    const snapshot = JSON.stringify(live.snapshot());
    const resumed = def.restore(JSON.parse(snapshot));
    const byReplay = live.fork({ mechanism: 'replay' });
    const releasesBefore = live.model.releases.length;
    const times = [4, 7.5, 12.1, 20];
    const expected = sample(live, live.model.sd, times);
    expect(sample(resumed, resumed.model.sd, times)).toEqual(expected);
    expect(sample(byReplay, byReplay.model.sd, times)).toEqual(expected);
    expect(resumed.model.releases).toEqual(live.model.releases.slice(releasesBefore));
    expect(resumed.model.releases.length).toBeGreaterThanOrEqual(1);
  });

  describe('refuses what it cannot restore, naming the rule, the value and the remedy', () => {
    const saved = (): SdCouplingState => {
      const sim = new Simulation({ seed: SEED });
      const { sd } = build(sim, 'rk4');
      sim.run({ until: T1 });
      return sd.saveState();
    };
    const restore = (state: unknown, model = plant('rk4'), now = 10, extra = {}) =>
      attachSdModel(new Simulation({ seed: SEED, startTime: now }), model, {
        prefix: 'plant',
        state: state as SdCouplingState,
        ...extra,
      });

    it('a state from another model', () => {
      const state = saved();
      expect(() => restore(state, plant('rk4', { extra: true }))).toThrow(
        /^attachSdModel\(sim, model, options\): options\.state must come from the same model, but its number of variables differs: 13 in the state, 14 in this model, got 13\. Attach the model the state was saved from/,
      );
      expect(() => restore(state, plant('rk4', { gap: 'gap2' }))).toThrow(
        /its variable names, kinds or order \(hash\) differs: "[0-9a-f]{16}" in the state, "[0-9a-f]{16}" in this model/,
      );
      expect(() => restore(state, plant('rk4', { drain: 'Level / tau / 2' }))).toThrow(
        /options\.state must come from the same model, but its equations \(hash of the generated code\) differs/,
      );
      expect(() => restore(state, plant('rk4', { start: -1 }))).toThrow(
        /its start time differs: 0 in the state, -1 in this model/,
      );
    });

    it('a state saved after the clock', () => {
      expect(() => restore(saved(), plant('rk4'), 4)).toThrow(
        /^attachSdModel\(sim, model, options\): options\.state\.time must be <= the simulation clock 4 \(the saved run cannot be moved back in time\), got 4\.4\. Restore into a simulation whose clock is at or after the saved time/,
      );
    });

    it('a malformed state', () => {
      const state = saved();
      const cases: [unknown, RegExp][] = [
        [
          null,
          /options\.state must be an object returned by SdCoupling\.saveState\(\), got null\. Pass what SdCoupling\.saveState\(\) returned/,
        ],
        [
          { ...state, format: 'other' },
          /options\.state\.format must be 'twinkit\.sd\.coupling', got "other"/,
        ],
        [{ ...state, version: 2 }, /options\.state\.version must be 1 .*, got 2\. Save the state again/],
        [
          { ...state, method: 'heun' },
          /options\.state\.method must be one of euler, rk2, rk4, rk45, got "heun"/,
        ],
        [{ ...state, dt: -1 }, /options\.state\.dt must be a finite number > 0, got -1/],
        [
          { ...state, gridIndex: 3 },
          /options\.state\.gridIndex must be the integer k >= 0 with start \+ k \* dt <= time < start \+ \(k \+ 1\) \* dt .*, got 3/,
        ],
        [{ ...state, adaptiveStep: 0 }, /options\.state\.adaptiveStep must be a finite number > 0, got 0/],
        [
          { ...state, values: state.values.slice(1) },
          /options\.state\.values must be an array of length \d+, got "an array of length \d+"/,
        ],
        [
          { ...state, values: ['x', ...state.values.slice(1)] },
          /options\.state\.values\[0\] must be a number or one of "NaN", "Infinity", "-Infinity", "-0", got "x"/,
        ],
        [{ ...state, delays: [] }, /options\.state\.delays must be an array of 1 delay histories, got \[\]/],
        [
          { ...state, delays: [{ times: [2, 1], values: [0, 0] }] },
          /options\.state\.delays\[0\]\.times must be finite numbers in increasing order, got 1/,
        ],
        [
          { ...state, delays: [{ times: [1], values: [] }] },
          /options\.state\.delays\[0\]\.values must be an array of length 1/,
        ],
        [{ ...state, spareNormal: 'x' }, /options\.state\.spareNormal must be a number or null, got "x"/],
      ];
      for (const [bad, message] of cases) expect(() => restore(bad), String(message)).toThrow(message);
    });

    it('options that contradict the saved run', () => {
      expect(() => restore(saved(), plant('rk4'), 10, { method: 'euler' })).toThrow(
        /options\.method must match the saved run's method "rk4" when options\.state is given, got "euler"\. Leave options\.method out/,
      );
      expect(() => restore(saved(), plant('rk4'), 10, { dt: 0.5 })).toThrow(/options\.dt must match/);
      // The saved settings win over the model's specs when the options leave them out.
      const restored = restore(saved(), plant('euler'), 10);
      expect(restored.run.method).toBe('rk4');
    });
  });
});
