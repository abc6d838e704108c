/**
 * Every sampler against theory: exact CDFs and pmfs from jstat (an independent implementation),
 * Kolmogorov-Smirnov tests for continuous samplers, chi-square tests for discrete ones, and means
 * and variances within 5 standard errors (CLT). Seeds are fixed, so the tests are deterministic,
 * yet a wrong sampler fails them: the significance level is 1e-4 and the sample sizes give the
 * tests power against errors of a percent or two in the CDF.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { GENERATOR_KINDS, type GeneratorKind } from './generators';
import { createStream, type RandomStream } from './random-stream';
import { logFactorial, normalQuantile } from './special-functions';

interface JStat {
  normal: { cdf(x: number, mean: number, sd: number): number };
  uniform: { cdf(x: number, a: number, b: number): number };
  exponential: { cdf(x: number, rate: number): number };
  lognormal: { cdf(x: number, mu: number, sigma: number): number };
  gamma: { cdf(x: number, shape: number, scale: number): number };
  weibull: { cdf(x: number, scale: number, shape: number): number };
  beta: { cdf(x: number, a: number, b: number): number };
  triangular: { cdf(x: number, min: number, max: number, mode: number): number };
  chisquare: { cdf(x: number, dof: number): number };
  gammaln(x: number): number;
}
// jstat ships no type declarations; load it through require and describe the part we use.
const { jStat } = createRequire(import.meta.url)('jstat') as { jStat: JStat };

const ALPHA = 1e-4;
const N_CONTINUOUS = 20_000;
const N_DISCRETE = 50_000;

const stream = (name: string, kind: GeneratorKind = 'mrg32k3a') =>
  createStream({ seed: 20260101, name, replication: 0, forkPath: '' }, kind);

function drawMany(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

/** Returns the one-sample KS statistic and its asymptotic p-value (Stephens' small-n correction). */
function ksTest(sample: Float64Array, cdf: (x: number) => number): { d: number; p: number } {
  const xs = Float64Array.from(sample).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  const sn = Math.sqrt(n);
  const lambda = (sn + 0.12 + 0.11 / sn) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

/**
 * Chi-square goodness of fit of integer draws against a pmf on 0, 1, 2, ...: neighbouring
 * outcomes are pooled until each cell expects at least 5, the last cell holds the whole upper tail.
 */
function chiSquareTest(
  draws: ArrayLike<number>,
  pmf: (k: number) => number,
  low = 0,
): { stat: number; dof: number; p: number } {
  const n = draws.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(draws[i]!, (counts.get(draws[i]!) ?? 0) + 1);
  for (const k of counts.keys()) {
    expect(Number.isInteger(k) && k >= low).toBe(true);
  }
  const cells: { observed: number; expected: number }[] = [];
  let observed = 0;
  let expected = 0;
  let cumulative = 0;
  let maxObserved = low;
  for (const value of counts.keys()) maxObserved = Math.max(maxObserved, value);
  let k = low;
  for (;;) {
    const p = pmf(k);
    cumulative += p;
    observed += counts.get(k) ?? 0;
    expected += n * p;
    k++;
    if (expected >= 5 && n * (1 - cumulative) >= 5) {
      cells.push({ observed, expected });
      observed = 0;
      expected = 0;
    }
    // Past every observation, stop once the rest of the mass is negligible (the pmf's own
    // rounding can keep the sum a hair below 1).
    if (k > maxObserved && (cumulative >= 1 - 1e-12 || n * p < 1e-9)) break;
  }
  // Upper tail: everything from k on.
  for (const [value, count] of counts) if (value >= k) observed += count;
  expected += n * Math.max(0, 1 - cumulative);
  if (cells.length > 0 && expected < 5) {
    const last = cells.pop()!;
    observed += last.observed;
    expected += last.expected;
  }
  cells.push({ observed, expected });
  const stat = cells.reduce((s, c) => s + (c.observed - c.expected) ** 2 / c.expected, 0);
  const dof = cells.length - 1;
  return { stat, dof, p: 1 - jStat.chisquare.cdf(stat, dof) };
}

/** Asserts the sample mean and variance are within 5 standard errors of the theory. */
function expectMoments(sample: Float64Array, mean: number, variance: number): void {
  const n = sample.length;
  let m = 0;
  for (const x of sample) m += x;
  m /= n;
  let m2 = 0;
  let m4 = 0;
  for (const x of sample) {
    const d = x - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  const s2 = m2 / (n - 1);
  m4 /= n;
  expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
  // SE of the sample variance from the CLT: sqrt((mu4 - sigma^4) / n), moments estimated from the sample.
  expect(Math.abs(s2 - variance)).toBeLessThan(5 * Math.sqrt(Math.max(m4 - s2 * s2, 1e-300) / n));
}

function expectFits(sample: Float64Array, cdf: (x: number) => number): void {
  const { p } = ksTest(sample, cdf);
  expect(p).toBeGreaterThan(ALPHA);
}

function expectPmf(draws: ArrayLike<number>, pmf: (k: number) => number, low = 0): void {
  const { p } = chiSquareTest(draws, pmf, low);
  expect(p).toBeGreaterThan(ALPHA);
}

const logChoose = (n: number, k: number) =>
  jStat.gammaln(n + 1) - jStat.gammaln(k + 1) - jStat.gammaln(n - k + 1);
const poissonPmf = (mean: number) => (k: number) =>
  Math.exp(-mean + k * Math.log(mean) - jStat.gammaln(k + 1));
const binomialPmf = (n: number, p: number) => (k: number) =>
  k > n ? 0 : Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));

