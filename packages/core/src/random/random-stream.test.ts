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
      null,
    ];
    for (const k of bad) expect(() => createStream(k as StreamKey)).toThrow(TwinkitError);
    expect(() => createStream(key('a', { replication: -1 }))).toThrow(
      /createStream\(key\): key\.replication must be an integer in \[0, 2\^51\), got -1\./,
    );
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
