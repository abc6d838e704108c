import { Simulation } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { Agent, AgentModel } from '../agent-model/agent-model';
import type { Ticker } from './ticker';

class Logger extends Agent {
  constructor(
    model: AgentModel,
    private readonly log: string[],
  ) {
    super(model);
  }
  step(): void {
    this.log.push(`step ${this.id}`);
  }
  move(): void {
    this.log.push(`move ${this.id}`);
  }
  eat(): void {
    this.log.push(`eat ${this.id}`);
  }
}
class Mute extends Agent {}

describe('AgentModel.tick', () => {
  it('steps agents in creation order with sequential activation, once per interval', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const log: string[] = [];
    for (let i = 0; i < 3; i++) new Logger(model, log);
    const ticker = model.tick({
      interval: 2,
      activation: 'sequential',
      ticks: 2,
      after: (t) => log.push(`after ${t} @${sim.now}`),
    });
    sim.run({ until: 10 });
    expect(log).toEqual([
      'step 0',
      'step 1',
      'step 2',
      'after 1 @2',
      'step 0',
      'step 1',
      'step 2',
      'after 2 @4',
    ]);
    expect(ticker.ticks).toBe(2);
    expect(ticker.running).toBe(false);
  });

  it('runs stages: every agent finishes a stage before the next stage starts', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const log: string[] = [];
    for (let i = 0; i < 3; i++) new Logger(model, log);
    model.tick({ activation: { stages: ['move', 'eat'], order: 'sequential' }, ticks: 1 });
    sim.run();
    expect(log).toEqual(['move 0', 'move 1', 'move 2', 'eat 0', 'eat 1', 'eat 2']);
  });

  it('shuffles staged activation once per tick, or before every stage when asked', () => {
    for (const shuffleEachStage of [false, true]) {
      const sim = new Simulation({ seed: 2 });
      const model = new AgentModel(sim);
      const log: string[] = [];
      for (let i = 0; i < 6; i++) new Logger(model, log);
      model.tick({ activation: { stages: ['move', 'eat'], shuffleEachStage }, ticks: 20 });
      sim.run();
      let sameOrder = 0;
      for (let t = 0; t < 20; t++) {
        const tick = log.slice(12 * t, 12 * t + 12);
        const moves = tick.slice(0, 6);
        const eats = tick.slice(6);
        // Every agent moves before any agent eats.
        expect(moves.every((e) => e.startsWith('move'))).toBe(true);
        expect(eats.every((e) => e.startsWith('eat'))).toBe(true);
        const ids = (list: string[]) => list.map((e) => e.split(' ')[1]).join(',');
        if (ids(moves) === ids(eats)) sameOrder++;
      }
      // One order per tick: the stages agree; a new order per stage: they agree 1 time in 720.
      if (shuffleEachStage) expect(sameOrder).toBeLessThan(3);
      else expect(sameOrder).toBe(20);
    }
  });

  it('draws every activation order of 3 agents equally often with random activation', () => {
    const sim = new Simulation({ seed: 5 });
    const model = new AgentModel(sim);
    const log: string[] = [];
    for (let i = 0; i < 3; i++) new Logger(model, log);
    const ticks = 6000;
    model.tick({ activation: 'random', ticks });
    sim.run();
    const counts = new Map<string, number>();
    for (let t = 0; t < ticks; t++) {
      const key = log.slice(3 * t, 3 * t + 3).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = ticks / 6;
    const chi2 = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(20.52); // 5 degrees of freedom, 0.999 quantile
  });

  it('interleaves ticks with other events on the shared clock and with agents’ own events', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const log: string[] = [];
    const a = new Logger(model, log);
    a.schedule(1.5, () => log.push(`own event @${sim.now}`));
    sim.schedule(2, () => log.push('DES event @2'), { priority: -1 });
    model.tick({ activation: 'sequential', ticks: 3 });
    sim.run();
    expect(log).toEqual(['step 0', 'own event @1.5', 'DES event @2', 'step 0', 'step 0']);
  });

  it('does not activate agents created during a tick until the next, nor agents removed during it', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const log: string[] = [];
    const first = new Logger(model, log);
    const second = new Logger(model, log);
    model.tick({
      activation: 'sequential',
      ticks: 2,
      before: (t) => {
        if (t === 1) {
          new Logger(model, log);
          second.remove();
        }
      },
    });
    sim.run();
    expect(first.alive).toBe(true);
    expect(log).toEqual(['step 0', 'step 0', 'step 2']);
  });

  it('stops on request, restricts to a class, and explains a missing step()', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new AgentModel(sim);
    const log: string[] = [];
    new Logger(model, log);
    new Mute(model);
    const ticker: Ticker<Logger> = model.tick({
      activation: 'sequential',
      agents: Logger,
      after: (t) => t === 3 && ticker.stop(),
    });
    sim.run({ until: 100 });
    expect(log).toEqual(['step 0', 'step 0', 'step 0']);
    model.tick({ activation: 'sequential' });
    expect(() => sim.run({ until: 200 })).toThrow(
      /Mute#1 has no method step\(\), which the activation calls/,
    );
    expect(() => model.tick({ interval: 0 })).toThrow(/interval must be a finite number > 0, got 0/);
    expect(() => model.tick({ activation: { stages: [] } })).toThrow(/stages must be a non-empty list/);
  });
});
