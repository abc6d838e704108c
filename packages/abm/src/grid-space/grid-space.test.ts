import { Simulation, TwinkitError } from '@twinkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testRng } from '../../test/support/test-rng';
import { Agent, AgentModel } from '../agent-model/agent-model';
import { type GridNeighborhood, GridSpace } from './grid-space';

interface Token {
  id: number;
  alive?: boolean;
}
const token = (id: number): Token => ({ id });

/** Brute force: every cell whose wrapped/clipped offset from the centre is inside the neighbourhood. */
function bruteNeighborCells(
  width: number,
  height: number,
  torus: boolean,
  cx: number,
  cy: number,
  neighborhood: GridNeighborhood,
  radius: number,
  includeCenter: boolean,
): number[] {
  const result = new Set<number>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Shortest offsets (on a torus every representative within the radius counts).
      const dxs = torus ? [x - cx, x - cx - width, x - cx + width] : [x - cx];
      const dys = torus ? [y - cy, y - cy - height, y - cy + height] : [y - cy];
      let inside = false;
      for (const dx of dxs) {
        for (const dy of dys) {
          if (dx === 0 && dy === 0) continue;
          if (Math.abs(dx) > radius || Math.abs(dy) > radius) continue;
          if (neighborhood === 'moore') inside = true;
          else if (neighborhood === 'vonNeumann' && Math.abs(dx) + Math.abs(dy) <= radius) inside = true;
          else if (neighborhood === 'euclidean' && dx * dx + dy * dy <= radius * radius) inside = true;
        }
      }
      if (inside) result.add(y * width + x);
    }
  }
  const center = cy * width + cx;
  if (includeCenter) result.add(center);
  else result.delete(center);
  return [...result].sort((a, b) => a - b);
}

describe('GridSpace neighbourhoods', () => {
  it('matches a brute-force reference on random grids, shapes, radii and edges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.constantFrom<GridNeighborhood>('moore', 'vonNeumann', 'euclidean'),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.nat(),
        (width, height, torus, neighborhood, radius, includeCenter, seed) => {
          const grid = new GridSpace({ width, height, torus });
          const cell = seed % (width * height);
          const query = { neighborhood, radius, includeCenter };
          const got = grid.neighborCells(cell, query);
          expect(new Set(got).size).toBe(got.length); // each cell once
          const expected = bruteNeighborCells(
            width,
            height,
            torus,
            cell % width,
            Math.floor(cell / width),
            neighborhood,
            radius,
            includeCenter,
          );
          expect([...got].sort((a, b) => a - b)).toEqual(expected);
        },
      ),
      { numRuns: 600, seed: 1 },
    );
  });

  it('visits exactly the agents in the neighbour cells, in single and multiple occupancy', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        fc.constantFrom<'single' | 'multiple'>('single', 'multiple'),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (width, height, torus, occupancy, radius, includeCenter, seed) => {
          const rng = testRng(seed);
          const grid = new GridSpace<Token>({ width, height, torus, occupancy });
          const agents: Token[] = [];
          const count = Math.floor(rng.next() * width * height);
          for (let i = 0; i < count; i++) {
            const a = token(i);
            const cell =
              occupancy === 'single' ? grid.randomEmptyCell(rng) : Math.floor(rng.next() * width * height);
            grid.placeInCell(a, cell);
            agents.push(a);
          }
          const query = { radius, includeCenter };
          for (const a of agents) {
            const cells = new Set(grid.neighborCells(grid.cellOf(a), query));
            const expected = agents
              .filter((b) => b !== a && cells.has(grid.cellOf(b)))
              .map((b) => b.id)
              .sort((x, y) => x - y);
            const got = grid
              .neighbors(a, query)
              .map((b) => b.id)
              .sort((x, y) => x - y);
            expect(got).toEqual(expected);
            const even = grid.countNeighbors(a, (b) => b.id % 2 === 0, query);
            expect(even).toBe(expected.filter((id) => id % 2 === 0).length);
          }
        },
      ),
      { numRuns: 200, seed: 2 },
    );
  });
});

