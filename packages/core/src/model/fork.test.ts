import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import type { Event } from '../events';
import { type ContinuousModel, Simulation } from '../simulation';
import { defineModel } from './define-model';

/**
 * A single-server queue written with core events only: arrivals, a FIFO line in a closure, a server
 * process that sleeps on an event when idle, and a breakdown process that interrupts the server.
 */
const queueModel = defineModel((sim, params: { arrivalMean: number; serviceMean: number }) => {
  const trace: string[] = [];
  const line: number[] = [];
  let wake: Event<unknown> | null = null;
  let served = 0;
  sim.state.define('queue.length', { get: () => line.length });
  sim.state.define('queue.setpoint', { initial: 1 });
  sim.onInput('rush', (payload) => {
    const { count } = payload as { count: number };
    for (let i = 0; i < count; i++) line.push(sim.now);
    trace.push(`${sim.now.toFixed(6)} rush ${count}`);
    if (wake !== null && !wake.triggered) wake.succeed();
  });
  sim.process(function* arrivals() {
    let id = 0;
    for (;;) {
      yield sim.timeout(sim.rng('arrivals').exponential(params.arrivalMean));
      line.push(sim.now);
      trace.push(`${sim.now.toFixed(6)} arrive ${id++}`);
      if (wake !== null && !wake.triggered) wake.succeed();
    }
  });
  const server = sim.process(function* serve() {
    for (;;) {
      if (line.length === 0) {
        wake = sim.event();
        try {
          yield wake;
        } catch {
          trace.push(`${sim.now.toFixed(6)} broken while idle`);
        }
        wake = null;
        continue;
      }
      const arrived = line.shift()!;
      const duration = sim.rng('service').exponential(params.serviceMean) * sim.state.get('queue.setpoint');
      try {
        yield sim.timeout(duration);
        served++;
        trace.push(`${sim.now.toFixed(6)} done wait=${(sim.now - arrived).toFixed(6)}`);
      } catch {
        trace.push(`${sim.now.toFixed(6)} broken`);
        line.unshift(arrived);
        try {
          yield sim.timeout(0.5);
        } catch {
          trace.push(`${sim.now.toFixed(6)} broken again`);
        }
      }
    }
  });
  sim.process(function* breakdowns() {
    for (;;) {
      yield sim.timeout(sim.rng('failures').exponential(7));
      server.interrupt('failure');
    }
  });
  return { trace, served: () => served };
});

const params = { arrivalMean: 1, serviceMean: 0.8 };

describe('fork', () => {
  it('with the same replication, the fork reproduces the original future exactly', () => {
    const live = queueModel.create({ seed: 42, params });
    live.run({ until: 50.3 });
    expect(live.pending).toBeGreaterThan(0);
    const fork = live.fork();
    expect(fork.now).toBe(live.now);
    expect(fork.model.trace).toEqual(live.model.trace);
    expect(fork.state.toObject()).toEqual(live.state.toObject());
    const before = live.model.trace.length;
    live.run({ until: 120 });
    fork.run({ until: 120 });
    expect(live.model.trace.length).toBeGreaterThan(before + 20);
    expect(fork.model.trace).toEqual(live.model.trace);
  });

  it('with another replication, the future diverges but the past is the same', () => {
    const live = queueModel.create({ seed: 42, params });
    live.run({ until: 50 });
    const past = [...live.model.trace];
    const fork = live.fork({ replication: 3 });
    expect(fork.replication).toBe(3);
    expect(fork.model.trace).toEqual(past);
    live.run({ until: 100 });
    fork.run({ until: 100 });
    expect(fork.model.trace.slice(0, past.length)).toEqual(past);
    expect(fork.model.trace.slice(past.length)).not.toEqual(live.model.trace.slice(past.length));
  });

  it('running a fork never changes the original, whose run matches one that was never forked', () => {
    const reference = queueModel.create({ seed: 7, params });
    reference.run({ until: 200 });

    const live = queueModel.create({ seed: 7, params });
    live.run({ until: 60 });
    const a = live.fork({ replication: 1 });
    const b = live.fork();
    a.run({ until: 300 });
    b.run({ until: 150 });
    live.run({ until: 200 });
    expect(live.model.trace).toEqual(reference.model.trace);
  });

  it('replays state writes and inputs made from outside, at the same points', () => {
    const live = queueModel.create({ seed: 3, params });
    live.run({ until: 10 });
    live.state.set('queue.setpoint', 1.5);
    live.step();
    live.step();
    live.input('rush', { count: 4 });
    live.run({ until: 30 });
    live.state.write(['queue.setpoint'], [0.7]);
    const fork = live.fork();
    expect(fork.state.get('queue.setpoint')).toBe(0.7);
    expect(fork.model.trace).toEqual(live.model.trace);
    expect(fork.model.trace.some((line) => line.includes('rush 4'))).toBe(true);
    live.run({ until: 80 });
    fork.run({ until: 80 });
    expect(fork.model.trace).toEqual(live.model.trace);
  });

  it('forks of forks keep their own lineage of replications', () => {
    const live = queueModel.create({ seed: 11, params });
    live.run({ until: 20 });
    const child = live.fork({ replication: 2 });
    child.run({ until: 40 });
    const grandchild = child.fork();
    const otherGrandchild = child.fork({ replication: 5 });
    child.run({ until: 90 });
    grandchild.run({ until: 90 });
    otherGrandchild.run({ until: 90 });
    expect(grandchild.model.trace).toEqual(child.model.trace);
    expect(otherGrandchild.model.trace).not.toEqual(child.model.trace);
  });

  it('two forks with the same replication at the same point are identical; at different points they differ', () => {
    const live = queueModel.create({ seed: 5, params });
    live.run({ until: 20 });
    const a = live.fork({ replication: 1 });
    const b = live.fork({ replication: 1 });
    a.run({ until: 60 });
    b.run({ until: 60 });
    expect(a.model.trace).toEqual(b.model.trace);
    // The same replication forked later must not replay the numbers drawn after the first fork point.
    live.run({ until: 40 });
    const c = live.fork({ replication: 1 });
    c.run({ until: 60 });
    const tailA = a.model.trace
      .filter((l) => Number(l.split(' ')[0]) > 40)
      .map((l) => l.split(' ').slice(1).join(' '));
    const tailC = c.model.trace
      .filter((l) => Number(l.split(' ')[0]) > 40)
      .map((l) => l.split(' ').slice(1).join(' '));
    expect(tailC).not.toEqual(tailA);
  });

  it('refuses a simulation built by hand, with a message that says what to do', () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.fork()).toThrow(/built with new Simulation\(\).*defineModel/);
  });

  it('refuses a simulation changed from outside in a way it cannot replay', () => {
    const live = queueModel.create({ seed: 1, params });
    live.run({ until: 5 });
    live.schedule(1, () => {});
    expect(() => live.fork()).toThrow(/scheduled from outside the model at t=5/);
  });

  it('refuses to fork from inside an event', () => {
    const model = defineModel((sim) => {
      let error: unknown;
      sim.schedule(1, () => {
        try {
          sim.fork();
        } catch (e) {
          error = e;
        }
      });
      return { error: () => error };
    });
    const sim = model.create();
    sim.run();
    expect(String(sim.model.error())).toMatch(/while the simulation is processing an event/);
  });

  it('detects a definition that is not deterministic', () => {
    let builds = 0;
    const leaky = defineModel((sim) => {
      builds++;
      sim.schedule(builds, () => {});
      sim.schedule(10, () => {});
    });
    const live = leaky.create();
    live.step();
    expect(() => live.fork()).toThrow(TwinkitError);
    expect(() => live.fork()).toThrow(/not deterministic/);
  });

  it('fork({ replication }) validates the replication', () => {
    const live = queueModel.create({ seed: 1, params });
    expect(() => live.fork({ replication: -1 })).toThrow(/replication must be an integer >= 0, got -1/);
  });
});