describe('the test machinery itself', () => {
  it('rejects a sample from the wrong distribution (KS and chi-square have power)', () => {
    const s = stream('power');
    const sample = drawMany(N_CONTINUOUS, () => s.exponential(1.03));
    expect(ksTest(sample, (x) => jStat.exponential.cdf(x, 1)).p).toBeLessThan(ALPHA);
    const counts = drawMany(N_DISCRETE, () => s.poisson(5.1));
    expect(chiSquareTest(counts, poissonPmf(5)).p).toBeLessThan(ALPHA);
  });
});

describe('special functions', () => {
  it('normalQuantile inverts the normal CDF to 1e-11 relative', () => {
    for (const p of [1e-5, 0.001, 0.02425, 0.075, 0.3, 0.5, 0.6, 0.9, 0.975, 0.999999]) {
      const back = jStat.normal.cdf(normalQuantile(p), 0, 1);
      expect(Math.abs(back - p) / Math.min(p, 1 - p)).toBeLessThan(1e-11);
    }
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
  });

  it('normalQuantile is accurate far in the tails (Laplace continued fraction)', () => {
    // jstat's CDF loses accuracy below 1e-8; for z < -6 use Φ(z) = φ(z) R(|z|) with Laplace's
    // continued fraction for Mills' ratio, R(x) = 1 / (x + 1 / (x + 2 / (x + 3 / (x + ...)))).
    const logPhi = (z: number) => {
      const x = -z;
      let t = x;
      for (let k = 400; k >= 1; k--) t = x + k / t;
      return (-x * x) / 2 - Math.log(Math.sqrt(2 * Math.PI)) - Math.log(t);
    };
    expect(Math.abs(logPhi(-3) - Math.log(jStat.normal.cdf(-3, 0, 1)))).toBeLessThan(1e-12);
    for (const p of [1e-300, 1e-100, 1e-20, 1e-10, 2.3e-10]) {
      expect(Math.abs(logPhi(normalQuantile(p)) - Math.log(p))).toBeLessThan(1e-8);
      expect(normalQuantile(1 - p === 1 ? 0.5 : 1 - p)).toBeGreaterThanOrEqual(0);
    }
    // Symmetry: Φ⁻¹(1 - p) = -Φ⁻¹(p) where 1 - p is exact.
    expect(normalQuantile(1 - 2 ** -33)).toBeCloseTo(-normalQuantile(2 ** -33), 12);
  });

  it('logFactorial matches log Γ(k + 1)', () => {
    for (const k of [0, 1, 2, 10, 100, 255, 256, 257, 1000, 123456, 1e9]) {
      expect(logFactorial(k)).toBeCloseTo(jStat.gammaln(k + 1), k > 1e5 ? 4 : 9);
      expect(Math.abs(logFactorial(k) - jStat.gammaln(k + 1))).toBeLessThanOrEqual(
        1e-12 * Math.max(1, jStat.gammaln(k + 1)),
      );
    }
  });
});

