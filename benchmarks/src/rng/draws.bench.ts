/**
 * Draws per second of the random streams, for each generator kind and for the normal and
 * exponential samplers, against hand-written loops in the same process:
 * - an inline MRG32k3a over local doubles (the same recurrence and reduction as `Mrg32k3a.step`,
 *   no objects, no calls): the ceiling for the default generator; also with the classic division;
 * - an inline xorshift128+ on int32 halves: a fast 32-bit generator written by hand;
 * - `Math.random()` (V8's xorshift128+, for scale; not seedable, never used by the SDK).
 * Each figure is a ratio against the inline MRG32k3a loop.
 */
import { type GeneratorKind, RandomStream } from '@twinkit/core';
import { type BenchCase, type BenchResult, compareRates, rateResult } from '../harness';

/** Every generator kind of `SimulationOptions.generator`, in a fixed order. */
const GENERATOR_KINDS: readonly GeneratorKind[] = ['mrg32k3a', 'alea', 'xor4096', 'xorshift7', 'arc4'];

const SUITE = 'rng';
const M1 = 4294967087;
const M2 = 4294944443;
const INV_M1 = 1 / M1;
const INV_M2 = 1 / M2;
const NORM = 2.328306549295728e-10;
let sink = 0;

/**
 * Sums n uniforms of a hand-written MRG32k3a on local doubles, with the quotient taken from a
 * multiplication by 1/m and corrected by one either way, as `Mrg32k3a.step` does.
 */
function inlineMrg32k3a(n: number): number {
  const m1 = M1;
  const m2 = M2;
  const inv1 = INV_M1;
  const inv2 = INV_M2;
  const norm = NORM;
  let s10 = 12345;
  let s11 = 12345;
  let s12 = 12345;
  let s20 = 12345;
  let s21 = 12345;
  let s22 = 12345;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let p1 = 1403580 * s11 - 810728 * s10;
    p1 -= Math.floor(p1 * inv1) * m1;
    if (p1 < 0) p1 += m1;
    else if (p1 >= m1) p1 -= m1;
    s10 = s11;
    s11 = s12;
    s12 = p1;
    let p2 = 527612 * s22 - 1370589 * s20;
    p2 -= Math.floor(p2 * inv2) * m2;
    if (p2 < 0) p2 += m2;
    else if (p2 >= m2) p2 -= m2;
    s20 = s21;
    s21 = s22;
    s22 = p2;
    sum += (p1 > p2 ? p1 - p2 : p1 - p2 + m1) * norm;
  }
  return sum;
}

/** The same generator as the classic C code writes it: the quotient from a division. */
function inlineMrg32k3aDivision(n: number): number {
  const m1 = M1;
  const m2 = M2;
  const norm = NORM;
  let s10 = 12345;
  let s11 = 12345;
  let s12 = 12345;
  let s20 = 12345;
  let s21 = 12345;
  let s22 = 12345;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let p1 = 1403580 * s11 - 810728 * s10;
    p1 -= ((p1 / m1) | 0) * m1;
    if (p1 < 0) p1 += m1;
    s10 = s11;
    s11 = s12;
    s12 = p1;
    let p2 = 527612 * s22 - 1370589 * s20;
    p2 -= ((p2 / m2) | 0) * m2;
    if (p2 < 0) p2 += m2;
    s20 = s21;
    s21 = s22;
    s22 = p2;
    sum += (p1 > p2 ? p1 - p2 : p1 - p2 + m1) * norm;
  }
  return sum;
}

/** Sums n uniforms of a hand-written xorshift128+ (two 32-bit lanes per 64-bit word). */
function inlineXorshift128Plus(n: number): number {
  // State (s0, s1) as 32-bit halves: s0 = (a1:a0), s1 = (b1:b0).
  let a0 = 0x9e3779b9 | 0;
  let a1 = 0x243f6a88 | 0;
  let b0 = 0xb7e15162 | 0;
  let b1 = 0x85a308d3 | 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // x = s0; y = s1; s0 = y; x ^= x << 23; s1 = x ^ y ^ (x >> 17) ^ (y >> 26); out = s1 + y
    let x0 = a0;
    let x1 = a1;
    const y0 = b0;
    const y1 = b1;
    a0 = y0;
    a1 = y1;
    x1 ^= (x1 << 23) | (x0 >>> 9);
    x0 ^= x0 << 23;
    const t0 = x0 ^ y0 ^ ((x0 >>> 17) | (x1 << 15)) ^ ((y0 >>> 26) | (y1 << 6));
    const t1 = x1 ^ y1 ^ (x1 >>> 17) ^ (y1 >>> 26);
    b0 = t0;
    b1 = t1;
    // High 32 bits of s1 + y.
    const lo = (t0 >>> 0) + (y0 >>> 0);
    const hi = (t1 + y1 + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    sum += (hi + 0.5) * 2.3283064365386963e-10;
  }
  return sum;
}

/** Sums n draws of a prebuilt sampler or other function (one indirect call per draw). */
function sumDraws(n: number, draw: () => number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += draw();
  return sum;
}

// Direct loops over each method, as model code calls them (no closure in between).
function sumNext(s: RandomStream, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.next();
  return sum;
}
function sumNormal(s: RandomStream, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.normal(0, 1);
  return sum;
}
function sumExponential(s: RandomStream, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.exponential(2);
  return sum;
}
function sumInteger(s: RandomStream, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.integer(1, 6);
  return sum;
}
function sumGamma(s: RandomStream, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.gamma(2.5, 1);
  return sum;
}
function sumPoisson(s: RandomStream, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.poisson(40);
  return sum;
}

