// Careless input as a new user would give it (issue 11): misspelt options, a model created without
// the params it reads, and hand-edited snapshots. Each must be refused with a message that names the
// API, the rule, the value and the remedy.
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test-support/thrown';
import { Simulation, type SimulationSnapshot } from '../simulation';
import { TimeSeries } from '../statistics';
import { defineModel } from './define-model';

const counter = defineModel(
  (sim, p: { rate: number }) => {
    const model = { count: 0 };
    sim.process(function* () {
      for (;;) {
        yield sim.timeout(sim.rng('arrivals').exponential(p.rate));
        model.count++;
      }
    });
    return model;
  },
  {
    name: 'counter',
    snapshot: {
      saveState: (m) => ({ ...m }),
      restoreState: (_sim, _p, saved: { count: number }) => ({ ...saved }),
    },
  },
);

describe('options with a misspelt key are refused, naming the API, the key and the closest option', () => {
  const sim = () => new Simulation({ seed: 1 });
  const cases: [string, () => unknown, RegExp][] = [
    [
      'new Simulation',
      () => new Simulation({ sead: 1 } as never),
      /^new Simulation\(options\): unknown option 'sead' \(given 1\); the options are 'seed', 'startTime', 'replication' and 'generator'\. Did you mean 'seed'\?$/,
    ],
    [
      'run',
      () => sim().run({ untill: 10 } as never),
      /^Simulation\.run\(options\): unknown option 'untill' \(given 10\).*Did you mean 'until'\?$/,
    ],
    [
      'fork',
      () => counter.create({ params: { rate: 1 } }).fork({ replications: 2 } as never),
      /^Simulation\.fork\(options\): unknown option 'replications'.*Did you mean 'replication'\?$/,
    ],
    [
      'create',
      () => counter.create({ seed: 1, param: { rate: 1 } } as never),
      /^ModelDefinition\.create\(options\): unknown option 'param' \(given \{"rate":1\}\).*Did you mean 'params'\?$/,
    ],
    [
      'restore',
      () => {
        const snap = counter.create({ params: { rate: 1 } }).snapshot();
        return counter.restore(snap, { replicaton: 1 } as never);
      },
      /^ModelDefinition\.restore\(snapshot, options\): unknown option 'replicaton'.*Did you mean 'replication'\?$/,
    ],
    [
      'defineModel',
      () => defineModel(() => undefined, { default: { rate: 1 } } as never),
      /^defineModel\(build, options\): unknown option 'default'.*Did you mean 'defaults'\?$/,
    ],
    [
      'defineModel snapshot hooks',
      () =>
        defineModel(() => 1, {
          snapshot: { saveState: () => 1, restoreState: () => 1, restoreStat: () => 1 } as never,
        }),
      /^defineModel\(build, \{ snapshot \}\): unknown option 'restoreStat'.*Did you mean 'restoreState'\?$/,
    ],
    [
      'TimeSeries',
      () => {
        const s = sim();
        s.state.define('x');
        return new TimeSeries(s, { variables: ['x'], intervall: 1 } as never);
      },
      /^new TimeSeries\(sim, options\): unknown option 'intervall'.*Did you mean 'interval'\?$/,
    ],
    [
      'state.define',
      () => sim().state.define('x', { inital: 3 } as never),
      /^state\.define\("x"\): unknown option 'inital' \(given 3\).*Did you mean 'initial'\?$/,
    ],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      const error = thrown(call);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(message);
    });
  }

  it('runRealtime', async () => {
    await expect(sim().runRealtime({ until: 1, speed: 10 } as never)).rejects.toThrow(
      /^Simulation\.runRealtime\(options\): unknown option 'speed' \(given 10\); the options are 'factor', 'until', 'signal' and 'sliceMs'\. Remove it/,
    );
  });

  it('refuses a number where run expects options', () => {
    expect(() => sim().run(100 as never)).toThrow(
      "Simulation.run(options): options must be an object (known keys: 'until'), got 100. Pass for example { until: 100 }.",
    );
  });
});

