import { invalidArgument } from '../errors';

/**
 * Holds everything a stream's state is derived from: the simulation's master seed, the stream's name,
 * the replication index (Monte Carlo replication i uses substream i) and the fork path (which fork
 * of which simulation, `''` for an original).
 */
export interface StreamKey {
  /** The master seed of the simulation. A number and its decimal string give the same streams. */
  seed: number | string;
  /**
   * The stream's name, e.g. `'arrivals'`. Seed, name and fork path must not contain the NUL
   * character, which separates them in the derivation (so that different keys never encode alike).
   */
  name: string;
  /** The replication index, an integer in [0, 2^51). */
  replication: number;
  /** Identifies the fork the stream belongs to; `''` for a simulation that is not a fork. */
  forkPath: string;
}

/** The largest replication index + 1 (the number of MRG32k3a substreams in a stream). */
const REPLICATION_LIMIT = 2 ** 51;

/** Throws a TwinkitError naming `api` unless `key` is a well-formed {@link StreamKey}. */
export function checkStreamKey(api: string, key: StreamKey): void {
  if (typeof key !== 'object' || key === null) {
    throw invalidArgument(api, 'key must be an object { seed, name, replication, forkPath }', key);
  }
  const { seed, name, replication, forkPath } = key;
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw invalidArgument(
      api,
      'key.seed must be a finite number or a string',
      seed,
      'Pass the master seed, e.g. { seed: 42 }.',
    );
  }
  if (typeof name !== 'string') {
    throw invalidArgument(api, 'key.name must be a string', name, "Name the stream, e.g. 'arrivals'.");
  }
  if (
    typeof replication !== 'number' ||
    !Number.isInteger(replication) ||
    replication < 0 ||
    replication >= REPLICATION_LIMIT
  ) {
    throw invalidArgument(
      api,
      'key.replication must be an integer in [0, 2^51)',
      replication,
      'Pass 0 for the base run, i for Monte Carlo replication i.',
    );
  }
  if (name.includes('\u0000')) {
    throw invalidArgument(
      api,
      'key.name must not contain the NUL character',
      name,
      'Remove "\\0" from the name.',
    );
  }
  if (typeof seed === 'string' && seed.includes('\u0000')) {
    throw invalidArgument(
      api,
      'key.seed must not contain the NUL character',
      seed,
      'Remove "\\0" from the seed.',
    );
  }
  if (typeof forkPath !== 'string') {
    throw invalidArgument(
      api,
      'key.forkPath must be a string',
      forkPath,
      "Pass '' for a simulation that is not a fork.",
    );
  }
  if (forkPath.includes('\u0000')) {
    throw invalidArgument(
      api,
      'key.forkPath must not contain the NUL character',
      forkPath,
      'Remove "\\0" from the fork path.',
    );
  }
}

/** Returns the seed as the text that enters the hash: numbers in their shortest decimal form. */
function seedText(seed: number | string): string {
  return typeof seed === 'number' ? String(seed) : seed;
}

const encoder = new TextEncoder();

/**
 * Returns the 64-bit FNV-1a hash of the UTF-8 bytes of `text`, as a BigInt in [0, 2^64).
 * Offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 0x1b3; the 64-bit product runs on
 * four 16-bit limbs in plain numbers (BigInt per byte was the bulk of creating a stream).
 *
 * @internal
 */
export function fnv1a64(text: string): bigint {
  // Limbs of the offset basis, least significant first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const byte of encoder.encode(text)) {
    h0 ^= byte;
    // h * (2^40 + 0x1b3) mod 2^64: every term stays below 2^26, carries propagate upwards.
    let t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + h0 * 256;
    let t3 = h3 * 0x1b3 + h1 * 256;
    t1 += t0 >>> 16;
    t0 &= 0xffff;
    t2 += t1 >>> 16;
    t1 &= 0xffff;
    t3 += t2 >>> 16;
    t2 &= 0xffff;
    t3 &= 0xffff;
    h0 = t0;
    h1 = t1;
    h2 = t2;
    h3 = t3;
  }
  return (BigInt(h3 * 65536 + h2) << 32n) | BigInt(h1 * 65536 + h0);
}

/**
 * Returns the MRG32k3a stream index of a key: the 64-bit FNV-1a hash of the UTF-8 bytes of
 * `seed + "\0" + name + "\0" + forkPath` (the seed as decimal text). The replication is not part
 * of it: replications are substreams of the same stream.
 *
 * @internal
 */
export function streamIndex(key: StreamKey): bigint {
  return fnv1a64(`${seedText(key.seed)}\u0000${key.name}\u0000${key.forkPath}`);
}

/**
 * Returns the seed string a seedrandom generator gets for a key:
 * `seed + "\0" + name + "\0" + replication + "\0" + forkPath`.
 *
 * @internal
 */
export function seedrandomSeed(key: StreamKey): string {
  return `${seedText(key.seed)}\u0000${key.name}\u0000${key.replication}\u0000${key.forkPath}`;
}
