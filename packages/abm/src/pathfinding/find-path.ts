import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';

/** The grid a path is searched on: its size, and optionally walkability, entry costs and wrapping. */
export interface PathGrid {
  /** Number of columns. */
  readonly width: number;
  /** Number of rows. */
  readonly height: number;
  /** Per cell (index `y * width + x`): non-zero/true if the cell can be entered. Default: all walkable. */
  readonly walkable?: ArrayLike<number | boolean>;
  /** Per cell: the cost of entering it (finite, > 0). Default: all 1. */
  readonly cost?: ArrayLike<number>;
  /** Whether moves wrap around the edges. Default `false`. */
  readonly torus?: boolean;
  /**
   * The smallest entry in `cost`, if the grid keeps it (a `GridSpace` does). With it, findPath
   * skips scanning and validating every cost on each call, so a search costs only what it explores.
   */
  readonly minCost?: number;
}

/** Options of {@link findPath}. */
export interface FindPathOptions {
  /**
   * Allow the 4 diagonal moves (costing √2 × the entry cost). A diagonal move never cuts a corner:
   * both cells it passes between must be walkable. Default `false`.
   */
  diagonal?: boolean;
}

/** A path found by {@link findPath}: the cells from start to goal (both included) and its cost. */
export interface GridPath {
  /** Cell numbers (`y * width + x`) from the start to the goal, both included. */
  readonly cells: readonly number[];
  /** Total cost: the sum over the moves of the entry cost of the cell entered, × √2 for diagonal moves. */
  readonly cost: number;
  /** The grid the path was found on (so that an agent can walk it with `moveAlong`). */
  readonly grid: PathGrid;
}

