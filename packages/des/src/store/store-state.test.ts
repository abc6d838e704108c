import {
  defineModel,
  type PhaseRun,
  ResumableGroup,
  type ResumableGroupState,
  Simulation,
} from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { Container, type ContainerState } from '../container';
import { Store, type StoreState } from './store';

interface Saved {
  processes: ResumableGroupState;
  buffer: StoreState<number>;
  tank: ContainerState;
  arrived: number;
  log: string[];
}

/**
 * A line with a buffer and two consumers slower than the arrivals at times and faster at others, so
 * that the consumers wait for parts and parts wait for the consumers; a tank drained by the consumers.
 */
function build(sim: Simulation, saved?: Saved) {
  const buffer = new Store<number>(sim, { name: 'buffer' });
  const tank = new Container(sim, { capacity: 10, initial: 10 });
  if (saved !== undefined) {
    buffer.restoreState(saved.buffer);
    tank.restoreState(saved.tank);
  }
  const model = { buffer, tank, arrived: saved?.arrived ?? 0, log: [...(saved?.log ?? [])] };
  const group = new ResumableGroup(sim, saved?.processes);
  const arrivals = sim.rng('arrivals');
  group.add(
    'arrivals',
    {
      next: (run) => {
        if (run.afterWait) buffer.put(++model.arrived);
        return run.after(arrivals.exponential(1), 'next');
      },
    },
    'next',
  );
  for (const name of ['a', 'b']) {
    const service = sim.rng(`service/${name}`);
    group.add(
      name,
      {
        *take(run) {
          if (run.afterWait) model.log.push(`${sim.now} ${name} done`);
          const part: number = yield buffer.get();
          model.log.push(`${sim.now} ${name} took ${part}`);
          return 'fuel';
        },
        *fuel(run) {
          yield tank.get(1);
          return run.after(service.exponential(1.6), 'take');
        },
      },
      'take',
    );
  }
  const refill = (run: PhaseRun<'wait'>) => {
    if (run.afterWait && tank.level < 10) tank.put(10 - tank.level);
    return run.after(7, 'wait');
  };
  group.add('refill', { wait: refill }, 'wait');
  group.start();
  return Object.assign(model, { group });
}

type Model = ReturnType<typeof build>;

const line = defineModel((sim) => build(sim), {
  name: 'store-state-line',
  snapshot: {
    saveState: (m: Model): Saved => ({
      processes: m.group.saveState(),
      buffer: m.buffer.saveState(),
      tank: m.tank.saveState(),
      arrived: m.arrived,
      log: m.log,
    }),
    restoreState: (sim, _params, saved: Saved) => build(sim, saved),
  },
});

const future = (m: Model) =>
  JSON.stringify({
    log: m.log,
    items: m.buffer.items,
    stats: m.buffer.stats.toJSON(),
    tank: m.tank.stats.toJSON(),
  });

describe('Store.saveState / restoreState', () => {
  it('restores mid-wait (getters and puts waiting) into the future of an uninterrupted run', () => {
    const whole = line.create({ seed: 9 });
    whole.run({ until: 200 });
    let waitingSeen = 0;
    for (const t of [3.3, 17.1, 42, 99.9, 150.25]) {
      const live = line.create({ seed: 9 });
      live.run({ until: t });
      if (live.model.buffer.getQueueLength > 0 || live.model.tank.getQueueLength > 0) waitingSeen++;
      const restored = line.restore(JSON.parse(JSON.stringify(live.snapshot())));
      restored.run({ until: 200 });
      expect(future(restored.model)).toBe(future(whole.model));
    }
    expect(waitingSeen).toBeGreaterThan(0);
  });

  it('saves items, waiting requests (in order, with the times they were made) and statistics', () => {
    const sim = line.create({ seed: 9 });
    sim.run({ until: 42 });
    const state = sim.model.buffer.saveState();
    expect(state.items).toEqual(sim.model.buffer.items);
    expect(state.waiting.gets.length).toBe(sim.model.buffer.getQueueLength);
    expect([...state.waiting.gets].sort((a, b) => a - b)).toEqual(state.waiting.gets);
    expect(state.stats).toEqual(sim.model.buffer.stats.saveState());
  });

  it('refuses a used store, a malformed state and waiters that are not made again at once', () => {
    const sim = line.create({ seed: 9 });
    sim.run({ until: 42 });
    const state = sim.model.buffer.saveState();
    expect(() => sim.model.buffer.restoreState(state)).toThrow(/"buffer" has been used already/);
    const fresh = line.create({ seed: 1 }).model.tank;
    expect(() => new Store(fresh.sim).restoreState({ items: 3 } as never)).toThrow(
      /state must come from saveState\(\) of a store/,
    );
    expect(() =>
      new Container(fresh.sim, { capacity: 5 }).restoreState({ ...fresh.saveState(), level: 9 }),
    ).toThrow(/state.level must be a finite number within \[0, capacity = 5\], got 9/);
    const lone = new Simulation({ startTime: 50 });
    const late = new Store<number>(lone);
    expect(() => late.restoreState({ ...state, waiting: { puts: [], gets: [1e9] } })).toThrow(
      /times \(at or before now/,
    );
    const later = new Store<number>(lone);
    later.restoreState({ ...state, items: [], waiting: { puts: [], gets: [40] } });
    lone.run({ until: 51 }); // the saved getter was not made again at the restore instant
    expect(() => later.get()).toThrow(/1 request\(s\) waiting when the state was saved were not made again/);
  });
});
