import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import { GENERATOR_KINDS, type GeneratorKind } from './generators';
import { MRG32K3A_DEFAULT_SEED, Mrg32k3a } from './mrg32k3a';
import { createStream, RandomStream } from './random-stream';
import { fnv1a64, type StreamKey, streamIndex } from './stream-key';

const key = (name: string, over: Partial<StreamKey> = {}): StreamKey => ({
  seed: 42,
  name,
  replication: 0,
  forkPath: '',
  ...over,
});
const draws = (s: RandomStream, n = 20) => Array.from({ length: n }, () => s.next());

describe.each(GENERATOR_KINDS)('streams on %s', (kind: GeneratorKind) => {
  it('draws the same numbers for the same key', () => {
    expect(draws(createStream(key('a'), kind))).toEqual(draws(createStream(key('a'), kind)));
  });

  it('lets a stream draw the same numbers whether or not other streams exist and draw', () => {
    const alone = draws(createStream(key('a'), kind), 50);
    const a = createStream(key('a'), kind);
    const b = createStream(key('b'), kind);
    const mixed: number[] = [];
    for (let i = 0; i < 50; i++) {
      b.next();
      b.normal(0, 1);
      mixed.push(a.next());
      createStream(key(`c${i}`), kind).next();
    }
    expect(mixed).toEqual(alone);
  });

  it('gives different numbers for a different name, seed, replication or fork path', () => {
    const base = draws(createStream(key('a'), kind));
    for (const other of [
      key('b'),
      key('a', { seed: 43 }),
      key('a', { seed: 'x' }),
      key('a', { replication: 1 }),
      key('a', { forkPath: '0' }),
    ]) {
      expect(draws(createStream(other, kind))).not.toEqual(base);
    }
  });

  it('gives 2,000 keys that differ in one field each 2,000 different sequences', () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 500; i++) {
      for (const k of [
        key(`n${i}`),
        key('a', { seed: i + 1000 }),
        key('a', { replication: i + 1 }),
        key('a', { forkPath: `${i}` }),
      ]) {
        const s = createStream(k, kind);
        firsts.add(`${s.next()},${s.next()}`);
      }
    }
    expect(firsts.size).toBe(2000);
  });

  it('reseeds in place: same object, numbers of the new key', () => {
    const s = createStream(key('a'), kind);
    draws(s, 5);
    const held = s;
    s.reseed(key('a', { replication: 3 }));
    expect(held).toBe(s);
    expect(s.key).toEqual(key('a', { replication: 3 }));
    expect(draws(s)).toEqual(draws(createStream(key('a', { replication: 3 }), kind)));
    s.reseed(key('a'));
    expect(draws(s)).toEqual(draws(createStream(key('a'), kind)));
  });

  it('saves and restores its position', () => {
    const s = createStream(key('a'), kind);
    draws(s, 7);
    const state = JSON.parse(JSON.stringify(s.saveState()));
    const ahead = draws(s, 10);
    draws(s, 3);
    s.restoreState(state);
    expect(draws(s, 10)).toEqual(ahead);
  });

  it('refuses a state of the wrong shape instead of silently reseeding', () => {
    const s = createStream(key('a'), kind);
    const before = draws(createStream(key('a'), kind), 3);
    for (const generator of [{}, [1, 2, 3], { i: 0, j: 0, S: [1] }, null, 'x']) {
      expect(() => s.restoreState({ kind, generator })).toThrow(
        /RandomStream\.restoreState\(state\): state must come from saveState\(\)/,
      );
    }
    expect(draws(s, 3)).toEqual(before);
  });

  it('keeps next() strictly inside (0, 1)', () => {
    const s = createStream(key('a'), kind);
    let outside = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = s.next();
      if (!(u > 0 && u < 1)) outside++;
    }
    expect(outside).toBe(0);
  });
});

