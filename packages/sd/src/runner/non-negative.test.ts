import { Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { attachSdModel } from '../coupling/attach';
import { type IntegrationMethod, SdModel } from '../model';
import { SdRun, simulate } from './run';

const METHODS: IntegrationMethod[] = ['euler', 'rk2', 'rk4', 'rk45'];

/** |a - b| relative to the size of the total, with a floor for totals near zero. */
function drift(total: number, initial: number): number {
  return Math.abs(total - initial) / Math.max(1, Math.abs(initial));
}

/**
 * A chain of non-negative stocks with several outflows each and too little to feed them all:
 * Source -> (a, b) -> Middle -> (c, d) -> End -> e, with b, d and e ending in sink stocks, so the
 * sum of every stock is what the model holds plus what left it.
 */
function chain(method: IntegrationMethod, dt = 0.25) {
  const m = new SdModel({ start: 0, stop: 12, dt, method });
  m.stock('Source', { initial: 20, inflows: ['refill'], outflows: ['a', 'b'], nonNegative: true });
  m.stock('Middle', { initial: 1, inflows: ['a'], outflows: ['c', 'd'], nonNegative: true });
  m.stock('End', { initial: 0, inflows: ['c'], outflows: ['e'], nonNegative: true });
  m.stock('Sink B', { initial: 0, inflows: ['b'] });
  m.stock('Sink D', { initial: 0, inflows: ['d'] });
  m.stock('Sink E', { initial: 0, inflows: ['e'] });
  m.stock('Refill Tank', { initial: 5, outflows: ['refill'], nonNegative: true });
  m.flow('refill', '0.5 + 0.2 * TIME', { nonNegative: true });
  m.flow('a', '4 + Source * 0.1', { nonNegative: true });
  m.flow('b', '3', { nonNegative: true });
  m.flow('c', 'Middle * 2 + 1', { nonNegative: true });
  m.flow('d', '2', { nonNegative: true });
  m.flow('e', '5 * End + 0.5', { nonNegative: true });
  return m;
}

const CHAIN_STOCKS = ['Source', 'Middle', 'End', 'Sink B', 'Sink D', 'Sink E', 'Refill Tank'];

describe('non-negative stocks limit their outflows (XMILE 3.6.2, 4.2)', () => {
  it('follows the hand-worked Euler recurrence: outflows served in priority order, limited to stock/DT + inflows', () => {
    // A = 10, inflow 1, outflows f1 = 4 (to B) then f2 = 3 (leaves), DT = 0.5.
    // available = A / 0.5 + 1:  t=0: 21, t=0.5: 15, t=1: 9 (all served: A falls by 3 a step),
    // t=1.5: A = 1, available 3: f1 = 3, f2 = 0, A = 0; then available 1: f1 = 1, f2 = 0.
    const make = (outflows: string[]) => {
      const m = new SdModel({ start: 0, stop: 3, dt: 0.5 });
      m.stock('A', { initial: 10, inflows: ['in'], outflows, nonNegative: true });
      m.stock('B', { initial: 0, inflows: ['f1'] });
      m.flow('in', '1');
      m.flow('f1', '4');
      m.flow('f2', '3');
      return simulate(m);
    };
    const r = make(['f1', 'f2']);
    expect([...r.series('A')]).toEqual([10, 7, 4, 1, 0, 0, 0]);
    expect([...r.series('f1')]).toEqual([4, 4, 4, 3, 1, 1, 1]);
    expect([...r.series('f2')]).toEqual([3, 3, 3, 0, 0, 0, 0]);
    expect([...r.series('B')]).toEqual([0, 2, 4, 6, 7.5, 8, 8.5]);
    // Listed the other way round, f2 is served first.
    const q = make(['f2', 'f1']);
    expect([...q.series('f2')]).toEqual([3, 3, 3, 3, 1, 1, 1]);
    expect([...q.series('f1')]).toEqual([4, 4, 4, 0, 0, 0, 0]);
    expect([...q.series('B')]).toEqual([0, 2, 4, 6, 6, 6, 6]);
    expect([...q.series('A')]).toEqual([10, 7, 4, 1, 0, 0, 0]);
  });

  it('delivers downstream exactly what left upstream (Euler: B gains DT * f1 at every step)', () => {
    const r = simulate(chain('euler'));
    const a = r.series('a');
    const source = r.series('Source');
    const refill = r.series('refill');
    const b = r.series('b');
    let limited = 0;
    for (let i = 0; i + 1 < r.times.length; i++) {
      expect(source[i + 1]!).toBeCloseTo(source[i]! + 0.25 * (refill[i]! - a[i]! - b[i]!), 12);
      expect(r.value('Sink B', i + 1) - r.value('Sink B', i)).toBeCloseTo(0.25 * b[i]!, 12);
      if (a[i]! < 4 + source[i]! * 0.1 - 1e-12) limited++;
    }
    expect(limited).toBeGreaterThan(10);
  });

  for (const method of METHODS) {
    it(`conserves the total exactly along a chain with several outflows per stock (${method})`, () => {
      const r = simulate(chain(method));
      const total = (i: number) => CHAIN_STOCKS.reduce((s, name) => s + r.value(name, i), 0);
      const initial = total(0);
      let bound = 0;
      for (let i = 0; i < r.times.length; i++) {
        expect(drift(total(i), initial)).toBeLessThan(1e-9);
        for (const name of CHAIN_STOCKS) expect(r.value(name, i)).toBeGreaterThanOrEqual(0);
        if (r.value('b', i) < 3) bound++;
      }
      // The limits did bind (Source ran dry and b, its second outflow, went short).
      expect(bound).toBeGreaterThan(0);
      expect(r.final('Source')).toBeLessThan(1e-6);
    });
  }

  it('conserves with Euler when outflows leave the model (stocks plus the sum of DT * outflow)', () => {
    const m = new SdModel({ start: 0, stop: 5, dt: 0.125 });
    m.stock('Tank', { initial: 3, inflows: ['fill'], outflows: ['use', 'waste'], nonNegative: true });
    m.flow('fill', '0.5');
    m.flow('use', '2');
    m.flow('waste', '1');
    const r = simulate(m);
    let left = 0;
    for (let i = 0; i < r.times.length; i++) {
      expect(drift(r.value('Tank', i) + left - 0.125 * 0.5 * i, 3)).toBeLessThan(1e-12);
      left += 0.125 * (r.value('use', i) + r.value('waste', i));
    }
    expect(r.final('use')).toBe(0.5);
    expect(r.final('waste')).toBe(0);
  });

  it('limits an outflow whose requested value events change (a parameter), and reports the limited value', () => {
    const m = new SdModel({ start: 0, stop: 4, dt: 1 });
    m.stock('Tank', { initial: 5, outflows: ['drain'], nonNegative: true });
    m.stock('Out', { initial: 0, inflows: ['drain'] });
    m.flow('drain', '2');
    const run = new SdRun(m);
    run.advanceTo(1);
    run.set('drain', 10); // the request; the tank holds 3
    expect(run.get('drain')).toBe(3);
    run.advanceTo(2);
    expect(run.get('Tank')).toBe(0);
    expect(run.get('Out')).toBe(5);
    run.set('Tank', 1);
    expect(run.get('drain')).toBe(1);
    const r = run.run();
    expect(r.final('Out')).toBe(6);
  });

  for (const method of ['euler', 'rk4', 'rk45'] as const) {
    it(`conserves with state events on the shared clock (${method})`, () => {
      const sim = new Simulation({ seed: 3 });
      const m = new SdModel({ start: 0, stop: 30, dt: 0.25, method });
      m.stock('Tank', {
        initial: 10,
        inflows: ['inflow'],
        outflows: ['to buffer', 'loss'],
        nonNegative: true,
      });
      m.stock('Buffer', { initial: 0, inflows: ['to buffer'], outflows: ['ship'], nonNegative: true });
      m.stock('Lost', { initial: 0, inflows: ['loss'] });
      m.stock('Shipped', { initial: 0, inflows: ['ship'] });
      m.flow('inflow', 'supply');
      m.flow('to buffer', 'pump', { nonNegative: true });
      m.flow('loss', '0.5', { nonNegative: true });
      m.flow('ship', 'Buffer * 0.8 + demand', { nonNegative: true });
      m.constant('supply', 1);
      m.constant('pump', 3);
      m.constant('demand', 0.5);
      const sd = attachSdModel(sim, m, { prefix: 'p' });
      const stocks = ['Tank', 'Buffer', 'Lost', 'Shipped'];
      const total = () => stocks.reduce((s, name) => s + sd.get(name), 0);
      let supplied = 0; // what the inflow brought in, tracked across its changes
      let lastChange = 0;
      let supply = 1;
      const setSupply = (value: number) => {
        supplied += supply * (sim.now - lastChange);
        lastChange = sim.now;
        supply = value;
        sim.state.set('p.supply', value);
      };
      let crossings = 0;
      // Low tank: pump harder (the limit binds), and restock a little later.
      sd.onCrossing('Tank', 1, 'down', () => {
        crossings++;
        sim.state.set('p.pump', 8);
        setSupply(0);
        sim.schedule(sim.now + 2.3, () => {
          sim.state.set('p.pump', 3);
          setSupply(4);
        });
      });
      const checks: number[] = [];
      for (let t = 0.37; t < 29; t += 1.7) {
        sim.schedule(t, () => {
          checks.push(drift(total(), 10 + supplied + supply * (sim.now - lastChange)));
          for (const name of stocks) expect(sd.get(name)).toBeGreaterThanOrEqual(0);
        });
      }
      sim.run({ until: 29 });
      expect(crossings).toBeGreaterThan(0);
      expect(checks.length).toBeGreaterThan(10);
      for (const d of checks) expect(d).toBeLessThan(1e-9);
    });
  }
});