describe.each(GENERATOR_KINDS)('uniforms of %s', (kind) => {
  it('next() is U(0, 1): KS and moments', () => {
    const s = stream('u', kind);
    const sample = drawMany(N_CONTINUOUS, () => s.next());
    expectFits(sample, (x) => x);
    expectMoments(sample, 0.5, 1 / 12);
  });

  it('next() has no serial correlation at lag 1', () => {
    const s = stream('lag', kind);
    const n = 100_000;
    let prev = s.next() - 0.5;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = s.next() - 0.5;
      sum += prev * x;
      prev = x;
    }
    // Under independence the lag-1 product has mean 0 and variance 1/144.
    expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(1 / 144 / n));
  });

  it('the first draws of 5,000 streams named s0..s4999 are U(0, 1) (derivation spreads streams)', () => {
    const firsts = drawMany(
      5000,
      (() => {
        let i = 0;
        return () => createStream({ seed: 7, name: `s${i++}`, replication: 0, forkPath: '' }, kind).next();
      })(),
    );
    expectFits(firsts, (x) => x);
    const replications = drawMany(
      5000,
      (() => {
        let r = 0;
        return () => createStream({ seed: 7, name: 'r', replication: r++, forkPath: '' }, kind).next();
      })(),
    );
    expectFits(replications, (x) => x);
  });

  it('two streams are uncorrelated (paired draws)', () => {
    const a = stream('left', kind);
    const b = stream('right', kind);
    const n = 100_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (a.next() - 0.5) * (b.next() - 0.5);
    expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(1 / 144 / n));
  });

  it('integer(1, 6) is uniform on 1..6 (chi-square)', () => {
    const s = stream('die', kind);
    expectPmf(
      drawMany(N_DISCRETE, () => s.integer(1, 6)),
      (k) => (k >= 1 && k <= 6 ? 1 / 6 : 0),
      1,
    );
  });
});