describe('stream derivation', () => {
  it('uses MRG32k3a by default', () => {
    expect(createStream(key('a')).kind).toBe('mrg32k3a');
    expect(createStream(key('a')).name).toBe('a');
  });

  it('hashes with 64-bit FNV-1a (published test vectors)', () => {
    // Test vectors of the FNV reference (Fowler, Noll, Vo): "" and "a" and "foobar".
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64('foobar')).toBe(0x85944171f73967e8n);
    // And the textbook BigInt definition on multi-byte UTF-8 and long strings.
    const textbook = (text: string) => {
      let h = 0xcbf29ce484222325n;
      for (const b of new TextEncoder().encode(text))
        h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
      return h;
    };
    for (const text of ['42\u0000Ankünfte\u0000/1/7', 'ü€𝄞', 'x'.repeat(1000), '\u00ff\u00ff\u00ff']) {
      expect(fnv1a64(text)).toBe(textbook(text));
    }
  });

  it('positions MRG32k3a at stream hash(seed, name, forkPath), substream replication', () => {
    const k = key('arrivals', { replication: 2 });
    const g = new Mrg32k3a(MRG32K3A_DEFAULT_SEED);
    g.jumpStreams(fnv1a64('42\u0000arrivals\u0000'));
    g.nextSubstream();
    g.nextSubstream();
    expect(streamIndex(k)).toBe(fnv1a64('42\u0000arrivals\u0000'));
    const s = createStream(k);
    expect(draws(s, 10)).toEqual(Array.from({ length: 10 }, () => g.next()));
  });

  it('treats a numeric seed and its decimal string alike', () => {
    expect(draws(createStream(key('a', { seed: '42' })))).toEqual(draws(createStream(key('a'))));
  });

  it('rejects malformed keys and unknown kinds with TwinkitError', () => {
    const bad: unknown[] = [
      key('a', { seed: Number.NaN }),
      key('a', { replication: -1 }),
      key('a', { replication: 1.5 }),
      key('a', { replication: 2 ** 51 }),
      { ...key('a'), name: 3 },
      { ...key('a'), forkPath: undefined },
      key('a\u0000b'),
      key('a', { seed: 'x\u0000' }),
      key('a', { forkPath: '1\u0000' }),
      null,
    ];
    for (const k of bad) expect(() => createStream(k as StreamKey)).toThrow(TwinkitError);
    expect(() => createStream(key('a', { replication: -1 }))).toThrow(
      /createStream\(key\): key\.replication must be an integer in \[0, 2\^51\), got -1\./,
    );
    // Without the NUL rule, name 'a\0b' + forkPath '' and name 'a' + forkPath 'b\0' would encode alike.
    expect(() => createStream(key('a\u0000b'))).toThrow(/key\.name must not contain the NUL character/);
    expect(() => createStream(key('a'), 'mt19937' as GeneratorKind)).toThrow(
      /kind must be one of 'mrg32k3a', 'alea', 'xor4096', 'xorshift7', 'arc4', got "mt19937"/,
    );
    const s = createStream(key('a'));
    expect(() => s.reseed(key('b'))).toThrow(
      /reseed\(key\): key\.name must stay the stream's name "a", got "b"/,
    );
    expect(() => s.restoreState({ kind: 'alea', generator: {} })).toThrow(TwinkitError);
    expect(() => new RandomStream(key('a'), 'alea').restoreState(s.saveState())).toThrow(TwinkitError);
  });
});

