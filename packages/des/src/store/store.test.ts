import { Simulation, TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { FilterStore, PriorityItem, PriorityStore, Store } from './store';

describe('Store', () => {
  it('hands out items first in first out, making getters wait and putters block when full', () => {
    const sim = new Simulation();
    const store = new Store<string>(sim, { capacity: 2 });
    const log: string[] = [];
    sim.process(function* producer() {
      for (const item of ['a', 'b', 'c', 'd']) {
        yield store.put(item);
        log.push(`${sim.now} put ${item}`);
      }
    });
    sim.process(function* consumer() {
      yield sim.timeout(5);
      for (let i = 0; i < 4; i++) {
        const item: string = yield store.get();
        log.push(`${sim.now} got ${item}`);
        yield sim.timeout(1);
      }
    });
    sim.run();
    expect(log).toEqual([
      '0 put a',
      '0 put b',
      '5 got a',
      '5 put c',
      '6 got b',
      '6 put d',
      '7 got c',
      '8 got d',
    ]);
    expect(store.size).toBe(0);
    expect(store.stats.puts).toBe(4);
    expect(store.stats.departures).toBe(4);
    expect(store.stats.putWaitingTime.max).toBe(5); // c waits from 0 to 5
    // items held: 2 from 0 to 8 except... 2 (0-5), 2 (5-6: a out, c in), 2 (6-7), 1 (7-8), 0 after
    expect(store.stats.inUse.integral).toBe(2 * 7 + 1);
  });

  it('lets a getter interrupted while waiting withdraw, so the next item goes to the next getter', () => {
    const sim = new Simulation();
    const store = new Store<string>(sim);
    const log: string[] = [];
    const first = sim.process(function* () {
      const get = store.get();
      try {
        yield get;
      } catch {
        log.push(`${sim.now} interrupted: ${get.cancel()}`);
      }
    });
    sim.process(function* () {
      yield sim.timeout(1);
      const item: string = yield store.get();
      log.push(`${sim.now} second got ${item}`);
    });
    sim.schedule(2, () => first.interrupt('shift over'));
    sim.schedule(3, () => store.put('part'));
    sim.run();
    expect(log).toEqual(['2 interrupted: withdrawn', '3 second got part']);
    expect(store.stats.reneges).toBe(1);
    expect(store.size).toBe(0);
  });

  it('rejects bad capacities', () => {
    const sim = new Simulation();
    for (const capacity of [0, 2.5, -1, Number.NaN]) {
      expect(() => new Store(sim, { capacity })).toThrow(TwinkitError);
    }
    expect(new Store(sim).stats.utilization).toBeNull();
  });

  it('registers items and queue lengths in the state vector', () => {
    const sim = new Simulation();
    const store = new Store<number>(sim, { name: 'buffer' });
    store.put(1);
    store.put(2);
    expect(sim.state.get('buffer.items')).toBe(2);
    expect(sim.state.get('buffer.queueLength')).toBe(0);
    expect(() => sim.state.set('buffer.items', 0)).toThrow(/read-only/);
  });
});

describe('FilterStore', () => {
  it('gives each getter the first item that matches, without blocking other getters', () => {
    const sim = new Simulation();
    const parts = new FilterStore<{ kind: string; id: number }>(sim);
    const log: string[] = [];
    const getter = (kind: string) =>
      sim.process(function* () {
        const part: { kind: string; id: number } = yield parts.get((p) => p.kind === kind);
        log.push(`${sim.now} ${kind} got ${part.id}`);
      });
    getter('nut');
    getter('bolt');
    sim.process(function* () {
      yield sim.timeout(1);
      yield parts.put({ kind: 'bolt', id: 1 });
      yield sim.timeout(1);
      yield parts.put({ kind: 'washer', id: 2 });
      yield parts.put({ kind: 'nut', id: 3 });
    });
    sim.run();
    expect(log).toEqual(['1 bolt got 1', '2 nut got 3']);
    expect(parts.items).toEqual([{ kind: 'washer', id: 2 }]);
  });

  it('serves a new getter at once when an item matches, even while others wait', () => {
    const sim = new Simulation();
    const parts = new FilterStore<string>(sim);
    parts.put('x');
    parts.get((p) => p === 'y');
    const got = parts.get((p) => p === 'x');
    expect(got.triggered).toBe(true);
    expect(parts.getQueueLength).toBe(1);
  });

  it('fails only the get whose filter throws, with a TwinkitError; the item stays', () => {
    const sim = new Simulation();
    const parts = new FilterStore<string>(sim);
    const log: string[] = [];
    sim.process(function* () {
      try {
        yield parts.get(() => {
          throw new RangeError('bad filter');
        });
      } catch (e) {
        expect(e).toBeInstanceOf(TwinkitError);
        expect((e as Error).message).toMatch(/the filter threw \(RangeError: bad filter\)/);
        log.push(`${sim.now} failed`);
      }
    });
    sim.process(function* () {
      const item: string = yield parts.get();
      log.push(`${sim.now} got ${item}`);
    });
    sim.process(function* () {
      yield sim.timeout(1);
      yield parts.put('a');
      yield parts.put('b');
    });
    sim.run();
    expect(log).toEqual(['1 failed', '1 got a']);
    expect(parts.items).toEqual(['b']);
    expect(parts.getQueueLength).toBe(0);
    expect(() => parts.get('x' as never)).toThrow(/filter must be a function/);
  });
});

describe('PriorityStore', () => {
  it('hands out the lowest priority first, FIFO among equal priorities', () => {
    const sim = new Simulation();
    const jobs = new PriorityStore<PriorityItem<string>>(sim);
    for (const [p, name] of [
      [2, 'routine-1'],
      [0, 'urgent'],
      [2, 'routine-2'],
      [1, 'soon'],
    ] as const) {
      jobs.put(new PriorityItem(p, name));
    }
    expect(jobs.items.map((j) => j.item)).toEqual(['urgent', 'soon', 'routine-1', 'routine-2']);
    const order: string[] = [];
    sim.process(function* () {
      for (let i = 0; i < 4; i++) order.push(((yield jobs.get()) as PriorityItem<string>).item);
    });
    sim.run();
    expect(order).toEqual(['urgent', 'soon', 'routine-1', 'routine-2']);
    expect(() => jobs.put({ priority: Number.NaN, item: 'x' } as PriorityItem<string>)).toThrow(
      /numeric priority/,
    );
  });
});
