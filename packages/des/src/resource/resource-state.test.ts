import { defineModel, ResumableGroup, type ResumableGroupState, Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { PreemptiveResource, PriorityResource, type Request, Resource, type ResourceState } from './resource';

interface Saved {
  processes: ResumableGroupState;
  desk: ResourceState;
  /** Per worker: the index of its request among the desk's users, or -1. */
  holding: number[];
  log: string[];
}

/** Three workers share a desk of two units: each asks, uses it a while, releases, rests. */
function build(sim: Simulation, saved?: Saved) {
  const desk = new PriorityResource(sim, { capacity: 2, name: 'desk' });
  const users = saved === undefined ? [] : desk.restoreState(saved.desk);
  const held: (Request | null)[] = [0, 1, 2].map((i) =>
    saved && saved.holding[i]! >= 0 ? users[saved.holding[i]!]! : null,
  );
  const log = [...(saved?.log ?? [])];
  const processes = new ResumableGroup(sim, saved?.processes);
  [0, 1, 2].forEach((i) => {
    const draw = sim.rng(`worker${i}`);
    processes.add(
      `worker${i}`,
      {
        *ask() {
          const req = desk.request({ priority: i % 2 });
          yield req;
          held[i] = req;
          log.push(`${sim.now} ${i} got`);
          return 'use';
        },
        use: (run) => {
          if (!run.afterWait) return run.after(draw.exponential(2), 'use');
          desk.release(held[i]!);
          held[i] = null;
          return run.after(draw.exponential(1), 'ask');
        },
      },
      'ask',
    );
  });
  processes.start();
  return { desk, held, log, processes };
}

type Model = ReturnType<typeof build>;

const office = defineModel((sim) => build(sim), {
  name: 'resource-state-office',
  snapshot: {
    saveState: (m: Model): Saved => ({
      processes: m.processes.saveState(),
      desk: m.desk.saveState(),
      holding: m.held.map((r) => (r === null ? -1 : m.desk.users.indexOf(r))),
      log: m.log,
    }),
    restoreState: (sim, _params, saved: Saved) => build(sim, saved),
  },
});

const future = (m: Model) => JSON.stringify({ log: m.log, stats: m.desk.stats.toJSON() });

describe('Resource.saveState / restoreState', () => {
  it('restores users and waiting requests into the future of an uninterrupted run', () => {
    const whole = office.create({ seed: 5 });
    whole.run({ until: 300 });
    let waiting = 0;
    for (const t of [1.7, 20.3, 77, 150.5, 222]) {
      const live = office.create({ seed: 5 });
      live.run({ until: t });
      waiting += live.model.desk.queueLength;
      const restored = office.restore(JSON.parse(JSON.stringify(live.snapshot())));
      expect(restored.model.desk.count).toBe(live.model.desk.count);
      restored.run({ until: 300 });
      expect(future(restored.model)).toBe(future(whole.model));
    }
    expect(waiting).toBeGreaterThan(0);
  });

  it('refuses a used resource, a malformed state and a preemptive resource with users', () => {
    const sim = office.create({ seed: 5 });
    sim.run({ until: 20 });
    const state = sim.model.desk.saveState();
    expect(() => sim.model.desk.restoreState(state)).toThrow(/"desk" has been used already/);
    const other = new Simulation({ startTime: 20 });
    expect(() => new Resource(other).restoreState({ ...state, capacity: 0 })).toThrow(
      /an integer capacity >= 1/,
    );
    const busy = { ...state, users: [{ requestedAt: 1, usageSince: 2, priority: 0 }] };
    expect(() => new PreemptiveResource(other, { capacity: 2 }).restoreState(busy)).toThrow(
      /a PreemptiveResource cannot be restored with users/,
    );
  });
});
