/**
 * Sliding windows of latencies for the twin's counters (not exported from the package).
 */
import type { LatencySummary } from './types';

/** The most recent `size` samples of a latency, with their p50, p99 and maximum. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 4096) {
    this.values = new Float64Array(size);
  }

  /** Adds one sample (ms). */
  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled += 1;
  }

  /** The summary of the window; zeros while it is empty. */
  summary(): LatencySummary {
    const n = this.filled;
    if (n === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
    const sorted = this.values.slice(0, n).sort();
    // Nearest-rank percentiles: the smallest sample with at least p of the window at or below it.
    const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] as number;
    return { count: n, p50: rank(0.5), p99: rank(0.99), max: sorted[n - 1] as number };
  }
}

/** A bounded ring of items, oldest dropped first. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled += 1;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.filled + this.capacity) % this.capacity;
    for (let i = 0; i < this.filled; i++) out.push(this.items[(start + i) % this.capacity] as T);
    return out;
  }
}
