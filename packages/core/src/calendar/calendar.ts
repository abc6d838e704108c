/**
 * The event calendar: one binary min-heap of entries ordered by (time, priority, insertion sequence).
 *
 * Ordering rule (documented in docs/architecture.md and tested): an entry with a smaller time comes
 * first; at equal times the smaller priority number comes first; at equal time and priority the
 * entry inserted first comes first. The insertion sequence makes every tie deterministic.
 *
 * Hand-written rather than a library heap: this is the innermost loop of every simulation, entries
 * are the scheduled objects themselves (no wrapper allocation), and cancellation is lazy (a flag,
 * skipped when it reaches the top), which no general-purpose heap package offers in that shape.
 */

/** Anything that can sit on the calendar. @internal */
export interface CalendarEntry {
  /** @internal */ _time: number;
  /** @internal */ _priority: number;
  /** @internal */ _seq: number;
  /** @internal true once cancelled; skipped when popped. */ _cancelled: boolean;
  /** @internal called when the entry is popped. */ _fire(): void;
}

/** @internal */
export class Calendar {
  private heap: CalendarEntry[] = [];
  private seq = 0;
  private cancelledCount = 0;

  /** Number of live (not cancelled) entries. */
  get size(): number {
    return this.heap.length - this.cancelledCount;
  }

  /** Inserts `entry` at `time` with `priority`. */
  push(entry: CalendarEntry, time: number, priority: number): void {
    entry._time = time;
    entry._priority = priority;
    entry._seq = this.seq++;
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    // sift up
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (
        parent._time < time ||
        (parent._time === time &&
          (parent._priority < priority || (parent._priority === priority && parent._seq < entry._seq)))
      ) {
        break;
      }
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = entry;
  }

  /** Marks a scheduled entry cancelled (lazy deletion). */
  cancel(entry: CalendarEntry): void {
    if (!entry._cancelled) {
      entry._cancelled = true;
      this.cancelledCount++;
    }
  }

  /** Time of the next live entry, or Infinity. */
  peekTime(): number {
    this.dropCancelled();
    const top = this.heap[0];
    return top === undefined ? Number.POSITIVE_INFINITY : top._time;
  }

  /** Removes and returns the next live entry, or undefined when empty. */
  pop(): CalendarEntry | undefined {
    this.dropCancelled();
    return this.popTop();
  }

  /** Returns the live entries in calendar order (a copy; for fork checks, tracing and tests). */
  entries(): CalendarEntry[] {
    return this.heap
      .filter((e) => !e._cancelled)
      .sort((a, b) => a._time - b._time || a._priority - b._priority || a._seq - b._seq);
  }

  private dropCancelled(): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!._cancelled) {
      this.popTop();
      this.cancelledCount--;
    }
  }

  private popTop(): CalendarEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    const n = heap.length;
    if (n > 0) {
      // sift `last` down from the root
      let i = 0;
      const t = last._time;
      const p = last._priority;
      const s = last._seq;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let child = heap[l]!;
        if (r < n) {
          const right = heap[r]!;
          if (
            right._time < child._time ||
            (right._time === child._time &&
              (right._priority < child._priority ||
                (right._priority === child._priority && right._seq < child._seq)))
          ) {
            c = r;
            child = right;
          }
        }
        if (
          t < child._time ||
          (t === child._time && (p < child._priority || (p === child._priority && s < child._seq)))
        ) {
          break;
        }
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