class MinHeap {
  private cells: Int32Array;
  private keys: Float64Array;
  private ties: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.cells = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
    this.ties = new Float64Array(capacity);
  }

  /** Orders by f, then by larger g (deeper first), which keeps the search short on open floors. */
  private less(i: number, j: number): boolean {
    const ki = this.keys[i]!;
    const kj = this.keys[j]!;
    return ki < kj || (ki === kj && this.ties[i]! > this.ties[j]!);
  }

  push(cell: number, key: number, tie: number): void {
    if (this.size === this.cells.length) {
      const grow = (a: Int32Array | Float64Array) => {
        const b = new (a.constructor as Float64ArrayConstructor)(a.length * 2);
        b.set(a);
        return b;
      };
      this.cells = grow(this.cells) as unknown as Int32Array;
      this.keys = grow(this.keys) as Float64Array;
      this.ties = grow(this.ties) as Float64Array;
    }
    let i = this.size++;
    this.cells[i] = cell;
    this.keys[i] = key;
    this.ties[i] = tie;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): number {
    const top = this.cells[0]!;
    const last = --this.size;
    if (last > 0) {
      this.cells[0] = this.cells[last]!;
      this.keys[0] = this.keys[last]!;
      this.ties[0] = this.ties[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const m = r < last && this.less(r, l) ? r : l;
        if (!this.less(m, i)) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private swap(i: number, j: number): void {
    const c = this.cells[i]!;
    this.cells[i] = this.cells[j]!;
    this.cells[j] = c;
    const k = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = k;
    const t = this.ties[i]!;
    this.ties[i] = this.ties[j]!;
    this.ties[j] = t;
  }
}

const SQRT2 = Math.SQRT2;

/** Search state shared by all calls (findPath never calls back into user code, so it is not re-entered). */
const scratch = {
  size: 0,
  g: new Float64Array(0),
  parent: new Int32Array(0),
  seen: new Uint32Array(0),
  closed: new Uint32Array(0),
  heap: new MinHeap(64),
  search: 0,
};

/** Sizes the shared buffers for `n` cells and returns a fresh search number. */
function beginSearch(n: number): number {
  if (scratch.size < n) {
    scratch.size = n;
    scratch.g = new Float64Array(n);
    scratch.parent = new Int32Array(n);
    scratch.seen = new Uint32Array(n);
    scratch.closed = new Uint32Array(n);
    scratch.search = 0;
  }
  if (scratch.search === 0xffffffff) {
    scratch.seen.fill(0);
    scratch.closed.fill(0);
    scratch.search = 0;
  }
  return ++scratch.search;
}
const DX = [1, 0, -1, 0, 1, -1, -1, 1];
const DY = [0, 1, 0, -1, 1, 1, -1, -1];

function checkPoint(grid: PathGrid, api: string, which: string, x: number, y: number): number {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= grid.width || y >= grid.height)
    throw invalidArgument(
      api,
      `${which} must be integer coordinates inside the ${grid.width}x${grid.height} grid`,
      [x, y],
    );
  return y * grid.width + x;
}

/**
 * Finds a least-cost path between two cells with A* (octile or Manhattan heuristic scaled by the
 * cheapest entry cost, so the result is optimal). Returns `null` when the goal cannot be reached
 * from the start; throws when the start or goal is outside the grid or unwalkable, or when a cost
 * is not a finite number > 0.
 *
 * @example
 * ```ts
 * const path = findPath({ width: 20, height: 10, walkable: mask }, { x: 0, y: 0 }, { x: 19, y: 9 }, { diagonal: true });
 * if (path === null) console.log('unreachable'); else console.log(path.cells.length, path.cost);
 * ```
 */
export function findPath(
  grid: PathGrid,
  from: { x: number; y: number },
  to: { x: number; y: number },
  options: FindPathOptions = {},
): GridPath | null {
  const api = 'findPath(grid, from, to)';
  rejectUnknownKeys('findPath(grid, from, to, options)', options, ['diagonal'], '{ diagonal: true }');
  const { width, height } = grid;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1)
    throw invalidArgument(api, 'grid.width and grid.height must be integers >= 1', [width, height]);
  const n = width * height;
  const walkable = grid.walkable;
  const cost = grid.cost;
  if (walkable !== undefined && walkable.length !== n)
    throw invalidArgument(api, `grid.walkable must have width * height = ${n} entries`, walkable.length);
  if (cost !== undefined && cost.length !== n)
    throw invalidArgument(api, `grid.cost must have width * height = ${n} entries`, cost.length);
  const start = checkPoint(grid, api, 'from', from?.x, from?.y);
  const goal = checkPoint(grid, api, 'to', to?.x, to?.y);
  const canEnter = (c: number) => walkable === undefined || !!walkable[c];
  if (!canEnter(start))
    throw new TwinkitError(
      `${api}: the start (${from.x}, ${from.y}) is not walkable. Start from a walkable cell.`,
      { details: { from } },
    );
  if (!canEnter(goal))
    throw new TwinkitError(
      `${api}: the goal (${to.x}, ${to.y}) is not walkable, so no path can end there. Pick a walkable goal (for a machine on a wall cell, target a walkable cell next to it).`,
      { details: { to } },
    );
  let minCost = 1;
  if (cost !== undefined && grid.minCost !== undefined) {
    minCost = grid.minCost;
    if (!(minCost > 0) || !Number.isFinite(minCost))
      throw invalidArgument(api, 'grid.minCost must be a finite number > 0', minCost);
  } else if (cost !== undefined) {
    minCost = Number.POSITIVE_INFINITY;
    for (let c = 0; c < n; c++) {
      const v = cost[c]!;
      if (!(v > 0) || !Number.isFinite(v))
        throw invalidArgument(
          api,
          'every grid.cost entry must be a finite number > 0',
          v,
          `Fix cell (${c % width}, ${Math.floor(c / width)}); mark blocked cells in grid.walkable instead.`,
        );
      if (v < minCost) minCost = v;
    }
  }
  const diagonal = options.diagonal ?? false;
  const torus = grid.torus ?? false;
  const gx = to.x;
  const gy = to.y;
  const heuristic = (x: number, y: number): number => {
    let dx = Math.abs(x - gx);
    let dy = Math.abs(y - gy);
    if (torus) {
      dx = Math.min(dx, width - dx);
      dy = Math.min(dy, height - dy);
    }
    if (!diagonal) return (dx + dy) * minCost;
    const lo = Math.min(dx, dy);
    return (Math.max(dx, dy) - lo + SQRT2 * lo) * minCost;
  };

  // Per-cell search state lives in module-level buffers reused across calls; a cell's entries are
  // valid only when its stamp equals this search's number, so nothing is cleared between searches.
  const search = beginSearch(n);
  const { g, parent, seen, closed } = scratch;
  const heap = scratch.heap;
  heap.size = 0;
  g[start] = 0;
  parent[start] = -1;
  seen[start] = search;
  heap.push(start, heuristic(from.x, from.y), 0);
  const moves = diagonal ? 8 : 4;
  while (heap.size > 0) {
    const cell = heap.pop();
    if (closed[cell] === search) continue;
    if (cell === goal) break;
    closed[cell] = search;
    const x = cell % width;
    const y = (cell / width) | 0;
    const gCell = g[cell]!;
    for (let m = 0; m < moves; m++) {
      let nx = x + DX[m]!;
      let ny = y + DY[m]!;
      if (torus) {
        nx = (nx + width) % width;
        ny = (ny + height) % height;
      } else if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const next = ny * width + nx;
      if (closed[next] === search || !canEnter(next)) continue;
      let step = cost === undefined ? 1 : cost[next]!;
      if (m >= 4) {
        // No corner cutting: both orthogonal cells between must be walkable.
        let sx = x + DX[m]!;
        let sy = y + DY[m]!;
        if (torus) {
          sx = (sx + width) % width;
          sy = (sy + height) % height;
        }
        if (!canEnter(y * width + sx) || !canEnter(sy * width + x)) continue;
        step *= SQRT2;
      }
      const tentative = gCell + step;
      if (seen[next] !== search || tentative < g[next]!) {
        seen[next] = search;
        g[next] = tentative;
        parent[next] = cell;
        heap.push(next, tentative + heuristic(nx, ny), tentative);
      }
    }
  }
  if (seen[goal] !== search) return null;
  const cells: number[] = [];
  for (let c = goal; c !== -1; c = parent[c]!) cells.push(c);
  cells.reverse();
  return { cells, cost: g[goal]!, grid };
}
