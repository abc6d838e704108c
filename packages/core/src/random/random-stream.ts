import { invalidArgument } from '../errors';
import { createSource, DEFAULT_GENERATOR, type GeneratorKind, type UniformSource } from './generators';
import { logFactorial, normalQuantile } from './special-functions';
import { checkStreamKey, type StreamKey } from './stream-key';

/** Lists the parameters of each distribution that {@link RandomStream.sampler} can prebuild. */
export interface SamplerParameters {
  uniform: [min: number, max: number];
  integer: [min: number, max: number];
  exponential: [mean: number];
  normal: [mean: number, sd: number];
  lognormal: [mu: number, sigma: number];
  triangular: [min: number, mode: number, max: number];
  gamma: [shape: number, scale: number];
  erlang: [k: number, mean: number];
  weibull: [shape: number, scale: number];
  beta: [a: number, b: number];
  poisson: [mean: number];
  binomial: [n: number, p: number];
  categorical: [weights: ArrayLike<number>];
  empirical: [data: ArrayLike<number>];
}

/** Names a distribution that {@link RandomStream.sampler} can prebuild. */
export type SamplerKind = keyof SamplerParameters;

/** Holds a saved generator position, as returned by {@link RandomStream.saveState}. */
export interface RandomStreamState {
  /** The generator kind the state belongs to. */
  readonly kind: GeneratorKind;
  /** The generator's internal state, plain JSON-compatible data. */
  readonly generator: unknown;
}

const TWO_POW_53 = 2 ** 53;
const TWO_POW_26 = 2 ** 26;
const TWO_POW_27 = 2 ** 27;
/** Erlang with at most this many phases multiplies uniforms; more phases go through gamma. */
const ERLANG_PRODUCT_MAX_PHASES = 16;
/** Poisson means below this use inversion; at or above, Hörmann's PTRS rejection. */
const POISSON_INVERSION_LIMIT = 10;
/** Binomial with n * min(p, 1-p) below this uses inversion; at or above, Hörmann's BTRS. */
const BINOMIAL_INVERSION_LIMIT = 10;

// ---------------------------------------------------------------------------------------------
// Validation: each check is a comparison or two on the hot path; the message is built only when
// it fails. `!(x > 0 && x < Infinity)` also rejects NaN.

function fail(api: string, rule: string, value: unknown, remedy: string): never {
  throw invalidArgument(`RandomStream.${api}`, rule, value, remedy);
}

function checkFinite(api: string, name: string, value: number, remedy: string): void {
  if (!(value > -Infinity && value < Infinity)) fail(api, `${name} must be a finite number`, value, remedy);
}

function checkPositive(api: string, name: string, value: number, remedy: string): void {
  if (!(value > 0 && value < Infinity)) fail(api, `${name} must be a finite number > 0`, value, remedy);
}

function checkNonNegative(api: string, name: string, value: number, remedy: string): void {
  if (!(value >= 0 && value < Infinity)) fail(api, `${name} must be a finite number >= 0`, value, remedy);
}

function checkProbability(api: string, value: number): void {
  if (!(value >= 0 && value <= 1)) fail(api, 'p must be a probability in [0, 1]', value, 'Pass 0 <= p <= 1.');
}

function checkUniform(min: number, max: number): void {
  const range = max - min;
  if (range >= 0 && range < Infinity) return;
  checkFinite('uniform(min, max)', 'min', min, 'Pass finite bounds.');
  checkFinite('uniform(min, max)', 'max', max, 'Pass finite bounds.');
  if (max < min) fail('uniform(min, max)', 'max must be >= min', max, `Pass max >= min (min is ${min}).`);
  fail('uniform(min, max)', 'max - min must be finite', range, 'Narrow the interval.');
}

