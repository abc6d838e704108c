import { describe, expect, it } from 'vitest';
import { foldSum, loopify, loopifyNested } from './emit';

function evaluate(lines: string[], size = 40): number[] {
  const v = Array.from({ length: size }, (_, i) => i * 0.5);
  new Function('v', lines.join('\n'))(v);
  return v;
}

describe('loopify', () => {
  it('folds element-wise lines into a loop with the same effect', () => {
    const lines = Array.from(
      { length: 10 },
      (_, k) => `v[${20 + k}] = (v[${k}] - v[${10 + 2 * (k % 5)}]) / 20;`,
    );
    const folded = loopify(lines);
    expect(folded.length).toBeLessThan(lines.length);
    expect(folded.some((l) => l.startsWith('for (let k = 0;'))).toBe(true);
    expect(evaluate(folded)).toEqual(evaluate(lines));
  });

  it('keeps order-dependent chains and differing lines as they are', () => {
    const chain = Array.from({ length: 6 }, (_, k) => `v[${k + 1}] = v[${k}] * 2 + 0.5;`);
    expect(evaluate(loopify(chain))).toEqual(evaluate(chain));
    const mixed = ['v[1] = 0.1;', 'v[2] = 0.3;', 'v[3] = 0.8;', 'v[4] = Math.abs(v[1]);'];
    expect(loopify(mixed)).toEqual(mixed);
  });

  it('folds interleaved elements of two equations (a group of lines repeated) into one loop', () => {
    // a[k] = x[k] / 100; b[k] = 2 / (1 + a[k]): the dependency order interleaves them.
    const lines = Array.from({ length: 12 }, (_, k) => [
      `v[${20 + k}] = v[${k}] / 100;`,
      `v[${40 + k}] = 2 / (1 + v[${20 + k}]);`,
    ]).flat();
    const folded = loopify(lines);
    expect(folded).toHaveLength(1);
    expect(folded[0]).toMatch(
      /^for \(let k = 0; k < 12; k\+\+\) \{ v\[\(20 \+ k\)\] = .*; v\[\(40 \+ k\)\] = /,
    );
    expect(evaluate(folded, 60)).toEqual(evaluate(lines, 60));
  });

  it('nests the row loops of a 3-D arrayed equation, with the same effect', () => {
    // y[i,j,k] = x[i,j,k] * c[i] + d[j] over 4 x 5 x 6 elements, row-major.
    const lines: string[] = [];
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 5; j++)
        for (let k = 0; k < 6; k++) {
          const e = i * 30 + j * 6 + k;
          lines.push(`v[${130 + e}] = v[${e}] * v[${300 + i}] + v[${310 + j}];`);
        }
    const nested = loopifyNested(lines);
    expect(nested).toHaveLength(1);
    expect(nested[0]).toMatch(
      /^for \(let k2 = 0; k2 < 4; k2\+\+\) \{ for \(let k1 = 0; k1 < 5; k1\+\+\) \{ for \(let k = 0; k < 6; k\+\+\)/,
    );
    expect(evaluate(nested, 320)).toEqual(evaluate(lines, 320));
  });

  it('does not fold a group whose repetition breaks off, nor mix a chain into a loop', () => {
    const lines = [
      'v[1] = v[0] + 1;',
      'v[2] = 3;',
      'v[3] = v[2] + 1;',
      'v[4] = 5;',
      'v[5] = v[4] + 2;',
      'v[6] = 7;',
    ];
    expect(evaluate(loopify(lines))).toEqual(evaluate(lines));
    const chain = Array.from({ length: 8 }, (_, k) => [
      `v[${k + 1}] = v[${k}] * 2;`,
      `v[${20 + k}] = v[${k + 1}] - 1;`,
    ]).flat();
    expect(evaluate(loopifyNested(chain))).toEqual(evaluate(chain));
  });
});

describe('foldSum', () => {
  // Values of very different magnitudes, so that another summation order gives another sum.
  const values = Array.from({ length: 200 }, (_, i) => [1e16, 1, -1e16, 1][i % 4]! * (1 + i / 1000));
  const run = (code: string): number => {
    const v = Float64Array.from(values);
    new Function('v', `${PAIRWISE}\n${code}`)(v);
    return v[199]!;
  };
  const PAIRWISE = `function pairwise(v, lo, stride, n) { if (n === 1) return v[lo]; if (n === 2) return v[lo] + v[lo + stride]; const m = n >> 1; return pairwise(v, lo, stride, m) + pairwise(v, lo + m * stride, stride, n - m); }`;
  const tree = (terms: string[]): string =>
    terms.length === 1
      ? terms[0]!
      : `(${tree(terms.slice(0, terms.length >> 1))} + ${tree(terms.slice(terms.length >> 1))})`;

  it("folds SUM's left-to-right chain into a loop with bit for bit the same result", () => {
    const terms = Array.from({ length: 150 }, (_, i) => `v[${i}]`);
    const rhs = `(${terms.join(' + ')})`;
    const folded = foldSum('v[199]', rhs)!;
    expect(folded).toMatch(/for \(let k = 1; k < 150; k\+\+\)/);
    expect(run(folded)).toBe(run(`v[199] = ${rhs};`));
  });

  it("folds Vensim's balanced tree, with a stride, into the same pairwise order", () => {
    const terms = Array.from({ length: 61 }, (_, i) => `v[${3 + 3 * i}]`);
    for (const rhs of [tree(terms), `(${tree(terms)})`]) {
      const folded = foldSum('v[199]', rhs)!;
      expect(folded).toBe('v[199] = pairwise(v, 3, 3, 61);');
      expect(run(folded)).toBe(run(`v[199] = ${rhs};`));
    }
    // The order matters: a left-to-right sum of the same terms differs in the last bits.
    expect(run(`v[199] = (${terms.join(' + ')});`)).not.toBe(run(`v[199] = ${tree(terms)};`));
  });

  it('leaves short sums, irregular slots, other shapes and other operators alone', () => {
    const few = Array.from({ length: 10 }, (_, i) => `v[${i}]`);
    expect(foldSum('v[199]', `(${few.join(' + ')})`)).toBeNull();
    const irregular = Array.from({ length: 40 }, (_, i) => `v[${i * i}]`);
    expect(foldSum('v[199]', `(${irregular.join(' + ')})`)).toBeNull();
    const many = Array.from({ length: 40 }, (_, i) => `v[${i}]`);
    expect(
      foldSum('v[199]', `((${many.slice(0, 20).join(' + ')}) + (${many.slice(20).join(' + ')}))`),
    ).toBeNull();
    expect(foldSum('v[199]', `(${many.join(' * ')})`)).toBeNull();
    expect(foldSum('v[199]', `(${many.join(' + ')} + 1)`)).toBeNull();
  });
});
