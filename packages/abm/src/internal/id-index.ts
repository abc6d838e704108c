import { invalidArgument } from '@twinkit/core/internal';

/**
 * Maps agent ids (small non-negative integers) to an int32 value, growing as ids grow.
 * Spaces keep positions here instead of on the agent, so any object with an `id` can be placed.
 * @internal
 */
export class IdIndex {
  private values: Int32Array;

  constructor(
    private readonly missing: number,
    initialCapacity = 64,
  ) {
    this.values = new Int32Array(initialCapacity).fill(missing);
  }

  get(id: number): number {
    return id < this.values.length ? this.values[id]! : this.missing;
  }

  set(id: number, value: number): void {
    if (id >= this.values.length) this.grow(id);
    this.values[id] = value;
  }

  private grow(id: number): void {
    let capacity = this.values.length * 2;
    while (capacity <= id) capacity *= 2;
    const next = new Int32Array(capacity).fill(this.missing);
    next.set(this.values);
    this.values = next;
  }
}

/**
 * Maps agent ids to two doubles (an x and a y), growing as ids grow.
 * @internal
 */
export class IdPoints {
  xs: Float64Array;
  ys: Float64Array;

  constructor(initialCapacity = 64) {
    this.xs = new Float64Array(initialCapacity);
    this.ys = new Float64Array(initialCapacity);
  }

  ensure(id: number): void {
    if (id < this.xs.length) return;
    let capacity = this.xs.length * 2;
    while (capacity <= id) capacity *= 2;
    const xs = new Float64Array(capacity);
    xs.set(this.xs);
    const ys = new Float64Array(capacity);
    ys.set(this.ys);
    this.xs = xs;
    this.ys = ys;
  }
}

/**
 * Describes what a space can hold: an object with a stable non-negative integer id (every `Agent`
 * is one). Spaces index positions by id in typed arrays, so their memory grows with the largest id
 * placed (4 to 16 bytes per id); model ids are dense (0, 1, 2, ...), so this is the agent count.
 */
export interface Locatable {
  /** Stable non-negative integer id, unique within the space. */
  readonly id: number;
  /** `false` once the agent has been removed from its model; spaces refuse such agents. */
  readonly alive?: boolean;
}

/** Throws unless `agent.id` is a non-negative integer and the agent has not been removed. */
export function checkAgent(api: string, agent: Locatable): void {
  const id = agent?.id;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x3fffffff) {
    throw invalidArgument(
      api,
      'the agent must have an integer id >= 0',
      id,
      'Place Agent instances (they get ids from their model) or objects with { id: number }.',
    );
  }
  if (agent.alive === false) {
    throw invalidArgument(
      api,
      'the agent must not have been removed from its model',
      `agent #${id}`,
      'Check agent.alive before using a stored reference.',
    );
  }
}