describe('parameter validation', () => {
  const s = createStream(key('v'));
  const bad: [string, () => unknown, RegExp][] = [
    [
      'uniform min > max',
      () => s.uniform(3, 1),
      /RandomStream\.uniform\(min, max\): max must be >= min, got 1\./,
    ],
    [
      'uniform NaN',
      () => s.uniform(Number.NaN, 1),
      /uniform\(min, max\): min must be a finite number, got NaN/,
    ],
    ['uniform Infinity', () => s.uniform(0, Infinity), /max must be a finite number, got Infinity/],
    ['uniform huge range', () => s.uniform(-1e308, 1e308), /max - min must be finite, got Infinity/],
    [
      'integer fraction',
      () => s.integer(0.5, 3),
      /integer\(min, max\): min must be a safe integer, got 0\.5/,
    ],
    ['integer reversed', () => s.integer(3, 1), /integer\(min, max\): max must be >= min, got 1/],
    ['integer unsafe', () => s.integer(0, 2 ** 53), /max must be a safe integer/],
    ['integer range', () => s.integer(-(2 ** 52), 2 ** 52), /max - min must be < 2\^53/],
    ['bernoulli', () => s.bernoulli(1.5), /bernoulli\(p\): p must be a probability in \[0, 1\], got 1\.5/],
    ['bernoulli NaN', () => s.bernoulli(Number.NaN), /got NaN/],
    [
      'exponential',
      () => s.exponential(-2),
      /^RandomStream\.exponential\(mean\): mean must be a finite number > 0, got -2\. Pass the mean inter-arrival time \(1\/rate\)\.$/,
    ],
    ['exponential 0', () => s.exponential(0), /mean must be a finite number > 0, got 0/],
    ['normal sd', () => s.normal(0, -1), /normal\(mean, sd\): sd must be a finite number >= 0, got -1/],
    [
      'normal mean',
      () => s.normal(Infinity, 1),
      /normal\(mean, sd\): mean must be a finite number, got Infinity/,
    ],
    [
      'lognormal',
      () => s.lognormal(0, Number.NaN),
      /lognormal\(mu, sigma\): sigma must be a finite number >= 0, got NaN/,
    ],
    [
      'triangular mode',
      () => s.triangular(0, 5, 1),
      /triangular\(min, mode, max\): mode must lie in \[min, max\] = \[0, 1\], got 5/,
    ],
    ['triangular empty', () => s.triangular(1, 1, 1), /max must be > min, got 1/],
    ['gamma shape', () => s.gamma(0, 1), /gamma\(shape, scale\): shape must be a finite number > 0, got 0/],
    ['gamma scale', () => s.gamma(1, -1), /scale must be a finite number > 0, got -1/],
    ['erlang k', () => s.erlang(2.5, 1), /erlang\(k, mean\): k must be an integer in \[1, 1e9\], got 2\.5/],
    ['erlang mean', () => s.erlang(2, 0), /erlang\(k, mean\): mean must be a finite number > 0, got 0/],
    ['weibull', () => s.weibull(-1, 1), /weibull\(shape, scale\): shape must be a finite number > 0, got -1/],
    ['beta', () => s.beta(1, 0), /beta\(a, b\): b must be a finite number > 0, got 0/],
    ['poisson', () => s.poisson(-1), /poisson\(mean\): mean must be a finite number >= 0, got -1/],
    ['poisson inf', () => s.poisson(Infinity), /got Infinity/],
    ['binomial n', () => s.binomial(-1, 0.5), /binomial\(n, p\): n must be a safe integer >= 0, got -1/],
    [
      'binomial p',
      () => s.binomial(10, -0.1),
      /binomial\(n, p\): p must be a probability in \[0, 1\], got -0\.1/,
    ],
    [
      'categorical empty',
      () => s.categorical([]),
      /categorical\(weights\): weights must be a non-empty array of numbers, got \[\]/,
    ],
    [
      'categorical negative',
      () => s.categorical([1, -1]),
      /weights\[1\] must be a finite number >= 0, got -1/,
    ],
    [
      'categorical NaN',
      () => s.categorical([1, Number.NaN]),
      /weights\[1\] must be a finite number >= 0, got NaN/,
    ],
    ['categorical zero', () => s.categorical([0, 0]), /weights must have a finite sum > 0, got 0/],
    [
      'discrete lengths',
      () => s.discrete(['a'], [1, 2]),
      /discrete\(values, weights\): values must be an array with one entry per weight \(2 weights\)/,
    ],
    [
      'empirical empty',
      () => s.empirical([]),
      /empirical\(data\): data must be a non-empty array of numbers/,
    ],
    [
      'empirical NaN',
      () => s.empirical([Number.NaN]),
      /empirical\(data\): data\[0\] must be a finite number, got NaN/,
    ],
    [
      'shuffle',
      () => s.shuffle('abc' as unknown as string[]),
      /shuffle\(items\): items must be an array, got "abc"/,
    ],
    ['sample k', () => s.sample([1, 2], 3), /sample\(items, k\): k must be an integer in \[0, 2\], got 3/],
    [
      'sampler kind',
      () => s.sampler('cauchy' as 'normal', 0, 1),
      /sampler\(kind, \.\.\.params\): kind must be one of/,
    ],
    [
      'sampler arity',
      () => (s.sampler as (k: string, ...p: number[]) => unknown)('normal', 0),
      /normal takes 2 parameter\(s\)/,
    ],
    [
      'sampler params',
      () => s.sampler('exponential', -1),
      /exponential\(mean\): mean must be a finite number > 0, got -1/,
    ],
    [
      'sampler empirical',
      () => s.sampler('empirical', [1, Infinity]),
      /data\[1\] must be a finite number, got Infinity/,
    ],
    ['sampler categorical', () => s.sampler('categorical', [0]), /weights must have a finite sum > 0/],
  ];
  it.each(bad)('rejects %s with a TwinkitError naming the API and the value', (_label, call, message) => {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TwinkitError);
    expect((error as TwinkitError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(message);
  });

  it('does not consume a draw when it rejects parameters', () => {
    const a = createStream(key('w'));
    const b = createStream(key('w'));
    expect(() => a.exponential(-1)).toThrow(TwinkitError);
    expect(a.next()).toBe(b.next());
  });
});
