import { TwinkitError } from '@twinkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GridSpace } from '../grid-space/grid-space';
import { findPath, type PathGrid } from './find-path';

/**
 * Reference: Dijkstra by repeated linear scans (no heap, no heuristic), with the same move rules:
 * enter cost per cell, √2 for diagonals, no corner cutting, optional wrapping.
 */
function dijkstraCost(
  grid: Required<Pick<PathGrid, 'width' | 'height'>> & PathGrid,
  start: number,
  goal: number,
  diagonal: boolean,
): number {
  const { width, height } = grid;
  const n = width * height;
  const ok = (c: number) => grid.walkable === undefined || !!grid.walkable[c];
  const cost = (c: number) => (grid.cost === undefined ? 1 : grid.cost[c]!);
  const dist = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const done = new Array<boolean>(n).fill(false);
  dist[start] = 0;
  for (;;) {
    let best = -1;
    for (let c = 0; c < n; c++) if (!done[c] && (best < 0 || dist[c]! < dist[best]!)) best = c;
    if (best < 0 || dist[best] === Number.POSITIVE_INFINITY) break;
    done[best] = true;
    const x = best % width;
    const y = Math.floor(best / width);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if (dx === 0 && dy === 0) continue;
        const diag = dx !== 0 && dy !== 0;
        if (diag && !diagonal) continue;
        const wrap = (v: number, m: number) => (grid.torus ? (v + m) % m : v);
        const nx = wrap(x + dx, width);
        const ny = wrap(y + dy, height);
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const next = ny * width + nx;
        if (!ok(next)) continue;
        if (diag && (!ok(y * width + nx) || !ok(ny * width + x))) continue;
        const d = dist[best]! + cost(next) * (diag ? Math.SQRT2 : 1);
        if (d < dist[next]!) dist[next] = d;
      }
    }
  }
  return dist[goal]!;
}

const gridArb = fc
  .record({
    width: fc.integer({ min: 1, max: 9 }),
    height: fc.integer({ min: 1, max: 9 }),
    torus: fc.boolean(),
    diagonal: fc.boolean(),
    weighted: fc.boolean(),
    wallDensity: fc.double({ min: 0, max: 0.45, noNaN: true }),
    cells: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 81, maxLength: 81 }),
    costs: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 81, maxLength: 81 }),
    a: fc.nat(),
    b: fc.nat(),
  })
  .map((r) => {
    const n = r.width * r.height;
    const walkable = new Uint8Array(n).map((_, i) => (r.cells[i]! < r.wallDensity ? 0 : 1));
    const start = r.a % n;
    const goal = r.b % n;
    walkable[start] = 1;
    walkable[goal] = 1;
    const cost = r.weighted ? Float64Array.from({ length: n }, (_, i) => r.costs[i]!) : undefined;
    return {
      grid: { width: r.width, height: r.height, torus: r.torus, walkable, cost } as PathGrid,
      start,
      goal,
      diagonal: r.diagonal,
    };
  });

