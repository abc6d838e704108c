/**
 * MRG32k3a, Pierre L'Ecuyer's combined multiple-recursive generator (Operations Research 47(1),
 * 1999), with the stream/substream structure of RngStreams (L'Ecuyer, Simard, Chen, Kelton,
 * Operations Research 50(6), 2002).
 *
 * The state is two triples (s10, s11, s12) mod m1 and (s20, s21, s22) mod m2. Each step needs
 * products below 2^53, so the recurrence runs on plain doubles and is exact. Jumps ahead (streams
 * 2^127 steps apart, substreams 2^76 steps apart) multiply the state by powers of the transition
 * matrices; those are computed once with BigInt and cached, because they are setup work, not
 * per-draw work.
 */
import { invalidArgument } from '../errors';

/** Gives MRG32k3a's first modulus, m1 = 2^32 - 209. */
export const MRG32K3A_M1 = 4294967087;
/** Gives MRG32k3a's second modulus, m2 = 2^32 - 22853. */
export const MRG32K3A_M2 = 4294944443;

const A12 = 1403580.0;
const A13N = 810728.0;
const A21 = 527612.0;
const A23N = 1370589.0;
/** 1 / (m1 + 1): maps the combined value k in 1..m1 to k / (m1 + 1), strictly inside (0, 1). */
const NORM = 2.328306549295728e-10;

const INV_M1 = 1 / MRG32K3A_M1;
const INV_M2 = 1 / MRG32K3A_M2;
const M1n = BigInt(MRG32K3A_M1);
const M2n = BigInt(MRG32K3A_M2);

/** A 3x3 matrix of BigInt residues, row-major. */
type Matrix3 = readonly bigint[];

/** The one-step transition matrix of the first component. */
const A1: Matrix3 = [0n, 1n, 0n, 0n, 0n, 1n, M1n - BigInt(A13N), BigInt(A12), 0n];
/** The one-step transition matrix of the second component. */
const A2: Matrix3 = [0n, 1n, 0n, 0n, 0n, 1n, M2n - BigInt(A23N), 0n, BigInt(A21)];

function matMul(a: Matrix3, b: Matrix3, m: bigint): bigint[] {
  const out: bigint[] = new Array<bigint>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = (a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!) % m;
    }
  }
  return out;
}

const TWO_POW_17 = 131072;

/**
 * Returns (a * s + c) mod m exactly for integers 0 <= a, s, c < m < 2^32, in doubles: a is split
 * as a1 * 2^17 + a0 so that every intermediate stays below 2^53 (the splitting of L'Ecuyer's
 * RngStreams, written for this module).
 */
function mulAddMod(a: number, s: number, c: number, m: number): number {
  const a1 = Math.floor(a / TWO_POW_17);
  const a0 = a - a1 * TWO_POW_17;
  let v = a1 * s; // < 2^15 * 2^32
  v -= Math.floor(v / m) * m;
  v = v * TWO_POW_17 + a0 * s + c; // < 2^49 + 2^49 + 2^32
  v -= Math.floor(v / m) * m;
  return v < 0 ? v + m : v >= m ? v - m : v;
}

/** Replaces state[offset..offset+2] by (matrix * state) mod m; the matrix is 9 numbers, row-major. */
function applyMatrix(matrix: Float64Array, state: number[], offset: number, m: number): void {
  const x = state[offset]!;
  const y = state[offset + 1]!;
  const z = state[offset + 2]!;
  for (let row = 0; row < 3; row++) {
    let v = mulAddMod(matrix[row * 3]!, x, 0, m);
    v = mulAddMod(matrix[row * 3 + 1]!, y, v, m);
    state[offset + row] = mulAddMod(matrix[row * 3 + 2]!, z, v, m);
  }
}

/** Returns `a` raised to 2^e by repeated squaring. */
function squareRepeatedly(a: Matrix3, e: number, m: bigint): bigint[] {
  let r = [...a];
  for (let i = 0; i < e; i++) r = matMul(r, r, m);
  return r;
}

/**
 * Lazily built tables of A^(2^(base + i)) for the two components (squared in BigInt once per
 * process, stored as doubles), so that jumping by n * 2^base steps costs one matrix-vector product
 * per set bit of n.
 */
class JumpTable {
  private readonly first: bigint[][] = [];
  private readonly second: bigint[][] = [];
  private readonly first64: Float64Array[] = [];
  private readonly second64: Float64Array[] = [];

  constructor(private readonly base: number) {}

