import { describe, expect, it } from 'vitest';
import type { CompiledModel } from '../compiler';
import type { RuntimeContext } from '../compiler/runtime';
import { Integrator } from './integrators';

/**
 * A hand-made compiled model whose outflows are NOT limited by its equations (slots: 0 stock A,
 * 1 stock B, 2 flow f1 from A to B, 3 flow f2 from A out of the model), so that an RK step takes A
 * below zero and the end-of-step settlement has to cut the outflows.
 */
function unlimited(): CompiledModel {
  return {
    specs: { start: 0, stop: 1, dt: 1 },
    slotCount: 4,
    stockCount: 2,
    nonNegativeStocks: Int32Array.from([0]),
    outflowLimits: [{ stock: 0, outflows: Int32Array.from([2, 3]), to: Int32Array.from([1, -1]) }],
    outputs: [],
    functions: {
      init: () => {},
      constants: () => {},
      aux: (v: Float64Array) => {
        v[2] = 1;
        v[3] = 1;
      },
      rates: (v: Float64Array, _c: RuntimeContext, _t: number, d: Float64Array) => {
        d[0] = -v[2]! - v[3]!;
        d[1] = v[2]!;
      },
      commit: () => {},
      runEuler: () => 0,
    },
    tables: { graphicals: [], functions: [], delayCount: 0, usesRandom: false },
    source: '',
    find: () => undefined,
  } as unknown as CompiledModel;
}

describe('Integrator: the end of an RK step keeps non-negative stocks conservative', () => {
  for (const method of ['rk2', 'rk4'] as const) {
    it(`cuts the lowest-priority outflow first and takes back from the stock it fills (${method})`, () => {
      const model = unlimited();
      // A = 1 would end at 1 - 2 = -1: f2 (second, lowest priority, leaves the model) gives back 1.
      let v = Float64Array.from([1, 0, 1, 1]);
      new Integrator(model, v, {} as RuntimeContext, 1e-6, 1e-9, 1).step(method, 0, 1);
      expect(v[0]).toBe(0);
      expect(v[1]).toBeCloseTo(1, 14);
      // A = 0.5 would end at -1.5: f2 gives back all it moved (1), then f1 0.5, taken back from B.
      v = Float64Array.from([0.5, 0, 1, 1]);
      new Integrator(model, v, {} as RuntimeContext, 1e-6, 1e-9, 1).step(method, 0, 1);
      expect(v[0]).toBe(0);
      expect(v[1]).toBeCloseTo(0.5, 14);
    });
  }
});