describe('a model created without the params its definition reads', () => {
  const reads = defineModel((_sim, p: { rate: number }) => ({ rate: p.rate }), { name: 'reads' });

  it('says so while building, and how to pass them', () => {
    const error = thrown(() => reads.create({ seed: 3 }));
    expect(error.message).toBe(
      'ModelDefinition.create(options): the model definition "reads" reads params.rate, but the simulation was created without params (none were given and defineModel has no defaults). Pass them: model.create({ seed, params: { ... } }), or give defaults: defineModel(build, { defaults: { ... } }).',
    );
    expect(error.details).toEqual({ read: 'params.rate' });
  });

  it('says so when a process reads them later, during the run', () => {
    const live = counter.create({ seed: 3 });
    expect(() => live.run({ until: 10 })).toThrow(
      /reads params\.rate, but the simulation was created without params/,
    );
  });

  it('says so for destructuring and the in operator', () => {
    const destructures = defineModel((_sim, { rate }: { rate: number }) => rate);
    expect(() => destructures.create()).toThrow(/the model definition reads params\.rate, but/);
    const probes = defineModel((_sim, p: { rate?: number }) => ('rate' in p ? 1 : 0));
    expect(() => probes.create()).toThrow(/reads params\.rate \(with the in operator\)/);
  });

  it('leaves definitions that do not read params, spread them or are given them alone', () => {
    const ignores = defineModel((sim) => sim.now);
    expect(ignores.create().model).toBe(0);
    expect(ignores.create().params).toBeUndefined();
    const spreads = defineModel((_sim, p: { rate?: number }) => ({ rate: 1, ...p }));
    expect(spreads.create().model).toEqual({ rate: 1 });
    expect(reads.create({ params: { rate: 2 } }).model).toEqual({ rate: 2 });
    const withDefaults = defineModel((_sim, p: { rate: number }) => p.rate, { defaults: { rate: 4 } });
    expect(withDefaults.create().model).toBe(4);
    // A default value of the parameter still applies: the build function gets undefined.
    const defaulted = defineModel((_sim, p: { rate: number } = { rate: 6 }) => p.rate);
    expect(defaulted.create().model).toBe(6);
    const optional = defineModel((_sim, p?: { rate: number }) => p?.rate ?? 7);
    expect(() => optional.create()).toThrow(/reads params\.rate/); // declared without a default: guarded
  });

  it('snapshots and forks a simulation without params that never reads them', () => {
    const calm = defineModel((sim) => sim.now, {
      snapshot: { saveState: () => null, restoreState: (sim) => sim.now },
    });
    const live = calm.create({ seed: 1 });
    const snap = JSON.parse(JSON.stringify(live.snapshot())) as SimulationSnapshot;
    expect(calm.restore(snap).params).toBeUndefined();
    expect(live.fork({ mechanism: 'replay' }).params).toBeUndefined();
  });

  it('says so when the restore hook reads params the snapshot does not hold', () => {
    const hooked = defineModel((_sim, p: { rate: number }) => ({ rate: p?.rate ?? 1 }), {
      defaults: undefined,
      snapshot: { saveState: () => null, restoreState: (_sim, p) => ({ rate: p.rate }) },
    });
    // Created with params, but a hand-made snapshot without them.
    const snap = { ...hooked.create({ params: { rate: 1 } }).snapshot(), params: undefined };
    expect(() => hooked.restore(snap)).toThrow(
      /^ModelDefinition\.restore\(snapshot\): the snapshot hooks of the model definition read params\.rate, but the simulation was restored without params .*Pass them: model\.restore\(snapshot, \{ params: \{ \.\.\. \} \}\)\.$/,
    );
    expect(hooked.restore(snap, { params: { rate: 5 } }).model).toEqual({ rate: 5 });
  });
});

describe('a snapshot with an impossible field is refused', () => {
  const snap = (() => {
    const live = counter.create({ seed: 2, params: { rate: 1 } });
    live.run({ until: 5 });
    return live.snapshot();
  })();
  const bad = (change: Record<string, unknown>) => ({ ...snap, ...change }) as unknown as SimulationSnapshot;

  it('records the start time, and restores the snapshot as it is', () => {
    expect(snap.startTime).toBe(0);
    expect(counter.restore(snap).now).toBe(5);
  });

  it('refuses a time before the start, not finite or not a number', () => {
    expect(() => counter.restore(bad({ time: -50 }))).toThrow(
      'ModelDefinition.restore(snapshot): snapshot.time must not be before snapshot.startTime 0: the clock never runs backwards, got -50. Pass what Simulation.snapshot() returned, unchanged (a JSON round trip is fine).',
    );
    for (const time of [Number.NaN, Number.POSITIVE_INFINITY, '5', undefined]) {
      expect(() => counter.restore(bad({ time }))).toThrow(/snapshot\.time must be a finite number, got/);
    }
    expect(() => counter.restore(bad({ startTime: 'zero' }))).toThrow(
      /snapshot\.startTime must be a finite number, got "zero"/,
    );
  });

  it('accepts a negative time when the simulation started earlier', () => {
    const early = counter.create({ seed: 2, startTime: -100, params: { rate: 1 } });
    early.run({ until: -50 });
    const s = early.snapshot();
    expect(s.startTime).toBe(-100);
    expect(counter.restore(s).now).toBe(-50);
  });

  it('takes a snapshot without startTime (written before it was saved) as starting at 0', () => {
    const { startTime: _dropped, ...old } = snap;
    expect(counter.restore(old as SimulationSnapshot).now).toBe(5);
    expect(() => counter.restore({ ...old, time: -1 } as SimulationSnapshot)).toThrow(
      /snapshot\.time must not be before 0 \(the snapshot has no startTime\)/,
    );
  });

  it('refuses another format version, another model, and missing fields', () => {
    expect(() => counter.restore(bad({ format: 'twinkit-snapshot/2' }))).toThrow(
      /snapshot\.format must be 'twinkit-snapshot\/1', got "twinkit-snapshot\/2"/,
    );
    expect(() => counter.restore(bad({ model: 'queue' }))).toThrow(
      /snapshot\.model must be this definition's name "counter", got "queue"/,
    );
    for (const key of ['seed', 'generator', 'replication', 'forkPath', 'eventsProcessed', 'streams']) {
      const { [key]: _missing, ...rest } = snap as unknown as Record<string, unknown>;
      expect(() => counter.restore(rest as unknown as SimulationSnapshot)).toThrow(
        new RegExp(`snapshot\\.${key} must be .*, got undefined`),
      );
    }
  });
});
