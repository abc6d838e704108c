import { describe, expect, it } from 'vitest';
import { FifoQueue, KeyedQueue } from './request-queue';

interface Entry {
  _queued: boolean;
  id: number;
  key: number;
}
const entries = (n: number, key: (i: number) => number = () => 0): Entry[] =>
  Array.from({ length: n }, (_, id) => ({ _queued: false, id, key: key(id) }));

describe('FifoQueue', () => {
  it('serves in insertion order and skips withdrawn entries, across compactions', () => {
    const q = new FifoQueue<Entry>();
    const all = entries(5000);
    for (const e of all) q.push(e);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(all[i]); // moves the head past 1024: compacts
    for (let i = 3000; i < 5000; i += 2) expect(q.remove(all[i]!)).toBe(true);
    expect(q.remove(all[3000]!)).toBe(false); // already withdrawn
    expect(q.length).toBe(1000);
    expect(q.toArray().map((e) => e.id)).toEqual(Array.from({ length: 1000 }, (_, k) => 3001 + 2 * k));
    expect(q.peek()).toBe(all[3001]);
    const rest: number[] = [];
    for (let e = q.shift(); e !== undefined; e = q.shift()) rest.push(e.id);
    expect(rest).toHaveLength(1000);
    expect(q.length).toBe(0);
    expect(q.peek()).toBeUndefined();
  });
});

describe('KeyedQueue', () => {
  it('serves by key, then by the tie-break, then in insertion order', () => {
    const q = new KeyedQueue<Entry>(
      (e) => e.key,
      (a, b) => a.id === 7 && b.id !== 7, // entry 7 goes first among equal keys
    );
    const all = entries(12, (i) => i % 3);
    for (const e of all) q.push(e);
    expect(q.toArray().map((e) => e.id)).toEqual([0, 3, 6, 9, 7, 1, 4, 10, 2, 5, 8, 11]);
    q.remove(all[3]!);
    q.remove(all[7]!);
    const order: number[] = [];
    for (let e = q.shift(); e !== undefined; e = q.shift()) order.push(e.id);
    expect(order).toEqual([0, 6, 9, 1, 4, 10, 2, 5, 8, 11]);
  });
});