/** x' = -k x, solved exactly; a state event when x falls through `threshold`. */
class Decay implements ContinuousModel {
  t: number;
  x: number;
  armed = true;
  crossings: number[] = [];
  constructor(
    readonly sim: Simulation,
    readonly k: number,
    x0: number,
    readonly threshold: number,
  ) {
    this.t = sim.now;
    this.x = x0;
  }
  nextStateEvent(horizon: number): number {
    if (!this.armed || this.x <= this.threshold) return Number.POSITIVE_INFINITY;
    const tc = this.t + Math.log(this.x / this.threshold) / this.k;
    return tc <= horizon ? tc : Number.POSITIVE_INFINITY;
  }
  advanceTo(t: number): void {
    this.x *= Math.exp(-this.k * (t - this.t));
    this.t = t;
  }
  fireStateEvents(t: number): void {
    this.armed = false;
    this.crossings.push(t);
  }
}

describe('continuous models on the shared clock', () => {
  it('are brought to each event time and fire state events at the crossing time', () => {
    const sim = new Simulation();
    const decay = new Decay(sim, 0.1, 1, 0.5);
    sim.attachContinuous(decay);
    sim.state.define('x', {
      get: () => decay.x,
      set: (v) => {
        decay.x = v;
        decay.armed = true;
      },
    });
    const seen: [number, number][] = [];
    sim.schedule(2, () => seen.push([sim.now, decay.x]));
    sim.schedule(20, () => seen.push([sim.now, decay.x]));
    sim.run({ until: 30 });
    expect(seen[0]![1]).toBeCloseTo(Math.exp(-0.2), 12);
    expect(seen[1]![1]).toBeCloseTo(Math.exp(-2), 12);
    expect(decay.crossings).toHaveLength(1);
    expect(decay.crossings[0]).toBeCloseTo(Math.log(2) / 0.1, 12);
    expect(decay.t).toBe(30);
    // A write re-arms it: the next crossing is ln(4)/k after the write.
    sim.state.set('x', 2);
    sim.run({ until: 60 });
    expect(decay.crossings[1]).toBeCloseTo(30 + Math.log(4) / 0.1, 12);
  });

  it('forks with continuous state reproduce the original', () => {
    const model = defineModel((sim) => {
      const decay = new Decay(sim, 0.05, 1, 0.3);
      sim.attachContinuous(decay);
      sim.state.define('x', {
        get: () => decay.x,
        set: (v) => {
          decay.x = v;
          decay.armed = true;
        },
      });
      const log: number[] = [];
      sim.process(function* () {
        for (;;) {
          yield sim.timeout(sim.rng('checks').exponential(3));
          log.push(decay.x);
        }
      });
      return { decay, log };
    });
    const live = model.create({ seed: 9 });
    live.advanceTo(12.5);
    live.state.set('x', 0.9);
    live.advanceTo(31.25);
    const fork = live.fork();
    expect(fork.state.get('x')).toBe(live.state.get('x'));
    expect(fork.model.decay.crossings).toEqual(live.model.decay.crossings);
    live.run({ until: 80 });
    fork.run({ until: 80 });
    expect(fork.model.log).toEqual(live.model.log);
    expect(fork.model.decay.crossings).toEqual(live.model.decay.crossings);
  });
});