describe('findPath (A*)', () => {
  it('finds a valid path of least cost, or null exactly when Dijkstra finds none', () => {
    fc.assert(
      fc.property(gridArb, ({ grid, start, goal, diagonal }) => {
        const w = grid.width;
        const from = { x: start % w, y: Math.floor(start / w) };
        const to = { x: goal % w, y: Math.floor(goal / w) };
        const path = findPath(grid, from, to, { diagonal });
        const reference = dijkstraCost(
          grid as PathGrid & { width: number; height: number },
          start,
          goal,
          diagonal,
        );
        if (reference === Number.POSITIVE_INFINITY) {
          expect(path).toBeNull();
          return;
        }
        expect(path).not.toBeNull();
        expect(path!.cost).toBeCloseTo(reference, 9);
        expect(path!.cells[0]).toBe(start);
        expect(path!.cells[path!.cells.length - 1]).toBe(goal);
        // Every move is legal and the costs add up.
        let total = 0;
        for (let i = 1; i < path!.cells.length; i++) {
          const p = path!.cells[i - 1]!;
          const c = path!.cells[i]!;
          expect(grid.walkable![c]).toBe(1);
          let dx = Math.abs((c % w) - (p % w));
          let dy = Math.abs(Math.floor(c / w) - Math.floor(p / w));
          if (grid.torus) {
            dx = Math.min(dx, w - dx);
            dy = Math.min(dy, grid.height - dy);
          }
          expect(dx <= 1 && dy <= 1 && dx + dy >= 1).toBe(true);
          if (!diagonal) expect(dx + dy).toBe(1);
          total += (grid.cost?.[c] ?? 1) * (dx + dy === 2 ? Math.SQRT2 : 1);
        }
        expect(total).toBeCloseTo(path!.cost, 9);
      }),
      { numRuns: 800, seed: 11 },
    );
  });

  it('gives the same least costs through a GridSpace (walls, costs and its cached cheapest cost)', () => {
    fc.assert(
      fc.property(
        gridArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 9 })), { maxLength: 30 }),
        ({ grid, start, goal, diagonal }, edits) => {
          const space = new GridSpace({ width: grid.width, height: grid.height, torus: grid.torus });
          const n = grid.width * grid.height;
          const cost = Float64Array.from({ length: n }, (_, c) => grid.cost?.[c] ?? 1);
          // Apply the costs, then random later edits, through setCost (exercising the cached minimum).
          for (let c = 0; c < n; c++) space.setCost(c % grid.width, Math.floor(c / grid.width), cost[c]!);
          for (const [cell, value] of edits) {
            const c = cell % n;
            cost[c] = value;
            space.setCost(c % grid.width, Math.floor(c / grid.width), value);
          }
          expect(space.minCost).toBe(Math.min(...cost));
          for (let c = 0; c < n; c++)
            if (!grid.walkable![c]) space.setWalkable(c % grid.width, Math.floor(c / grid.width), false);
          const w = grid.width;
          const path = space.findPath(
            { x: start % w, y: Math.floor(start / w) },
            { x: goal % w, y: Math.floor(goal / w) },
            { diagonal },
          );
          const reference = dijkstraCost({ ...grid, cost }, start, goal, diagonal);
          if (reference === Number.POSITIVE_INFINITY) expect(path).toBeNull();
          else {
            expect(path!.cost).toBeCloseTo(reference, 9);
            expect(path!.grid).toBe(space);
          }
        },
      ),
      { numRuns: 400, seed: 12 },
    );
  });

  it('returns a zero-cost one-cell path from a cell to itself', () => {
    const path = findPath({ width: 3, height: 3 }, { x: 1, y: 1 }, { x: 1, y: 1 });
    expect(path).toMatchObject({ cells: [4], cost: 0 });
  });

  it('does not cut corners between two walls', () => {
    // . #
    // # .
    const walkable = [1, 0, 0, 1];
    expect(
      findPath({ width: 2, height: 2, walkable }, { x: 0, y: 0 }, { x: 1, y: 1 }, { diagonal: true }),
    ).toBeNull();
  });

  it('returns null for an unreachable goal and throws for unwalkable or outside cells and bad costs', () => {
    const walkable = [1, 0, 1];
    expect(findPath({ width: 3, height: 1, walkable }, { x: 0, y: 0 }, { x: 2, y: 0 })).toBeNull();
    expect(() => findPath({ width: 3, height: 1, walkable }, { x: 0, y: 0 }, { x: 1, y: 0 })).toThrow(
      /the goal \(1, 0\) is not walkable/,
    );
    expect(() => findPath({ width: 3, height: 1, walkable }, { x: 1, y: 0 }, { x: 0, y: 0 })).toThrow(
      /the start \(1, 0\) is not walkable/,
    );
    expect(() => findPath({ width: 3, height: 1 }, { x: 0, y: 0 }, { x: 3, y: 0 })).toThrow(TwinkitError);
    expect(() => findPath({ width: 3, height: 1 }, { x: 0, y: 0 }, { x: 3, y: 0 })).toThrow(
      /to must be integer coordinates inside the 3x1 grid, got \[3,0\]/,
    );
    expect(() => findPath({ width: 2, height: 1, cost: [1, 0] }, { x: 0, y: 0 }, { x: 1, y: 0 })).toThrow(
      /every grid.cost entry must be a finite number > 0, got 0/,
    );
    expect(() => findPath({ width: 2, height: 1, walkable: [1] }, { x: 0, y: 0 }, { x: 1, y: 0 })).toThrow(
      /grid.walkable must have width \* height = 2 entries/,
    );
  });
});
