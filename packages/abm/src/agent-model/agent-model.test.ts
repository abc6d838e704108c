import { defineModel, Simulation, TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { ContinuousSpace } from '../continuous-space/continuous-space';
import { GridSpace } from '../grid-space/grid-space';
import { NetworkSpace } from '../network-space/network-space';
import { Agent, AgentModel } from './agent-model';

class Walker extends Agent {
  steps = 0;
  state: 'idle' | 'busy' = 'idle';
  energy = 1;
  step(): void {
    this.steps++;
  }
}

describe('AgentModel and Agent', () => {
  it('gives agents stable ids in creation order and a reference to their model', () => {
    const model = new AgentModel(new Simulation({ seed: 1 }));
    const a = new Walker(model);
    const b = new Walker(model);
    a.remove();
    const c = new Walker(model);
    expect([a.id, b.id, c.id]).toEqual([0, 1, 2]);
    expect(b.model).toBe(model);
    expect(model.agentCount).toBe(2);
    expect(model.getAgent(0)).toBeUndefined();
    expect(model.getAgent(2)).toBe(c);
    expect(model.agents.map((x) => x.id)).toEqual([1, 2]);
  });

  it('finds agents by id, counts and lists them in creation order through thousands of removals', () => {
    class Other extends Agent {}
    const model = new AgentModel(new Simulation({ seed: 1 }));
    const made: Agent[] = [];
    for (let i = 0; i < 6000; i++) made.push(i % 3 === 0 ? new Other(model) : new Walker(model));
    // Remove 2 of every 3 agents without listing in between (the registry compacts itself).
    for (const agent of made) if (agent.id % 3 !== 1) agent.remove();
    const alive = made.filter((a) => a.id % 3 === 1);
    expect(model.agentCount).toBe(alive.length);
    expect(model.agents.toArray().map((a) => a.id)).toEqual(alive.map((a) => a.id));
    expect(
      model
        .agentsOfType(Walker)
        .toArray()
        .map((a) => a.id),
    ).toEqual(alive.map((a) => a.id));
    expect(model.agentsOfType(Other).count()).toBe(0);
    for (const id of [0, 1, 2, 4, 2998, 2999, 5998, 5999, 6000, -1]) {
      expect(model.getAgent(id)).toBe(id >= 0 && id < 6000 && id % 3 === 1 ? made[id] : undefined);
    }
    expect(() => model.remove(made[0]!)).toThrow(/not an agent of this model \(already removed\?\)/);
    const later = new Walker(model);
    expect(later.id).toBe(6000);
    expect(model.getAgent(6000)).toBe(later);
  });

  it('removes an agent from every registered space and refuses to use it afterwards', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const grid = model.addSpace(new GridSpace<Walker>({ width: 3, height: 3 }));
    const plane = model.addSpace(new ContinuousSpace<Walker>({ width: 3, height: 3 }));
    const net = model.addSpace(new NetworkSpace<Walker>({ nodes: 2, edges: [[0, 1]] }));
    const w = new Walker(model);
    grid.place(w, 1, 1);
    plane.place(w, 0.5, 0.5);
    net.place(w, 1);
    w.remove();
    expect(w.alive).toBe(false);
    expect(grid.agentCount + plane.agentCount + net.agentCount).toBe(0);
    expect(grid.emptyCount).toBe(9);
    expect(() => w.model).toThrow(
      /Walker#0.model: the agent was removed from its model; it can no longer be used. Check agent.alive/,
    );
    expect(() => w.remove()).toThrow(TwinkitError);
    expect(() => grid.place(w, 0, 0)).toThrow(/must not have been removed/);
    expect(() => w.schedule(1, () => {})).toThrow(/was removed/);
    expect(() => model.remove(w)).toThrow(/not an agent of this model/);
  });

  it('cancels an agent’s scheduled calls and ends its processes when it is removed', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const w = new Walker(model);
    const log: string[] = [];
    w.schedule(5, () => log.push('call'));
    let cleanedUp = false;
    const p = w.process(function* () {
      try {
        for (;;) {
          yield sim.timeout(1);
          log.push(`tick ${sim.now}`);
        }
      } finally {
        cleanedUp = true;
      }
    });
    sim.schedule(2.5, () => w.remove());
    sim.run({ until: 10 });
    expect(log).toEqual(['tick 1', 'tick 2']);
    expect(cleanedUp).toBe(true);
    expect(p.isAlive).toBe(false);
    expect(p.ok).toBe(true);
  });

  it('lets an agent remove itself from inside its own process', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const grid = model.addSpace(new GridSpace<Walker>({ width: 2, height: 2 }));
    const w = new Walker(model);
    grid.place(w, 0, 0);
    const log: number[] = [];
    const p = w.process(function* () {
      yield sim.timeout(2);
      log.push(sim.now);
      w.remove();
      yield sim.timeout(1); // the process stops when it resumes, without running on
      log.push(-1);
    });
    sim.run({ until: 10 });
    expect(log).toEqual([2]);
    expect(p.ok).toBe(true);
    expect(grid.agentCount).toBe(0);
  });

  it('keeps the deprecated agent.moveAlong(path, speed) as an alias of grid.moveAlong(agent, path, speed)', () => {
    const walkOn = (how: 'alias' | 'space') => {
      const sim = new Simulation({ seed: 1 });
      const model = new AgentModel(sim);
      const grid = model.addSpace(new GridSpace<Walker>({ width: 5, height: 5, occupancy: 'multiple' }));
      grid.setWalkable(2, 0, false);
      grid.setWalkable(2, 1, false);
      const w = new Walker(model);
      grid.place(w, 0, 0);
      const cells: number[] = [];
      let arrivedAt = 0;
      w.process(function* () {
        const path = grid.findPath(grid.positionOf(w), { x: 4, y: 0 }, { diagonal: true })!;
        const walk = how === 'alias' ? w.moveAlong(path, 2) : grid.moveAlong(w, path, 2);
        sim.process(function* () {
          while (walk.isAlive) {
            cells.push(grid.cellOf(w));
            yield sim.timeout(0.25);
          }
        });
        yield walk;
        arrivedAt = sim.now;
      });
      sim.run();
      return { position: grid.positionOf(w), cells, arrivedAt };
    };
    const alias = walkOn('alias');
    expect(alias.position).toEqual({ x: 4, y: 0 });
    expect(alias.arrivedAt).toBeCloseTo((4 + 2 * Math.SQRT2) / 2, 12);
    expect(alias).toEqual(walkOn('space'));
  });

  it('refuses the deprecated agent.moveAlong with a path not from a GridSpace or on a removed agent', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const grid = model.addSpace(new GridSpace<Walker>({ width: 5, height: 1 }));
    const w = new Walker(model);
    grid.place(w, 0, 0);
    const good = grid.findPath({ x: 0, y: 0 }, { x: 4, y: 0 })!;
    expect(() => w.moveAlong({ ...good, grid: { width: 5, height: 1 } }, 1)).toThrow(
      /^Walker#0\.moveAlong\(path, speed\): path must come from a GridSpace .* walk it with grid\.moveAlong\(agent, path, speed\)\./,
    );
    // The other rules are the space's, and name it.
    expect(() => w.moveAlong(good, 0)).toThrow(
      /^GridSpace\.moveAlong\(agent, path, speed\): speed must be a finite number > 0/,
    );
    expect(() => w.moveAlong(grid.findPath({ x: 1, y: 0 }, { x: 4, y: 0 })!, 1)).toThrow(
      /the path must start at the agent's cell \(0, 0\), got \[1,0\]/,
    );
    w.remove();
    expect(() => w.moveAlong(good, 1)).toThrow(/^Walker#0\.moveAlong\(path, speed\): the agent was removed/);
  });

  it('publishes aggregates in the state vector (counts by state, mean of an attribute)', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const walkers = Array.from({ length: 4 }, () => new Walker(model));
    walkers[1]!.state = 'busy';
    walkers.forEach((w, i) => {
      w.energy = i + 1;
    });
    model.defineCounts('crew', { type: Walker, key: (w) => w.state, categories: ['idle', 'busy'] });
    model.defineAggregate('crew.meanEnergy', { type: Walker, reduce: 'mean', value: (w) => w.energy });
    model.defineAggregate('crew.maxEnergy', { reduce: 'max', value: (w) => (w as Walker).energy });
    expect(sim.state.get('crew.idle')).toBe(3);
    expect(sim.state.get('crew.busy')).toBe(1);
    expect(sim.state.get('crew.meanEnergy')).toBe(2.5);
    walkers[3]!.remove();
    expect(sim.state.get('crew.meanEnergy')).toBe(2);
    expect(sim.state.get('crew.maxEnergy')).toBe(3);
    expect(Array.from(sim.state.read(['crew.idle', 'crew.busy']))).toEqual([2, 1]);
    expect(() => sim.state.set('crew.idle', 5)).toThrow(TwinkitError);
    expect(() => model.defineAggregate('x', { reduce: 'mean' })).toThrow(/spec.value must be a function/);
  });

  it('forks: a fork has the same agents, positions and scheduled events, and the same future', () => {
    const definition = defineModel((sim) => {
      const model = new AgentModel(sim);
      const grid = model.addSpace(new GridSpace<Walker>({ width: 10, height: 10 }));
      for (let i = 0; i < 20; i++) grid.placeInCell(new Walker(model), grid.randomEmptyCell(model.rng));
      model.tick({
        activation: 'random',
        after: () => {
          for (const w of model.agentsOfType(Walker)) {
            if (model.rng.next() < 0.3) grid.moveToRandomEmpty(w, model.rng);
          }
        },
      });
      // Agents with their own events: one walker leaves at t = 7.5.
      const leaver = model.getAgent(3) as Walker;
      leaver.schedule(7.5, () => leaver.remove());
      return { model, grid };
    });
    const snapshot = (sim: ReturnType<typeof definition.create>) => {
      const { model, grid } = sim.model;
      return model.agentsOfType(Walker).map((w) => [w.id, grid.cellOf(w), w.steps]);
    };
    const live = definition.create({ seed: 42 });
    live.run({ until: 5 });
    const fork = live.fork();
    expect(snapshot(fork)).toEqual(snapshot(live));
    expect(fork.now).toBe(5);
    fork.run({ until: 12 });
    expect(snapshot(fork).length).toBe(19); // the scheduled removal happened in the fork
    const forkFuture = snapshot(fork);
    expect(snapshot(live)).not.toEqual(forkFuture); // running the fork left the original alone
    live.run({ until: 12 });
    expect(snapshot(live)).toEqual(forkFuture);
    const other = definition.create({ seed: 42 }).fork === undefined;
    expect(other).toBe(false);
    const diverged = live.fork({ replication: 1 });
    diverged.run({ until: 20 });
    live.run({ until: 20 });
    expect(snapshot(diverged)).not.toEqual(snapshot(live));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const definition = defineModel((sim) => {
      const model = new AgentModel(sim);
      const grid = model.addSpace(new GridSpace<Walker>({ width: 8, height: 8 }));
      for (let i = 0; i < 30; i++) grid.placeInCell(new Walker(model), grid.randomEmptyCell(model.rng));
      model.tick({
        after: () => model.agents.shuffle().do((w) => grid.moveToRandomEmpty(w as Walker, model.rng)),
      });
      return { model, grid };
    });
    const cells = (seed: number) => {
      const sim = definition.create({ seed });
      sim.run({ until: 10 });
      return sim.model.model.agents.map((w) => sim.model.grid.cellOf(w as Walker));
    };
    expect(cells(7)).toEqual(cells(7));
    expect(cells(7)).not.toEqual(cells(8));
  });
});
