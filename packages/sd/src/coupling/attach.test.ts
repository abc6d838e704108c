import { defineModel, Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { SdModel } from '../model';
import { attachSdModel } from './attach';

/** dS/dt = inflow - S/tau, inflow a parameter that events switch. */
function relaxation(method: 'euler' | 'rk4' | 'rk45', dt = 0.1) {
  const m = new SdModel({ start: 0, stop: 20, dt, method });
  m.stock('S', { initial: 0, inflows: ['in'], outflows: ['out'] });
  m.flow('in', 'rate');
  m.flow('out', 'S / tau');
  m.constant('rate', 1);
  m.constant('tau', 2);
  return m;
}

/** Piecewise closed form of dS/dt = r - S/tau with r switched at known times. */
function piecewise(t: number, switches: [number, number][], tau: number): number {
  let s = 0;
  let t0 = 0;
  let r = switches[0]![1];
  for (const [at, rate] of switches.slice(1)) {
    if (t <= at) break;
    s = r * tau + (s - r * tau) * Math.exp(-(at - t0) / tau);
    t0 = at;
    r = rate;
  }
  return r * tau + (s - r * tau) * Math.exp(-(t - t0) / tau);
}

describe('attach: SD on the shared clock', () => {
  it('follows the analytic piecewise solution when a process switches the rate (off-grid switch times)', () => {
    const sim = new Simulation({ seed: 1 });
    const sd = attachSdModel(sim, relaxation('rk4', 0.1), { prefix: 'plant' });
    const switches: [number, number][] = [
      [0, 1],
      [3.05, 4],
      [7.333, 0],
    ];
    sim.process(function* () {
      yield sim.timeout(3.05);
      sim.state.set('plant.rate', 4);
      yield sim.timeout(7.333 - 3.05);
      sim.state.set('plant.rate', 0);
    });
    const samples: [number, number][] = [];
    for (const t of [1, 3.05, 3.2, 5.55, 7.333, 9.9, 15]) {
      sim.schedule(t, () => samples.push([sim.now, sim.state.get('plant.s')]), { priority: 10 });
    }
    sim.run({ until: 15 });
    expect(samples).toHaveLength(7);
    for (const [t, s] of samples) expect(Math.abs(s - piecewise(t, switches, 2))).toBeLessThan(1e-6);
    expect(sd.get('S')).toBeCloseTo(piecewise(15, switches, 2), 6);
  });

  it('integrates lazily to exactly the event time with a partial last step', () => {
    const sim = new Simulation();
    const sd = attachSdModel(sim, relaxation('euler', 0.5), { prefix: 'p' });
    let seen = Number.NaN;
    sim.schedule(0.75, () => {
      seen = sd.run.time;
    });
    sim.run({ until: 0.75 });
    expect(seen).toBe(0.75);
    // Euler: one whole step (S = 0.5) then a partial step of 0.25 from there.
    expect(sd.get('S')).toBeCloseTo(0.5 + 0.25 * (1 - 0.5 / 2), 12);
  });

  it('fires a state event at the analytic crossing time, within the stated tolerance', () => {
    const m = new SdModel({ start: 0, stop: 10, dt: 0.05, method: 'rk4' });
    m.stock('Health', { initial: 1, outflows: ['wear'] });
    m.flow('wear', 'Health * rate');
    m.constant('rate', 1);
    const sim = new Simulation();
    const sd = attachSdModel(sim, m, { prefix: 'line1.machine' });
    const fired: number[] = [];
    const seenHealth: number[] = [];
    sd.onCrossing(
      'Health',
      0.2,
      'down',
      (t) => {
        fired.push(t);
        seenHealth.push(sim.state.get('line1.machine.health'));
        sim.state.set('line1.machine.health', 1); // a repair
      },
      { tolerance: 1e-10 },
    );
    sim.run({ until: 5 });
    // Health = exp(-t) reaches 0.2 at ln 5; after each repair the clock restarts.
    expect(fired).toHaveLength(3);
    fired.forEach((t, i) => {
      expect(Math.abs(t - (i + 1) * Math.log(5))).toBeLessThan(1e-6);
    });
    for (const h of seenHealth) {
      expect(h).toBeLessThanOrEqual(0.2);
      expect(h).toBeGreaterThan(0.2 - 1e-8);
    }
    expect(sd.get('Health')).toBeCloseTo(Math.exp(-(5 - 3 * Math.log(5))), 6);
  });

  it('watches a crossing up to a next event closer than the run\u2019s time tolerance (dt × 1e-9) without hanging', () => {
    // The run treats times within dt × 1e-9 of its clock as reached; a crossing watch that had to
    // integrate up to such a next event once looped forever (the hybrid factory's stressed plant:
    // two events 3e-8 min apart with dt = 60).
    const m = new SdModel({ start: 0, stop: 1000, dt: 60, method: 'euler' });
    m.stock('Health', { initial: 100, outflows: ['wear'] });
    m.flow('wear', 'rate');
    m.constant('rate', 0.04);
    const sim = new Simulation();
    const sd = attachSdModel(sim, m, { prefix: 'machine' });
    const fired: number[] = [];
    sd.onCrossing('Health', 51, 'down', (t) => fired.push(t));
    const seen: number[] = [];
    sim.schedule(100, () => seen.push(sim.now));
    sim.schedule(100 + 3e-8, () => seen.push(sim.now));
    sim.run({ until: 2000 });
    expect(seen).toEqual([100, 100 + 3e-8]);
    // Euler with a constant rate is exact: 100 − 0.04 t reaches 51 at t = 1225.
    expect(fired).toHaveLength(1);
    expect(Math.abs(fired[0]! - 1225)).toBeLessThan(1e-5);
  });

  it('distinguishes crossing directions and lets a watch be cancelled', () => {
    const m = new SdModel({ start: 0, stop: 10, dt: 0.01, method: 'rk4' });
    m.stock('x', { initial: 0, inflows: ['v'] });
    m.stock('vel', { initial: 1, inflows: ['acc'] });
    m.flow('v', 'vel');
    m.flow('acc', '-x');
    const sim = new Simulation();
    const sd = attachSdModel(sim, m, { prefix: 'osc' });
    const ups: number[] = [];
    const downs: number[] = [];
    sd.onCrossing('x', 0.5, 'up', (t) => ups.push(t));
    const cancel = sd.onCrossing('x', 0.5, 'down', (t) => downs.push(t));
    sim.run({ until: 7 });
    cancel();
    sim.run({ until: 10 });
    // x = sin t: up-crossings of 0.5 at pi/6 (+2 pi), down-crossings at 5 pi/6.
    expect(ups.map((t) => t.toFixed(5))).toEqual(
      [Math.PI / 6, Math.PI / 6 + 2 * Math.PI].map((t) => t.toFixed(5)),
    );
    expect(downs.map((t) => t.toFixed(5))).toEqual([((5 * Math.PI) / 6).toFixed(5)]);
  });

  it('registers stocks and constants writable, flows and auxiliaries read-only', () => {
    const sim = new Simulation();
    attachSdModel(sim, relaxation('euler'), { prefix: 'plant' });
    expect(sim.state.names).toEqual(
      expect.arrayContaining(['plant.s', 'plant.in', 'plant.out', 'plant.rate', 'plant.tau']),
    );
    sim.state.set('plant.s', 3);
    expect(sim.state.get('plant.out')).toBe(1.5);
    expect(() => sim.state.set('plant.out', 1)).toThrow();
  });

  it('variable(name) resolves once and then reads and writes like get/set', () => {
    const sim = new Simulation();
    const plant = attachSdModel(sim, relaxation('euler'), { prefix: 'plant' });
    const stock = plant.variable('S');
    const rate = plant.variable('rate');
    stock.set(3);
    expect(stock.get()).toBe(3);
    expect(plant.get('out')).toBe(1.5); // auxiliaries follow a write at once
    rate.set(2);
    sim.run({ until: 1 });
    expect(rate.get()).toBe(2);
    expect(stock.get()).toBe(plant.get('S'));
    expect(() => plant.variable('out').set(1)).toThrow(/computed from its equation, so it cannot be written/);
    expect(() => rate.set(Number.NaN)).toThrow(/value must be a finite number, got NaN/);
    expect(() => plant.variable('nope')).toThrow(/no variable named "nope"/);
  });

  it('rejects a bad prefix and unknown crossing variables with clear errors', () => {
    const sim = new Simulation();
    expect(() => attachSdModel(sim, relaxation('euler'), { prefix: 'bad prefix' })).toThrow(
      /prefix must be a dotted identifier/,
    );
    const sd = attachSdModel(sim, relaxation('euler'), { prefix: 'ok' });
    expect(() => sd.onCrossing('nope', 1, 'up', () => {})).toThrow(/variable must name/);
    expect(() => sd.onCrossing('S', 1, 'sideways' as 'up', () => {})).toThrow(/direction/);
  });

  it('is deterministic, so a fork reproduces the original future', () => {
    const def = defineModel((sim) => {
      const m = new SdModel({ start: 0, stop: 50, dt: 0.25, method: 'rk4' });
      m.stock('S', { initial: 10, inflows: ['noise'], outflows: ['drain'] });
      m.flow('noise', 'NORMAL(1, 0.5)');
      m.flow('drain', 'S * 0.1');
      const sd = attachSdModel(sim, m, { prefix: 'tank' });
      sd.onCrossing('S', 12, 'up', () => sim.state.set('tank.s', 5));
      return sd;
    });
    const sim = def.create({ seed: 7 });
    sim.run({ until: 10 });
    const fork = sim.fork();
    sim.run({ until: 30 });
    fork.run({ until: 30 });
    expect(fork.state.get('tank.s')).toBe(sim.state.get('tank.s'));
  });
});
