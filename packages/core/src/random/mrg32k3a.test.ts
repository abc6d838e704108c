import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import { MRG32K3A_M1, Mrg32k3a, type Mrg32k3aState, mrg32k3aJumpMatrices } from './mrg32k3a';

/** L'Ecuyer's RngStreams reference values (see fixtures/README.md at the repository root). */
interface Reference {
  generator: string;
  norm: string;
  package_seed: number[];
  stream_seeds: number[][];
  A1p76: number[][];
  A2p76: number[][];
  A1p127: number[][];
  A2p127: number[][];
  streams: {
    stream: number;
    seed: number[];
    first10: number[];
    substream1_first5: number[];
    substream2_first5: number[];
    sum_first_1e6: number;
    state_after_1e6: number[];
  }[];
}

const reference = JSON.parse(
  readFileSync(new URL('../../../../fixtures/rng/mrg32k3a_reference.json', import.meta.url), 'utf8'),
) as Reference;

const draw = (g: Mrg32k3a, n: number) => Array.from({ length: n }, () => g.next());

/** A generator at the start of stream `index`, reached by `index` calls of nextStream(). */
function atStream(index: number): Mrg32k3a {
  const g = new Mrg32k3a(reference.package_seed as unknown as Mrg32k3aState);
  for (let i = 0; i < index; i++) g.nextStream();
  return g;
}

