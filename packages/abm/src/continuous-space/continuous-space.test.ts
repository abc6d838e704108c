import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContinuousSpace } from './continuous-space';

interface Token {
  id: number;
  alive?: boolean;
}

describe('ContinuousSpace', () => {
  it('finds exactly the agents a brute-force distance scan finds (bounded and periodic)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 50, noNaN: true }),
        fc.double({ min: 1, max: 50, noNaN: true }),
        fc.boolean(),
        fc.double({ min: 0.2, max: 20, noNaN: true }),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            maxLength: 60,
          },
        ),
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 30, noNaN: true }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        (width, height, periodic, cellSize, positions, queries) => {
          const space = new ContinuousSpace<Token>({ width, height, periodic, cellSize });
          const agents = positions.map(([u, v], id) => {
            const agent = { id };
            space.place(agent, Math.min(u * width, width), Math.min(v * height, height));
            return agent;
          });
          // Move half of them to exercise bucket changes.
          agents.forEach((agent, i) => {
            if (i % 2 === 0)
              space.moveTo(agent, (positions[i]![1] * width) % width, (positions[i]![0] * height) % height);
          });
          for (const [u, v, radius] of queries) {
            const x = u * width;
            const y = v * height;
            const expected = agents
              .filter((a) => {
                const dx = space.deltaX(x, space.xOf(a));
                const dy = space.deltaY(y, space.yOf(a));
                return dx * dx + dy * dy <= radius * radius;
              })
              .map((a) => a.id);
            const got: number[] = [];
            space.forEachWithin(x, y, radius, (a, dx, dy, d2) => {
              got.push(a.id);
              expect(d2).toBeCloseTo(dx * dx + dy * dy, 12);
            });
            expect(got.sort((p, q) => p - q)).toEqual(expected.sort((p, q) => p - q));
            expect(new Set(got).size).toBe(got.length);
            const buffer: Token[] = [];
            const n = space.collectWithin(x, y, radius, buffer);
            expect(
              buffer
                .slice(0, n)
                .map((a) => a.id)
                .sort((p, q) => p - q),
            ).toEqual(got);
          }
        },
      ),
      { numRuns: 400, seed: 5 },
    );
  });

  it('wraps positions in a periodic space and measures distance the short way round', () => {
    const space = new ContinuousSpace<Token>({ width: 10, height: 10, periodic: true, cellSize: 2 });
    const a = { id: 0 };
    const b = { id: 1 };
    space.place(a, 9.5, 0.5);
    space.place(b, -0.5, 10.5);
    expect(space.positionOf(b)).toEqual({ x: 9.5, y: 0.5 });
    space.moveTo(b, 0.5, 9.5);
    expect(space.distance(a, b)).toBeCloseTo(Math.SQRT2, 12);
    expect(space.neighborsWithin(a, 1.5).map((t) => t.id)).toEqual([1]);
  });

  it('refuses positions outside a bounded space and leaves the agent where it was', () => {
    const space = new ContinuousSpace<Token>({ width: 10, height: 5 });
    const a = { id: 3 };
    space.place(a, 1, 1);
    expect(() => space.moveTo(a, 10.5, 1)).toThrow(
      /ContinuousSpace.moveTo\(agent, x, y\): x must lie in \[0, 10\] in this bounded space, got 10.5/,
    );
    expect(() => space.moveTo(a, 1, Number.NaN)).toThrow(/y must be a finite number, got NaN/);
    expect(space.positionOf(a)).toEqual({ x: 1, y: 1 });
    expect(() => space.place(a, 2, 2)).toThrow(/already in the space/);
    space.remove(a);
    expect(space.has(a)).toBe(false);
    expect(space.agentCount).toBe(0);
    expect(() => space.xOf(a)).toThrow(/not in this space/);
    let visits = 0;
    space.forEachWithin(1, 1, 100, () => visits++);
    expect(visits).toBe(0);
  });
});