describe('continuous samplers (KS against the exact CDF, moments against theory)', () => {
  it('uniform(min, max)', () => {
    const s = stream('uniform');
    const sample = drawMany(N_CONTINUOUS, () => s.uniform(-2, 5));
    expectFits(sample, (x) => jStat.uniform.cdf(x, -2, 5));
    expectMoments(sample, 1.5, 49 / 12);
    expect(s.uniform(3, 3)).toBe(3);
  });

  it('exponential(mean) is parameterised by the mean', () => {
    const s = stream('exponential');
    const sample = drawMany(N_CONTINUOUS, () => s.exponential(4));
    expectFits(sample, (x) => jStat.exponential.cdf(x, 1 / 4));
    expectMoments(sample, 4, 16);
  });

  it('normal(mean, sd)', () => {
    const s = stream('normal');
    const sample = drawMany(N_CONTINUOUS, () => s.normal(10, 3));
    expectFits(sample, (x) => jStat.normal.cdf(x, 10, 3));
    expectMoments(sample, 10, 9);
    expect(s.normal(7, 0)).toBe(7);
  });

  it('lognormal(mu, sigma) uses the parameters of the underlying normal', () => {
    const s = stream('lognormal');
    const [mu, sigma] = [0.5, 0.4];
    const sample = drawMany(N_CONTINUOUS, () => s.lognormal(mu, sigma));
    expectFits(sample, (x) => jStat.lognormal.cdf(x, mu, sigma));
    const mean = Math.exp(mu + sigma ** 2 / 2);
    expectMoments(sample, mean, (Math.exp(sigma ** 2) - 1) * mean ** 2);
  });

  it.each([
    [1, 2, 5],
    [0, 0, 1],
    [0, 1, 1],
  ])('triangular(%d, %d, %d)', (min, mode, max) => {
    const s = stream(`triangular${min}${mode}${max}`);
    const sample = drawMany(N_CONTINUOUS, () => s.triangular(min, mode, max));
    expectFits(sample, (x) => jStat.triangular.cdf(x, min, max, mode));
    const variance = (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18;
    expectMoments(sample, (min + mode + max) / 3, variance);
  });

  it.each([0.05, 0.3, 1, 2.5, 30])('gamma(shape %d, scale 2) (Marsaglia-Tsang; boosted below 1)', (shape) => {
    const s = stream(`gamma${shape}`);
    const sample = drawMany(N_CONTINUOUS, () => s.gamma(shape, 2));
    // For tiny shapes most mass sits near 0: compare on the CDF where jstat is accurate.
    expectFits(sample, (x) => jStat.gamma.cdf(x, shape, 2));
    expectMoments(sample, 2 * shape, 4 * shape);
  });

  it.each([1, 3, 16, 17, 40])('erlang(k = %d, mean 6) has total mean 6', (k) => {
    const s = stream(`erlang${k}`);
    const sample = drawMany(N_CONTINUOUS, () => s.erlang(k, 6));
    expectFits(sample, (x) => jStat.gamma.cdf(x, k, 6 / k));
    expectMoments(sample, 6, 36 / k);
  });

  it.each([
    [1.5, 2],
    [0.5, 1],
    [5, 10],
  ])('weibull(shape %d, scale %d)', (shape, scale) => {
    const s = stream(`weibull${shape}`);
    const sample = drawMany(N_CONTINUOUS, () => s.weibull(shape, scale));
    expectFits(sample, (x) => jStat.weibull.cdf(x, scale, shape));
    const g1 = Math.exp(jStat.gammaln(1 + 1 / shape));
    const g2 = Math.exp(jStat.gammaln(1 + 2 / shape));
    expectMoments(sample, scale * g1, scale * scale * (g2 - g1 * g1));
  });

  it.each([
    [2, 5],
    [0.3, 0.4],
    [0.5, 3],
    [1, 1],
    [40, 0.2],
  ])('beta(%d, %d)', (a, b) => {
    const s = stream(`beta${a}-${b}`);
    const sample = drawMany(N_CONTINUOUS, () => s.beta(a, b));
    let outside = 0;
    for (const x of sample) if (!(x >= 0 && x <= 1)) outside++;
    expect(outside).toBe(0);
    expectFits(sample, (x) => jStat.beta.cdf(x, a, b));
    expectMoments(sample, a / (a + b), (a * b) / ((a + b) ** 2 * (a + b + 1)));
  });
});

describe('discrete samplers (chi-square against the exact pmf)', () => {
  it.each([0.5, 4, 9.99, 10, 35, 1000])('poisson(%d)', (mean) => {
    const s = stream(`poisson${mean}`);
    const draws = drawMany(N_DISCRETE, () => s.poisson(mean));
    expectPmf(draws, poissonPmf(mean));
    expectMoments(draws, mean, mean);
  });

  it('poisson(0) is always 0', () => {
    const s = stream('poisson0');
    expect(drawMany(100, () => s.poisson(0)).every((x) => x === 0)).toBe(true);
  });

  it.each([
    [10, 0.3],
    [100, 0.05],
    [40, 0.5],
    [1000, 0.2],
    [50, 0.9],
    [1_000_000, 0.3],
    [7, 1],
    [7, 0],
  ])('binomial(%d, %d)', (n, p) => {
    const s = stream(`binomial${n}-${p}`);
    const draws = drawMany(N_DISCRETE, () => s.binomial(n, p));
    if (p === 0 || p === 1) {
      expect(draws.every((x) => x === n * p)).toBe(true);
      return;
    }
    expectPmf(draws, binomialPmf(n, p));
    expectMoments(draws, n * p, n * p * (1 - p));
  });

  it('bernoulli(p)', () => {
    const s = stream('bernoulli');
    const draws = drawMany(N_DISCRETE, () => (s.bernoulli(0.3) ? 1 : 0));
    expectPmf(draws, (k) => (k === 0 ? 0.7 : k === 1 ? 0.3 : 0));
    expect(s.bernoulli(0)).toBe(false);
    expect(s.bernoulli(1)).toBe(true);
  });

  it('integer(min, max) over a negative range and a range wider than 32 bits', () => {
    const s = stream('integer');
    expectPmf(
      drawMany(N_DISCRETE, () => s.integer(-3, 3) + 3),
      (k) => (k <= 6 ? 1 / 7 : 0),
    );
    // Range 2^40: the top 4 bits must be uniform, and the mean must fit.
    const wide = drawMany(N_DISCRETE, () => s.integer(0, 2 ** 40 - 1));
    expectPmf(
      wide.map((x) => Math.floor(x / 2 ** 36)),
      (k) => (k < 16 ? 1 / 16 : 0),
    );
    // Range 2^53 (two draws per value): low bits too.
    const widest = drawMany(N_DISCRETE, () => s.integer(0, 2 ** 53 - 1));
    expectPmf(
      widest.map((x) => x % 16),
      (k) => (k < 16 ? 1 / 16 : 0),
    );
    expectPmf(
      widest.map((x) => Math.floor(x / 2 ** 49)),
      (k) => (k < 16 ? 1 / 16 : 0),
    );
    expect(widest.every((x) => Number.isSafeInteger(x))).toBe(true);
    expect(s.integer(5, 5)).toBe(5);
  });

  it('integer(0, n - 1) has no modulo bias for n close to the generator range', () => {
    // n = 3 * 2^30: floor(u * n) or r % n from a 32-bit source would favour the lowest third.
    const s = stream('bias');
    const n = 3 * 2 ** 30;
    const draws = drawMany(N_DISCRETE, () => Math.floor(s.integer(0, n - 1) / 2 ** 30));
    expectPmf(draws, (k) => (k < 3 ? 1 / 3 : 0));
  });

  it('categorical(weights) never picks a zero weight', () => {
    const s = stream('categorical');
    const weights = [1, 0, 3, 6];
    const draws = drawMany(N_DISCRETE, () => s.categorical(weights));
    expectPmf(draws, (k) => (weights[k] ?? 0) / 10);
    expect(draws.includes(1)).toBe(false);
    expect(s.categorical(new Float64Array([0, 0, 2]))).toBe(2);
  });

  it('discrete(values, weights) returns the values', () => {
    const s = stream('discrete');
    const values = ['a', 'b', 'c'] as const;
    const draws = drawMany(N_DISCRETE, () => values.indexOf(s.discrete(values, [0.2, 0.5, 0.3])));
    expectPmf(draws, (k) => [0.2, 0.5, 0.3][k] ?? 0);
  });

  it('empirical(data) resamples the observed values with equal probability', () => {
    const s = stream('empirical');
    const data = [2.5, 7, 7, 1];
    const draws = drawMany(N_DISCRETE, () => s.empirical(data));
    expectPmf(
      draws.map((x) => [1, 2.5, 7].indexOf(x)),
      (k) => [0.25, 0.25, 0.5][k] ?? 0,
    );
  });

  it.each(GENERATOR_KINDS)('shuffle is uniform over all 24 permutations of 4 items (%s)', (kind) => {
    const s = stream('shuffle', kind);
    const items = ['a', 'b', 'c', 'd'] as const;
    const permutations: string[] = [];
    const permute = (prefix: string, rest: string[]) => {
      if (rest.length === 0) permutations.push(prefix);
      rest.forEach((x, i) => {
        permute(prefix + x, [...rest.slice(0, i), ...rest.slice(i + 1)]);
      });
    };
    permute('', [...items]);
    expect(permutations).toHaveLength(24);
    const draws = drawMany(48_000, () => permutations.indexOf(s.shuffle(items).join('')));
    expect(draws.includes(-1)).toBe(false);
    expectPmf(draws, (k) => (k < 24 ? 1 / 24 : 0));
    expect(items).toEqual(['a', 'b', 'c', 'd']);
  });

  it('sample(items, 2) is uniform over the 20 ordered pairs of 5 items, without replacement', () => {
    const s = stream('sample');
    const items = [0, 1, 2, 3, 4];
    const pairs: number[] = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (i !== j) pairs.push(i * 5 + j);
    const draws = drawMany(N_DISCRETE, () => {
      const [a, b] = s.sample(items, 2);
      return pairs.indexOf(a! * 5 + b!);
    });
    expect(draws.includes(-1)).toBe(false);
    expectPmf(draws, (k) => (k < 20 ? 1 / 20 : 0));
    expect(s.sample(items, 0)).toEqual([]);
    expect([...s.sample(items, 5)].sort()).toEqual(items);
    expect(items).toEqual([0, 1, 2, 3, 4]);
  });
  it('sample(items, 3) of 20 items (sparse branch): every position uniform, no repeats', () => {
    const s = stream('sample-sparse');
    const items = Array.from({ length: 20 }, (_, i) => i);
    const positions = [
      new Float64Array(N_DISCRETE),
      new Float64Array(N_DISCRETE),
      new Float64Array(N_DISCRETE),
    ];
    let repeats = 0;
    for (let r = 0; r < N_DISCRETE; r++) {
      const picked = s.sample(items, 3);
      if (new Set(picked).size !== 3) repeats++;
      picked.forEach((x, i) => {
        positions[i]![r] = x;
      });
    }
    expect(repeats).toBe(0);
    for (const draws of positions) expectPmf(draws, (k) => (k < 20 ? 1 / 20 : 0));
  });
});

describe('prebuilt samplers', () => {
  const cases: [string, (s: RandomStream) => () => number, (s: RandomStream) => number][] = [
    ['uniform', (s) => s.sampler('uniform', 1, 3), (s) => s.uniform(1, 3)],
    ['integer', (s) => s.sampler('integer', -5, 1e12), (s) => s.integer(-5, 1e12)],
    ['exponential', (s) => s.sampler('exponential', 2), (s) => s.exponential(2)],
    ['normal', (s) => s.sampler('normal', 1, 2), (s) => s.normal(1, 2)],
    ['lognormal', (s) => s.sampler('lognormal', 0, 0.5), (s) => s.lognormal(0, 0.5)],
    ['triangular', (s) => s.sampler('triangular', 0, 1, 4), (s) => s.triangular(0, 1, 4)],
    ['gamma', (s) => s.sampler('gamma', 0.7, 2), (s) => s.gamma(0.7, 2)],
    ['erlang', (s) => s.sampler('erlang', 3, 5), (s) => s.erlang(3, 5)],
    ['weibull', (s) => s.sampler('weibull', 2, 3), (s) => s.weibull(2, 3)],
    ['beta', (s) => s.sampler('beta', 0.5, 2), (s) => s.beta(0.5, 2)],
    ['poisson', (s) => s.sampler('poisson', 40), (s) => s.poisson(40)],
    ['binomial', (s) => s.sampler('binomial', 200, 0.7), (s) => s.binomial(200, 0.7)],
    ['empirical', (s) => s.sampler('empirical', [3, 1, 4]), (s) => s.empirical([3, 1, 4])],
  ];
  it.each(cases)('sampler(%s) draws exactly what the method draws', (_name, make, method) => {
    const a = stream('same');
    const b = stream('same');
    const draw = make(a);
    expect(drawMany(1000, draw)).toEqual(drawMany(1000, () => method(b)));
  });

  it("sampler('categorical') (alias table) fits the weights", () => {
    const s = stream('alias');
    const weights = [5, 0, 1, 2, 0.5, 1.5];
    const draw = s.sampler('categorical', weights);
    const draws = drawMany(N_DISCRETE, draw);
    expectPmf(draws, (k) => (weights[k] ?? 0) / 10);
    expect(draws.includes(1)).toBe(false);
    expect(drawMany(100, s.sampler('categorical', [0, 3]))).toEqual(new Float64Array(100).fill(1));
  });

  it('keeps working after reseed (it draws from the same stream object)', () => {
    const s = stream('reseed');
    const draw = s.sampler('exponential', 2);
    s.reseed({ seed: 20260101, name: 'reseed', replication: 4, forkPath: '' });
    const fresh = createStream({ seed: 20260101, name: 'reseed', replication: 4, forkPath: '' });
    expect(drawMany(10, draw)).toEqual(drawMany(10, () => fresh.exponential(2)));
  });
});