function checkInteger(min: number, max: number): void {
  if (Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max && max - min < TWO_POW_53) return;
  const remedy = 'Pass safe integers min <= max with max - min < 2^53.';
  if (!Number.isSafeInteger(min)) fail('integer(min, max)', 'min must be a safe integer', min, remedy);
  if (!Number.isSafeInteger(max)) fail('integer(min, max)', 'max must be a safe integer', max, remedy);
  if (max < min) fail('integer(min, max)', 'max must be >= min', max, `Pass max >= min (min is ${min}).`);
  fail('integer(min, max)', 'max - min must be < 2^53', max - min, remedy);
}

function checkTriangular(min: number, mode: number, max: number): void {
  if (min <= mode && mode <= max && min < max && max - min < Infinity && min > -Infinity) return;
  const api = 'triangular(min, mode, max)';
  checkFinite(api, 'min', min, 'Pass finite min <= mode <= max with min < max.');
  checkFinite(api, 'mode', mode, 'Pass finite min <= mode <= max with min < max.');
  checkFinite(api, 'max', max, 'Pass finite min <= mode <= max with min < max.');
  if (!(min < max)) fail(api, 'max must be > min', max, `Pass max > min (min is ${min}).`);
  if (!(min <= mode && mode <= max))
    fail(api, `mode must lie in [min, max] = [${min}, ${max}]`, mode, 'Pass min <= mode <= max.');
  fail(api, 'max - min must be finite', max - min, 'Narrow the interval.');
}

function checkErlangPhases(k: number): void {
  if (!(Number.isInteger(k) && k >= 1 && k <= 1e9)) {
    fail(
      'erlang(k, mean)',
      'k must be an integer in [1, 1e9]',
      k,
      'Pass the number of phases, e.g. erlang(3, mean).',
    );
  }
}

function checkBinomialTrials(n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) {
    fail('binomial(n, p)', 'n must be a safe integer >= 0', n, 'Pass the number of trials.');
  }
}

/** Validates weights and returns their total. */
function weightTotal(api: string, weights: ArrayLike<number>): number {
  const n = weights?.length;
  if (!(typeof n === 'number' && n >= 1)) {
    fail(api, 'weights must be a non-empty array of numbers', weights, 'Pass one weight per outcome.');
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && w < Infinity)) {
      fail(api, `weights[${i}] must be a finite number >= 0`, w, 'Pass non-negative finite weights.');
    }
    total += w;
  }
  if (!(total > 0 && total < Infinity)) {
    fail(api, 'weights must have a finite sum > 0', total, 'Give at least one outcome a positive weight.');
  }
  return total;
}

// ---------------------------------------------------------------------------------------------

/**
 * Draws random numbers from one named, reproducible stream: uniforms and samplers for the usual
 * simulation distributions, all from the stream's own generator.
 *
 * A stream's numbers depend only on its {@link StreamKey} (master seed, name, replication, fork
 * path) and its generator kind, so adding a stream never changes what another stream draws.
 * Continuous samplers use one uniform per draw by inversion where the inverse CDF is cheap
 * (uniform, exponential, normal, lognormal, triangular, Weibull; Poisson and binomial with small
 * means), which keeps common random numbers synchronised across scenarios.
 *
 * Every parameter is checked (finite, in range) and a bad one throws a {@link TwinkitError} that
 * names the method, the rule and the value.
 *
 * @example
 * ```ts
 * const arrivals = new RandomStream({ seed: 42, name: 'arrivals', replication: 0, forkPath: '' });
 * const gap = arrivals.exponential(5);       // mean 5 (rate 1/5)
 * const service = arrivals.sampler('gamma', 2, 1.5);
 * const x = service();                       // prebuilt, validated once
 * ```
 */
export class RandomStream {
  /** The stream's name (from its key). */
  readonly name: string;
  /** The generator algorithm behind the stream. */
  readonly kind: GeneratorKind;
  private source: UniformSource;
  private streamKey: StreamKey;
  // Cache of below(n) for the last n (numbers initialised here so V8 keeps them unboxed).
  private belowRange = 0;
  private belowBucket = 0;
  private belowLimit = 0;

