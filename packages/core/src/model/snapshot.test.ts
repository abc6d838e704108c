import { describe, expect, it } from 'vitest';
import { TwinkitError } from '../errors';
import type { Event } from '../events';
import { GENERATOR_KINDS, type GeneratorKind } from '../random';
import { type ContinuousModel, Simulation, type SimulationSnapshot } from '../simulation';
import { defineModel } from './define-model';

interface QueueParams {
  arrivalMean: number;
  serviceMean: number;
}

/** Everything that decides the queue's future, as plain data. */
interface QueueState {
  /** Arrival times of the customers waiting. */
  line: number[];
  /** The customer being served and when the service ends, or null when the server is idle. */
  inService: { arrived: number; due: number } | null;
  /** When the next customer arrives. */
  nextArrival: number | null;
  nextId: number;
  served: number;
  setpoint: number;
}

type Trace = [time: number, what: string][];

/**
 * A single-server queue whose processes can start mid-way: the arrival process resumes its pending
 * delay, the server resumes a service in progress. `build` starts it empty, `restore` from saved data.
 */
function startQueue(sim: Simulation, params: QueueParams, saved: QueueState) {
  const trace: Trace = [];
  const line = [...saved.line];
  let inService = saved.inService;
  let nextArrival = saved.nextArrival;
  let nextId = saved.nextId;
  let served = saved.served;
  let wake: Event<unknown> | null = null;
  const arrive = (at: number) => {
    line.push(at);
    trace.push([sim.now, `arrive ${nextId++}`]);
    if (wake !== null && !wake.triggered) wake.succeed();
  };
  sim.state.define('queue.length', { get: () => line.length });
  sim.state.define('queue.setpoint', { initial: saved.setpoint });
  sim.onInput('rush', () => {
    // The stream is created only when the first rush comes, possibly after a fork point.
    const count = sim.rng('rush').integer(1, 4);
    for (let i = 0; i < count; i++) arrive(sim.now);
  });
  sim.process(function* arrivals() {
    for (;;) {
      if (nextArrival === null) {
        const gap = sim.rng('arrivals').exponential(params.arrivalMean);
        nextArrival = sim.now + gap;
        yield sim.timeout(gap);
      } else {
        yield sim.timeout(nextArrival - sim.now); // resumed after a restore
      }
      nextArrival = null;
      arrive(sim.now);
    }
  });
  sim.process(function* server() {
    for (;;) {
      if (inService === null) {
        if (line.length === 0) {
          wake = sim.event();
          yield wake;
          wake = null;
          continue;
        }
        const arrived = line.shift()!;
        const duration = sim.rng('service').exponential(params.serviceMean) * sim.state.get('queue.setpoint');
        inService = { arrived, due: sim.now + duration };
        yield sim.timeout(duration);
      } else {
        yield sim.timeout(inService.due - sim.now); // resumed mid-service after a restore
      }
      served++;
      trace.push([sim.now, `done ${served} waited ${sim.now - inService.arrived}`]);
      inService = null;
    }
  });
  return {
    trace,
    saveState: (): QueueState => ({
      line: [...line],
      inService: inService === null ? null : { ...inService },
      nextArrival,
      nextId,
      served,
      setpoint: sim.state.get('queue.setpoint'),
    }),
  };
}

const EMPTY: QueueState = { line: [], inService: null, nextArrival: null, nextId: 0, served: 0, setpoint: 1 };

const queue = defineModel((sim, params: QueueParams) => startQueue(sim, params, EMPTY), {
  name: 'snapshot-queue',
  snapshot: {
    saveState: (model) => model.saveState(),
    restoreState: (sim, params, saved) => startQueue(sim, params, saved),
  },
});

const replayOnly = defineModel((sim, params: QueueParams) => startQueue(sim, params, EMPTY), {
  name: 'replay-queue',
});

const params: QueueParams = { arrivalMean: 1, serviceMean: 0.9 };