  private grow(bit: number): void {
    while (this.first.length <= bit) {
      const i = this.first.length;
      const p1 =
        i === 0 ? squareRepeatedly(A1, this.base, M1n) : matMul(this.first[i - 1]!, this.first[i - 1]!, M1n);
      const p2 =
        i === 0
          ? squareRepeatedly(A2, this.base, M2n)
          : matMul(this.second[i - 1]!, this.second[i - 1]!, M2n);
      this.first.push(p1);
      this.second.push(p2);
      this.first64.push(Float64Array.from(p1, Number));
      this.second64.push(Float64Array.from(p2, Number));
    }
  }

  /** Advances `state` (six numbers) by n * 2^(base + bitOffset) steps, n an integer in [0, 2^53). */
  jump(state: number[], n: number, bitOffset = 0): void {
    let bit = bitOffset;
    while (n > 0) {
      if (n % 2 === 1) {
        this.grow(bit);
        applyMatrix(this.first64[bit]!, state, 0, MRG32K3A_M1);
        applyMatrix(this.second64[bit]!, state, 3, MRG32K3A_M2);
        n -= 1;
      }
      n /= 2;
      bit++;
    }
  }
}

/** Streams start 2^127 steps apart; a 64-bit stream index stays inside the period (about 2^191). */
const STREAM_JUMPS = new JumpTable(127);
/** Substreams start 2^76 steps apart; a stream holds 2^51 of them. */
const SUBSTREAM_JUMPS = new JumpTable(76);

/** Counts the substreams in one stream (2^51): substream indices must stay below it. */
export const MRG32K3A_SUBSTREAMS_PER_STREAM = 2 ** 51;

/** Holds the six-number state of MRG32k3a: (s10, s11, s12) mod m1, then (s20, s21, s22) mod m2. */
export type Mrg32k3aState = readonly [number, number, number, number, number, number];

/** Holds the package seed of RngStreams (every component 12345), where stream 0 starts. */
export const MRG32K3A_DEFAULT_SEED: Mrg32k3aState = [12345, 12345, 12345, 12345, 12345, 12345];

/**
 * Returns the transition matrices for a jump of 2^e steps, as rows of numbers (first component,
 * second component). Exposed so tests can compare them with the published jump matrices.
 *
 * @internal
 */
export function mrg32k3aJumpMatrices(e: number): { first: number[][]; second: number[][] } {
  const toRows = (m: bigint[]) => [0, 1, 2].map((i) => [0, 1, 2].map((j) => Number(m[i * 3 + j]!)));
  return { first: toRows(squareRepeatedly(A1, e, M1n)), second: toRows(squareRepeatedly(A2, e, M2n)) };
}

/** Throws unless `seed` is a valid MRG32k3a state. */
function checkSeed(api: string, seed: readonly number[]): void {
  const ok =
    seed.length === 6 &&
    seed.every((v, i) => Number.isInteger(v) && v >= 0 && v < (i < 3 ? MRG32K3A_M1 : MRG32K3A_M2)) &&
    (seed[0] !== 0 || seed[1] !== 0 || seed[2] !== 0) &&
    (seed[3] !== 0 || seed[4] !== 0 || seed[5] !== 0);
  if (!ok) {
    throw invalidArgument(
      api,
      'seed must be six integers, the first three in [0, 4294967087) and not all 0, the last three in [0, 4294944443) and not all 0',
      seed,
      'Pass for example [12345, 12345, 12345, 12345, 12345, 12345].',
    );
  }
}

/**
 * Generates uniforms with MRG32k3a and moves between its streams and substreams the way
 * L'Ecuyer's RngStreams does: the object remembers the start of its stream and of its current
 * substream, and can jump to the next substream or the next stream.
 *
 * This is the low-level generator; simulation code draws through a {@link RandomStream}.
 *
 * @example
 * ```ts
 * const g = new Mrg32k3a();          // stream 0 from the package seed 12345 x 6
 * g.next();                          // 0.12701112204657714
 * g.nextSubstream();                 // start of substream 1 of stream 0
 * g.nextStream();                    // start of stream 1
 * ```
 */
export class Mrg32k3a {
  // Initialised here, not only in the constructor: a class field declared without a value starts
  // as `undefined` (ES2022 define semantics), and V8 then stores these doubles boxed, allocating on
  // every step (measured 2.3x slower).
  private s10 = 0;
  private s11 = 0;
  private s12 = 0;
  private s20 = 0;
  private s21 = 0;
  private s22 = 0;
  /** Start of the current stream. */
  private streamStart: number[];
  /** Start of the current substream. */
  private substreamStart: number[];

  /** Creates a generator positioned at the start of the stream whose first state is `seed`. */
  constructor(seed: Mrg32k3aState = MRG32K3A_DEFAULT_SEED) {
    checkSeed('Mrg32k3a(seed)', seed);
    this.streamStart = [...seed];
    this.substreamStart = [...seed];
    this.s10 = seed[0];
    this.s11 = seed[1];
    this.s12 = seed[2];
    this.s20 = seed[3];
    this.s21 = seed[4];
    this.s22 = seed[5];
  }