describe('Mrg32k3a against the RngStreams reference', () => {
  it('has the reference fixture loaded (four streams)', () => {
    expect(reference.generator).toBe('MRG32k3a');
    expect(reference.streams).toHaveLength(4);
    expect(reference.stream_seeds).toHaveLength(4);
  });

  it('scales by the reference norm 1/(m1 + 1): every output is k * norm with k in 1..m1', () => {
    const norm = Number.parseFloat(reference.norm);
    expect(norm).toBe(1 / (MRG32K3A_M1 + 1));
    const g = new Mrg32k3a();
    const ks = Array.from({ length: 10 }, () => g.step());
    expect(ks.map((k) => k * norm)).toEqual(reference.streams[0]!.first10);
    expect(ks.every((k) => Number.isInteger(k) && k >= 1 && k <= MRG32K3A_M1)).toBe(true);
  });

  it('reproduces the jump matrices A^(2^76) and A^(2^127)', () => {
    const p76 = mrg32k3aJumpMatrices(76);
    const p127 = mrg32k3aJumpMatrices(127);
    expect(p76.first).toEqual(reference.A1p76);
    expect(p76.second).toEqual(reference.A2p76);
    expect(p127.first).toEqual(reference.A1p127);
    expect(p127.second).toEqual(reference.A2p127);
  });

  it('reaches every reference stream seed with nextStream()', () => {
    reference.stream_seeds.forEach((seed, i) => {
      expect(atStream(i).streamSeed).toEqual(seed);
      expect(atStream(i).state).toEqual(seed);
    });
  });

  it('reaches stream n in one jump as in n single steps', () => {
    const g = new Mrg32k3a();
    g.jumpStreams(3n);
    expect(g.state).toEqual(reference.stream_seeds[3]);
  });

  it('jumps far (64-bit stream counts, substream counts near 2^51) as powers of the reference matrices', () => {
    // Independent of the module: raise the fixture's A^(2^127) and A^(2^76) to the count in BigInt.
    const m1 = 4294967087n;
    const m2 = 4294944443n;
    type M = bigint[][];
    const mul = (a: M, b: M, m: bigint): M =>
      a.map((row) => [0, 1, 2].map((j) => row.reduce((acc, v, k) => acc + v * b[k]![j]!, 0n) % m));
    const power = (a: number[][], n: bigint, m: bigint): M => {
      let result: M = [
        [1n, 0n, 0n],
        [0n, 1n, 0n],
        [0n, 0n, 1n],
      ];
      let base: M = a.map((row) => row.map(BigInt));
      while (n > 0n) {
        if (n & 1n) result = mul(result, base, m);
        base = mul(base, base, m);
        n >>= 1n;
      }
      return result;
    };
    const apply = (a: M, v: number[], m: bigint) =>
      a.map((row) => Number(row.reduce((acc, x, k) => acc + x * BigInt(v[k]!), 0n) % m));
    const seed = reference.package_seed;
    const expected = (p1: number[][], p2: number[][], n: bigint) => [
      ...apply(power(p1, n, m1), seed.slice(0, 3), m1),
      ...apply(power(p2, n, m2), seed.slice(3), m2),
    ];
    for (const n of [0xdeadbeefcafef00dn, 0xffffffffffffffffn, 1n << 40n, 5n]) {
      const g = new Mrg32k3a();
      g.jumpStreams(n);
      expect(g.state).toEqual(expected(reference.A1p127, reference.A2p127, n));
    }
    for (const n of [2 ** 51 - 1, 2 ** 50 + 12345, 999_983]) {
      const g = new Mrg32k3a();
      g.jumpSubstreams(n);
      expect(g.state).toEqual(expected(reference.A1p76, reference.A2p76, BigInt(n)));
    }
  });

  for (const s of reference.streams) {
    describe(`stream ${s.stream}`, () => {
      it('starts from the reference seed', () => {
        expect(atStream(s.stream).state).toEqual(s.seed);
      });

      it('draws the reference first 10 uniforms bit for bit', () => {
        expect(draw(atStream(s.stream), 10)).toEqual(s.first10);
      });

      it('draws the reference first 5 uniforms of substreams 1 and 2', () => {
        const g = atStream(s.stream);
        g.next();
        g.nextSubstream();
        expect(draw(g, 5)).toEqual(s.substream1_first5);
        g.nextSubstream();
        expect(draw(g, 5)).toEqual(s.substream2_first5);
        g.resetStartSubstream();
        expect(draw(g, 5)).toEqual(s.substream2_first5);
        g.resetStartStream();
        expect(draw(g, 10)).toEqual(s.first10);
        g.jumpSubstreams(2);
        expect(draw(g, 5)).toEqual(s.substream2_first5);
      });

      it('reproduces the sum of the first 10^6 uniforms and the state after them', () => {
        const g = atStream(s.stream);
        let sum = 0;
        for (let i = 0; i < 1_000_000; i++) sum += g.next();
        expect(sum).toBe(s.sum_first_1e6);
        expect(g.state).toEqual(s.state_after_1e6);
      });
    });
  }

  it('never returns 0 or 1: step() is in 1..m1', () => {
    const g = new Mrg32k3a();
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const k = g.step();
      if (!(k >= 1 && k <= MRG32K3A_M1 && Number.isInteger(k))) bad++;
    }
    expect(bad).toBe(0);
  });

  it('reduces exactly where the floating-point quotient is closest to an integer', () => {
    // Choose (s10, s11) so that a12*s11 - a13n*s10 is congruent to -1, 0 or 1 mod m1 (likewise for
    // the second component): there the quotient's rounding matters. Compare with BigInt arithmetic.
    const m1 = 4294967087n;
    const m2 = 4294944443n;
    const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
      let r = 1n;
      b %= m;
      while (e > 0n) {
        if (e & 1n) r = (r * b) % m;
        b = (b * b) % m;
        e >>= 1n;
      }
      return r;
    };
    const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;
    const inv13 = modPow(810728n, m1 - 2n, m1);
    const inv23 = modPow(1370589n, m2 - 2n, m2);
    let mismatches = 0;
    let cases = 0;
    for (const target of [-1n, 0n, 1n, 2n]) {
      for (let i = 1n; i <= 60n; i++) {
        const s11 = (i * 71_234_567n) % m1;
        const s10 = mod((1403580n * s11 - target) * inv13, m1);
        const s22 = (i * 65_432_101n) % m2;
        const s20 = mod((527612n * s22 - target) * inv23, m2);
        const seed = [s10, s11, 7n, s20, 9n, s22].map(Number) as unknown as Mrg32k3aState;
        if (seed[0] === 0 && seed[1] === 0) continue;
        const g = new Mrg32k3a(seed);
        g.step();
        const state = g.state;
        cases++;
        if (BigInt(state[2]) !== mod(target, m1) || BigInt(state[5]) !== mod(target, m2)) mismatches++;
      }
    }
    expect(cases).toBeGreaterThan(200);
    expect(mismatches).toBe(0);
  });

  it('setState continues from a saved state without moving the stream start', () => {
    const g = atStream(1);
    draw(g, 7);
    const saved = g.state;
    const ahead = draw(g, 5);
    g.setState(saved);
    expect(draw(g, 5)).toEqual(ahead);
    g.resetStartStream();
    expect(draw(g, 10)).toEqual(reference.streams[1]!.first10);
  });

  it('rejects malformed seeds and jump counts with TwinkitError', () => {
    expect(() => new Mrg32k3a([0, 0, 0, 1, 1, 1])).toThrow(TwinkitError);
    expect(() => new Mrg32k3a([1, 1, 1, 0, 0, 0])).toThrow(/Mrg32k3a\(seed\): seed must be six integers/);
    expect(() => new Mrg32k3a([MRG32K3A_M1, 1, 1, 1, 1, 1])).toThrow(TwinkitError);
    expect(() => new Mrg32k3a([1.5, 1, 1, 1, 1, 1])).toThrow(TwinkitError);
    expect(() => new Mrg32k3a([1, 1, 1, 1, 1] as unknown as Mrg32k3aState)).toThrow(TwinkitError);
    expect(() => new Mrg32k3a().jumpSubstreams(-1)).toThrow(/jumpSubstreams\(count\).*got -1/);
    expect(() => new Mrg32k3a().jumpSubstreams(2 ** 51)).toThrow(TwinkitError);
    expect(() => new Mrg32k3a().jumpStreams(1n << 64n)).toThrow(TwinkitError);
  });
});