/** Rounds of the harness: the quick variant keeps each case under a second or two for CI. */
const timing = (quick: boolean) =>
  quick ? { rounds: 2, warmup: 1, minMs: 15 } : { rounds: 7, warmup: 2, minMs: 200 };

const key = (name: string) => ({ seed: 1, name, replication: 0, forkPath: '' });

/** Measures draws/s of next() for every generator kind against the hand-written loops. */
const uniformDraws: BenchCase = {
  suite: SUITE,
  name: 'uniform-draws',
  run({ quick }) {
    const n = quick ? 200_000 : 5_000_000;
    const streams = new Map<string, RandomStream>(
      GENERATOR_KINDS.map((k) => [k, new RandomStream(key('u'), k)]),
    );
    const contenders: Record<string, { work: number; fn: () => unknown }> = {
      'inline MRG32k3a': { work: n, fn: () => (sink += inlineMrg32k3a(n)) },
      'inline MRG32k3a (division)': { work: n, fn: () => (sink += inlineMrg32k3aDivision(n)) },
      'inline xorshift128+': { work: n, fn: () => (sink += inlineXorshift128Plus(n)) },
      'Math.random': { work: n, fn: () => (sink += sumDraws(n, Math.random)) },
    };
    for (const [kind, s] of streams) {
      contenders[kind] = { work: n, fn: () => (sink += sumNext(s, n)) };
    }
    const rates = compareRates(contenders, timing(quick));
    const reference = { name: 'inline MRG32k3a', value: rates['inline MRG32k3a']! };
    const results: BenchResult[] = [
      rateResult(
        SUITE,
        'uniform-draws',
        'inline MRG32k3a (division) draws/s',
        'draws/s',
        rates['inline MRG32k3a (division)']!,
        reference,
      ),
      rateResult(
        SUITE,
        'uniform-draws',
        'inline xorshift128+ draws/s',
        'draws/s',
        rates['inline xorshift128+']!,
        reference,
      ),
      rateResult(SUITE, 'uniform-draws', 'Math.random draws/s', 'draws/s', rates['Math.random']!, reference),
    ];
    for (const kind of GENERATOR_KINDS) {
      results.push(
        rateResult(SUITE, 'uniform-draws', `${kind} next() draws/s`, 'draws/s', rates[kind]!, reference),
      );
    }
    return results;
  },
};

/** Measures normal() and exponential(), as methods and as prebuilt samplers, on the default generator. */
const distributionDraws: BenchCase = {
  suite: SUITE,
  name: 'distribution-draws',
  run({ quick }) {
    const n = quick ? 200_000 : 3_000_000;
    const s = new RandomStream(key('d'));
    const normal = s.sampler('normal', 0, 1);
    const exponential = s.sampler('exponential', 2);
    const rates = compareRates(
      {
        'inline MRG32k3a': { work: n, fn: () => (sink += inlineMrg32k3a(n)) },
        'next()': { work: n, fn: () => (sink += sumNext(s, n)) },
        'normal(0, 1)': { work: n, fn: () => (sink += sumNormal(s, n)) },
        "sampler('normal')": { work: n, fn: () => (sink += sumDraws(n, normal)) },
        'exponential(2)': { work: n, fn: () => (sink += sumExponential(s, n)) },
        "sampler('exponential')": { work: n, fn: () => (sink += sumDraws(n, exponential)) },
        'integer(1, 6)': { work: n, fn: () => (sink += sumInteger(s, n)) },
        'gamma(2.5, 1)': { work: n, fn: () => (sink += sumGamma(s, n)) },
        'poisson(40)': { work: n, fn: () => (sink += sumPoisson(s, n)) },
      },
      timing(quick),
    );
    const reference = { name: 'inline MRG32k3a', value: rates['inline MRG32k3a']! };
    return Object.entries(rates)
      .filter(([name]) => name !== 'inline MRG32k3a')
      .map(([name, rate]) =>
        rateResult(SUITE, 'distribution-draws', `${name} draws/s`, 'draws/s', rate, reference),
      );
  },
};

/** Measures new RandomStream(key, kind) (hashing the key and jumping MRG32k3a by BigInt matrix powers). */
const streamCreation: BenchCase = {
  suite: SUITE,
  name: 'stream-creation',
  run({ quick }) {
    const n = quick ? 200 : 5_000;
    let counter = 0;
    const contenders: Record<string, { work: number; fn: () => unknown }> = {};
    for (const kind of GENERATOR_KINDS) {
      contenders[kind] = {
        work: n,
        fn: () => {
          for (let i = 0; i < n; i++) sink += new RandomStream(key(`s${counter++}`), kind).next();
        },
      };
    }
    const rates = compareRates(contenders, timing(quick));
    const reference = { name: 'arc4 (seedrandom default)', value: rates['arc4']! };
    return GENERATOR_KINDS.map((kind) =>
      rateResult(
        SUITE,
        'stream-creation',
        `${kind} new RandomStream()/s`,
        'streams/s',
        rates[kind]!,
        reference,
        {
          note: 'one-off cost per stream and per reseed',
        },
      ),
    );
  },
};

export const cases: BenchCase[] = [uniformDraws, distributionDraws, streamCreation];

// Keep the sums observable so the loops are not optimised away.
export const keepAlive = () => sink;
