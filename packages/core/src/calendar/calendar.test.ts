import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Calendar, type CalendarEntry } from './calendar';

function entry(id: number, log: number[]): CalendarEntry & { id: number } {
  return { id, _time: 0, _cancelled: false, _fire: () => log.push(id) };
}

describe('Calendar', () => {
  it('pops in (time, priority, insertion sequence) order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ time: fc.integer({ min: 0, max: 5 }), priority: fc.integer({ min: -2, max: 2 }) }),
          {
            maxLength: 200,
          },
        ),
        (items) => {
          const cal = new Calendar();
          const log: number[] = [];
          items.forEach((it, i) => {
            cal.push(entry(i, log), it.time, it.priority);
          });
          const expected = items
            .map((it, i) => ({ ...it, i }))
            .sort((a, b) => a.time - b.time || a.priority - b.priority || a.i - b.i)
            .map((x) => x.i);
          const got: number[] = [];
          for (let e = cal.pop(); e !== undefined; e = cal.pop())
            got.push((e as CalendarEntry & { id: number }).id);
          expect(got).toEqual(expected);
        },
      ),
    );
  });

  it('skips cancelled entries and counts only live ones', () => {
    const cal = new Calendar();
    const log: number[] = [];
    const a = entry(1, log);
    const b = entry(2, log);
    const c = entry(3, log);
    cal.push(a, 1, 0);
    cal.push(b, 2, 0);
    cal.push(c, 3, 0);
    cal.cancel(a);
    cal.cancel(a); // idempotent
    expect(cal.size).toBe(2);
    expect(cal.peekTime()).toBe(2);
    expect(cal.pop()).toBe(b);
    cal.cancel(c);
    expect(cal.size).toBe(0);
    expect(cal.pop()).toBeUndefined();
    expect(cal.peekTime()).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps the heap order under interleaved pushes, pops and cancellations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push'), time: fc.double({ min: 0, max: 100, noNaN: true }) }),
            fc.record({ op: fc.constant('pop') }),
            fc.record({ op: fc.constant('cancel'), k: fc.nat() }),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const cal = new Calendar();
          const log: number[] = [];
          const live: (CalendarEntry & { id: number })[] = [];
          let id = 0;
          let lastPopped = Number.NEGATIVE_INFINITY;
          for (const op of ops) {
            if (op.op === 'push') {
              const t = Math.max(op.time as number, lastPopped);
              const e = entry(id++, log);
              cal.push(e, t, 0);
              live.push(e);
            } else if (op.op === 'cancel' && live.length > 0) {
              const [e] = live.splice((op as { k: number }).k % live.length, 1);
              cal.cancel(e!);
            } else if (op.op === 'pop') {
              const e = cal.pop() as (CalendarEntry & { id: number }) | undefined;
              if (e === undefined) {
                expect(live.length).toBe(0);
                continue;
              }
              expect(e._cancelled).toBe(false);
              expect(e._time).toBeGreaterThanOrEqual(lastPopped);
              const minTime = Math.min(...live.map((x) => x._time));
              expect(e._time).toBe(minTime);
              lastPopped = e._time;
              live.splice(live.indexOf(e), 1);
            }
            expect(cal.size).toBe(live.length);
          }
        },
      ),
    );
  });
});
