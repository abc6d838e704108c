/**
 * The waiting lines of resources, containers and stores. Entries leave from the head when served, or
 * from anywhere when withdrawn (reneging, a balked or failed request). Withdrawal is lazy: the entry is
 * flagged and skipped when it reaches the head, so it costs O(1) and never shifts the array.
 */

/** Anything that can wait in a request queue (what a custom {@link RequestQueue} orders). */
export interface Queueable {
  /** @internal true while the entry waits in a queue. */
  _queued: boolean;
}

/** A waiting line: FIFO, or ordered by a key; a resource subclass may pass its own to {@link BaseResource}. */
export interface RequestQueue<T extends Queueable> {
  /** Number of entries waiting (withdrawn ones excluded). */
  readonly length: number;
  /** Adds an entry. */
  push(entry: T): void;
  /** The entry that is served next, or undefined. */
  peek(): T | undefined;
  /** Removes and returns the entry that is served next, or undefined. */
  shift(): T | undefined;
  /** Withdraws an entry from anywhere in the line; returns whether it was waiting. */
  remove(entry: T): boolean;
  /** The waiting entries in the order they will be served (a copy). */
  toArray(): T[];
}

/** First in, first out. */
export class FifoQueue<T extends Queueable> implements RequestQueue<T> {
  private items: T[] = [];
  private head = 0;
  private live = 0;

  get length(): number {
    return this.live;
  }

  push(entry: T): void {
    entry._queued = true;
    this.items.push(entry);
    this.live++;
  }

  peek(): T | undefined {
    this.skipWithdrawn();
    return this.items[this.head];
  }

  shift(): T | undefined {
    this.skipWithdrawn();
    const entry = this.items[this.head];
    if (entry === undefined) return undefined;
    this.items[this.head] = undefined as unknown as T;
    this.head++;
    entry._queued = false;
    this.live--;
    this.compact();
    return entry;
  }

  remove(entry: T): boolean {
    if (!entry._queued) return false;
    entry._queued = false;
    this.live--;
    this.compact();
    return true;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const entry = this.items[i]!;
      if (entry._queued) out.push(entry);
    }
    return out;
  }

  private skipWithdrawn(): void {
    const items = this.items;
    while (this.head < items.length && !items[this.head]!._queued) {
      items[this.head] = undefined as unknown as T;
      this.head++;
    }
  }

  private compact(): void {
    if (this.live === 0) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Orders entries by a numeric key (lower first), FIFO among equal keys. */
export class KeyedQueue<T extends Queueable> implements RequestQueue<T> {
  private heap: { entry: T; key: number; seq: number }[] = [];
  private seq = 0;
  private live = 0;
  private readonly keyOf: (entry: T) => number;
  private readonly before: ((a: T, b: T) => boolean) | null;

  /**
   * @param keyOf - the primary key (lower is served first)
   * @param before - optional tie-break between equal keys, before insertion order
   */
  constructor(keyOf: (entry: T) => number, before: ((a: T, b: T) => boolean) | null = null) {
    this.keyOf = keyOf;
    this.before = before;
  }

  get length(): number {
    return this.live;
  }

  push(entry: T): void {
    entry._queued = true;
    const node = { entry, key: this.keyOf(entry), seq: this.seq++ };
    const heap = this.heap;
    let i = heap.length;
    heap.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!this.less(node, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = node;
    this.live++;
  }

  peek(): T | undefined {
    this.skipWithdrawn();
    return this.heap[0]?.entry;
  }

  shift(): T | undefined {
    this.skipWithdrawn();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.popTop();
    top.entry._queued = false;
    this.live--;
    return top.entry;
  }

  remove(entry: T): boolean {
    if (!entry._queued) return false;
    entry._queued = false;
    this.live--;
    if (this.live === 0) this.heap.length = 0;
    return true;
  }

  toArray(): T[] {
    return this.heap
      .filter((n) => n.entry._queued)
      .sort((a, b) => (this.less(a, b) ? -1 : 1))
      .map((n) => n.entry);
  }

  private less(
    a: { entry: T; key: number; seq: number },
    b: { entry: T; key: number; seq: number },
  ): boolean {
    if (a.key !== b.key) return a.key < b.key;
    if (this.before !== null) {
      if (this.before(a.entry, b.entry)) return true;
      if (this.before(b.entry, a.entry)) return false;
    }
    return a.seq < b.seq;
  }

  private skipWithdrawn(): void {
    while (this.heap.length > 0 && !this.heap[0]!.entry._queued) this.popTop();
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(heap[r]!, heap[l]!)) c = r;
      if (!this.less(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
}
