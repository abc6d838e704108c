import { describe, expect, it } from 'vitest';
import { loopify } from './emit';

function evaluate(lines: string[]): number[] {
  const v = Array.from({ length: 40 }, (_, i) => i * 0.5);
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
});
