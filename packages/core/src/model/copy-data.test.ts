import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyData } from './copy-data';

describe('copyData', () => {
  it('gives what structuredClone gives, for any value structuredClone takes', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        (value) => {
          let expected: unknown;
          try {
            expected = structuredClone(value);
          } catch {
            return; // structuredClone refuses it; the next test checks copyData refuses it too.
          }
          const copy = copyData(value);
          expect(copy).toStrictEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('makes a copy that shares nothing with the original', () => {
    const original = { a: [1, { b: 2 }], c: { d: [3, 4] }, e: null, f: -0 };
    const copy = copyData(original);
    expect(copy).toEqual(original);
    expect(Object.is(copy.f, -0)).toBe(true);
    (copy.a[1] as { b: number }).b = 9;
    copy.c.d.push(5);
    expect(original).toEqual({ a: [1, { b: 2 }], c: { d: [3, 4] }, e: null, f: -0 });
  });

  it('keeps what only structuredClone keeps: shared references, cycles, holes, typed arrays, Maps', () => {
    const shared = { n: 1 };
    const copy = copyData({ x: shared, y: shared });
    expect(copy.x).toBe(copy.y);
    expect(copy.x).not.toBe(shared);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const c = copyData(cyclic);
    expect(c.self).toBe(c);
    // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
    const holes = copyData([1, , 3]);
    expect(1 in holes).toBe(false);
    const typed = copyData({ t: new Float64Array([1, 2]), m: new Map([[1, 'a']]), d: new Date(5) });
    expect(typed.t).toBeInstanceOf(Float64Array);
    expect(typed.m.get(1)).toBe('a');
    expect(typed.d.getTime()).toBe(5);
  });

  it('refuses what structuredClone refuses, with its error', () => {
    const refusals = [{ f: () => 1 }, [Symbol('s')], { deep: { nested: { fn: Math.max } } }];
    for (const value of refusals) {
      let expected: unknown;
      try {
        structuredClone(value);
      } catch (error) {
        expected = error;
      }
      expect(expected).toBeInstanceOf(Error);
      expect(() => copyData(value)).toThrow((expected as Error).message);
    }
  });

  it('copies a class instance as structuredClone does: its own fields, as a plain object', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      norm(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    const copy = copyData({ p: new Point(3, 4) });
    expect(copy).toStrictEqual(structuredClone({ p: new Point(3, 4) }));
    expect(Object.getPrototypeOf(copy.p)).toBe(Object.prototype);
  });
});
