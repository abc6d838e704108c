import { describe, expect, it } from 'vitest';
import { boids, FLOCKING } from './boids';
import { type BoltzmannModel, boltzmann, gini, Trader } from './boltzmann';
import { Resident, SMALL, schelling } from './schelling';
import { DEFAULTS as FACTORY, factory } from './technicians';
import { Sheep, STABLE, Wolf, wolfSheep } from './wolf-sheep';

describe('Schelling', () => {
  it('segregates: the segregation index rises well above its random start for several seeds', () => {
    for (const seed of [1, 2, 3]) {
      const sim = schelling.create({ seed, params: SMALL });
      const start = sim.model.segregationIndex();
      // A random mix of two equal groups has about half similar neighbours.
      expect(start).toBeGreaterThan(0.42);
      expect(start).toBeLessThan(0.58);
      let previous = start;
      for (let step = 5; step <= 20; step += 5) {
        sim.run({ until: step });
        const index = sim.model.segregationIndex();
        expect(index).toBeGreaterThan(previous - 0.01);
        previous = index;
      }
      expect(previous).toBeGreaterThan(start + 0.2);
      expect(sim.model.agentsOfType(Resident).size).toBe(SMALL.agents);
      expect(sim.model.grid.agentCount).toBe(SMALL.agents);
    }
  });
});

describe('Boltzmann wealth', () => {
  it('conserves total wealth exactly at every tick and every agent stays non-negative', () => {
    const sim = boltzmann.create({ seed: 9, params: { agents: 200, width: 12, height: 12 } });
    const model: BoltzmannModel = sim.model;
    for (let step = 1; step <= 150; step++) {
      sim.run({ until: step });
      const wealth = model.agentsOfType(Trader).map((t) => t.wealth);
      expect(wealth.reduce((s, w) => s + w, 0)).toBe(200);
      expect(Math.min(...wealth)).toBeGreaterThanOrEqual(0);
    }
    const totals: readonly (number | string)[] = model.data.modelTable.column('totalWealth');
    expect(totals.every((w) => w === 200)).toBe(true);
    // The distribution has moved far from equality.
    expect(gini(model.agentsOfType(Trader).map((t) => t.wealth))).toBeGreaterThan(0.4);
  });

  it('computes the Gini coefficient of known distributions', () => {
    expect(gini([1, 1, 1, 1])).toBe(0);
    expect(gini([0, 0, 0, 4])).toBeCloseTo(0.75, 12); // (n - 1) / n for one holder
    expect(gini([1, 2, 3, 4])).toBeCloseTo(0.25, 12);
  });
});

describe('determinism', () => {
  it('reproduces every model exactly for a seed, and differs for another seed', () => {
    const schellingCells = (seed: number) => {
      const sim = schelling.create({ seed, params: SMALL });
      sim.run({ until: 5 });
      return sim.model.agentsOfType(Resident).map((r) => sim.model.grid.cellOf(r));
    };
    expect(schellingCells(4)).toEqual(schellingCells(4));
    expect(schellingCells(4)).not.toEqual(schellingCells(5));

    const flock = (seed: number) => {
      const sim = boids.create({ seed, params: { ...FLOCKING, birds: 80 } });
      sim.run({ until: 10 });
      return sim.model.agents.map((b) => sim.model.space.xOf(b as never));
    };
    expect(flock(1)).toEqual(flock(1));
    expect(flock(1)).not.toEqual(flock(2));

    const predation = (seed: number) => {
      const sim = wolfSheep.create({ seed, params: STABLE });
      sim.run({ until: 30 });
      return sim.model.data.modelTable.toJSON();
    };
    expect(predation(3)).toEqual(predation(3));
    expect(predation(3)).not.toEqual(predation(4));
  });

  it('forks the technician model mid-walk and mid-repair into an identical future', () => {
    const live = factory.create({ seed: 5, params: FACTORY });
    // Advance until one technician is walking (busy, machine not yet under repair) and, for the
    // second fork, until one is repairing.
    const walking = () =>
      live.model.machines.some((m) => m.state === 'failed') &&
      live.model.technicians.some((t) => !t.idle) &&
      live.model.machines.every((m) => m.state !== 'repairing');
    const repairing = () => live.model.machines.some((m) => m.state === 'repairing');
    const summary = (sim: typeof live) =>
      sim.model.machines
        .map((m) => [m.failures, m.downtime, m.state] as unknown[])
        .concat(sim.model.technicians.map((t) => [t.repairs, t.walked, t.idle, sim.model.grid.cellOf(t)]));
    for (const condition of [walking, repairing]) {
      let t = live.now;
      do {
        t += 0.05;
        live.run({ until: t });
      } while (!condition() && t < live.now + 5000);
      expect(condition()).toBe(true);
      const fork = live.fork();
      expect(summary(fork)).toEqual(summary(live));
      fork.run({ until: t + 3000 });
      live.run({ until: t + 3000 });
      expect(summary(fork)).toEqual(summary(live));
    }
  });

  it('keeps the predator-prey populations consistent with the agents in the grid', () => {
    const sim = wolfSheep.create({ seed: 8, params: STABLE });
    sim.run({ until: 50 });
    const model = sim.model;
    const sheep = model.agentsOfType(Sheep).size;
    const wolves = model.agentsOfType(Wolf).size;
    expect(sim.state.get('predation.sheep')).toBe(sheep);
    expect(sim.state.get('predation.wolves')).toBe(wolves);
    expect(model.grid.agentCount).toBe(sheep + wolves);
    expect(model.agents.count((a) => !a.alive)).toBe(0);
  });
});
