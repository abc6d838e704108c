/**
 * SD benchmarks: the teacup and SIR models of the SDXorg suite, read from their XMILE files and run
 * for 80,000 Euler steps (every variable saved at every step), against a hand-written JS loop of the
 * same equations that saves the same values, measured in the same process. A third case shows how
 * a 1,000-element arrayed stock scales.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModel, SdModel, SdRun } from '@twinkit/sd';
import { loadXmile } from '@twinkit/sd/node';
import { type BenchCase, compareRates, rateResult } from '../harness';

const suite = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../fixtures/sd-test-models');
const SUITE = 'sd';

/** Teacup by hand: T' = -(T - room) / characteristic time; saves the 4 variables every step. */
function teacupByHand(steps: number, dt: number): number {
  const room = 70;
  const characteristic = 10;
  let temperature = 180;
  const out = new Float64Array((steps + 1) * 4);
  for (let i = 0; i <= steps; i++) {
    const heatLoss = (temperature - room) / characteristic;
    const base = i * 4;
    out[base] = heatLoss;
    out[base + 1] = room;
    out[base + 2] = temperature;
    out[base + 3] = characteristic;
    if (i < steps) temperature -= dt * heatLoss;
  }
  return out[steps * 4 + 2]!;
}

/** SIR by hand, the equations of SIR.xmile; saves the 8 variables every step. */
function sirByHand(steps: number, dt: number): number {
  const total = 1000;
  const duration = 5;
  const infectivity = 0.3;
  let susceptible = total;
  let infectious = 5;
  let recovered = 0;
  const out = new Float64Array((steps + 1) * 8);
  for (let i = 0; i <= steps; i++) {
    const succumbing = ((susceptible * infectious) / total) * infectivity;
    const recovering = infectious / duration;
    const base = i * 8;
    out[base] = susceptible;
    out[base + 1] = infectious;
    out[base + 2] = recovered;
    out[base + 3] = succumbing;
    out[base + 4] = recovering;
    out[base + 5] = total;
    out[base + 6] = duration;
    out[base + 7] = infectivity;
    if (i < steps) {
      susceptible -= dt * succumbing;
      infectious += dt * (succumbing - recovering);
      recovered += dt * recovering;
    }
  }
  return out[steps * 8 + 1]!;
}

function suiteCase(
  name: string,
  file: string,
  handWritten: (steps: number, dt: number) => number,
  check: string,
): BenchCase {
  return {
    suite: SUITE,
    name,
    run({ quick }) {
      const steps = quick ? 8_000 : 80_000;
      const model = loadXmile(resolve(suite, file));
      const dt = (model.specs.stop - model.specs.start) / steps;
      const compiled = compileModel(model);
      const twinkit = () => new SdRun(compiled, { method: 'euler', dt }).run().final(check);
      // Same numbers from both, or the comparison means nothing.
      const a = twinkit();
      const b = handWritten(steps, dt);
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(b))) {
        throw new Error(`${name}: twinkit ${a} and the hand-written loop ${b} disagree`);
      }
      const rates = compareRates(
        {
          twinkit: { work: steps, fn: twinkit },
          handWritten: { work: steps, fn: () => handWritten(steps, dt) },
        },
        { rounds: quick ? 3 : 7 },
      );
      return [
        rateResult(
          SUITE,
          name,
          'Euler steps/s (all variables saved each step)',
          'steps/s',
          rates.twinkit!,
          {
            name: 'hand-written JS loop',
            value: rates.handWritten!,
          },
          { goal: 0.4, note: `${steps} steps, compiled once; run includes initialisation and result rows` },
        ),
      ];
    },
  };
}

const ELEMENTS = 1_000;

/** x[i]' = (target[i] - x[i]) / tau over a 1,000-element dimension. */
function arrayedModel(steps: number): SdModel {
  const m = new SdModel({ start: 0, stop: steps, dt: 1, method: 'euler' });
  m.dimension('cell', ELEMENTS);
  m.stock('x', { initial: 0, inflows: ['adjust'], dimensions: ['cell'] });
  m.flow('adjust', '(target - x) / tau', { dimensions: ['cell'] });
  m.aux('target', 'cell_index', {
    dimensions: ['cell'],
    elements: Object.fromEntries(Array.from({ length: ELEMENTS }, (_, i) => [String(i + 1), i + 1])),
  });
  m.constant('tau', 20);
  m.constant('cell index', 0);
  m.aux('total', 'SUM(x[*])');
  return m;
}

function arrayedByHand(steps: number): number {
  const x = new Float64Array(ELEMENTS);
  const target = Float64Array.from({ length: ELEMENTS }, (_, i) => i + 1);
  const adjust = new Float64Array(ELEMENTS);
  const width = 3 * ELEMENTS + 2;
  const out = new Float64Array((steps + 1) * width);
  let total = 0;
  for (let s = 0; s <= steps; s++) {
    total = 0;
    for (let i = 0; i < ELEMENTS; i++) {
      adjust[i] = (target[i]! - x[i]!) / 20;
      total += x[i]!;
    }
    const base = s * width;
    out.set(x, base);
    out.set(adjust, base + ELEMENTS);
    out.set(target, base + 2 * ELEMENTS);
    out[base + 3 * ELEMENTS] = 20;
    out[base + 3 * ELEMENTS + 1] = total;
    if (s < steps) for (let i = 0; i < ELEMENTS; i++) x[i] = x[i]! + adjust[i]!;
  }
  return total;
}

const arrayed: BenchCase = {
  suite: SUITE,
  name: 'arrayed-1000',
  run({ quick }) {
    const steps = quick ? 100 : 1_000;
    const compiled = compileModel(arrayedModel(steps));
    const twinkit = () => new SdRun(compiled).run().final('total');
    const a = twinkit();
    const b = arrayedByHand(steps);
    if (Math.abs(a - b) > 1e-9 * Math.abs(b))
      throw new Error(`arrayed: twinkit ${a} and hand-written ${b} disagree`);
    const rates = compareRates(
      {
        twinkit: { work: steps * ELEMENTS, fn: twinkit },
        handWritten: { work: steps * ELEMENTS, fn: () => arrayedByHand(steps) },
      },
      { rounds: quick ? 3 : 5 },
    );
    return [
      rateResult(
        SUITE,
        'arrayed-1000',
        'element-steps/s',
        'element-steps/s',
        rates.twinkit!,
        {
          name: 'hand-written typed-array loop',
          value: rates.handWritten!,
        },
        { note: `${ELEMENTS} stock elements (unrolled by the compiler), ${steps} Euler steps` },
      ),
    ];
  },
};

export const cases: BenchCase[] = [
  suiteCase('teacup', 'samples/teacup/teacup.xmile', teacupByHand, 'Teacup Temperature'),
  suiteCase('sir', 'samples/SIR/SIR.xmile', sirByHand, 'Infectious'),
  arrayed,
];
