import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { checkAgent, IdIndex, IdPoints, type Locatable } from '../internal/id-index';
import type { RandomSource } from '../internal/random-source';

/** Options of a {@link ContinuousSpace}. */
export interface ContinuousSpaceOptions {
  /** Extent along x (finite, > 0). */
  width: number;
  /** Extent along y (finite, > 0). */
  height: number;
  /** Wrap around the edges (x in [0, width), y in [0, height)); default `false` (x in [0, width], y in [0, height]). */
  periodic?: boolean;
  /**
   * Side of the spatial-hash buckets; set it near the usual query radius. Default: a 32×32
   * bucket layout. Buckets divide the space evenly, so the actual side may be slightly larger.
   */
  cellSize?: number;
}

/** Receives an agent found by a radius query, with its displacement from the query point and squared distance. */
export type WithinVisitor<T> = (agent: T, dx: number, dy: number, distanceSquared: number) => void;

const NONE = -1;

/**
 * Holds agents at real-valued positions in a rectangle, bounded or periodic (a torus), with a
 * spatial hash (uniform buckets) for radius queries. Radius queries visit agents through a callback
 * or a reused buffer (no allocation per call); moving is O(1). Periodic spaces measure distances by
 * the shortest way around.
 *
 * @example
 * ```ts
 * const space = new ContinuousSpace<Boid>({ width: 100, height: 100, periodic: true, cellSize: 5 });
 * space.place(boid, 10.5, 20.25);
 * space.forEachWithin(space.xOf(boid), space.yOf(boid), 5, (other, dx, dy) => { ... }, boid);
 * ```
 */
export class ContinuousSpace<T extends Locatable = Locatable> {
  /** Extent along x. */
  readonly width: number;
  /** Extent along y. */
  readonly height: number;
  /** Whether the space wraps around its edges. */
  readonly periodic: boolean;
  /** Number of buckets along x. */
  readonly bucketsX: number;
  /** Number of buckets along y. */
  readonly bucketsY: number;

  private readonly bucketWidth: number;
  private readonly bucketHeight: number;
  private readonly head: Int32Array;
  private readonly nextOf = new IdIndex(NONE);
  private readonly prevOf = new IdIndex(NONE);
  private readonly bucketOfId = new IdIndex(NONE);
  private readonly points = new IdPoints();
  private readonly byId: (T | undefined)[] = [];
  private placedCount = 0;
  private readonly buffer: T[] = [];
  private readonly range = new Int32Array(4);