/** Runs a live queue to a point where customers wait and the server is mid-service. */
function busyQueue(seed: number, generator?: GeneratorKind) {
  const live = queue.create({ seed, params, ...(generator === undefined ? {} : { generator }) });
  live.run({ until: 30 });
  for (let i = 0; i < 10_000; i++) {
    const state = live.model.saveState();
    if (state.line.length >= 2 && state.inService !== null && state.inService.due > live.now) break;
    live.step();
  }
  const state = live.model.saveState();
  expect(state.line.length).toBeGreaterThanOrEqual(2);
  expect(state.inService!.due).toBeGreaterThan(live.now);
  return live;
}

/** The trace a simulation wrote after the first `from` entries. */
const after = (trace: Trace, from: number) => trace.slice(from);

describe('snapshot', () => {
  it('is plain data that survives a JSON round trip', () => {
    const live = busyQueue(1);
    const snap = live.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(structuredClone(snap)).toEqual(snap);
    expect(snap).toMatchObject({
      format: 'twinkit-snapshot/1',
      model: 'snapshot-queue',
      time: live.now,
      seed: 1,
      generator: 'mrg32k3a',
      replication: 0,
      forkPath: '',
      eventsProcessed: live.eventsProcessed,
      params,
    });
    expect(snap.params).not.toBe(live.params);
    expect(Object.keys(snap.streams).sort()).toEqual(['arrivals', 'service']);
    expect(snap.streams.arrivals).toEqual(live.rng('arrivals').saveState());
    expect(snap.state).toEqual(live.model.saveState());
  });

  it('deep-copies what save returned, so later changes do not reach it', () => {
    const shared = { count: 1, list: [1] };
    const model = defineModel(() => shared, {
      snapshot: { saveState: (m) => m, restoreState: (_sim, _p, saved) => saved },
    });
    const snap = model.create().snapshot();
    shared.list.push(2);
    expect(snap.state).toEqual({ count: 1, list: [1] });
  });

  it('does not change the future of the simulation it was taken from', () => {
    const untouched = queue.create({ seed: 4, params });
    const observed = queue.create({ seed: 4, params });
    untouched.run({ until: 80 });
    for (const t of [10, 20.5, 33, 60]) {
      observed.run({ until: t });
      JSON.stringify(observed.snapshot());
      observed.step();
      observed.snapshot();
    }
    observed.run({ until: 80 });
    expect(observed.model.trace.length).toBeGreaterThan(100);
    expect(observed.model.trace).toEqual(untouched.model.trace);
  });

  it('of a definition with hooks reports hasSnapshot; without, not', () => {
    expect(queue.hasSnapshot).toBe(true);
    expect(replayOnly.hasSnapshot).toBe(false);
  });
});