  /**
   * Creates the stream for `key`: a standalone stream (sensor noise, a filter's draws); inside a
   * simulation use `sim.rng(name)`, which fills in the seed, replication and fork path.
   */
  constructor(key: StreamKey, kind: GeneratorKind = DEFAULT_GENERATOR) {
    checkStreamKey('createStream(key)', key);
    this.streamKey = { seed: key.seed, name: key.name, replication: key.replication, forkPath: key.forkPath };
    this.name = key.name;
    this.kind = kind;
    this.source = createSource(this.streamKey, kind);
  }

  /** Returns (a copy of) the key the stream's current state was derived from. */
  get key(): StreamKey {
    return { ...this.streamKey };
  }

  /**
   * Re-derives this stream's state in place from a new key (for example a fork with another
   * replication): model code holds references to stream objects, so the object stays the same.
   * The key must keep the stream's name.
   */
  reseed(key: StreamKey): void {
    checkStreamKey('RandomStream.reseed(key)', key);
    if (key.name !== this.name) {
      throw invalidArgument(
        'RandomStream.reseed(key)',
        `key.name must stay the stream's name ${JSON.stringify(this.name)}`,
        key.name,
        'Create another stream for another name.',
      );
    }
    this.streamKey = { seed: key.seed, name: key.name, replication: key.replication, forkPath: key.forkPath };
    this.source.reseed(this.streamKey);
  }

  /** Returns the generator's current position as plain data, to continue later with {@link restoreState}. */
  saveState(): RandomStreamState {
    return { kind: this.kind, generator: this.source.saveState() };
  }

  /** Continues from a position returned by {@link saveState} on a stream of the same kind. */
  restoreState(state: RandomStreamState): void {
    if (state?.kind !== this.kind || !this.source.restoreState(state.generator)) {
      throw invalidArgument(
        'RandomStream.restoreState(state)',
        `state must come from saveState() of a '${this.kind}' stream`,
        state,
        'Pass what saveState() returned.',
      );
    }
  }

  // ------------------------------------------------------------------------------- uniforms

  /** Returns a uniform number in the open interval (0, 1): never exactly 0 or 1. */
  next(): number {
    return this.source.next();
  }

  /** Returns a uniform number between `min` and `max` (`min <= max`, both finite). */
  uniform(min: number, max: number): number {
    checkUniform(min, max);
    return min + (max - min) * this.source.next();
  }

  /** Returns a uniform integer in [min, max], both ends included, without modulo bias. */
  integer(min: number, max: number): number {
    checkInteger(min, max);
    return min + this.below(max - min + 1);
  }

  /** Returns true with probability `p` (0 <= p <= 1). */
  bernoulli(p: number): boolean {
    checkProbability('bernoulli(p)', p);
    return this.source.next() < p;
  }

  // ------------------------------------------------------------------------------- continuous

  /**
   * Returns an exponential variate with the given MEAN (not rate), by inversion. Python's
   * `random.expovariate(lambd)`, used in SimPy models, takes the rate: pass `1 / lambd` here
   * (`exponential(5)` has mean 5, rate 0.2). NumPy's `exponential(scale)` takes the mean, as here.
   */
  exponential(mean: number): number {
    checkPositive('exponential(mean)', 'mean', mean, 'Pass the mean inter-arrival time (1/rate).');
    return -mean * Math.log(this.source.next());
  }

  /**
   * Returns a normal variate with mean `mean` and standard deviation `sd >= 0`, by inversion
   * (Wichura's AS 241) of one uniform, so one draw always uses one uniform (good for common random
   * numbers); the 32-bit resolution of the uniforms bounds |z| at about 6.2 (MRG32k3a) to 6.3.
   */
  normal(mean: number, sd: number): number {
    checkFinite('normal(mean, sd)', 'mean', mean, 'Pass a finite mean.');
    checkNonNegative('normal(mean, sd)', 'sd', sd, 'Pass the standard deviation (not the variance).');
    return mean + sd * normalQuantile(this.source.next());
  }

