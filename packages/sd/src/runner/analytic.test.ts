import { describe, expect, it } from 'vitest';
import { type IntegrationMethod, SdModel } from '../model';
import { simulate } from './run';

// Closed forms: exponential decay y' = -k y and logistic growth y' = r y (1 - y/K).
const K_DECAY = 0.5;
const decayExact = (t: number) => 100 * Math.exp(-K_DECAY * t);
const R = 0.6;
const CAPACITY = 100;
const Y0 = 5;
const logisticExact = (t: number) => CAPACITY / (1 + (CAPACITY / Y0 - 1) * Math.exp(-R * t));

function decay(dt: number, method: IntegrationMethod) {
  const m = new SdModel({ start: 0, stop: 4, dt, method });
  m.stock('y', { initial: 100, outflows: ['decay'] });
  m.flow('decay', 'k * y');
  m.constant('k', K_DECAY);
  return m;
}

function logistic(dt: number, method: IntegrationMethod) {
  const m = new SdModel({ start: 0, stop: 8, dt, method });
  m.stock('y', { initial: Y0, inflows: ['growth'] });
  m.flow('growth', (v) => R * v.y! * (1 - v.y! / v.capacity!));
  m.constant('capacity', CAPACITY);
  return m;
}

const ORDERS: [IntegrationMethod, number, number[]][] = [
  ['euler', 1, [0.02, 0.01, 0.005]],
  ['rk2', 2, [0.1, 0.05, 0.025]],
  ['rk4', 4, [0.4, 0.2, 0.1]],
];

describe('integration against closed forms, with the order of convergence as dt halves', () => {
  for (const [name, build, exact, stop] of [
    ['exponential decay', decay, decayExact, 4],
    ['logistic growth', logistic, logisticExact, 8],
  ] as const) {
    for (const [method, order, dts] of ORDERS) {
      it(`${name}, ${method}: error shrinks with order ${order}`, () => {
        // Error = the largest deviation over the whole trajectory, at every save time.
        const errors = dts.map((dt) => {
          const results = simulate(build(dt, method));
          expect(results.times[results.rowCount - 1]).toBeCloseTo(stop, 12);
          const series = results.series('y');
          let worst = 0;
          results.times.forEach((t, i) => {
            worst = Math.max(worst, Math.abs(series[i]! - exact(t)));
          });
          return worst;
        });
        for (let i = 1; i < errors.length; i++) {
          const observed = Math.log2(errors[i - 1]! / errors[i]!);
          expect(observed).toBeGreaterThan(order - 0.15);
          expect(observed).toBeLessThan(order + 0.15);
        }
        expect(errors[errors.length - 1]!).toBeLessThan(
          { euler: 0.1, rk2: 1e-2, rk4: 1e-4, rk45: 1e-6 }[method],
        );
      });
    }
    it(`${name}, rk45: adaptive Dormand-Prince meets its tolerance`, () => {
      const results = simulate(build(0.5, 'rk45'), { rtol: 1e-9, atol: 1e-12 });
      const series = results.series('y');
      results.times.forEach((t, i) => {
        expect(Math.abs(series[i]! - exact(t))).toBeLessThan(1e-7 * Math.max(1, exact(t)));
      });
    });
  }

  it('rk45 with a loose tolerance is less accurate than with a tight one', () => {
    const loose = Math.abs(
      simulate(logistic(1, 'rk45'), { rtol: 1e-3, atol: 1e-6 }).final('y') - logisticExact(8),
    );
    const tight = Math.abs(
      simulate(logistic(1, 'rk45'), { rtol: 1e-10, atol: 1e-12 }).final('y') - logisticExact(8),
    );
    expect(tight).toBeLessThan(loose);
    expect(loose).toBeLessThan(1e-2);
  });
});
