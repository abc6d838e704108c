// SourceCounters and the counting of ReadingChannel under any interleaving of offer, put, take,
// end and discard (the iterator's own behaviour is in reading-channel.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeEvent, type Reading } from '../reading';
import { ReadingChannel, SourceCounters, type SourceStats } from './source';

const reading = (i: number, sensor = 'X'): Reading => ({
  timestamp: new Date(i).toISOString(),
  time: i,
  source: 'f/a/m/telemetry/x',
  value: i,
  unit: '1',
  quality: 'good',
  sensor_id: sensor,
  receivedAt: i,
});

const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);
const addsUp = (s: SourceStats) =>
  s.received + s.filled === s.accepted + sum(s.rejected) + sum(s.dropped) + s.pending;

describe('SourceCounters', () => {
  it('counts by reason, keeps the newest time per sensor, and adds up', () => {
    const c = new SourceCounters();
    c.received(6);
    c.rejected('malformed_json');
    c.rejected('range', 2);
    c.dropped('queue_full', 0); // nothing dropped: no key
    c.dropped('closed');
    c.accepted(reading(20, 'A'));
    c.accepted(reading(10, 'A')); // older: the last time stays 20
    c.filled(1);
    c.accepted(reading(30, 'B'));
    c.reconnected();
    const s = c.snapshot(0);
    expect(s).toEqual({
      received: 6,
      accepted: 3,
      rejected: { malformed_json: 1, range: 2 },
      dropped: { closed: 1 },
      pending: 0,
      filled: 1,
      reconnects: 1,
      lastReadingTime: { A: 20, B: 30 },
    });
    expect(addsUp(s)).toBe(true);
  });

  it('tells every listener, even when one throws, until it unsubscribes', () => {
    const c = new SourceCounters();
    const seen: string[] = [];
    c.onEvent(() => {
      throw new Error('faulty listener');
    });
    const off = c.onEvent((e) => seen.push(e.event_type));
    c.emit(makeEvent('source_disconnected', 'warning', 'x', 0));
    off();
    c.emit(makeEvent('source_connected', 'info', 'x', 0));
    expect(seen).toEqual(['source_disconnected']);
  });
});

describe('ReadingChannel', () => {
  it('refuses a capacity that is not an integer >= 1', () => {
    for (const capacity of [0, 1.5, -1, Number.NaN]) {
      expect(() => new ReadingChannel(new SourceCounters(), { capacity })).toThrow(
        /capacity must be an integer >= 1/,
      );
    }
  });

  it('drops the oldest or the newest when full, counted as queue_full', async () => {
    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      const c = new SourceCounters();
      const ch = new ReadingChannel(c, { capacity: 2, overflow });
      for (let i = 1; i <= 4; i++) {
        c.received();
        ch.offer(reading(i));
      }
      ch.end();
      const out: number[] = [];
      for await (const r of ch) out.push(r.value);
      expect(out).toEqual(overflow === 'drop-oldest' ? [3, 4] : [1, 2]);
      expect(c.snapshot(ch.size)).toMatchObject({ received: 4, accepted: 2, dropped: { queue_full: 2 } });
    }
  });

  type Op = 'offer' | 'put' | 'take' | 'tick' | 'end' | 'discard';
  const op = fc.constantFrom<Op>('offer', 'offer', 'put', 'put', 'take', 'take', 'tick', 'end', 'discard');

  it('counters add up under any interleaving; nothing is handed out twice, out of order or lost (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
        async (ops, capacity, overflow) => {
          const c = new SourceCounters();
          const ch = new ReadingChannel(c, { capacity, overflow });
          const it = ch[Symbol.asyncIterator]();
          let next = 0;
          let waitingPuts = 0;
          const puts: Promise<void>[] = [];
          const takes: Promise<IteratorResult<Reading>>[] = [];
          const taken: number[] = [];
          const offered = new Set<number>();
          let mostWaiting = 0;
          const check = () => {
            expect(ch.size).toBeLessThanOrEqual(capacity);
            // A put that waits holds its reading: it is pending for the source that made it.
            expect(addsUp(c.snapshot(ch.size + waitingPuts))).toBe(true);
          };
          for (const o of ops) {
            if (o === 'offer') {
              c.received();
              offered.add(next);
              ch.offer(reading(next++));
            } else if (o === 'put') {
              c.received();
              // A put into a full channel waits, holding its reading; otherwise it is done at once.
              const blocks = !ch.isEnded && ch.size >= capacity;
              const put = ch.put(reading(next++));
              if (blocks) {
                waitingPuts += 1;
                mostWaiting = Math.max(mostWaiting, waitingPuts);
                puts.push(
                  put.then(() => {
                    waitingPuts -= 1;
                  }),
                );
              } else puts.push(put);
            } else if (o === 'take') {
              takes.push(
                it.next().then((r) => {
                  if (!r.done) taken.push(r.value.value);
                  return r;
                }),
              );
            } else if (o === 'tick') {
              await new Promise((r) => setImmediate(r));
            } else if (o === 'end') ch.end();
            else ch.discard('closed');
            check();
          }
          // Drain: end, let every put and take settle, take the rest.
          ch.end();
          await Promise.all(puts);
          await Promise.all(takes);
          for (let r = await it.next(); !r.done; r = await it.next()) taken.push(r.value.value);
          const s = c.snapshot(ch.size);
          expect(s.pending).toBe(0);
          expect(addsUp(s)).toBe(true);
          expect(s.received).toBe(next);
          expect(s.accepted).toBe(taken.length);
          // Each at most once; offers in order; puts in order when one producer puts at a time (an
          // offer, or a second put, does not queue behind a waiting put, so they may pass it: a
          // source uses one kind and one producer loop).
          expect(new Set(taken).size).toBe(taken.length);
          for (const kind of ['offer', 'put'] as const) {
            if (kind === 'put' && (offered.size > 0 || mostWaiting > 1)) continue;
            const mine = taken.filter((v) => (kind === 'offer') === offered.has(v));
            for (let i = 1; i < mine.length; i++) expect(mine[i]).toBeGreaterThan(mine[i - 1] as number);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
