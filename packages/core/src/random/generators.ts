import seedrandom from 'seedrandom';
import { invalidArgument } from '../errors';
import { MRG32K3A_DEFAULT_SEED, MRG32K3A_M1, Mrg32k3a, type Mrg32k3aState } from './mrg32k3a';
import { fnv1a64, type StreamKey, seedrandomSeed, streamIndex } from './stream-key';

/**
 * Names the generator algorithm behind a stream: `'mrg32k3a'` (L'Ecuyer's combined MRG with
 * provable streams and substreams) or one of seedrandom's: `'alea'`, `'xor4096'`, `'xorshift7'`,
 * `'arc4'` (the algorithm of the default `seedrandom()`).
 */
export type GeneratorKind = 'mrg32k3a' | 'alea' | 'xor4096' | 'xorshift7' | 'arc4';

/** Lists every {@link GeneratorKind}, in a fixed order. */
export const GENERATOR_KINDS: readonly GeneratorKind[] = ['mrg32k3a', 'alea', 'xor4096', 'xorshift7', 'arc4'];

/**
 * Names the generator that streams use when no kind is given: MRG32k3a.
 *
 * Why: quality first. MRG32k3a is the field's standard (SSJ, Arena, Simio, R's `parallel`,
 * MATLAB), has a period of about 2^191, passes TestU01's BigCrush, and its streams (2^127 apart)
 * and substreams (2^76 apart) are provably disjoint, which is what "replication i uses substream
 * i of every stream" and common random numbers need. Stream keys reach the seedrandom generators
 * only through a hashed seed string, so their streams are disjoint only with high probability, and
 * seedrandom's own seeding has flaws (xorshift7 ignores most of a string seed; arc4 cycles short
 * keys).
 *
 * Speed (`npm run bench -- --suite rng`, shared 2-core machine, Node 20, process CPU time, best
 * of 7 interleaved rounds): `RandomStream.next()` on MRG32k3a draws about 64 M uniforms/s, 0.83x
 * a hand-written inline MRG32k3a loop over local doubles in the same run; the fastest seedrandom
 * kind (alea) draws 1.75x that loop, so MRG32k3a runs at 0.47x alea. `exponential()` runs at 0.54x
 * and `normal()` at 0.39x the inline loop. A simulation event costs far more than one draw, so the
 * provable stream structure is worth the difference; pass another {@link GeneratorKind} where raw
 * draw speed matters more.
 */
export const DEFAULT_GENERATOR: GeneratorKind = 'mrg32k3a';

/**
 * The uniform source behind a RandomStream.
 *
 * @internal
 */
export interface UniformSource {
  /** Returns a uniform in (0, 1), never exactly 0 or 1. */
  next(): number;
  /** Returns a uniform integer in [0, intRange). */
  nextInt(): number;
  /** The number of values {@link nextInt} can return. */
  readonly intRange: number;
  /** Re-derives the state from a key, in place. */
  reseed(key: StreamKey): void;
  /** Returns the generator state as plain JSON-compatible data. */
  saveState(): unknown;
  /** Restores a state returned by {@link saveState}; returns false if it does not fit. */
  restoreState(state: unknown): boolean;
}

/** MRG32k3a positioned at (stream = hash of key, substream = replication); `next()` is inherited. */
class Mrg32k3aSource extends Mrg32k3a implements UniformSource {
  readonly intRange = MRG32K3A_M1;

  constructor(key: StreamKey) {
    super(MRG32K3A_DEFAULT_SEED);
    this.reseed(key);
  }

  nextInt(): number {
    return this.step() - 1;
  }

  reseed(key: StreamKey): void {
    this.setSeed(MRG32K3A_DEFAULT_SEED);
    this.jumpStreams(streamIndex(key));
    this.jumpSubstreams(key.replication);
  }

  saveState(): unknown {
    return [...this.state];
  }

  restoreState(state: unknown): boolean {
    if (!Array.isArray(state) || state.length !== 6) return false;
    try {
      this.setState(state as unknown as Mrg32k3aState);
    } catch {
      return false; // out-of-range components: the caller reports it
    }
    return true;
  }
}

/** The seedrandom PRNG with the state API enabled. */
type StatefulPrng = seedrandom.PRNG & { state(): object };
type SeedrandomFactory = (seed: string, options: { state: boolean | object }) => StatefulPrng;

const xorshift7 = seedrandom.xorshift7 as unknown as SeedrandomFactory;