describe('GridSpace moves and the empty-cell list', () => {
  it('keeps occupancy, positions and the empty list consistent under random operations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom<'single' | 'multiple'>('single', 'multiple'),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.nat()), { maxLength: 80 }),
        (width, height, occupancy, ops) => {
          const grid = new GridSpace<Token>({ width, height, occupancy });
          const rng = testRng(width * 31 + height);
          const where = new Map<Token, number>();
          let nextId = 0;
          for (const [op, a, b] of ops) {
            const placed = [...where.keys()];
            const pick = (k: number) => placed[k % placed.length]!;
            try {
              if (op === 0 || placed.length === 0) {
                const t = token(nextId++);
                const cell = a % grid.cellCount;
                grid.placeInCell(t, cell);
                where.set(t, cell);
              } else if (op === 1) {
                const t = pick(a);
                const cell = b % grid.cellCount;
                grid.moveToCell(t, cell);
                where.set(t, cell);
              } else if (op === 2) {
                const t = pick(a);
                grid.remove(t);
                where.delete(t);
              } else if (op === 3) {
                const t = pick(a);
                const u = pick(b);
                grid.swap(t, u);
                const ct = where.get(t)!;
                where.set(t, where.get(u)!);
                where.set(u, ct);
              } else if (op === 4 && grid.emptyCount > 0) {
                const t = pick(a);
                where.set(t, grid.moveToRandomEmpty(t, rng));
              } else if (op === 5) {
                const cell = a % grid.cellCount;
                grid.setWalkable(grid.xOfCell(cell), grid.yOfCell(cell), b % 2 === 0);
              }
            } catch (error) {
              // Refused operations must be the documented ones and change nothing (checked below).
              expect(error).toBeInstanceOf(TwinkitError);
            }
            // Invariants against the model of the grid.
            expect(grid.agentCount).toBe(where.size);
            const perCell = new Map<number, number>();
            for (const [t, cell] of where) {
              expect(grid.cellOf(t)).toBe(cell);
              expect(grid.agentsInCell(cell)).toContain(t);
              perCell.set(cell, (perCell.get(cell) ?? 0) + 1);
            }
            let empties = 0;
            for (let c = 0; c < grid.cellCount; c++) {
              const n = perCell.get(c) ?? 0;
              expect(grid.countInCell(c)).toBe(n);
              if (occupancy === 'single') expect(n).toBeLessThanOrEqual(1);
              if (n === 0 && grid.isWalkable(c)) empties++;
              if (n > 0) expect(grid.isWalkable(c)).toBe(true);
            }
            expect(grid.emptyCount).toBe(empties);
          }
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('draws every empty walkable cell with equal probability (chi-square)', () => {
    const grid = new GridSpace<Token>({ width: 4, height: 3 });
    grid.place(token(0), 0, 0);
    grid.place(token(1), 3, 2);
    grid.setWalkable(1, 1, false);
    const rng = testRng(7);
    const counts = new Map<number, number>();
    const draws = 90_000;
    for (let i = 0; i < draws; i++) {
      const c = grid.randomEmptyCell(rng);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
    const expected = draws / 9;
    const chi2 = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    // 8 degrees of freedom: the 0.999 quantile is 26.12.
    expect(chi2).toBeLessThan(26.12);
  });

  it('refuses a second agent in a single-occupancy cell and stays consistent', () => {
    const grid = new GridSpace<Token>({ width: 3, height: 3 });
    const a = token(1);
    const b = token(2);
    grid.place(a, 1, 1);
    grid.place(b, 0, 0);
    expect(() => grid.place(token(3), 1, 1)).toThrow(
      /cell \(1, 1\) of a single-occupancy grid already holds agent #1; cannot add agent #3/,
    );
    expect(() => grid.moveTo(b, 1, 1)).toThrow(TwinkitError);
    expect(grid.cellOf(b)).toBe(0);
    expect(grid.agentAt(1, 1)).toBe(a);
    expect(grid.agentCount).toBe(2);
    expect(grid.emptyCount).toBe(7);
    expect(grid.has(token(3))).toBe(false);
  });

  it('refuses positions outside a bounded grid and wraps them on a torus', () => {
    const bounded = new GridSpace<Token>({ width: 5, height: 4 });
    const a = token(0);
    bounded.place(a, 4, 3);
    expect(() => bounded.moveTo(a, 5, 0)).toThrow(
      /GridSpace.cellAt\(x, y\): the position must lie inside the bounded 5x4 grid .*got \[5,0\]/,
    );
    expect(bounded.positionOf(a)).toEqual({ x: 4, y: 3 });
    expect(() => bounded.place(token(1), 0.5, 1)).toThrow(/x and y must be integers/);
    const torus = new GridSpace<Token>({ width: 5, height: 4, torus: true });
    torus.place(a, -1, 5);
    expect(torus.positionOf(a)).toEqual({ x: 4, y: 1 });
  });

  it('refuses unwalkable cells, unplaced agents, removed agents and double placement', () => {
    const grid = new GridSpace<Token>({ width: 3, height: 3, occupancy: 'multiple' });
    grid.setWalkable(2, 2, false);
    const a = token(0);
    expect(() => grid.place(a, 2, 2)).toThrow(/cell \(2, 2\) is not walkable/);
    expect(grid.has(a)).toBe(false);
    expect(() => grid.cellOf(a)).toThrow(/agent #0 is not on this grid/);
    grid.place(a, 0, 0);
    expect(() => grid.place(a, 1, 0)).toThrow(/already on the grid at \(0, 0\)/);
    expect(() => grid.setWalkable(0, 0, false)).toThrow(/holds 1 agent/);
    const gone = { id: 5, alive: false };
    expect(() => grid.place(gone, 1, 1)).toThrow(/must not have been removed/);
    expect(() => grid.place({ id: -1 }, 1, 1)).toThrow(/integer id >= 0/);
    expect(() => new GridSpace({ width: 0, height: 3 })).toThrow(/width must be an integer >= 1, got 0/);
    expect(() => grid.forEachNeighborCell(0, () => {}, { radius: 0 })).toThrow(/radius must be an integer/);
    expect(() => grid.randomEmptyCell({ next: () => 0.5 })).not.toThrow();
    const full = new GridSpace<Token>({ width: 1, height: 1 });
    full.place(token(9), 0, 0);
    expect(() => full.randomEmptyCell({ next: () => 0.5 })).toThrow(/has no empty walkable cell/);
  });
});

describe('GridSpace nested queries', () => {
  it('lets a visitor query the grid again without disturbing the outer iteration', () => {
    for (const [width, height, torus] of [
      [3, 3, true],
      [7, 6, false],
      [7, 6, true],
    ] as const) {
      const grid = new GridSpace<Token>({ width, height, torus, occupancy: 'multiple' });
      for (let c = 0; c < grid.cellCount; c++) grid.placeInCell(token(c), c);
      for (let c = 0; c < grid.cellCount; c++) {
        const plain: number[] = [];
        grid.forEachNeighbor(c, (a) => plain.push(a.id), { radius: 2 });
        const nested: number[] = [];
        grid.forEachNeighbor(
          c,
          (a) => {
            nested.push(a.id);
            // Inner queries of every kind, including on the same cells.
            grid.countNeighbors(a, () => true, { radius: 2 });
            grid.forEachNeighborCell(grid.cellOf(a), () => grid.neighborCells(c));
          },
          { radius: 2 },
        );
        expect(nested).toEqual(plain);
        expect(new Set(plain).size).toBe(plain.length);
      }
    }
  });
});

describe('GridSpace query objects', () => {
  it('notices a query object changed between calls', () => {
    const grid = new GridSpace({ width: 9, height: 9 });
    const query: { radius: number; neighborhood?: GridNeighborhood } = { radius: 1 };
    expect(grid.neighborCells(40, query)).toHaveLength(8);
    query.radius = 2;
    expect(grid.neighborCells(40, query)).toHaveLength(24);
    query.neighborhood = 'vonNeumann';
    expect(grid.neighborCells(40, query)).toHaveLength(12);
  });

  it('writes neighbours into a caller buffer and leaves the rest of it alone', () => {
    const grid = new GridSpace<Token>({ width: 5, height: 5 });
    grid.place(token(0), 2, 2);
    grid.place(token(1), 1, 1);
    grid.place(token(2), 3, 3);
    grid.place(token(3), 0, 0);
    const sentinel = token(99);
    const buffer: Token[] = [sentinel, sentinel, sentinel];
    expect(grid.collectNeighbors(grid.agentAt(2, 2)!, buffer)).toBe(2);
    expect(
      buffer
        .slice(0, 2)
        .map((t) => t.id)
        .sort(),
    ).toEqual([1, 2]);
    expect(buffer[2]).toBe(sentinel);
    expect(grid.collectNeighbors(2 * 5 + 2, buffer, { includeCenter: true })).toBe(3);
    expect(buffer.map((t) => t.id).sort()).toEqual([0, 1, 2]);
  });
});

describe('GridSpace.collectNeighborIds', () => {
  it('writes the ids of exactly the agents collectNeighbors writes, in the same order, through moves, swaps and removals', () => {
    fc.assert(
      fc.property(
        fc.record({
          width: fc.integer({ min: 1, max: 9 }),
          height: fc.integer({ min: 1, max: 9 }),
          torus: fc.boolean(),
          multiple: fc.boolean(),
          radius: fc.integer({ min: 1, max: 3 }),
          includeCenter: fc.boolean(),
          neighborhood: fc.constantFrom<GridNeighborhood>('moore', 'vonNeumann'),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        ({ width, height, torus, multiple, radius, includeCenter, neighborhood, seed }) => {
          const rng = testRng(seed);
          const grid = new GridSpace<Token>({
            width,
            height,
            torus,
            occupancy: multiple ? 'multiple' : 'single',
          });
          const cells = width * height;
          const tokens = Array.from({ length: Math.max(1, Math.floor(cells * 0.6)) }, (_, i) => token(i));
          for (const t of tokens)
            grid.placeInCell(t, multiple ? Math.floor(rng.next() * cells) : grid.randomEmptyCell(rng)!);
          // Some churn: moves, a swap, a removal.
          for (const t of tokens.slice(0, 3))
            if (!multiple && grid.emptyCount > 0) grid.moveToRandomEmpty(t, rng);
          if (tokens.length > 2) grid.swap(tokens[0]!, tokens[1]!);
          if (tokens.length > 3) grid.remove(tokens[3]!);
          const query = { radius, includeCenter, neighborhood };
          const agents: Token[] = [];
          const ids = new Int32Array(cells + 1);
          for (const t of tokens) {
            if (!grid.has(t)) continue;
            const n = grid.collectNeighbors(t, agents, query);
            const m = grid.collectNeighborIds(t, ids, query);
            expect(m).toBe(n);
            expect(Array.from(ids.subarray(0, m))).toEqual(agents.slice(0, n).map((a) => a.id));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses an out buffer without room for the neighbourhood, or one that is not an Int32Array', () => {
    const grid = new GridSpace<Token>({ width: 7, height: 7 });
    grid.place(token(0), 3, 3);
    expect(() => grid.collectNeighborIds(grid.agentAt(3, 3)!, new Int32Array(23), { radius: 2 })).toThrow(
      /GridSpace\.collectNeighborIds\(center, out\): out must have room for every neighbour id \(at least 24 here\), got "an Int32Array of length 23"/,
    );
    expect(grid.collectNeighborIds(grid.agentAt(3, 3)!, new Int32Array(24), { radius: 2 })).toBe(0);
    expect(() => grid.collectNeighborIds(grid.agentAt(3, 3)!, [] as unknown as Int32Array)).toThrow(
      /out must be an Int32Array/,
    );
    const crowd = new GridSpace<Token>({ width: 3, height: 3, occupancy: 'multiple' });
    for (let i = 0; i < 5; i++) crowd.place(token(i), 1, 1);
    expect(crowd.collectNeighborIds(4, new Int32Array(5), { includeCenter: true })).toBe(5);
    expect(() => crowd.collectNeighborIds(4, new Int32Array(4), { includeCenter: true })).toThrow(
      /at least 5 here/,
    );
  });
});

describe('GridSpace.findPath', () => {
  it('uses the grid walkability and costs', () => {
    const grid = new GridSpace({ width: 5, height: 3 });
    for (let y = 0; y < 2; y++) grid.setWalkable(2, y, false);
    const path = grid.findPath({ x: 0, y: 0 }, { x: 4, y: 0 });
    expect(path).not.toBeNull();
    expect(path!.cost).toBe(8); // down 2, across 4, up 2
    expect(path!.cells.map((c) => grid.pointOf(c))).toContainEqual([2, 2]);
  });
});

class Walker extends Agent {
  state: 'idle' | 'busy' = 'idle';
}

function walkingFloor(options: { width?: number; height?: number; occupancy?: 'single' | 'multiple' } = {}) {
  const sim = new Simulation({ seed: 1 });
  const model = new AgentModel(sim);
  const grid = model.addSpace(
    new GridSpace<Walker>({
      width: options.width ?? 5,
      height: options.height ?? 5,
      occupancy: options.occupancy ?? 'multiple',
    }),
  );
  return { sim, model, grid };
}

describe('GridSpace.moveAlong', () => {
  it('walks an agent along an A* path as its process, which can be yielded like any DES process', () => {
    const { sim, model, grid } = walkingFloor();
    grid.setWalkable(2, 0, false);
    grid.setWalkable(2, 1, false);
    const w = new Walker(model);
    grid.place(w, 0, 0);
    const trace: [number, number, number][] = [];
    let walkCost = 0;
    let repairedAt = 0;
    w.process(function* () {
      const path = grid.findPath(grid.positionOf(w), { x: 4, y: 0 }, { diagonal: true })!;
      walkCost = path.cost;
      const walk = grid.moveAlong(w, path, 2);
      sim.process(function* () {
        while (walk.isAlive) {
          trace.push([sim.now, grid.xOf(w), grid.yOf(w)]);
          yield sim.timeout(0.25);
        }
      });
      yield walk;
      w.state = 'busy';
      yield sim.timeout(3); // the repair
      w.state = 'idle';
      repairedAt = sim.now;
    });
    sim.run();
    expect(grid.positionOf(w)).toEqual({ x: 4, y: 0 });
    // All cells cost 1, so the walk takes cost / speed; then the repair takes 3.
    // Around the wall without cutting its corners: (0,0) (1,1) (1,2) (2,2) (3,2) (4,1) (4,0).
    expect(walkCost).toBeCloseTo(4 + 2 * Math.SQRT2, 12);
    expect(repairedAt).toBeCloseTo(walkCost / 2 + 3, 12);
    expect(trace[0]).toEqual([0, 0, 0]);
    for (const [, x, y] of trace) expect(grid.isWalkable(grid.cellAt(x, y))).toBe(true);
    expect(trace.some(([, x, y]) => x === 2 && y === 2)).toBe(true);
    expect(w.state).toBe('idle');
  });

  it('enters each next cell after distance / speed (1 straight, √2 diagonal), updating the placement', () => {
    const { sim, model, grid } = walkingFloor();
    const w = new Walker(model);
    grid.place(w, 0, 0);
    const path = grid.findPath({ x: 0, y: 0 }, { x: 2, y: 3 }, { diagonal: true })!;
    const entered: [number, number, number][] = [];
    const walk = grid.moveAlong(w, path, 4);
    sim.process(function* () {
      // Sample just after each possible arrival: the placement changes only when a cell is entered.
      let last = grid.cellOf(w);
      while (walk.isAlive) {
        yield sim.timeout(1 / 64);
        if (grid.cellOf(w) !== last) {
          last = grid.cellOf(w);
          entered.push([sim.now, grid.xOf(w), grid.yOf(w)]);
        }
      }
    });
    sim.run();
    expect(walk.ok).toBe(true);
    expect(grid.positionOf(w)).toEqual({ x: 2, y: 3 });
    expect(grid.agentCount).toBe(1);
    expect(grid.countInCell(grid.cellAt(0, 0))).toBe(0);
    // Every move the path makes takes (√2 or 1) / speed; the cells entered are the path's cells.
    let t = 0;
    const expected = path.cells.slice(1).map((cell, i) => {
      const from = path.cells[i]!;
      const diagonal = grid.xOfCell(from) !== grid.xOfCell(cell) && grid.yOfCell(from) !== grid.yOfCell(cell);
      t += (diagonal ? Math.SQRT2 : 1) / 4;
      return [t, grid.xOfCell(cell), grid.yOfCell(cell)] as const;
    });
    expect(entered.map(([, x, y]) => [x, y])).toEqual(expected.map(([, x, y]) => [x, y]));
    entered.forEach(([at], i) => {
      expect(at).toBeGreaterThanOrEqual(expected[i]![0] - 1e-12);
      expect(at).toBeLessThan(expected[i]![0] + 1 / 64 + 1e-12);
    });
    expect(sim.now).toBeCloseTo(path.cost / 4, 1);
  });

  it('returns a process that ends at once for a one-cell path (already there)', () => {
    const { sim, model, grid } = walkingFloor();
    const w = new Walker(model);
    grid.place(w, 1, 1);
    const walk = grid.moveAlong(w, grid.findPath({ x: 1, y: 1 }, { x: 1, y: 1 })!, 1);
    sim.run();
    expect(walk.ok).toBe(true);
    expect(sim.now).toBe(0);
    expect(grid.positionOf(w)).toEqual({ x: 1, y: 1 });
  });

  it('stops walking, quietly, when the agent is removed on the way', () => {
    const { sim, model, grid } = walkingFloor();
    const w = new Walker(model);
    grid.place(w, 0, 0);
    const walk = grid.moveAlong(w, grid.findPath({ x: 0, y: 0 }, { x: 4, y: 0 })!, 1);
    sim.schedule(2.5, () => w.remove());
    sim.run();
    expect(walk.isAlive).toBe(false);
    expect(walk.ok).toBe(true);
    expect(w.alive).toBe(false);
    expect(grid.agentCount).toBe(0);
    expect(grid.has(w)).toBe(false);
  });

  it('fails the walk with the grid rule when the next cell has been taken (single occupancy)', () => {
    const { sim, model, grid } = walkingFloor({ width: 5, height: 1, occupancy: 'single' });
    const w = new Walker(model);
    const blocker = new Walker(model);
    grid.place(w, 0, 0);
    const walk = grid.moveAlong(w, grid.findPath({ x: 0, y: 0 }, { x: 4, y: 0 })!, 1);
    sim.schedule(1.5, () => grid.place(blocker, 2, 0));
    expect(() => sim.run()).toThrow(/cell \(2, 0\) of a single-occupancy grid already holds agent #1/);
    expect(walk.ok).toBe(false);
    expect(grid.positionOf(w)).toEqual({ x: 1, y: 0 });
  });

  it('refuses a bad agent, speed or path with an error naming the API, the rule, the value and the remedy', () => {
    const { model, grid } = walkingFloor({ width: 5, height: 1 });
    const other = new GridSpace<Walker>({ width: 5, height: 1 });
    const w = new Walker(model);
    grid.place(w, 0, 0);
    const good = grid.findPath({ x: 0, y: 0 }, { x: 4, y: 0 })!;
    const refuse = (call: () => unknown, message: RegExp) => {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TwinkitError);
      expect((error as TwinkitError).code).toBe('INVALID_ARGUMENT');
      expect((error as TwinkitError).message).toMatch(/^GridSpace\.moveAlong\(agent, path, speed\): /);
      expect((error as TwinkitError).message).toMatch(message);
    };
    for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '2' as unknown as number])
      refuse(
        () => grid.moveAlong(w, good, speed),
        /speed must be a finite number > 0 \(cells per time unit\), got .*\. Pass the walking speed/,
      );
    refuse(
      () => grid.moveAlong(w, grid.findPath({ x: 1, y: 0 }, { x: 4, y: 0 })!, 1),
      /the path must start at the agent's cell \(0, 0\), got \[1,0\]\. Find the path from grid\.positionOf\(agent\)\./,
    );
    refuse(
      () => grid.moveAlong(w, { cells: [], cost: 0, grid }, 1),
      /the path must start at the agent's cell \(0, 0\), got \[\]/,
    );
    refuse(
      () => grid.moveAlong(w, { ...good, grid: { width: 5, height: 1 } }, 1),
      /path must come from this GridSpace \(path\.grid === grid, as grid\.findPath returns it\), got "a path on a plain 5x1 grid, not a GridSpace"\. Use grid\.findPath\(from, to\)/,
    );
    refuse(
      () => grid.moveAlong(w, other.findPath({ x: 0, y: 0 }, { x: 4, y: 0 })!, 1),
      /path must come from this GridSpace .*another 5x1 GridSpace.*path\.grid\.moveAlong\(agent, path, speed\)/,
    );
    refuse(() => grid.moveAlong(w, null as never, 1), /path must come from this GridSpace .*got null/);
    refuse(
      () => grid.moveAlong({ id: 7 } as never, good, 1),
      /agent must be an Agent \(the walk runs as its process on its model clock\), got "agent #7"\. Walk Agent instances/,
    );
    refuse(() => grid.moveAlong({ id: -1 } as never, good, 1), /the agent must have an integer id >= 0/);
    // Nothing was started or moved.
    expect(grid.positionOf(w)).toEqual({ x: 0, y: 0 });
    expect(model.sim.now).toBe(0);
  });

  it('refuses an agent that is not on this grid or was removed from its model', () => {
    const { model, grid } = walkingFloor({ width: 5, height: 1 });
    const w = new Walker(model);
    const away = new Walker(model);
    grid.place(w, 0, 0);
    const path = grid.findPath({ x: 0, y: 0 }, { x: 4, y: 0 })!;
    expect(() => grid.moveAlong(away, path, 1)).toThrow(
      /^GridSpace\.moveAlong\(agent, path, speed\): agent #1 is not on this grid\. Place it first/,
    );
    w.remove();
    expect(() => grid.moveAlong(w, path, 1)).toThrow(
      /^GridSpace\.moveAlong\(agent, path, speed\): the agent must not have been removed from its model, got "agent #0"\. Check agent\.alive/,
    );
  });
});