  /**
   * Returns exp(X) with X normal(mu, sigma): `mu` and `sigma` are the mean and standard deviation
   * of the underlying normal (the log of the variate), not of the variate. For a lognormal with
   * mean m and standard deviation s, pass sigma² = ln(1 + s²/m²), mu = ln(m) - sigma²/2.
   */
  lognormal(mu: number, sigma: number): number {
    checkFinite('lognormal(mu, sigma)', 'mu', mu, 'Pass the mean of the underlying normal (log scale).');
    checkNonNegative(
      'lognormal(mu, sigma)',
      'sigma',
      sigma,
      'Pass the sd of the underlying normal (log scale).',
    );
    return Math.exp(mu + sigma * normalQuantile(this.source.next()));
  }

  /** Returns a triangular variate on [min, max] with peak at `mode`, by inversion. */
  triangular(min: number, mode: number, max: number): number {
    checkTriangular(min, mode, max);
    return this.drawTriangular(min, mode, max);
  }

  /**
   * Returns a gamma variate with shape k > 0 and scale θ > 0 (mean kθ, variance kθ²), by
   * Marsaglia and Tsang's method (boosted by u^(1/k) when k < 1).
   */
  gamma(shape: number, scale: number): number {
    checkPositive('gamma(shape, scale)', 'shape', shape, 'Pass shape k > 0 (mean = shape * scale).');
    checkPositive('gamma(shape, scale)', 'scale', scale, 'Pass scale > 0 (the reciprocal of the rate).');
    return scale * this.standardGamma(shape);
  }

  /** Returns an Erlang variate: the sum of `k` exponential phases whose TOTAL mean is `mean`. */
  erlang(k: number, mean: number): number {
    checkErlangPhases(k);
    checkPositive('erlang(k, mean)', 'mean', mean, 'Pass the total mean of the k phases.');
    return this.drawErlang(k, mean);
  }

  /** Returns a Weibull variate with shape > 0 and scale > 0 (CDF 1 - exp(-(x/scale)^shape)), by inversion. */
  weibull(shape: number, scale: number): number {
    checkPositive('weibull(shape, scale)', 'shape', shape, 'Pass shape > 0.');
    checkPositive('weibull(shape, scale)', 'scale', scale, 'Pass scale > 0.');
    return scale * (-Math.log(this.source.next())) ** (1 / shape);
  }

  /** Returns a beta(a, b) variate on [0, 1] (mean a / (a + b)), from two gamma variates. */
  beta(a: number, b: number): number {
    checkPositive('beta(a, b)', 'a', a, 'Pass shape parameters a > 0 and b > 0.');
    checkPositive('beta(a, b)', 'b', b, 'Pass shape parameters a > 0 and b > 0.');
    return this.drawBeta(a, b);
  }

  // ------------------------------------------------------------------------------- discrete

  /**
   * Returns a Poisson count with the given mean >= 0: inversion for means below 10, Hörmann's
   * transformed rejection (PTRS) above.
   */
  poisson(mean: number): number {
    checkNonNegative('poisson(mean)', 'mean', mean, 'Pass the expected count.');
    return this.drawPoisson(mean);
  }

  /**
   * Returns the number of successes in `n` trials with success probability `p`: inversion when
   * n * min(p, 1 - p) < 10, Hörmann's BTRS rejection otherwise.
   */
  binomial(n: number, p: number): number {
    checkBinomialTrials(n);
    checkProbability('binomial(n, p)', p);
    return this.drawBinomial(n, p);
  }

