import { Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { Store } from '../store';

/** A script of puts and gets at random times, the same for every store it drives. */
function script(seed: number, count: number): { t: number; op: 'put' | 'get' }[] {
  const rng = new Simulation({ seed }).rng('script');
  let t = 0;
  return Array.from({ length: count }, () => {
    t += rng.exponential(1);
    return { t, op: rng.next() < 0.5 ? ('put' as const) : ('get' as const) };
  });
}

/** Schedules the script's operations after `from` on a store (puts of item k, gets left pending). */
function drive(sim: Simulation, store: Store<number>, ops: { t: number; op: 'put' | 'get' }[], from: number) {
  ops.forEach(({ t, op }, k) => {
    if (t <= from) return;
    sim.schedule(t - sim.now, () => {
      if (op === 'put') store.put(k);
      else store.get();
    });
  });
}

describe('DesStatistics saveState / restoreState', () => {
  it("continues a store's statistics exactly in a store rebuilt at the saved time (through JSON)", () => {
    const ops = script(4, 400);
    const original = new Simulation({ seed: 1 });
    const store = new Store<number>(original, { capacity: 3 });
    drive(original, store, ops, -1);
    // Save between two operations after the 150th, at a time when nothing waits in either line.
    let at = 0;
    for (let k = 150; k < ops.length - 1 && at === 0; k++) {
      original.run({ until: (ops[k]!.t + ops[k + 1]!.t) / 2 });
      const { queueLength, putQueueLength } = store.stats;
      if (queueLength.current === 0 && putQueueLength.current === 0) at = original.now;
    }
    expect(at).toBeGreaterThan(0);
    const saved = JSON.parse(JSON.stringify({ items: store.items, stats: store.stats.saveState() }));

    const rebuilt = new Simulation({ seed: 1, startTime: at });
    const copy = new Store<number>(rebuilt, { capacity: 3 });
    for (const item of saved.items) copy.put(item); // changes its statistics ...
    copy.stats.restoreState(saved.stats); // ... which the saved ones then replace
    drive(rebuilt, copy, ops, at);
    original.run({ until: 500 });
    rebuilt.run({ until: 500 });
    expect(copy.stats.toJSON()).toEqual(store.stats.toJSON());
    expect(copy.stats.saveState()).toEqual(store.stats.saveState());
    expect(store.stats.waitingTime.count).toBeGreaterThan(50); // the script exercised waiting gets
  });

  it('dates a re-made waiting request back to when it was first made (resumeFrom), and only a waiting one', () => {
    const sim = new Simulation({ seed: 1, startTime: 50 });
    const store = new Store<number>(sim);
    const resumed = store.get().resumeFrom(42);
    expect(resumed.requestedAt).toBe(42);
    sim.schedule(8, () => store.put(1));
    sim.run();
    // Waited from 42 to 58, as the original request would have.
    expect(store.stats.waitingTime.mean).toBe(16);
    const granted = store.get();
    store.put(2);
    expect(() => store.put(3) && store.get().resumeFrom(10)).toThrow(
      /StoreGet\(.*\)\.resumeFrom\(time\): only a request still waiting in line can be dated back; this one is granted/,
    );
    expect(granted.status).toBe('granted');
    expect(() => store.get().resumeFrom(70)).toThrow(
      /time must be a finite time at or before now \(58\), got 70/,
    );
  });

  it('refuses the state of a resource with another kind of capacity, and malformed counters', () => {
    const sim = new Simulation({ seed: 1 });
    const unlimited = new Store<number>(sim).stats.saveState();
    const limited = new Store<number>(sim, { capacity: 2 });
    expect(() => limited.stats.restoreState(unlimited)).toThrow(
      'DesStatistics.restoreState(state): state.capacity must be saved: this resource has a limited capacity, got null.',
    );
    expect(() => limited.stats.restoreState({ ...limited.stats.saveState(), balks: -1 })).toThrow(
      /state\.balks must be an integer >= 0, got -1/,
    );
  });
});
