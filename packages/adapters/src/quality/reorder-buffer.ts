import type { Reading } from '../reading';

/**
 * The readings the monotonicity rule holds, kept sorted by source time (stable: equal times stay in
 * arrival order), each with its owner (the sensor's state, so a release needs no look-up). Readings
 * mostly arrive in time order, so an insertion is a push at the end; a late one is inserted by
 * walking back from the end, which costs its lateness in positions, not a heap's log n on every
 * reading.
 */
export class ReorderBuffer<Owner> {
  private readings: Reading[] = [];
  private owners: Owner[] = [];
  private head = 0;
  /** The owner of the reading the last `take` returned. */
  lastOwner: Owner | undefined;

  /** How many readings it holds. */
  get size(): number {
    return this.readings.length - this.head;
  }

  /** Inserts a reading in time order. */
  insert(reading: Reading, owner: Owner): void {
    const readings = this.readings;
    const t = reading.time;
    let at = readings.length;
    while (at > this.head && (readings[at - 1] as Reading).time > t) at--;
    if (at === readings.length) {
      readings.push(reading);
      this.owners.push(owner);
    } else {
      readings.splice(at, 0, reading);
      this.owners.splice(at, 0, owner);
    }
  }

  /** The time of the oldest reading held, or +Infinity when empty. */
  get oldestTime(): number {
    return this.head < this.readings.length
      ? (this.readings[this.head] as Reading).time
      : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the oldest reading (its owner in `lastOwner`), if any. */
  take(): Reading | undefined {
    if (this.head >= this.readings.length) return undefined;
    const first = this.readings[this.head] as Reading;
    this.lastOwner = this.owners[this.head];
    this.head += 1;
    if (this.head === this.readings.length) {
      this.readings.length = 0;
      this.owners.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.readings.length) {
      this.readings = this.readings.slice(this.head);
      this.owners = this.owners.slice(this.head);
      this.head = 0;
    }
    return first;
  }

  /** Empties the buffer, calling `each` with every owner of a reading it held; returns how many. */
  clear(each: (owner: Owner) => void): number {
    const n = this.size;
    for (let i = this.head; i < this.owners.length; i++) each(this.owners[i] as Owner);
    this.readings = [];
    this.owners = [];
    this.head = 0;
    return n;
  }
}