  /** Returns an index i with probability weights[i] / sum(weights) (weights finite, >= 0, sum > 0). */
  categorical(weights: ArrayLike<number>): number {
    const total = weightTotal('categorical(weights)', weights);
    const x = this.source.next() * total;
    let cumulative = 0;
    let last = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (w > 0) {
        cumulative += w;
        last = i;
        if (x < cumulative) return i;
      }
    }
    return last; // only reached if rounding put x at the very top
  }

  /** Returns values[i] with probability weights[i] / sum(weights). */
  discrete<T>(values: readonly T[], weights: ArrayLike<number>): T {
    if (!Array.isArray(values) || values.length !== weights?.length) {
      fail(
        'discrete(values, weights)',
        `values must be an array with one entry per weight (${weights?.length} weights)`,
        values,
        'Pass arrays of equal length.',
      );
    }
    return values[this.categorical(weights)] as T;
  }

  /**
   * Returns one of the observed `data` values, each with probability 1/n (a bootstrap resample;
   * no interpolation between values). Only the drawn value is checked here, so a non-finite
   * entry throws when it is drawn; `sampler('empirical', data)` checks every value once.
   */
  empirical(data: ArrayLike<number>): number {
    const n = data?.length;
    if (!(typeof n === 'number' && n >= 1)) {
      fail('empirical(data)', 'data must be a non-empty array of numbers', data, 'Pass the observed values.');
    }
    const i = this.below(n);
    const value = data[i]!;
    if (!(value > -Infinity && value < Infinity)) {
      fail('empirical(data)', `data[${i}] must be a finite number`, value, 'Remove non-finite observations.');
    }
    return value;
  }

  /** Returns a NEW array holding `items` in uniformly random order (Fisher-Yates); `items` is untouched. */
  shuffle<T>(items: readonly T[]): T[] {
    if (!Array.isArray(items)) fail('shuffle(items)', 'items must be an array', items, 'Pass an array.');
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** Returns `k` distinct items drawn without replacement, in random order (a NEW array). */
  sample<T>(items: readonly T[], k: number): T[] {
    if (!Array.isArray(items)) fail('sample(items, k)', 'items must be an array', items, 'Pass an array.');
    if (!(Number.isInteger(k) && k >= 0 && k <= items.length)) {
      fail(
        'sample(items, k)',
        `k must be an integer in [0, ${items.length}]`,
        k,
        'Ask for at most items.length items.',
      );
    }
    const n = items.length;
    if (k * 4 >= n) {
      const pool = items.slice();
      for (let i = 0; i < k; i++) {
        const j = i + this.below(n - i);
        const t = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = t;
      }
      pool.length = k;
      return pool;
    }
    // Few items from many: the same partial Fisher-Yates with the swaps kept in a map instead of a
    // copy of `items` (identical results, O(k) memory).
    const moved = new Map<number, number>();
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.below(n - i);
      const atI = moved.get(i) ?? i;
      out.push(items[moved.get(j) ?? j]!);
      moved.set(j, atI);
    }
    return out;
  }

  // ------------------------------------------------------------------------------- samplers

  /**
   * Returns a function that draws from one distribution with fixed parameters, checked once, to
   * pass around as a plain `() => number`. It draws exactly what the method draws, except
   * `categorical`, which builds Walker's alias table (O(1) per draw instead of O(n), a different
   * sequence); `empirical` copies and checks the data once. It is not faster than calling the
   * method directly: the method's checks are a few comparisons, and the indirect call costs as much
   * (see the rng benchmark).
   *
   * @example
   * ```ts
   * const service = stream.sampler('lognormal', 0, 0.5);
   * machine.serviceTime = service;            // any code that wants a () => number
   * ```
   */
  sampler<K extends SamplerKind>(kind: K, ...params: SamplerParameters[K]): () => number {
    const p = params as unknown[];
    const a = p[0] as number;
    const b = p[1] as number;
    const c = p[2] as number;
    const expected: Record<SamplerKind, number> = {
      uniform: 2,
      integer: 2,
      exponential: 1,
      normal: 2,
      lognormal: 2,
      triangular: 3,
      gamma: 2,
      erlang: 2,
      weibull: 2,
      beta: 2,
      poisson: 1,
      binomial: 2,
      categorical: 1,
      empirical: 1,
    };
    if (!Object.hasOwn(expected, kind)) {
      throw invalidArgument(
        'RandomStream.sampler(kind, ...params)',
        `kind must be one of ${Object.keys(expected).join(', ')}`,
        kind,
        'Pick a supported distribution.',
      );
    }
    if (p.length !== expected[kind]) {
      throw invalidArgument(
        `RandomStream.sampler('${kind}', ...params)`,
        `${kind} takes ${expected[kind]} parameter(s)`,
        p,
        `Pass exactly ${expected[kind]}.`,
      );
    }
    switch (kind) {
      case 'uniform': {
        checkUniform(a, b);
        const range = b - a;
        return () => a + range * this.source.next();
      }
      case 'integer': {
        checkInteger(a, b);
        const n = b - a + 1;
        return () => a + this.below(n);
      }
      case 'exponential':
        checkPositive('exponential(mean)', 'mean', a, 'Pass the mean inter-arrival time (1/rate).');
        return () => -a * Math.log(this.source.next());
      case 'normal':
        checkFinite('normal(mean, sd)', 'mean', a, 'Pass a finite mean.');
        checkNonNegative('normal(mean, sd)', 'sd', b, 'Pass the standard deviation (not the variance).');
        return () => a + b * normalQuantile(this.source.next());
      case 'lognormal':
        checkFinite('lognormal(mu, sigma)', 'mu', a, 'Pass the mean of the underlying normal (log scale).');
        checkNonNegative(
          'lognormal(mu, sigma)',
          'sigma',
          b,
          'Pass the sd of the underlying normal (log scale).',
        );
        return () => Math.exp(a + b * normalQuantile(this.source.next()));
      case 'triangular':
        checkTriangular(a, b, c);
        return () => this.drawTriangular(a, b, c);
      case 'gamma':
        checkPositive('gamma(shape, scale)', 'shape', a, 'Pass shape k > 0 (mean = shape * scale).');
        checkPositive('gamma(shape, scale)', 'scale', b, 'Pass scale > 0 (the reciprocal of the rate).');
        return () => b * this.standardGamma(a);
      case 'erlang':
        checkErlangPhases(a);
        checkPositive('erlang(k, mean)', 'mean', b, 'Pass the total mean of the k phases.');
        return () => this.drawErlang(a, b);
      case 'weibull': {
        checkPositive('weibull(shape, scale)', 'shape', a, 'Pass shape > 0.');
        checkPositive('weibull(shape, scale)', 'scale', b, 'Pass scale > 0.');
        const inverseShape = 1 / a;
        return () => b * (-Math.log(this.source.next())) ** inverseShape;
      }
      case 'beta':
        checkPositive('beta(a, b)', 'a', a, 'Pass shape parameters a > 0 and b > 0.');
        checkPositive('beta(a, b)', 'b', b, 'Pass shape parameters a > 0 and b > 0.');
        return () => this.drawBeta(a, b);
      case 'poisson':
        checkNonNegative('poisson(mean)', 'mean', a, 'Pass the expected count.');
        return () => this.drawPoisson(a);
      case 'binomial':
        checkBinomialTrials(a);
        checkProbability('binomial(n, p)', b);
        return () => this.drawBinomial(a, b);
      case 'categorical':
        return this.aliasSampler(p[0] as ArrayLike<number>);
      default: {
        const data = p[0] as ArrayLike<number>;
        const n = data?.length;
        if (!(typeof n === 'number' && n >= 1)) {
          fail(
            'empirical(data)',
            'data must be a non-empty array of numbers',
            data,
            'Pass the observed values.',
          );
        }
        const copy = Float64Array.from(data);
        for (let i = 0; i < n; i++) {
          const v = copy[i]!;
          if (!(v > -Infinity && v < Infinity)) {
            fail(
              'empirical(data)',
              `data[${i}] must be a finite number`,
              v,
              'Remove non-finite observations.',
            );
          }
        }
        return () => copy[this.below(n)]!;
      }
    }
  }

  // ------------------------------------------------------------------------------- internals

  /**
   * Returns a uniform integer in [0, n), n an integer in [1, 2^53], without bias: a raw integer r
   * uniform in [0, R) is accepted below the largest multiple of n, bucket * n, and mapped to
   * floor(r / bucket). That quotient is exact in doubles (r < 2^32), and bucket is cached for the
   * last n because hot loops ask for the same range again and again.
   */
  private below(n: number): number {
    const source = this.source;
    if (n <= source.intRange) {
      if (n !== this.belowRange) {
        this.belowBucket = Math.floor(source.intRange / n);
        this.belowLimit = this.belowBucket * n;
        this.belowRange = n;
      }
      const limit = this.belowLimit;
      let r = source.nextInt();
      while (r >= limit) r = source.nextInt();
      return Math.floor(r / this.belowBucket);
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    for (;;) {
      const r = this.bits(TWO_POW_26) * TWO_POW_27 + this.bits(TWO_POW_27);
      if (r < limit) return r % n;
    }
  }

  /** Returns a uniform integer in [0, m), m a power of two <= 2^27. */
  private bits(m: number): number {
    const source = this.source;
    const limit = source.intRange - (source.intRange % m);
    let r = source.nextInt();
    while (r >= limit) r = source.nextInt();
    return r % m;
  }

  private drawTriangular(min: number, mode: number, max: number): number {
    const u = this.source.next();
    const width = max - min;
    const left = mode - min;
    if (u * width < left) return min + Math.sqrt(u * width * left);
    return max - Math.sqrt((1 - u) * width * (max - mode));
  }

  /** Returns a gamma(shape, 1) variate (Marsaglia & Tsang 2000). */
  private standardGamma(shape: number): number {
    if (shape < 1) {
      // Boost: if Y ~ gamma(shape + 1) then Y * U^(1/shape) ~ gamma(shape).
      const y = this.standardGamma(shape + 1);
      return y * this.source.next() ** (1 / shape);
    }
    const source = this.source;
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normalQuantile(source.next());
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = source.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Returns log of a gamma(shape, 1) variate, accurate even when the variate underflows. */
  private logStandardGamma(shape: number): number {
    if (shape >= 1) return Math.log(this.standardGamma(shape));
    return Math.log(this.standardGamma(shape + 1)) + Math.log(this.source.next()) / shape;
  }

  private drawErlang(k: number, mean: number): number {
    if (k > ERLANG_PRODUCT_MAX_PHASES) return (mean / k) * this.standardGamma(k);
    // A product of at most 16 uniforms >= 2^-33 each stays far above the smallest double.
    let product = 1;
    for (let i = 0; i < k; i++) product *= this.source.next();
    return (-mean / k) * Math.log(product);
  }

  private drawBeta(a: number, b: number): number {
    if (a >= 1 && b >= 1) {
      const x = this.standardGamma(a);
      return x / (x + this.standardGamma(b));
    }
    // Small shapes: gamma variates can underflow to 0 (0 / 0); work with logs instead.
    const logX = this.logStandardGamma(a);
    const logY = this.logStandardGamma(b);
    return 1 / (1 + Math.exp(logY - logX));
  }

  private drawPoisson(mean: number): number {
    if (mean < POISSON_INVERSION_LIMIT) {
      if (mean === 0) return 0;
      // Sequential search of the CDF: one uniform per draw.
      let u = this.source.next();
      let p = Math.exp(-mean);
      let k = 0;
      while (u > p) {
        u -= p;
        k++;
        p *= mean / k;
        if (p === 0) break; // rounding left u above the remaining mass: k is already far in the tail
      }
      return k;
    }
    // PTRS, W. Hörmann, "The transformed rejection method for generating Poisson random
    // variables", Insurance: Mathematics and Economics 12 (1993).
    const source = this.source;
    const sqrtMean = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * sqrtMean;
    const a = -0.059 + 0.02483 * b;
    const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = source.next() - 0.5;
      const v = source.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      ) {
        return k;
      }
    }
  }

  private drawBinomial(n: number, p: number): number {
    if (p > 0.5) return n - this.drawBinomial(n, 1 - p);
    if (n === 0 || p === 0) return 0;
    const q = 1 - p;
    if (n * p < BINOMIAL_INVERSION_LIMIT) {
      // Sequential search of the CDF from 0; restart if rounding carries it past a safe bound.
      const q0 = Math.exp(n * Math.log1p(-p));
      const ratio = p / q;
      const bound = Math.min(n, Math.floor(n * p + 10 * Math.sqrt(n * p * q + 1)));
      for (;;) {
        let u = this.source.next();
        let prob = q0;
        let k = 0;
        while (u > prob) {
          u -= prob;
          k++;
          if (k > bound) break;
          prob *= ((n - k + 1) / k) * ratio;
        }
        if (k <= bound) return k;
      }
    }
    // BTRS, W. Hörmann, "The generation of binomial random variates", Journal of Statistical
    // Computation and Simulation 46 (1993).
    const source = this.source;
    const spq = Math.sqrt(n * p * q);
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = n * p + 0.5;
    const vr = 0.92 - 4.2 / b;
    const alpha = (2.83 + 5.1 / b) * spq;
    const logOdds = Math.log(p / q);
    const m = Math.floor((n + 1) * p);
    const h = logFactorial(m) + logFactorial(n - m);
    for (;;) {
      const u = source.next() - 0.5;
      const v = source.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && v <= vr) return k;
      const lhs = Math.log((v * alpha) / (a / (us * us) + b));
      if (lhs <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * logOdds) return k;
    }
  }

  /** Builds Walker's alias table (Vose's construction) for fixed weights. */
  private aliasSampler(weights: ArrayLike<number>): () => number {
    const total = weightTotal('categorical(weights)', weights);
    const n = weights.length;
    const probability = new Float64Array(n);
    const alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! / total) * n;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      probability[s] = scaled[s]!;
      alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    // What is left has (up to rounding) probability 1 of keeping its own index.
    for (const i of large) probability[i] = 1;
    for (const i of small) probability[i] = weights[i]! > 0 ? 1 : 0;
    return () => {
      const i = this.below(n);
      return this.source.next() < probability[i]! ? i : alias[i]!;
    };
  }
}

/**
 * Creates the stream for a key. The stream's numbers depend only on the key and the kind, so
 * adding a stream never changes what other streams draw.
 *
 * With MRG32k3a (the default), the key selects a stream and substream of the generator:
 * 1. stream index = 64-bit FNV-1a hash of the UTF-8 bytes of `seed + "\0" + name + "\0" + forkPath`
 *    (a numeric seed in its shortest decimal form, so 42 and '42' are the same seed);
 * 2. from the RngStreams package seed (12345 x 6), jump that many streams (2^127 steps each);
 * 3. then jump `replication` substreams (2^76 steps each): replication i is substream i of every
 *    stream, so streams of different replications never overlap.
 *
 * With a seedrandom kind, the generator is seeded with the string
 * `seed + "\0" + name + "\0" + replication + "\0" + forkPath`.
 *
 * @example
 * ```ts
 * const s = createStream({ seed: 42, name: 'arrivals', replication: 0, forkPath: '' });
 * s.exponential(2);
 * ```
 */
export function createStream(key: StreamKey, kind: GeneratorKind = DEFAULT_GENERATOR): RandomStream {
  return new RandomStream(key, kind);
}