  /** Returns the next uniform in (0, 1): an integer k in 1..m1 divided by m1 + 1. */
  next(): number {
    return this.step() * NORM;
  }

  /**
   * Advances one step and returns the combined integer k in 1..m1 (the numerator of {@link next}).
   * Every value in 1..m1 is (up to the period) equally likely.
   */
  step(): number {
    // Component 1: s1n = (a12 * s11 - a13n * s10) mod m1. |product| < 2^53, so doubles are exact.
    // The quotient comes from a multiplication by 1/m1 (about twice as fast as a division); its
    // error is below 1e-9, so floor() is off by at most one, which the two corrections repair:
    // the result is the exact residue, bit for bit what RngStreams computes.
    let p1 = A12 * this.s11 - A13N * this.s10;
    p1 -= Math.floor(p1 * INV_M1) * MRG32K3A_M1;
    if (p1 < 0) p1 += MRG32K3A_M1;
    else if (p1 >= MRG32K3A_M1) p1 -= MRG32K3A_M1;
    this.s10 = this.s11;
    this.s11 = this.s12;
    this.s12 = p1;
    // Component 2: s2n = (a21 * s22 - a23n * s20) mod m2.
    let p2 = A21 * this.s22 - A23N * this.s20;
    p2 -= Math.floor(p2 * INV_M2) * MRG32K3A_M2;
    if (p2 < 0) p2 += MRG32K3A_M2;
    else if (p2 >= MRG32K3A_M2) p2 -= MRG32K3A_M2;
    this.s20 = this.s21;
    this.s21 = this.s22;
    this.s22 = p2;
    return p1 > p2 ? p1 - p2 : p1 - p2 + MRG32K3A_M1;
  }

  /** Returns the current state (the six numbers the next draw is computed from). */
  get state(): Mrg32k3aState {
    return [this.s10, this.s11, this.s12, this.s20, this.s21, this.s22];
  }

  /** Returns the first state of the current stream. */
  get streamSeed(): Mrg32k3aState {
    return [...this.streamStart] as unknown as Mrg32k3aState;
  }

  /** Continues from `state` (as returned by {@link Mrg32k3a.state}) without changing stream or substream starts. */
  setState(state: Mrg32k3aState): void {
    checkSeed('Mrg32k3a.setState(state)', state);
    this.load(state);
  }

  /** Makes `seed` the start of the current stream and substream and continues from it. */
  setSeed(seed: Mrg32k3aState): void {
    checkSeed('Mrg32k3a.setSeed(seed)', seed);
    this.streamStart = [...seed];
    this.substreamStart = [...seed];
    this.load(seed);
  }

  /** Goes back to the start of the current stream. */
  resetStartStream(): void {
    this.substreamStart = [...this.streamStart];
    this.load(this.streamStart);
  }

  /** Goes back to the start of the current substream. */
  resetStartSubstream(): void {
    this.load(this.substreamStart);
  }

  /** Jumps to the start of the next substream (2^76 steps after the current substream's start). */
  nextSubstream(): void {
    this.jumpSubstreams(1);
  }

  /** Jumps `count` substreams ahead of the current substream's start and continues from there. */
  jumpSubstreams(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count >= MRG32K3A_SUBSTREAMS_PER_STREAM) {
      throw invalidArgument(
        'Mrg32k3a.jumpSubstreams(count)',
        `count must be an integer in [0, 2^51)`,
        count,
        'A stream holds 2^51 substreams.',
      );
    }
    SUBSTREAM_JUMPS.jump(this.substreamStart, count);
    this.load(this.substreamStart);
  }

  /** Jumps to the start of the next stream (2^127 steps after the current stream's start). */
  nextStream(): void {
    this.jumpStreams(1n);
  }

  /** Jumps `count` streams (0 <= count < 2^64) ahead of the current stream's start. */
  jumpStreams(count: bigint): void {
    if (count < 0n || count >= 1n << 64n) {
      throw invalidArgument(
        'Mrg32k3a.jumpStreams(count)',
        'count must be a bigint in [0, 2^64)',
        count,
        'Stream indices are 64-bit.',
      );
    }
    // Low and high 32 bits separately: each half is an exact double.
    STREAM_JUMPS.jump(this.streamStart, Number(count & 0xffffffffn));
    STREAM_JUMPS.jump(this.streamStart, Number(count >> 32n), 32);
    this.substreamStart = [...this.streamStart];
    this.load(this.streamStart);
  }

  private load(s: readonly number[]): void {
    this.s10 = s[0]!;
    this.s11 = s[1]!;
    this.s12 = s[2]!;
    this.s20 = s[3]!;
    this.s21 = s[4]!;
    this.s22 = s[5]!;
  }
}