  /** Creates an empty space. */
  constructor(options: ContinuousSpaceOptions) {
    const api = 'ContinuousSpace(options)';
    rejectUnknownKeys(
      api,
      options,
      ['width', 'height', 'periodic', 'cellSize'],
      '{ width: 100, height: 100 }',
    );
    const { width, height } = options ?? ({} as ContinuousSpaceOptions);
    if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0)
      throw invalidArgument(api, 'width must be a finite number > 0', width);
    if (typeof height !== 'number' || !Number.isFinite(height) || height <= 0)
      throw invalidArgument(api, 'height must be a finite number > 0', height);
    const cellSize = options.cellSize ?? Math.max(width, height) / 32;
    if (typeof cellSize !== 'number' || !Number.isFinite(cellSize) || cellSize <= 0)
      throw invalidArgument(
        api,
        'cellSize must be a finite number > 0',
        cellSize,
        'Use the usual query radius.',
      );
    this.width = width;
    this.height = height;
    this.periodic = options.periodic ?? false;
    this.bucketsX = Math.max(1, Math.min(4096, Math.floor(width / cellSize)));
    this.bucketsY = Math.max(1, Math.min(4096, Math.floor(height / cellSize)));
    this.bucketWidth = width / this.bucketsX;
    this.bucketHeight = height / this.bucketsY;
    this.head = new Int32Array(this.bucketsX * this.bucketsY).fill(NONE);
  }

  /** Number of agents in the space. */
  get agentCount(): number {
    return this.placedCount;
  }

  /** Returns whether the agent is in this space. */
  has(agent: T): boolean {
    return this.byId[agent.id] === agent;
  }

  /** Puts an agent that is not yet in the space at `(x, y)` (wrapped if periodic). */
  place(agent: T, x: number, y: number): void {
    const api = 'ContinuousSpace.place(agent, x, y)';
    checkAgent(api, agent);
    if (this.byId[agent.id] !== undefined)
      throw new TwinkitError(
        `${api}: agent #${agent.id} is already in the space. Use space.moveTo(agent, x, y) to move it.`,
        { code: 'DUPLICATE', details: { id: agent.id } },
      );
    const px = this.wrapX(api, x);
    const py = this.wrapY(api, y);
    const id = agent.id;
    this.byId[id] = agent;
    this.points.ensure(id);
    this.points.xs[id] = px;
    this.points.ys[id] = py;
    this.link(id, this.bucketIndex(px, py));
    this.placedCount++;
  }

  /** Moves an agent in the space to `(x, y)` (wrapped if periodic; an error outside a bounded space). */
  moveTo(agent: T, x: number, y: number): void {
    const api = 'ContinuousSpace.moveTo(agent, x, y)';
    const id = this.require(api, agent);
    const px = this.wrapX(api, x);
    const py = this.wrapY(api, y);
    this.points.xs[id] = px;
    this.points.ys[id] = py;
    const bucket = this.bucketIndex(px, py);
    if (bucket !== this.bucketOfId.get(id)) {
      this.unlink(id);
      this.link(id, bucket);
    }
  }

  /** Moves an agent by `(dx, dy)`. */
  moveBy(agent: T, dx: number, dy: number): void {
    const id = this.require('ContinuousSpace.moveBy(agent, dx, dy)', agent);
    this.moveTo(agent, this.points.xs[id]! + dx, this.points.ys[id]! + dy);
  }

  /** Takes an agent out of the space. */
  remove(agent: T): void {
    const id = this.require('ContinuousSpace.remove(agent)', agent);
    this.unlink(id);
    this.byId[id] = undefined;
    this.placedCount--;
  }

  /** Returns an agent's x. */
  xOf(agent: T): number {
    return this.points.xs[this.require('ContinuousSpace.xOf(agent)', agent)]!;
  }

  /** Returns an agent's y. */
  yOf(agent: T): number {
    return this.points.ys[this.require('ContinuousSpace.yOf(agent)', agent)]!;
  }

  /** Returns an agent's position as a new `{ x, y }`. */
  positionOf(agent: T): { x: number; y: number } {
    const id = this.require('ContinuousSpace.positionOf(agent)', agent);
    return { x: this.points.xs[id]!, y: this.points.ys[id]! };
  }

  /** Returns the displacement from `(x1, y1)` to `(x2, y2)` along x (the shortest way round if periodic). */
  deltaX(x1: number, x2: number): number {
    let d = x2 - x1;
    if (this.periodic) d -= this.width * Math.round(d / this.width);
    return d;
  }

  /** Returns the displacement along y (the shortest way round if periodic). */
  deltaY(y1: number, y2: number): number {
    let d = y2 - y1;
    if (this.periodic) d -= this.height * Math.round(d / this.height);
    return d;
  }

  /** Returns the distance between two agents (the shortest way round if periodic). */
  distance(a: T, b: T): number {
    const ia = this.require('ContinuousSpace.distance(a, b)', a);
    const ib = this.require('ContinuousSpace.distance(a, b)', b);
    const { xs, ys } = this.points;
    return Math.hypot(this.deltaX(xs[ia]!, xs[ib]!), this.deltaY(ys[ia]!, ys[ib]!));
  }

  /** Draws a uniformly distributed position in the space. */
  randomPosition(rng: RandomSource): { x: number; y: number } {
    return { x: rng.next() * this.width, y: rng.next() * this.height };
  }

  /**
   * Calls `visit` with every agent within `radius` (inclusive) of `(x, y)`, with its displacement
   * from the point and squared distance; `exclude` (usually the asking agent) is skipped. Visitors
   * may query the space again but should not move agents (collect first, then move).
   */
  forEachWithin(x: number, y: number, radius: number, visit: WithinVisitor<T>, exclude?: T): void {
    const range = this.bucketRange('ContinuousSpace.forEachWithin(x, y, radius, visit)', x, y, radius);
    const bx0 = range[0]!;
    const bx1 = range[1]!;
    const by0 = range[2]!;
    const by1 = range[3]!;
    const excludeId = exclude === undefined ? NONE : exclude.id;
    const r2 = radius * radius;
    const { xs, ys } = this.points;
    const { head, nextOf, byId, bucketsX: nx, bucketsY: ny, periodic } = this;
    const w = this.width;
    const h = this.height;
    for (let by = by0; by <= by1; by++) {
      const row = (periodic ? (by + ny) % ny : by) * nx;
      for (let bx = bx0; bx <= bx1; bx++) {
        let id = head[row + (periodic ? (bx + nx) % nx : bx)]!;
        while (id !== NONE) {
          // Read the successor first: a visitor that (against the advice) moves the agent it was given
          // must not derail the scan of this bucket.
          const next = nextOf.get(id);
          if (id !== excludeId) {
            let dx = xs[id]! - x;
            let dy = ys[id]! - y;
            if (periodic) {
              if (dx > w / 2) dx -= w;
              else if (dx < -w / 2) dx += w;
              if (dy > h / 2) dy -= h;
              else if (dy < -h / 2) dy += h;
            }
            const d2 = dx * dx + dy * dy;
            if (d2 <= r2) visit(byId[id]!, dx, dy, d2);
          }
          id = next;
        }
      }
    }
  }

  /** Returns [bx0, bx1, by0, by1], the buckets a radius query must scan (in a reused array). */
  private bucketRange(api: string, x: number, y: number, radius: number): Int32Array {
    if (!(radius >= 0) || !Number.isFinite(radius) || !Number.isFinite(x) || !Number.isFinite(y))
      throw invalidArgument(api, 'x and y must be finite and radius a finite number >= 0', [x, y, radius]);
    const nx = this.bucketsX;
    const ny = this.bucketsY;
    let bx0 = Math.floor((x - radius) / this.bucketWidth);
    let bx1 = Math.floor((x + radius) / this.bucketWidth);
    let by0 = Math.floor((y - radius) / this.bucketHeight);
    let by1 = Math.floor((y + radius) / this.bucketHeight);
    if (this.periodic) {
      if (bx1 - bx0 + 1 >= nx) {
        bx0 = 0;
        bx1 = nx - 1;
      }
      if (by1 - by0 + 1 >= ny) {
        by0 = 0;
        by1 = ny - 1;
      }
    } else {
      bx0 = Math.max(bx0, 0);
      by0 = Math.max(by0, 0);
      bx1 = Math.min(bx1, nx - 1);
      by1 = Math.min(by1, ny - 1);
    }
    // Each query reads its range into locals before any visitor runs, so one array serves all.
    const range = this.range;
    range[0] = bx0;
    range[1] = bx1;
    range[2] = by0;
    range[3] = by1;
    return range;
  }

  /**
   * Writes the agents within `radius` (inclusive) of `(x, y)` into `out` from index 0, skipping
   * `exclude`, and returns how many it wrote (entries past the count are left as they were).
   */
  collectWithin(x: number, y: number, radius: number, out: T[], exclude?: T): number {
    const range = this.bucketRange('ContinuousSpace.collectWithin(x, y, radius, out)', x, y, radius);
    const excludeId = exclude === undefined ? NONE : exclude.id;
    const r2 = radius * radius;
    const { xs, ys } = this.points;
    const { head, nextOf, byId, bucketsX: nx, bucketsY: ny, periodic } = this;
    const halfW = this.width / 2;
    const halfH = this.height / 2;
    const bx0 = range[0]!;
    const bx1 = range[1]!;
    const by0 = range[2]!;
    const by1 = range[3]!;
    let n = 0;
    for (let by = by0; by <= by1; by++) {
      const row = (periodic ? (by + ny) % ny : by) * nx;
      for (let bx = bx0; bx <= bx1; bx++) {
        let id = head[row + (periodic ? (bx + nx) % nx : bx)]!;
        while (id !== NONE) {
          if (id !== excludeId) {
            let dx = xs[id]! - x;
            let dy = ys[id]! - y;
            if (periodic) {
              if (dx > halfW) dx -= this.width;
              else if (dx < -halfW) dx += this.width;
              if (dy > halfH) dy -= this.height;
              else if (dy < -halfH) dy += this.height;
            }
            if (dx * dx + dy * dy <= r2) out[n++] = byId[id]!;
          }
          id = nextOf.get(id);
        }
      }
    }
    return n;
  }

  /**
   * Returns the agents within `radius` of an agent (itself excluded) in an array the space reuses:
   * valid until the next call to `neighborsWithin` on this space.
   */
  neighborsWithin(agent: T, radius: number): readonly T[] {
    const id = this.require('ContinuousSpace.neighborsWithin(agent, radius)', agent);
    const buffer = this.buffer;
    buffer.length = this.collectWithin(this.points.xs[id]!, this.points.ys[id]!, radius, buffer, agent);
    return buffer;
  }

  /** Calls `visit` with every agent in the space. */
  forEachAgent(visit: (agent: T) => void): void {
    for (const agent of this.byId) if (agent !== undefined) visit(agent);
  }

  private wrapX(api: string, x: number): number {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw invalidArgument(api, 'x must be a finite number', x);
    if (this.periodic) {
      const v = x - this.width * Math.floor(x / this.width);
      return v >= this.width ? 0 : v;
    }
    if (x < 0 || x > this.width)
      throw invalidArgument(
        api,
        `x must lie in [0, ${this.width}] in this bounded space`,
        x,
        'Clamp or reflect the position first, or create the space with { periodic: true }.',
      );
    return x;
  }

  private wrapY(api: string, y: number): number {
    if (typeof y !== 'number' || !Number.isFinite(y))
      throw invalidArgument(api, 'y must be a finite number', y);
    if (this.periodic) {
      const v = y - this.height * Math.floor(y / this.height);
      return v >= this.height ? 0 : v;
    }
    if (y < 0 || y > this.height)
      throw invalidArgument(
        api,
        `y must lie in [0, ${this.height}] in this bounded space`,
        y,
        'Clamp or reflect the position first, or create the space with { periodic: true }.',
      );
    return y;
  }

  private bucketIndex(x: number, y: number): number {
    const bx = Math.min(this.bucketsX - 1, Math.floor(x / this.bucketWidth));
    const by = Math.min(this.bucketsY - 1, Math.floor(y / this.bucketHeight));
    return by * this.bucketsX + bx;
  }

  private link(id: number, bucket: number): void {
    const first = this.head[bucket]!;
    this.nextOf.set(id, first);
    this.prevOf.set(id, NONE);
    if (first !== NONE) this.prevOf.set(first, id);
    this.head[bucket] = id;
    this.bucketOfId.set(id, bucket);
  }

  private unlink(id: number): void {
    const prev = this.prevOf.get(id);
    const next = this.nextOf.get(id);
    if (prev === NONE) this.head[this.bucketOfId.get(id)] = next;
    else this.nextOf.set(prev, next);
    if (next !== NONE) this.prevOf.set(next, prev);
    this.bucketOfId.set(id, NONE);
  }

  private require(api: string, agent: T): number {
    checkAgent(api, agent);
    if (this.byId[agent.id] !== agent)
      throw new TwinkitError(
        `${api}: agent #${agent.id} is not in this space. Place it first with space.place(agent, x, y).`,
        { code: 'NOT_FOUND', details: { id: agent.id } },
      );
    return agent.id;
  }
}