describe('restore', () => {
  it('starts at the snapshot: time, seed, generator, replication, event count, streams', () => {
    const live = busyQueue(2, 'alea');
    const snap = live.snapshot();
    let streamsAtRestore: unknown = null;
    const probe = defineModel((sim, p: QueueParams) => startQueue(sim, p, EMPTY), {
      name: 'snapshot-queue',
      snapshot: {
        saveState: (model) => model.saveState(),
        restoreState: (sim, p, saved) => {
          streamsAtRestore = {
            arrivals: sim.rng('arrivals').saveState(),
            service: sim.rng('service').saveState(),
          };
          expect(sim.now).toBe(snap.time);
          return startQueue(sim, p, saved);
        },
      },
    });
    const restored = probe.restore(snap);
    expect(streamsAtRestore).toEqual(snap.streams);
    expect(restored.now).toBe(live.now);
    expect(restored.startTime).toBe(live.now);
    expect(restored.seed).toBe(2);
    expect(restored.generator).toBe('alea');
    expect(restored.replication).toBe(0);
    expect(restored.eventsProcessed).toBe(live.eventsProcessed);
    expect(restored.params).toEqual(params);
    expect(restored.state.get('queue.length')).toBe(live.state.get('queue.length'));
  });

  it('continues the snapshotted future exactly, and can restore the same snapshot again', () => {
    const live = busyQueue(3);
    const snap = live.snapshot();
    const from = live.model.trace.length;
    const a = queue.restore(snap);
    const b = queue.restore(snap);
    a.run({ until: 200 });
    live.run({ until: 200 });
    b.run({ until: 200 });
    expect(after(live.model.trace, from).length).toBeGreaterThan(200);
    expect(a.model.trace).toEqual(after(live.model.trace, from));
    expect(b.model.trace).toEqual(a.model.trace);
  });

  it.each(GENERATOR_KINDS)('restores identical futures from a JSON round trip (%s)', (generator) => {
    const live = busyQueue(5, generator);
    const from = live.model.trace.length;
    const restored = queue.restore(JSON.parse(JSON.stringify(live.snapshot())) as SimulationSnapshot);
    expect(restored.generator).toBe(generator);
    live.run({ until: 150 });
    restored.run({ until: 150 });
    expect(restored.model.trace.length).toBeGreaterThan(150);
    expect(restored.model.trace).toEqual(after(live.model.trace, from));
  });

  it('with another replication, switches the streams as fork({ replication }) does', () => {
    const live = busyQueue(6);
    const snap = live.snapshot();
    const restored = queue.restore(snap, { replication: 2 });
    const replayed = live.fork({ replication: 2, mechanism: 'replay' });
    expect(restored.replication).toBe(2);
    const resnap = restored.snapshot();
    expect(resnap.forkPath).toBe(`/${snap.eventsProcessed}`);
    expect(resnap.replication).toBe(2);
    expect(resnap.streams.arrivals).toEqual(replayed.rng('arrivals').saveState());
    expect(resnap.streams.arrivals).not.toEqual(snap.streams.arrivals);
  });

  it('with other parameters, rebuilds the saved state under them (a what-if from the present)', () => {
    const live = busyQueue(9);
    const snap = live.snapshot();
    const slower = { arrivalMean: 1, serviceMean: 1.8 };
    const whatIf = queue.restore(JSON.parse(JSON.stringify(snap)), { replication: 3, params: slower });
    expect(whatIf.params).toEqual(slower);
    expect(whatIf.snapshot().params).toEqual(slower);
    // The same state and random numbers, only the service times change: the services drawn after
    // the snapshot take twice as long, exactly (same streams, service time = draw x mean).
    const same = queue.restore(snap, { replication: 3 });
    const first = (sim: typeof live) => {
      const t0 = sim.now;
      const start = sim.model.trace.length;
      sim.run({ until: t0 + 200 });
      return sim.model.trace.slice(start);
    };
    const base = first(same);
    const slow = first(whatIf);
    expect(slow).not.toEqual(base);
    expect(slow.filter(([, what]) => what.startsWith('done')).length).toBeLessThan(
      base.filter(([, what]) => what.startsWith('done')).length,
    );
    // Forks of the what-if, by either mechanism, keep its parameters.
    const byReplay = whatIf.fork({ mechanism: 'replay' });
    const bySnapshot = whatIf.fork({ mechanism: 'snapshot' });
    expect(byReplay.params).toEqual(slower);
    byReplay.run({ until: whatIf.now + 50 });
    bySnapshot.run({ until: whatIf.now + 50 });
    whatIf.run({ until: whatIf.now + 50 });
    expect(byReplay.model.trace).toEqual(whatIf.model.trace);
    expect(bySnapshot.model.trace.slice(-5)).toEqual(whatIf.model.trace.slice(-5));
    expect(() => queue.restore(snap, { params: { arrivalMean: 1, serviceMean: () => 1 } as never })).toThrow(
      /ModelDefinition\.restore\(snapshot, \{ params \}\): params must be structured-cloneable data/,
    );
  });

  it('validates the snapshot and the options with messages that say what to do', () => {
    const snap = busyQueue(7).snapshot();
    const bad = (change: Record<string, unknown>) =>
      ({ ...snap, ...change }) as unknown as SimulationSnapshot;
    const cases: [SimulationSnapshot, RegExp][] = [
      [
        null as unknown as SimulationSnapshot,
        /snapshot must be an object returned by Simulation\.snapshot\(\), got null/,
      ],
      [
        bad({ format: 'twinkit-snapshot/0' }),
        /snapshot\.format must be 'twinkit-snapshot\/1', got "twinkit-snapshot\/0"\. Pass what/,
      ],
      [
        bad({ model: 'other' }),
        /snapshot\.model must be this definition's name "snapshot-queue", got "other"\. Restore it with the definition it was taken from/,
      ],
      [bad({ time: null }), /snapshot\.time must be a finite number, got null/],
      [bad({ seed: true }), /snapshot\.seed must be a finite number or a string, got true/],
      [bad({ generator: 'mt19937' }), /snapshot\.generator must be one of 'mrg32k3a'.*, got "mt19937"/],
      [bad({ replication: -1 }), /snapshot\.replication must be an integer >= 0, got -1/],
      [bad({ forkPath: 3 }), /snapshot\.forkPath must be a string, got 3/],
      [bad({ eventsProcessed: 1.5 }), /snapshot\.eventsProcessed must be an integer >= 0, got 1\.5/],
      [bad({ streams: [] }), /snapshot\.streams must be an object mapping stream names/],
      [
        bad({ streams: { ...snap.streams, service: { kind: 'alea', generator: [1] } } }),
        /snapshot\.streams\["service"\] must be a 'mrg32k3a' stream state from RandomStream\.saveState\(\)/,
      ],
    ];
    for (const [snapshot, message] of cases) {
      let error: unknown;
      try {
        queue.restore(snapshot);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TwinkitError);
      expect((error as TwinkitError).code).toBe('INVALID_ARGUMENT');
      expect((error as TwinkitError).message).toMatch(/^ModelDefinition\.restore\(snapshot\): /);
      expect((error as TwinkitError).message).toMatch(message);
    }
    expect(() => queue.restore(snap, { replication: 0.5 })).toThrow(
      /restore\(snapshot, \{ replication \}\): replication must be an integer >= 0, got 0\.5/,
    );
    // A definition without a name accepts snapshots of any name; one with a name, its own or unnamed.
    expect(queue.restore(bad({ model: null })).now).toBe(snap.time);
  });

  it('refuses a definition without hooks', () => {
    const snap = busyQueue(8).snapshot();
    expect(() => replayOnly.restore(snap)).toThrow(
      /"replay-queue" has no snapshot hooks\. Add snapshot: \{ saveState/,
    );
  });
});

describe('fork by snapshot', () => {
  it('is the default with hooks, and with the same replication reproduces the future of fork by replay and of the original', () => {
    const live = busyQueue(11);
    const from = live.model.trace.length;
    const bySnapshot = live.fork();
    const byReplay = live.fork({ mechanism: 'replay' });
    // The restored model starts with an empty trace: the fork was not replayed.
    expect(bySnapshot.model.trace).toEqual([]);
    expect(byReplay.model.trace).toEqual(live.model.trace);
    for (const sim of [live, bySnapshot, byReplay]) {
      sim.run({ until: 60 });
      sim.input('rush');
      sim.state.set('queue.setpoint', 1.3);
      sim.run({ until: 200 });
    }
    const future = after(live.model.trace, from);
    expect(future.length).toBeGreaterThan(200);
    expect(future.some(([, what]) => what.startsWith('done'))).toBe(true);
    expect(bySnapshot.model.trace).toEqual(future);
    expect(after(byReplay.model.trace, from)).toEqual(future);
  });

  it('with another replication gives the same future as fork by replay, different from the original', () => {
    const live = busyQueue(12);
    const from = live.model.trace.length;
    const bySnapshot = live.fork({ replication: 3, mechanism: 'snapshot' });
    const byReplay = live.fork({ replication: 3, mechanism: 'replay' });
    for (const sim of [live, bySnapshot, byReplay]) {
      sim.run({ until: 70 });
      sim.input('rush'); // draws from a stream created after the fork point
      sim.run({ until: 200 });
    }
    expect(bySnapshot.replication).toBe(3);
    expect(bySnapshot.model.trace.length).toBeGreaterThan(200);
    expect(bySnapshot.model.trace).toEqual(after(byReplay.model.trace, from));
    expect(bySnapshot.model.trace).not.toEqual(after(live.model.trace, from));
  });

  it('shares the parameters object, as a replay fork does (parameters need not be cloneable)', () => {
    const withFunction = { ...params, label: () => 'not data' };
    const live = queue.create({ seed: 13, params: withFunction });
    live.run({ until: 20 });
    expect(live.fork().params).toBe(withFunction);
    expect(() => live.snapshot()).toThrow(
      /the parameters must be structured-cloneable plain data, but params\.label is function label/,
    );
  });

  it('a restored simulation forks by replay: restores its base snapshot and replays the journal since', () => {
    const live = busyQueue(14);
    const restored = queue.restore(live.snapshot(), { replication: 1 });
    restored.run({ until: 50 });
    restored.input('rush');
    restored.state.set('queue.setpoint', 0.6);
    restored.step();
    restored.run({ until: 90.5 });
    const byReplay = restored.fork({ mechanism: 'replay' });
    expect(byReplay.model.trace.length).toBeGreaterThan(0);
    expect(byReplay.model.trace).toEqual(restored.model.trace);
    expect(byReplay.eventsProcessed).toBe(restored.eventsProcessed);
    expect(byReplay.state.get('queue.setpoint')).toBe(0.6);
    const bySnapshot = restored.fork();
    const from = restored.model.trace.length;
    for (const sim of [restored, byReplay, bySnapshot]) sim.run({ until: 250 });
    expect(after(restored.model.trace, from).length).toBeGreaterThan(100);
    expect(byReplay.model.trace).toEqual(restored.model.trace);
    expect(bySnapshot.model.trace).toEqual(after(restored.model.trace, from));
    // And with another replication, both mechanisms agree on a restored simulation too.
    const r1 = restored.fork({ replication: 4, mechanism: 'replay' });
    const r2 = restored.fork({ replication: 4, mechanism: 'snapshot' });
    const from2 = restored.model.trace.length;
    r1.run({ until: 350 });
    r2.run({ until: 350 });
    expect(r2.model.trace.length).toBeGreaterThan(50);
    expect(r2.model.trace).toEqual(after(r1.model.trace, from2));
  });

  it('validates the mechanism', () => {
    const live = busyQueue(15);
    expect(() => live.fork({ mechanism: 'copy' as 'replay' })).toThrow(
      /Simulation\.fork\(\{ mechanism \}\): mechanism must be 'snapshot' or 'replay', got "copy"/,
    );
  });

  it('refuses mechanism snapshot on a definition without hooks, saying what to do', () => {
    const live = replayOnly.create({ seed: 1, params });
    live.run({ until: 10 });
    expect(() => live.fork({ mechanism: 'snapshot' })).toThrow(
      /"replay-queue" has no snapshot hooks\. Add snapshot: \{ saveState, restoreState \} to defineModel's options, or fork by replay/,
    );
    expect(live.fork().model.trace).toEqual(live.model.trace);
  });
});

describe('snapshot errors', () => {
  const fails = (fn: () => unknown): TwinkitError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof TwinkitError) return error;
      throw error;
    }
    throw new Error('expected a TwinkitError');
  };

  it('refuses a simulation built with new Simulation()', () => {
    const error = fails(() => new Simulation().snapshot());
    expect(error.code).toBe('FORK');
    expect(error.message).toMatch(
      /^Simulation\.snapshot\(\): this simulation was built with new Simulation\(\).*defineModel/,
    );
  });

  it('refuses a definition without hooks, pointing at the hooks and at fork()', () => {
    const error = fails(() => replayOnly.create({ params }).snapshot());
    expect(error.code).toBe('FORK');
    expect(error.message).toMatch(
      /has no snapshot hooks.*Add snapshot: \{ saveState\(model, sim\), restoreState\(sim, params, state\) \} to defineModel's options, or use fork\(\), which replays/,
    );
  });

  it('refuses to be called from inside an event', () => {
    const model = defineModel(
      (sim) => {
        const seen: unknown[] = [];
        sim.schedule(1, () => {
          try {
            sim.snapshot();
          } catch (e) {
            seen.push(e);
          }
        });
        return seen;
      },
      { snapshot: { saveState: () => null, restoreState: () => [] } },
    );
    const sim = model.create();
    sim.run();
    expect(sim.model).toHaveLength(1);
    expect((sim.model[0] as TwinkitError).code).toBe('FORK');
    expect(String(sim.model[0])).toMatch(
      /snapshot\(\): called while the simulation is processing an event \(t=1\)/,
    );
  });

  it('refuses a simulation changed from outside, with the reason', () => {
    const live = queue.create({ seed: 1, params });
    live.run({ until: 5 });
    live.schedule(1, () => {});
    const error = fails(() => live.snapshot());
    expect(error.code).toBe('FORK');
    expect(error.message).toMatch(
      /cannot be reproduced: an event was scheduled from outside the model at t=5/,
    );
  });

  it('refuses a save that returns data that cannot be cloned, naming the part', () => {
    const holder = defineModel(
      (sim) => {
        const pending = sim.timeout(5);
        return { pending, id: 3 };
      },
      {
        snapshot: {
          saveState: (model) => ({ ids: [model.id], nested: { onDone: function onDone() {} } }),
          restoreState: (sim) => ({ pending: sim.timeout(5), id: 3 }),
        },
      },
    );
    const error = fails(() => holder.create().snapshot());
    expect(error.code).toBe('FORK');
    expect(error.message).toMatch(
      /the state returned by saveState\(\) must be structured-cloneable plain data, but state\.nested\.onDone is function onDone\. Save plain data/,
    );
    const eventHolder = defineModel((sim) => ({ pending: sim.timeout(5) }), {
      snapshot: {
        saveState: (model) => [model.pending],
        restoreState: (sim) => ({ pending: sim.timeout(5) }),
      },
    });
    expect(() => eventHolder.create().snapshot()).toThrow(/but state\[0\] is an instance of Timeout/);
  });

  it('defineModel checks that both hooks are given', () => {
    expect(() => defineModel(() => 1, { snapshot: { saveState: () => 1 } as never })).toThrow(
      /defineModel\(build, \{ snapshot \}\): snapshot must be \{ saveState\(model, sim\), restoreState\(sim, params, state\) \}/,
    );
  });

  it('still takes the deprecated hook names save/restore, but not mixed with the new ones', () => {
    const counter = defineModel(
      (sim) => {
        const model = { count: 0 };
        sim.process(function* () {
          for (;;) {
            yield sim.timeout(1);
            model.count++;
          }
        });
        return model;
      },
      {
        name: 'old-hooks',
        snapshot: {
          save: (m: { count: number }) => ({ count: m.count }),
          restore: (sim, _p, saved: { count: number }) => {
            const model = { count: saved.count };
            sim.process(function* () {
              for (;;) {
                yield sim.timeout(1 - (sim.now % 1));
                model.count++;
              }
            });
            return model;
          },
        },
      },
    );
    const sim = counter.create();
    sim.run({ until: 3.5 });
    const copy = counter.restore(sim.snapshot());
    copy.run({ until: 10.5 });
    expect(copy.model.count).toBe(10);
    expect(() =>
      defineModel(() => 1, {
        snapshot: { saveState: () => 1, restore: () => 1 } as never,
      }),
    ).toThrow(/snapshot takes saveState\/restoreState or \(deprecated\) save\/restore, not both pairs/);
  });
});