/**
 * Seeds seedrandom's xorshift7 from a string through its state instead of its own string seeding:
 * that seeding reads `undefined` state words for the first characters (which become 0), so only
 * the last few characters count and keys like "42\0a\00\0" and "43\0b\00\0" collide. The
 * 256-bit state is the SplitMix64 expansion of the string's 64-bit FNV-1a hash, followed by the
 * 256 warm-up steps that xorshift7's own seeding performs.
 */
const seedXorshift7: SeedrandomFactory = (seed, options) => {
  if (options.state !== true) return xorshift7('', options);
  let x = fnv1a64(seed);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
    let z = x;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    words.push(Number(BigInt.asIntN(32, z)), Number(BigInt.asIntN(32, z >> 32n)));
  }
  if (!words.some((w) => w !== 0)) words[7] = -1; // the all-zero state is a fixed point
  const prng = xorshift7('', { state: { x: words, i: 0 } });
  for (let i = 0; i < 256; i++) prng.int32();
  return prng;
};

const SEEDRANDOM_FACTORIES: Record<Exclude<GeneratorKind, 'mrg32k3a'>, SeedrandomFactory> = {
  alea: seedrandom.alea as unknown as SeedrandomFactory,
  xor4096: seedrandom.xor4096 as unknown as SeedrandomFactory,
  xorshift7: seedXorshift7,
  arc4: seedrandom as unknown as SeedrandomFactory,
};

/** The state fields of each seedrandom kind: 0 for a number, n for an array of n numbers. */
const SEEDRANDOM_STATE_SHAPES: Record<Exclude<GeneratorKind, 'mrg32k3a'>, Record<string, number>> = {
  alea: { c: 0, s0: 0, s1: 0, s2: 0 },
  xor4096: { i: 0, w: 0, X: 128 },
  xorshift7: { i: 0, x: 8 },
  arc4: { i: 0, j: 0, S: 256 },
};

const TWO_POW_MINUS_32 = 2 ** -32;

/**
 * A seedrandom generator seeded with the whole key as a string (xorshift7: see seedXorshift7). Draws use its 32-bit output
 * `int32()`, mapped to the middle of its cell: (k + 0.5) / 2^32, strictly inside (0, 1).
 */
class SeedrandomSource implements UniformSource {
  readonly intRange = 2 ** 32;
  private int32: () => number;
  private prng: StatefulPrng;

  constructor(
    private readonly factory: SeedrandomFactory,
    /** The fields (and array lengths) of this kind's state, to refuse a state of another shape. */
    private readonly stateShape: Record<string, number>,
    key: StreamKey,
  ) {
    this.prng = factory(seedrandomSeed(key), { state: true });
    this.int32 = this.prng.int32;
  }

  next(): number {
    return ((this.int32() >>> 0) + 0.5) * TWO_POW_MINUS_32;
  }

  nextInt(): number {
    return this.int32() >>> 0;
  }

  reseed(key: StreamKey): void {
    this.prng = this.factory(seedrandomSeed(key), { state: true });
    this.int32 = this.prng.int32;
  }

  saveState(): unknown {
    return this.prng.state();
  }

  restoreState(state: unknown): boolean {
    // seedrandom ignores a state it does not recognise and silently keeps the generator seeded
    // with '': check the shape first.
    if (typeof state !== 'object' || state === null) return false;
    for (const [field, length] of Object.entries(this.stateShape)) {
      const value = (state as Record<string, unknown>)[field];
      const ok =
        length === 0
          ? typeof value === 'number' && Number.isFinite(value)
          : Array.isArray(value) && value.length === length && value.every((v) => Number.isFinite(v));
      if (!ok) return false;
    }
    this.prng = this.factory('', { state: structuredClone(state) });
    this.int32 = this.prng.int32;
    return true;
  }
}

/**
 * Creates the uniform source of a kind for a key.
 *
 * @internal
 */
export function createSource(key: StreamKey, kind: GeneratorKind): UniformSource {
  if (kind === 'mrg32k3a') return new Mrg32k3aSource(key);
  const known = Object.hasOwn(SEEDRANDOM_FACTORIES, kind);
  const factory = known ? SEEDRANDOM_FACTORIES[kind as Exclude<GeneratorKind, 'mrg32k3a'>] : undefined;
  if (factory === undefined) {
    throw invalidArgument(
      'createStream(key, kind)',
      `kind must be one of ${GENERATOR_KINDS.map((k) => `'${k}'`).join(', ')}`,
      kind,
      `Omit it to use '${DEFAULT_GENERATOR}'.`,
    );
  }
  return new SeedrandomSource(
    factory,
    SEEDRANDOM_STATE_SHAPES[kind as Exclude<GeneratorKind, 'mrg32k3a'>],
    key,
  );
}
