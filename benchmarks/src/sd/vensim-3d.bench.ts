/**
 * A 3-D subscripted Vensim model of 10,000 elements per variable (region 10 x product 20 x age 50),
 * read from .mdl text by `readVensim`, against the same equations hand-written over typed arrays.
 * Both integrate with Euler and save every variable at every step (SAVEPER = TIME STEP), as a
 * Vensim run does.
 */
import { compileModel, readVensim, SdRun } from '@twinkit/sd';
import { type BenchCase, measuredResult, measureRates } from '../harness';

const REGIONS = 10;
const PRODUCTS = 20;
const AGES = 50;
const ELEMENTS = REGIONS * PRODUCTS * AGES;
const DT = 0.25;

const capacity = (r: number) => 10 + r; // r, p, a are 1-based, as the subscripts r1.., p1.., a1..
const mix = (p: number) => p / 10;
const dwell = (a: number) => 2 + a / 5;
const list = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i + 1)).join(', ');

/** The model as Vensim text: stocks of inventory by region, product and age, and their flows. */
function mdl(finalTime: number): string {
  return `{UTF-8}
region: (r1-r${REGIONS}) ~~|
product: (p1-p${PRODUCTS}) ~~|
age: (a1-a${AGES}) ~~|
capacity[region] = ${list(REGIONS, capacity)} ~ units/week ~|
mix[product] = ${list(PRODUCTS, mix)} ~ dmnl ~|
dwell[age] = ${list(AGES, dwell)} ~ weeks ~|
inventory[region,product,age] = INTEG(production[region,product,age] - shipments[region,product,age], 1) ~ units ~|
production[region,product,age] = capacity[region] * mix[product] / (1 + ageing[region,product,age]) ~ units/week ~|
ageing[region,product,age] = inventory[region,product,age] / 100 ~ dmnl ~|
shipments[region,product,age] = inventory[region,product,age] / dwell[age] ~ units/week ~|
total inventory = SUM(inventory[region!,product!,age!]) ~ units ~|
INITIAL TIME = 0 ~~|
FINAL TIME = ${finalTime} ~~|
TIME STEP = ${DT} ~~|
SAVEPER = TIME STEP ~~|
`;
}

/** The same run by hand: the element loops in row-major (region, product, age) order; saves every variable. */
function byHand(steps: number, width: number): number {
  const inventory = new Float64Array(ELEMENTS).fill(1);
  const production = new Float64Array(ELEMENTS);
  const ageing = new Float64Array(ELEMENTS);
  const shipments = new Float64Array(ELEMENTS);
  const out = new Float64Array((steps + 1) * width);
  let total = 0;
  for (let s = 0; s <= steps; s++) {
    total = 0;
    let e = 0;
    for (let r = 1; r <= REGIONS; r++) {
      const c = capacity(r);
      for (let p = 1; p <= PRODUCTS; p++) {
        const cm = c * mix(p);
        for (let a = 1; a <= AGES; a++, e++) {
          const inv = inventory[e]!;
          const age = inv / 100;
          ageing[e] = age;
          production[e] = cm / (1 + age);
          shipments[e] = inv / dwell(a);
          total += inv;
        }
      }
    }
    const base = s * width;
    out.set(inventory, base);
    out.set(production, base + ELEMENTS);
    out.set(ageing, base + 2 * ELEMENTS);
    out.set(shipments, base + 3 * ELEMENTS);
    out[base + 4 * ELEMENTS] = total;
    if (s < steps)
      for (let i = 0; i < ELEMENTS; i++) inventory[i] = inventory[i]! + DT * (production[i]! - shipments[i]!);
  }
  return total;
}

const vensim3d: BenchCase = {
  suite: 'sd',
  name: 'vensim-3d-10000',
  run({ quick }) {
    const finalTime = quick ? 2 : 25;
    const steps = finalTime / DT;
    const compiled = compileModel(readVensim(mdl(finalTime), { file: 'vensim-3d.mdl' }));
    const first = new SdRun(compiled).run();
    const width = first.columns.length;
    const a = first.final('total inventory');
    const b = byHand(steps, width);
    if (Math.abs(a - b) > 1e-9 * Math.abs(b))
      throw new Error(`vensim-3d: twinkit ${a} and hand-written ${b} disagree`);
    const work = (steps + 1) * ELEMENTS;
    const rates = measureRates(
      {
        twinkit: { work, fn: () => new SdRun(compiled).run().final('total inventory') },
        handWritten: { work, fn: () => byHand(steps, width) },
      },
      quick ? { rounds: 1, warmup: 1, minMs: 20 } : { rounds: 5, warmup: 1, minMs: 300 },
    );
    return [
      measuredResult(
        'sd',
        'vensim-3d-10000',
        'element-steps/s',
        'element-steps/s',
        rates,
        'twinkit',
        { key: 'handWritten', label: 'hand-written typed-array loop' },
        {
          note: `readVensim: ${REGIONS}x${PRODUCTS}x${AGES} = ${ELEMENTS} elements per arrayed variable (4 of them), ${steps} Euler steps, every variable saved (${width} columns)`,
        },
      ),
    ];
  },
};

export const cases: BenchCase[] = [vensim3d];