/** x' = -k x, solved exactly; records when a check process samples it. */
class Decay implements ContinuousModel {
  constructor(
    public t: number,
    public x: number,
    readonly k: number,
  ) {}
  nextStateEvent(): number {
    return Number.POSITIVE_INFINITY;
  }
  advanceTo(t: number): void {
    this.x *= Math.exp(-this.k * (t - this.t));
    this.t = t;
  }
  fireStateEvents(): void {}
}

describe('snapshot of a model with continuous parts', () => {
  it('works when the hooks save the continuous state and re-attach it', () => {
    const start = (sim: Simulation, saved: { x: number; nextCheck: number | null; log: number[] }) => {
      const decay = new Decay(sim.now, saved.x, 0.05);
      sim.attachContinuous(decay);
      sim.state.define('x', { get: () => decay.x, set: (v) => (decay.x = v) });
      const log = [...saved.log];
      let nextCheck = saved.nextCheck;
      sim.process(function* () {
        for (;;) {
          if (nextCheck === null) {
            const gap = sim.rng('checks').exponential(3);
            nextCheck = sim.now + gap;
            yield sim.timeout(gap);
          } else {
            yield sim.timeout(nextCheck - sim.now);
          }
          nextCheck = null;
          log.push(decay.x);
          if (decay.x < 0.2) decay.x += sim.rng('refill').uniform(0.5, 1);
        }
      });
      return { decay, log, next: () => nextCheck };
    };
    const model = defineModel((sim) => start(sim, { x: 1, nextCheck: null, log: [] }), {
      snapshot: {
        saveState: (m) => ({ x: m.decay.x, nextCheck: m.next(), log: m.log }),
        restoreState: (sim, _p, saved) => start(sim, saved),
      },
    });
    const live = model.create({ seed: 9 });
    live.advanceTo(12.5);
    live.state.set('x', 0.9);
    live.advanceTo(31.25);
    const bySnapshot = live.fork({ replication: 1 });
    const byReplay = live.fork({ replication: 1, mechanism: 'replay' });
    expect(bySnapshot.state.get('x')).toBe(live.state.get('x'));
    for (const sim of [bySnapshot, byReplay]) sim.run({ until: 120 });
    expect(bySnapshot.model.log.length).toBeGreaterThan(live.model.log.length + 10);
    expect(bySnapshot.model.log).toEqual(byReplay.model.log);
  });
});

describe('defineModel types', () => {
  it('accepts hooks with explicit type arguments', () => {
    interface Counter {
      count: number;
    }
    const counter = defineModel<{ step: number }, Counter>(
      (sim, p) => {
        const c = { count: 0 };
        sim.process(function* () {
          for (;;) {
            yield sim.timeout(1);
            c.count += p.step;
          }
        });
        return c;
      },
      {
        defaults: { step: 2 },
        snapshot: {
          saveState: (model) => ({ count: model.count }),
          restoreState: (sim, p, saved: { count: number }) => {
            const c = { count: saved.count };
            sim.process(function* () {
              for (;;) {
                yield sim.timeout(1);
                c.count += p.step;
              }
            });
            return c;
          },
        },
      },
    );
    const live = counter.create();
    live.run({ until: 5.5 });
    const fork = live.fork();
    fork.run({ until: 10.5 });
    live.run({ until: 10.5 });
    expect(fork.model.count).toBe(20);
    expect(live.model.count).toBe(20);
  });
});
