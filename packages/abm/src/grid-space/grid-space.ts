import { type Process, TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { Agent } from '../agent-model/agent-model';
import { checkAgent, IdIndex, type Locatable } from '../internal/id-index';
import { type RandomSource, randomIndex } from '../internal/random-source';
import { type FindPathOptions, findPath, type GridPath } from '../pathfinding/find-path';

/** How many agents a grid cell may hold. */
export type GridOccupancy = 'single' | 'multiple';

/**
 * Which cells count as neighbours within `radius`: `'moore'` (Chebyshev distance, the 8 cells
 * around for radius 1), `'vonNeumann'` (Manhattan distance, the 4 cells around for radius 1) or
 * `'euclidean'` (cells whose centres lie within `radius`).
 */
export type GridNeighborhood = 'moore' | 'vonNeumann' | 'euclidean';

/** Selects the neighbour cells of a query. Defaults: Moore, radius 1, centre excluded. */
export interface NeighborQuery {
  /** The neighbourhood shape; default `'moore'`. */
  neighborhood?: GridNeighborhood;
  /** Integer radius >= 1; default 1. */
  radius?: number;
  /** Whether the centre cell itself is visited; default `false`. */
  includeCenter?: boolean;
}

/** Options of a {@link GridSpace}. */
export interface GridSpaceOptions {
  /** Number of columns (integer >= 1). */
  width: number;
  /** Number of rows (integer >= 1). */
  height: number;
  /** Wrap around the edges (a torus) instead of stopping at them; default `false`. */
  torus?: boolean;
  /** `'single'` (at most one agent per cell, the default) or `'multiple'`. */
  occupancy?: GridOccupancy;
}

/** A cell position. */
export interface GridPoint {
  readonly x: number;
  readonly y: number;
}

interface Offsets {
  readonly dx: Int32Array;
  readonly dy: Int32Array;
  /** dy * width + dx, valid for cells at least `radius` away from every edge. */
  readonly linear: Int32Array;
  readonly radius: number;
  /** On a torus narrower than 2r+1 several offsets reach the same cell: visits are de-duplicated. */
  readonly wrapsOntoItself: boolean;
  readonly includeCenter: boolean;
}

const NEIGHBORHOODS: readonly GridNeighborhood[] = ['moore', 'vonNeumann', 'euclidean'];
const NO_CELL = -1;
const EMPTY_AGENTS: readonly never[] = Object.freeze([]);

/**
 * Holds agents on a rectangular grid of cells, bounded or wrapped into a torus, with single or
 * multiple occupancy. Cells are numbered `y * width + x`. Neighbour queries visit cells and agents
 * through callbacks or a reused buffer (no allocation per call); moving, swapping and drawing a
 * random empty cell take O(1) expected time. An optional walkability mask and per-cell costs are
 * used by {@link GridSpace.findPath} and keep agents off unwalkable cells.
 *
 * Errors (a second agent in a single-occupancy cell, a position outside a bounded grid, an
 * unwalkable cell, an agent that is not placed) are thrown before anything changes, so the grid
 * stays consistent.
 *
 * @example
 * ```ts
 * const grid = new GridSpace<Person>({ width: 40, height: 40, torus: false });
 * grid.place(person, 3, 4);
 * let similar = 0;
 * grid.forEachNeighbor(person, (other) => { if (other.group === person.group) similar++; });
 * if (similar < 3) grid.moveTo(person, ...grid.pointOf(grid.randomEmptyCell(model.rng)));
 * ```
 */
export class GridSpace<T extends Locatable = Locatable> {
  /** Number of columns. */
  readonly width: number;
  /** Number of rows. */
  readonly height: number;
  /** Number of cells (`width * height`). */
  readonly cellCount: number;
  /** Whether the grid wraps around its edges. */
  readonly torus: boolean;
  /** How many agents a cell may hold. */
  readonly occupancy: GridOccupancy;
  private readonly walkableMask: Uint8Array;
  private readonly costs: Float64Array;
  private cheapest = 1;
  private cheapestStale = false;

  private readonly cellOfId = new IdIndex(NO_CELL);
  /** Single occupancy: the agent in each cell. */
  private readonly single: (T | undefined)[];
  /**
   * Single occupancy: the id of the agent in each cell (-1 when empty), beside `single`, so that
   * {@link collectNeighborIds} reads one typed array and never touches an agent object: with 1e5
   * agents the objects are spread over megabytes, and a neighbour query through them misses the
   * cache at every neighbour.
   */
  private readonly singleIds: Int32Array;
  /** Multiple occupancy: the agents in each cell (undefined while none ever came). */
  private readonly multiple: (T[] | undefined)[];
  private readonly occupantCount: Int32Array;
  /** Dense list of empty walkable cells and each cell's index in it (-1 when not listed). */
  private readonly emptyCells: Int32Array;
  private readonly emptySlot: Int32Array;
  private emptyLength: number;
  private placedCount = 0;
  private readonly offsetCache = new Map<number, Offsets>();
  private readonly defaultOffsets: Offsets;
  private lastQuery: NeighborQuery | null = null;
  private lastOffsets!: Offsets;
  private lastRadius: number | undefined;
  private lastNeighborhood: GridNeighborhood | undefined;
  private lastIncludeCenter: boolean | undefined;
  private stamp: Int32Array | null = null;
  private stampValue = 0;
  private readonly neighborBuffer: T[] = [];
  /** Neighbour-cell buffers, one per nesting depth of visitor callbacks. */
  private readonly scratch: Int32Array[] = [];
  private depth = 0;

  /** Creates an empty grid. */
  constructor(options: GridSpaceOptions) {
    const api = 'GridSpace(options)';
    rejectUnknownKeys(api, options, ['width', 'height', 'torus', 'occupancy'], '{ width: 40, height: 40 }');
    const { width, height } = options ?? ({} as GridSpaceOptions);
    if (!Number.isInteger(width) || width < 1)
      throw invalidArgument(api, 'width must be an integer >= 1', width, 'Pass { width: 40 } or similar.');
    if (!Number.isInteger(height) || height < 1)
      throw invalidArgument(api, 'height must be an integer >= 1', height, 'Pass { height: 40 } or similar.');
    if (width * height > 2 ** 28)
      throw invalidArgument(api, 'width * height must be at most 2^28 cells', width * height);
    const occupancy = options.occupancy ?? 'single';
    if (occupancy !== 'single' && occupancy !== 'multiple')
      throw invalidArgument(api, "occupancy must be 'single' or 'multiple'", occupancy);
    this.width = width;
    this.height = height;
    this.cellCount = width * height;
    this.torus = options.torus ?? false;
    this.occupancy = occupancy;
    this.walkableMask = new Uint8Array(this.cellCount).fill(1);
    this.costs = new Float64Array(this.cellCount).fill(1);
    this.single = occupancy === 'single' ? new Array<T | undefined>(this.cellCount).fill(undefined) : [];
    this.singleIds = new Int32Array(occupancy === 'single' ? this.cellCount : 0).fill(-1);
    this.multiple =
      occupancy === 'multiple' ? new Array<T[] | undefined>(this.cellCount).fill(undefined) : [];
    this.occupantCount = new Int32Array(this.cellCount);
    this.emptyCells = new Int32Array(this.cellCount);
    this.emptySlot = new Int32Array(this.cellCount);
    for (let c = 0; c < this.cellCount; c++) {
      this.emptyCells[c] = c;
      this.emptySlot[c] = c;
    }
    this.emptyLength = this.cellCount;
    this.defaultOffsets = this.offsets('moore', 1, false);
  }

  // ---------------------------------------------------------------- cells and coordinates

  /** Returns the cell number of `(x, y)`, wrapping on a torus; throws outside a bounded grid. */
  cellAt(x: number, y: number): number {
    if (!Number.isInteger(x) || !Number.isInteger(y))
      throw invalidArgument(
        'GridSpace.cellAt(x, y)',
        'x and y must be integers',
        [x, y],
        'Round continuous coordinates first.',
      );
    if (this.torus) {
      x = ((x % this.width) + this.width) % this.width;
      y = ((y % this.height) + this.height) % this.height;
    } else if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw invalidArgument(
        'GridSpace.cellAt(x, y)',
        `the position must lie inside the bounded ${this.width}x${this.height} grid (0 <= x < ${this.width}, 0 <= y < ${this.height})`,
        [x, y],
        'Check the position first with grid.contains(x, y), or create the grid with { torus: true }.',
      );
    }
    return y * this.width + x;
  }

  /** Returns whether `(x, y)` lies on the grid (always true for integers on a torus). */
  contains(x: number, y: number): boolean {
    if (!Number.isInteger(x) || !Number.isInteger(y)) return false;
    return this.torus || (x >= 0 && y >= 0 && x < this.width && y < this.height);
  }

  /** Returns the column of a cell number. */
  xOfCell(cell: number): number {
    return cell % this.width;
  }

  /** Returns the row of a cell number. */
  yOfCell(cell: number): number {
    return (cell / this.width) | 0;
  }

  /** Returns the `[x, y]` of a cell number (handy for spreading into {@link moveTo}). */
  pointOf(cell: number): [number, number] {
    this.checkCell('GridSpace.pointOf(cell)', cell);
    return [cell % this.width, (cell / this.width) | 0];
  }

  // ---------------------------------------------------------------- walkability and costs

  /** Marks a cell walkable or not. Throws if an agent stands on a cell being made unwalkable. */
  setWalkable(x: number, y: number, walkable: boolean): void {
    const cell = this.cellAt(x, y);
    if (walkable === (this.walkableMask[cell] === 1)) return;
    if (!walkable) {
      if (this.occupantCount[cell]! > 0)
        throw new TwinkitError(
          `GridSpace.setWalkable(x, y, false): cell (${x}, ${y}) holds ${this.occupantCount[cell]} agent(s). Move them away before making the cell unwalkable.`,
          { code: 'INVALID_STATE', details: { x, y } },
        );
      this.walkableMask[cell] = 0;
      this.unlistEmpty(cell);
    } else {
      this.walkableMask[cell] = 1;
      if (this.occupantCount[cell] === 0) this.listEmpty(cell);
    }
  }

  /** Sets the cost of entering a cell (a finite number > 0), used by {@link findPath}. */
  setCost(x: number, y: number, cost: number): void {
    const cell = this.cellAt(x, y);
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost <= 0)
      throw invalidArgument(
        'GridSpace.setCost(x, y, cost)',
        'cost must be a finite number > 0',
        cost,
        'Use setWalkable(x, y, false) for cells that cannot be entered.',
      );
    if (cost < this.cheapest) this.cheapest = cost;
    else if (this.costs[cell] === this.cheapest) this.cheapestStale = true;
    this.costs[cell] = cost;
  }

  /**
   * Finds a least-cost path over this grid's walkable cells and entry costs with A* (see
   * {@link findPath}); returns `null` when the goal is unreachable and throws when it is unwalkable.
   */
  findPath(from: GridPoint, to: GridPoint, options?: FindPathOptions): GridPath | null {
    return findPath(this, from, to, options);
  }

  /**
   * Walks an agent along a path found by {@link GridSpace.findPath} on this grid (the first cell
   * must be the agent's current cell), entering each next cell after `distance / speed` time units
   * on the agent's model clock (distance 1 straight, √2 diagonal; `speed` in cells per time unit).
   * The walk is a process of the agent ({@link Agent.process}), so it can be `yield`ed and it ends
   * if the agent is removed. Entering a cell follows the rules of {@link moveToCell}: if the next
   * cell has become unwalkable or (single occupancy) taken, the walk fails with that error.
   *
   * @example
   * ```ts
   * tech.process(function* () {
   *   const path = grid.findPath(grid.positionOf(tech), target, { diagonal: true });
   *   if (path) yield grid.moveAlong(tech, path, 1.5); // 1.5 cells per time unit
   * });
   * ```
   */
  moveAlong(agent: T & Agent, path: GridPath, speed: number): Process<undefined> {
    const api = 'GridSpace.moveAlong(agent, path, speed)';
    checkAgent(api, agent);
    if (typeof (agent as Partial<Agent>).process !== 'function')
      throw invalidArgument(
        api,
        'agent must be an Agent (the walk runs as its process on its model clock)',
        `agent #${agent.id}`,
        'Walk Agent instances; move plain objects with grid.moveTo(agent, x, y).',
      );
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0)
      throw invalidArgument(
        api,
        'speed must be a finite number > 0 (cells per time unit)',
        speed,
        'Pass the walking speed in cells per time unit, e.g. grid.moveAlong(agent, path, 1.5).',
      );
    if (path?.grid !== this)
      throw invalidArgument(
        api,
        'path must come from this GridSpace (path.grid === grid, as grid.findPath returns it)',
        path === null || typeof path !== 'object' ? path : `a path on ${describeGrid(path.grid)}`,
        path?.grid instanceof GridSpace
          ? 'Walk the path on the grid that found it: path.grid.moveAlong(agent, path, speed).'
          : 'Use grid.findPath(from, to) instead of findPath({ width, height }, ...).',
      );
    const start = this.requireCell(api, agent);
    const cells = path.cells;
    if (cells[0] !== start)
      throw invalidArgument(
        api,
        `the path must start at the agent's cell (${this.xOfCell(start)}, ${this.yOfCell(start)})`,
        cells.length > 0 ? this.pointOf(cells[0]!) : [],
        'Find the path from grid.positionOf(agent).',
      );
    const grid = this;
    return agent.process(function* () {
      for (let i = 1; i < cells.length; i++) {
        const from = cells[i - 1]!;
        const to = cells[i]!;
        const diagonal = grid.xOfCell(from) !== grid.xOfCell(to) && grid.yOfCell(from) !== grid.yOfCell(to);
        yield agent.timeout((diagonal ? Math.SQRT2 : 1) / speed);
        grid.moveToCell(agent, to);
      }
      return undefined;
    }) as Process<undefined>;
  }

  /** Walkability per cell (1 walkable, 0 not), read-only: change it with {@link setWalkable}. */
  get walkable(): ArrayLike<number> {
    return this.walkableMask;
  }

  /** Cost of entering each cell (all 1 by default), read-only: change it with {@link setCost}. */
  get cost(): ArrayLike<number> {
    return this.costs;
  }

  /** The smallest entry cost of any cell (kept up to date, so path searches need not scan). */
  get minCost(): number {
    if (this.cheapestStale) {
      let least = Number.POSITIVE_INFINITY;
      for (let c = 0; c < this.cellCount; c++) if (this.costs[c]! < least) least = this.costs[c]!;
      this.cheapest = least;
      this.cheapestStale = false;
    }
    return this.cheapest;
  }

  /** Returns the cost of entering a cell. */
  costOf(cell: number): number {
    this.checkCell('GridSpace.costOf(cell)', cell);
    return this.costs[cell]!;
  }

  /** Returns whether a cell can be entered. */
  isWalkable(cell: number): boolean {
    return this.walkableMask[cell] === 1;
  }

  // ---------------------------------------------------------------- placing and moving

  /** Number of agents on the grid. */
  get agentCount(): number {
    return this.placedCount;
  }

  /** Number of empty walkable cells. */
  get emptyCount(): number {
    return this.emptyLength;
  }

  /** Returns whether the agent is on this grid. */
  has(agent: T): boolean {
    return this.cellOfId.get(agent.id) !== NO_CELL && this.agentIsAt(agent, this.cellOfId.get(agent.id));
  }

  /** Puts an agent that is not yet on the grid at `(x, y)`. */
  place(agent: T, x: number, y: number): void {
    this.placeInCell(agent, this.cellAt(x, y));
  }

  /** Puts an agent that is not yet on the grid into cell number `cell`. */
  placeInCell(agent: T, cell: number): void {
    const api = 'GridSpace.place(agent, ...)';
    checkAgent(api, agent);
    this.checkCell(api, cell);
    if (this.cellOfId.get(agent.id) !== NO_CELL)
      throw new TwinkitError(
        `${api}: agent #${agent.id} is already on the grid at (${this.xOfCell(this.cellOfId.get(agent.id))}, ${this.yOfCell(this.cellOfId.get(agent.id))}). Use grid.moveTo(agent, x, y) to move it.`,
        { code: 'DUPLICATE', details: { id: agent.id } },
      );
    this.checkEnterable(api, agent, cell);
    this.addToCell(agent, cell);
    this.cellOfId.set(agent.id, cell);
    this.placedCount++;
  }

  /** Moves an agent already on the grid to `(x, y)`. */
  moveTo(agent: T, x: number, y: number): void {
    this.moveToCell(agent, this.cellAt(x, y));
  }

  /** Moves an agent already on the grid to cell number `cell`. */
  moveToCell(agent: T, cell: number): void {
    const api = 'GridSpace.moveTo(agent, ...)';
    const from = this.requireCell(api, agent);
    this.checkCell(api, cell);
    if (from === cell) return;
    this.checkEnterable(api, agent, cell);
    this.removeFromCell(agent, from);
    this.addToCell(agent, cell);
    this.cellOfId.set(agent.id, cell);
  }

  /** Moves an agent already on the grid to a uniformly drawn empty walkable cell and returns that cell. */
  moveToRandomEmpty(agent: T, rng: RandomSource): number {
    const api = 'GridSpace.moveToRandomEmpty(agent, rng)';
    const from = this.requireCell(api, agent);
    const cell = this.randomEmptyCell(rng);
    this.removeFromCell(agent, from);
    this.addToCell(agent, cell);
    this.cellOfId.set(agent.id, cell);
    return cell;
  }

  /** Exchanges the cells of two agents on the grid. */
  swap(a: T, b: T): void {
    const api = 'GridSpace.swap(a, b)';
    const cellA = this.requireCell(api, a);
    const cellB = this.requireCell(api, b);
    if (cellA === cellB) return;
    if (this.occupancy === 'single') {
      this.single[cellA] = b;
      this.single[cellB] = a;
      this.singleIds[cellA] = b.id;
      this.singleIds[cellB] = a.id;
    } else {
      const listA = this.multiple[cellA]!;
      const listB = this.multiple[cellB]!;
      listA[listA.indexOf(a)] = b;
      listB[listB.indexOf(b)] = a;
    }
    this.cellOfId.set(a.id, cellB);
    this.cellOfId.set(b.id, cellA);
  }

  /** Takes an agent off the grid. */
  remove(agent: T): void {
    const cell = this.cellOfId.get(agent?.id);
    if (cell === NO_CELL || !this.agentIsAt(agent, cell))
      throw new TwinkitError(
        `GridSpace.remove(agent): agent #${agent?.id} is not on this grid. Check grid.has(agent) first.`,
        { code: 'NOT_FOUND', details: { id: agent?.id } },
      );
    this.removeFromCell(agent, cell);
    this.cellOfId.set(agent.id, NO_CELL);
    this.placedCount--;
  }

  /** Returns the cell number of an agent on the grid (throws if it is not on the grid). */
  cellOf(agent: T): number {
    return this.requireCell('GridSpace.cellOf(agent)', agent);
  }

  /** Returns the column of an agent on the grid. */
  xOf(agent: T): number {
    return this.requireCell('GridSpace.xOf(agent)', agent) % this.width;
  }

  /** Returns the row of an agent on the grid. */
  yOf(agent: T): number {
    return (this.requireCell('GridSpace.yOf(agent)', agent) / this.width) | 0;
  }

  /** Returns the position of an agent on the grid as a new `{ x, y }`. */
  positionOf(agent: T): GridPoint {
    const cell = this.requireCell('GridSpace.positionOf(agent)', agent);
    return { x: cell % this.width, y: (cell / this.width) | 0 };
  }

  /** Returns the agent in a cell (single occupancy; the first agent with multiple occupancy), or undefined. */
  agentAt(x: number, y: number): T | undefined {
    const cell = this.cellAt(x, y);
    return this.occupancy === 'single' ? this.single[cell] : this.multiple[cell]?.[0];
  }

  /** Returns the agents in a cell; the array belongs to the grid: copy it before changing the grid. */
  agentsInCell(cell: number): readonly T[] {
    this.checkCell('GridSpace.agentsInCell(cell)', cell);
    if (this.occupancy === 'multiple') return this.multiple[cell] ?? EMPTY_AGENTS;
    const agent = this.single[cell];
    return agent === undefined ? EMPTY_AGENTS : [agent];
  }

  /** Returns how many agents a cell holds. */
  countInCell(cell: number): number {
    this.checkCell('GridSpace.countInCell(cell)', cell);
    return this.occupantCount[cell]!;
  }

  /** Returns whether a cell holds no agent. */
  isEmpty(cell: number): boolean {
    this.checkCell('GridSpace.isEmpty(cell)', cell);
    return this.occupantCount[cell] === 0;
  }

  /** Draws a uniformly distributed empty walkable cell; throws if there is none (see {@link emptyCount}). */
  randomEmptyCell(rng: RandomSource): number {
    if (this.emptyLength === 0)
      throw new TwinkitError(
        `GridSpace.randomEmptyCell(rng): the ${this.width}x${this.height} grid has no empty walkable cell. Check grid.emptyCount > 0 first.`,
        { code: 'INVALID_STATE' },
      );
    return this.emptyCells[randomIndex(rng, this.emptyLength)]!;
  }

  /** Draws a uniformly distributed cell (any occupancy, walkable or not). */
  randomCell(rng: RandomSource): number {
    return randomIndex(rng, this.cellCount);
  }

  /** Calls `visit` with every agent on the grid, in cell order. */
  forEachAgent(visit: (agent: T) => void): void {
    if (this.occupancy === 'single') {
      for (let c = 0; c < this.cellCount; c++) {
        const agent = this.single[c];
        if (agent !== undefined) visit(agent);
      }
    } else {
      for (let c = 0; c < this.cellCount; c++) {
        const list = this.multiple[c];
        if (list !== undefined) for (let i = 0; i < list.length; i++) visit(list[i]!);
      }
    }
  }

  // ---------------------------------------------------------------- neighbourhoods

  /**
   * Calls `visit` with each neighbour cell of `cell` (each once, in a fixed order). Visitors may
   * run other queries on the grid; they should not move agents (collect first, then move).
   */
  forEachNeighborCell(cell: number, visit: (cell: number) => void, query?: NeighborQuery): void {
    this.checkCell('GridSpace.forEachNeighborCell(cell, visit)', cell);
    const offsets = query === undefined ? this.defaultOffsets : this.offsetsFor(query);
    if (offsets.includeCenter) visit(cell);
    const cells = this.gather(cell, offsets);
    const n = cells[0]!;
    this.depth++;
    try {
      for (let i = 1; i <= n; i++) visit(cells[i]!);
    } finally {
      this.depth--;
    }
  }

  /**
   * Calls `visit` with each agent in the neighbour cells of an agent (or of a cell number).
   * The agent itself is skipped; with `includeCenter` the others in its cell are visited too.
   * Visitors may run other queries on the grid; they should not move agents (collect first).
   */
  forEachNeighbor(center: T | number, visit: (agent: T) => void, query?: NeighborQuery): void {
    const cell = this.centerCell('GridSpace.forEachNeighbor(center, visit)', center);
    const self = typeof center === 'number' ? undefined : center;
    const offsets = query === undefined ? this.defaultOffsets : this.offsetsFor(query);
    const cells = this.gather(cell, offsets);
    const n = cells[0]!;
    this.depth++;
    try {
      if (this.occupancy === 'single') {
        const single = this.single;
        if (offsets.includeCenter) {
          const agent = single[cell];
          if (agent !== undefined && agent !== self) visit(agent);
        }
        for (let i = 1; i <= n; i++) {
          const agent = single[cells[i]!];
          if (agent !== undefined) visit(agent);
        }
        return;
      }
      const multiple = this.multiple;
      if (offsets.includeCenter) {
        const list = multiple[cell];
        if (list !== undefined) for (let j = 0; j < list.length; j++) if (list[j] !== self) visit(list[j]!);
      }
      for (let i = 1; i <= n; i++) {
        const list = multiple[cells[i]!];
        if (list !== undefined) for (let j = 0; j < list.length; j++) visit(list[j]!);
      }
    } finally {
      this.depth--;
    }
  }

  /** Returns how many agents in the neighbourhood of `center` satisfy `predicate`. */
  countNeighbors(center: T | number, predicate: (agent: T) => boolean, query?: NeighborQuery): number {
    const cell = this.centerCell('GridSpace.countNeighbors(center, predicate)', center);
    const self = typeof center === 'number' ? undefined : center;
    const offsets = query === undefined ? this.defaultOffsets : this.offsetsFor(query);
    const cells = this.gather(cell, offsets);
    const n = cells[0]!;
    let count = 0;
    this.depth++;
    try {
      if (this.occupancy === 'single') {
        const single = this.single;
        if (offsets.includeCenter) {
          const agent = single[cell];
          if (agent !== undefined && agent !== self && predicate(agent)) count++;
        }
        for (let i = 1; i <= n; i++) {
          const agent = single[cells[i]!];
          if (agent !== undefined && predicate(agent)) count++;
        }
        return count;
      }
      const multiple = this.multiple;
      if (offsets.includeCenter) {
        const list = multiple[cell];
        if (list !== undefined)
          for (let j = 0; j < list.length; j++) if (list[j] !== self && predicate(list[j]!)) count++;
      }
      for (let i = 1; i <= n; i++) {
        const list = multiple[cells[i]!];
        if (list !== undefined) for (let j = 0; j < list.length; j++) if (predicate(list[j]!)) count++;
      }
      return count;
    } finally {
      this.depth--;
    }
  }

  /**
   * Writes the agents in the neighbourhood of `center` into `out` from index 0 and returns how many
   * it wrote; entries past that count are left as they were. Reusing one `out` array across calls
   * makes this the allocation-free query for hot loops.
   *
   * @example
   * ```ts
   * const buffer: Person[] = [];
   * const n = grid.collectNeighbors(person, buffer, { radius: 2 });
   * for (let i = 0; i < n; i++) if (buffer[i]!.group === person.group) similar++;
   * ```
   */
  collectNeighbors(center: T | number, out: T[], query?: NeighborQuery): number {
    const cell = this.centerCell('GridSpace.collectNeighbors(center, out)', center);
    const self = typeof center === 'number' ? undefined : center;
    const offsets = query === undefined ? this.defaultOffsets : this.offsetsFor(query);
    let n = 0;
    if (this.occupancy === 'single') {
      const single = this.single;
      if (offsets.includeCenter) {
        const agent = single[cell];
        if (agent !== undefined && agent !== self) out[n++] = agent;
      }
      if (this.isInterior(cell, offsets.radius)) {
        // The hot case (an interior cell): a plain loop over precomputed offsets.
        const linear = offsets.linear;
        for (let i = 0; i < linear.length; i++) {
          const agent = single[cell + linear[i]!];
          if (agent !== undefined) out[n++] = agent;
        }
        return n;
      }
      const cells = this.gather(cell, offsets);
      const count = cells[0]!;
      for (let i = 1; i <= count; i++) {
        const agent = single[cells[i]!];
        if (agent !== undefined) out[n++] = agent;
      }
      return n;
    }
    const multiple = this.multiple;
    if (offsets.includeCenter) {
      const list = multiple[cell];
      if (list !== undefined) for (let j = 0; j < list.length; j++) if (list[j] !== self) out[n++] = list[j]!;
    }
    const cells = this.gather(cell, offsets);
    const count = cells[0]!;
    for (let i = 1; i <= count; i++) {
      const list = multiple[cells[i]!];
      if (list !== undefined) for (let j = 0; j < list.length; j++) out[n++] = list[j]!;
    }
    return n;
  }

  /**
   * Writes the ids of the agents in the neighbourhood of `center` into `out` from index 0 and returns
   * how many it wrote, in the order {@link collectNeighbors} writes the agents. It reads no agent
   * object: with the agents' attributes kept in typed arrays indexed by id (column-backed
   * attributes, as ECS libraries and Agents.jl keep them), a neighbour count touches only typed
   * arrays, which is what keeps the cost per agent flat as a model grows to 1e5 agents and more.
   * `out` must have room for every neighbour: with single occupancy, the neighbourhood's cell count
   * (`(2r + 1)^2 - 1` for Moore, plus the centre if included, at most the grid's cells), checked
   * before anything is written; with multiple occupancy, a query that would overflow it throws.
   *
   * @example
   * ```ts
   * const group = new Int8Array(agentCount); // group[agent.id]: a column-backed attribute
   * const ids = new Int32Array(25);
   * const n = grid.collectNeighborIds(person, ids, { radius: 2 });
   * let similar = 0;
   * for (let i = 0; i < n; i++) if (group[ids[i]!] === group[person.id]) similar++;
   * ```
   */
  collectNeighborIds(center: T | number, out: Int32Array, query?: NeighborQuery): number {
    const api = 'GridSpace.collectNeighborIds(center, out)';
    const cell = this.centerCell(api, center);
    if (!(out instanceof Int32Array))
      throw invalidArgument(
        api,
        'out must be an Int32Array',
        out,
        'Pass new Int32Array(capacity) and reuse it.',
      );
    const selfId = typeof center === 'number' ? -1 : center.id;
    const offsets = query === undefined ? this.defaultOffsets : this.offsetsFor(query);
    let n = 0;
    if (this.occupancy === 'single') {
      const ids = this.singleIds;
      // Room for every cell of the neighbourhood (no more than the grid's other cells), whoever is in them.
      const room = Math.min(offsets.linear.length, this.cellCount - 1) + (offsets.includeCenter ? 1 : 0);
      if (out.length < room) throw this.idsOverflow(api, out, room);
      if (offsets.includeCenter) {
        const id = ids[cell]!;
        if (id >= 0 && id !== selfId) out[n++] = id;
      }
      if (this.isInterior(cell, offsets.radius)) {
        const linear = offsets.linear;
        for (let i = 0; i < linear.length; i++) {
          const id = ids[cell + linear[i]!]!;
          if (id >= 0) out[n++] = id;
        }
        return n;
      }
      const cells = this.gather(cell, offsets);
      const count = cells[0]!;
      for (let i = 1; i <= count; i++) {
        const id = ids[cells[i]!]!;
        if (id >= 0) out[n++] = id;
      }
      return n;
    }
    const multiple = this.multiple;
    const push = (agent: T) => {
      if (n === out.length) throw this.idsOverflow(api, out, n + 1);
      out[n++] = agent.id;
    };
    if (offsets.includeCenter) {
      const list = multiple[cell];
      if (list !== undefined)
        for (let j = 0; j < list.length; j++) if (list[j]!.id !== selfId) push(list[j]!);
    }
    const cells = this.gather(cell, offsets);
    const count = cells[0]!;
    for (let i = 1; i <= count; i++) {
      const list = multiple[cells[i]!];
      if (list !== undefined) for (let j = 0; j < list.length; j++) push(list[j]!);
    }
    return n;
  }

  private idsOverflow(api: string, out: Int32Array, needed: number): Error {
    return invalidArgument(
      api,
      `out must have room for every neighbour id (at least ${needed} here)`,
      `an Int32Array of length ${out.length}`,
      'Allocate it once with room for the largest neighbourhood (with multiple occupancy, for the most agents a neighbourhood can hold) and reuse it.',
    );
  }

  /**
   * Returns the agents in the neighbourhood of `center` in an array that the grid reuses: it is
   * valid until the next call to `neighbors` on this grid (copy it to keep it).
   */
  neighbors(center: T | number, query?: NeighborQuery): readonly T[] {
    const buffer = this.neighborBuffer;
    buffer.length = this.collectNeighbors(center, buffer, query);
    return buffer;
  }

  /** Returns the neighbour cells of a cell as a new array (convenience; prefer {@link forEachNeighborCell} in hot loops). */
  neighborCells(cell: number, query?: NeighborQuery): number[] {
    this.checkCell('GridSpace.neighborCells(cell)', cell);
    const offsets = query === undefined ? this.defaultOffsets : this.offsetsFor(query);
    const cells = this.gather(cell, offsets);
    const out = Array.from(cells.subarray(1, cells[0]! + 1));
    if (offsets.includeCenter) out.unshift(cell);
    return out;
  }

  // ---------------------------------------------------------------- internals

  /**
   * Writes the non-centre neighbour cells of `cell` (wrapped, clipped and de-duplicated) into the
   * scratch buffer of the current nesting depth: the count at index 0, the cells from index 1.
   * Gathering finishes before any visitor runs, and visitors run one depth deeper, so a visitor may
   * query the grid again without disturbing the iteration that called it.
   */
  private gather(cell: number, offsets: Offsets): Int32Array {
    const { dx, dy } = offsets;
    let buffer = this.scratch[this.depth];
    if (buffer === undefined || buffer.length <= dx.length) {
      buffer = new Int32Array(dx.length + 1);
      this.scratch[this.depth] = buffer;
    }
    const w = this.width;
    const h = this.height;
    const x = cell % w;
    const y = (cell / w) | 0;
    const r = offsets.radius;
    let n = 0;
    if (x >= r && y >= r && x < w - r && y < h - r) {
      const linear = offsets.linear;
      for (let i = 0; i < linear.length; i++) buffer[++n] = cell + linear[i]!;
    } else if (!this.torus) {
      for (let i = 0; i < dx.length; i++) {
        const nx = x + dx[i]!;
        const ny = y + dy[i]!;
        if (nx >= 0 && ny >= 0 && nx < w && ny < h) buffer[++n] = ny * w + nx;
      }
    } else if (!offsets.wrapsOntoItself) {
      for (let i = 0; i < dx.length; i++) {
        let nx = x + dx[i]!;
        let ny = y + dy[i]!;
        if (nx < 0) nx += w;
        else if (nx >= w) nx -= w;
        if (ny < 0) ny += h;
        else if (ny >= h) ny -= h;
        buffer[++n] = ny * w + nx;
      }
    } else {
      // A torus smaller than the neighbourhood: several offsets land on the same cell.
      if (this.stamp === null) this.stamp = new Int32Array(this.cellCount);
      const stamp = this.stamp;
      const mark = ++this.stampValue;
      stamp[cell] = mark; // the centre is not a neighbour of itself
      for (let i = 0; i < dx.length; i++) {
        const nx = (((x + dx[i]!) % w) + w) % w;
        const ny = (((y + dy[i]!) % h) + h) % h;
        const c = ny * w + nx;
        if (stamp[c] === mark) continue;
        stamp[c] = mark;
        buffer[++n] = c;
      }
    }
    buffer[0] = n;
    return buffer;
  }

  private offsetsFor(query: NeighborQuery): Offsets {
    // Models pass the same query object every step: remember the last one (and what it said, in
    // case the caller changed it since).
    if (
      query === this.lastQuery &&
      query.radius === this.lastRadius &&
      query.neighborhood === this.lastNeighborhood &&
      query.includeCenter === this.lastIncludeCenter
    )
      return this.lastOffsets;
    const offsets = this.resolveOffsets(query);
    this.lastQuery = query;
    this.lastRadius = query.radius;
    this.lastNeighborhood = query.neighborhood;
    this.lastIncludeCenter = query.includeCenter;
    this.lastOffsets = offsets;
    return offsets;
  }

  private resolveOffsets(query: NeighborQuery): Offsets {
    const neighborhood = query.neighborhood ?? 'moore';
    const radius = query.radius ?? 1;
    const includeCenter = query.includeCenter ?? false;
    const kind = NEIGHBORHOODS.indexOf(neighborhood);
    if (kind < 0)
      throw invalidArgument(
        'GridSpace neighbour query',
        "neighborhood must be 'moore', 'vonNeumann' or 'euclidean'",
        neighborhood,
      );
    if (!Number.isInteger(radius) || radius < 1 || radius > 1024)
      throw invalidArgument(
        'GridSpace neighbour query',
        'radius must be an integer in [1, 1024]',
        radius,
        'Pass { radius: 1 } or more.',
      );
    const key = (radius * 3 + kind) * 2 + (includeCenter ? 1 : 0);
    const cached = this.offsetCache.get(key);
    if (cached !== undefined) return cached;
    const built = this.offsets(neighborhood, radius, includeCenter);
    this.offsetCache.set(key, built);
    return built;
  }

  private offsets(neighborhood: GridNeighborhood, radius: number, includeCenter: boolean): Offsets {
    const dx: number[] = [];
    const dy: number[] = [];
    for (let oy = -radius; oy <= radius; oy++) {
      for (let ox = -radius; ox <= radius; ox++) {
        if (ox === 0 && oy === 0) continue;
        const inside =
          neighborhood === 'moore'
            ? true
            : neighborhood === 'vonNeumann'
              ? Math.abs(ox) + Math.abs(oy) <= radius
              : ox * ox + oy * oy <= radius * radius;
        if (!inside) continue;
        dx.push(ox);
        dy.push(oy);
      }
    }
    return {
      dx: Int32Array.from(dx),
      dy: Int32Array.from(dy),
      linear: Int32Array.from(dx.map((ox, i) => dy[i]! * this.width + ox)),
      radius,
      wrapsOntoItself: this.torus && (2 * radius + 1 > this.width || 2 * radius + 1 > this.height),
      includeCenter,
    };
  }

  private agentIsAt(agent: T, cell: number): boolean {
    return this.occupancy === 'single'
      ? this.single[cell] === agent
      : (this.multiple[cell]?.includes(agent) ?? false);
  }

  private addToCell(agent: T, cell: number): void {
    if (this.occupancy === 'single') {
      this.single[cell] = agent;
      this.singleIds[cell] = agent.id;
    } else {
      const list = this.multiple[cell];
      if (list === undefined) this.multiple[cell] = [agent];
      else list.push(agent);
    }
    const before = this.occupantCount[cell]!;
    this.occupantCount[cell] = before + 1;
    if (before === 0) this.unlistEmpty(cell);
  }

  private removeFromCell(agent: T, cell: number): void {
    if (this.occupancy === 'single') {
      this.single[cell] = undefined;
      this.singleIds[cell] = -1;
    } else {
      const list = this.multiple[cell]!;
      const i = list.indexOf(agent);
      list[i] = list[list.length - 1]!;
      list.pop();
    }
    const left = this.occupantCount[cell]! - 1;
    this.occupantCount[cell] = left;
    if (left === 0 && this.walkableMask[cell] === 1) this.listEmpty(cell);
  }

  private listEmpty(cell: number): void {
    if (this.emptySlot[cell] !== -1) return;
    this.emptySlot[cell] = this.emptyLength;
    this.emptyCells[this.emptyLength++] = cell;
  }

  private unlistEmpty(cell: number): void {
    const slot = this.emptySlot[cell]!;
    if (slot === -1) return;
    const last = this.emptyCells[--this.emptyLength]!;
    this.emptyCells[slot] = last;
    this.emptySlot[last] = slot;
    this.emptySlot[cell] = -1;
  }

  /** Whether the whole radius-`r` square around `cell` lies inside the grid (no wrap, no clip). */
  private isInterior(cell: number, r: number): boolean {
    const x = cell % this.width;
    const y = (cell / this.width) | 0;
    return x >= r && y >= r && x < this.width - r && y < this.height - r;
  }

  private centerCell(api: string, center: T | number): number {
    if (typeof center !== 'number') return this.requireCell(api, center);
    this.checkCell(api, center);
    return center;
  }

  private checkCell(api: string, cell: number): void {
    if (!Number.isInteger(cell) || cell < 0 || cell >= this.cellCount)
      throw invalidArgument(
        api,
        `cell must be an integer in [0, ${this.cellCount - 1}] (cell = y * width + x)`,
        cell,
        'Use grid.cellAt(x, y) to number a position.',
      );
  }

  private checkEnterable(api: string, agent: T, cell: number): void {
    if (this.walkableMask[cell] !== 1)
      throw new TwinkitError(
        `${api}: cell (${this.xOfCell(cell)}, ${this.yOfCell(cell)}) is not walkable. Pick a walkable cell (grid.isWalkable(cell)).`,
        { code: 'INVALID_ARGUMENT', details: { cell, id: agent.id } },
      );
    if (this.occupancy === 'single' && this.single[cell] !== undefined)
      throw new TwinkitError(
        `${api}: cell (${this.xOfCell(cell)}, ${this.yOfCell(cell)}) of a single-occupancy grid already holds agent #${this.single[cell]!.id}; cannot add agent #${agent.id}. Pick an empty cell (grid.randomEmptyCell(rng)), swap the agents, or create the grid with { occupancy: 'multiple' }.`,
        { code: 'INVALID_STATE', details: { cell, id: agent.id, occupant: this.single[cell]!.id } },
      );
  }

  private requireCell(api: string, agent: T): number {
    // Hot path: a live agent found where the grid says it is.
    const cell = this.cellOfId.get(agent.id);
    if (cell >= 0 && agent.alive !== false && this.isAtFast(agent, cell)) return cell;
    checkAgent(api, agent);
    throw new TwinkitError(
      `${api}: agent #${agent.id} is not on this grid. Place it first with grid.place(agent, x, y).`,
      { code: 'NOT_FOUND', details: { id: agent.id } },
    );
  }

  /** Cheap membership check for the hot path (single occupancy: one comparison). */
  private isAtFast(agent: T, cell: number): boolean {
    if (this.occupancy === 'single') return this.single[cell] === agent;
    return true;
  }
}

function describeGrid(grid: unknown): string {
  if (grid instanceof GridSpace) return `another ${grid.width}x${grid.height} GridSpace`;
  if (grid === null || typeof grid !== 'object') return `no grid (path.grid = ${String(grid)})`;
  const { width, height } = grid as { width?: unknown; height?: unknown };
  return `a plain ${String(width)}x${String(height)} grid, not a GridSpace`;
}
