import { expect, it } from 'vitest';
import * as core from './index';

// Guards the public surface of @twinkit/core: adding or removing an export is a deliberate change
// (other packages, examples and users build on these names), so it must show up in this list.
it('exports exactly the public API', () => {
  expect(Object.keys(core).sort()).toEqual([
    'Condition',
    'DEFAULT_GENERATOR',
    'Event',
    'Interrupt',
    'ModelDefinition',
    'Priority',
    'Process',
    'RandomStream',
    'ResumableGroup',
    'ResumableProcess',
    'ScheduledCall',
    'Simulation',
    'StateSelection',
    'StateVector',
    'Tally',
    'TimeSeries',
    'TimeWeighted',
    'Timeout',
    'TwinkitError',
    'allEvents',
    'anyEvent',
    'defineModel',
  ]);
});

// The validators and RNG internals the sibling packages share: @twinkit/core/internal, not the
// public entry point.
it('keeps validators and RNG internals in @twinkit/core/internal', async () => {
  const internal = await import('./internal');
  expect(Object.keys(internal).sort()).toEqual([
    'GENERATOR_KINDS',
    'MRG32K3A_DEFAULT_SEED',
    'Mrg32k3a',
    'closestMatch',
    'createStream',
    'formatValue',
    'invalidArgument',
    'rejectUnknownKeys',
    'requireFinite',
    'requireInteger',
    'requireNonNegative',
    'requirePositive',
  ]);
  expect(internal.invalidArgument('f(x)', 'x must be > 0', -1)).toBeInstanceOf(core.TwinkitError);
});

// The snapshot API's types are part of the public surface too: this breaks the type check if one of
// them stops being exported from the entry point, and checks that the entry point's pieces fit.
it('exports the snapshot API: hooks, snapshot and restore options', () => {
  const hooks: core.SnapshotHooks<{ start: number }, { value: number }, number> = {
    saveState: (model) => model.value,
    restoreState: (_sim, _params, saved) => ({ value: saved }),
  };
  const model = core.defineModel((_sim, params: { start: number }) => ({ value: params.start }), {
    name: 'entry-point',
    snapshot: hooks,
  });
  const live = model.create({ params: { start: 7 }, startTime: 2 });
  live.model.value = 9;
  const snapshot: core.SimulationSnapshot = JSON.parse(JSON.stringify(live.snapshot()));
  const options: core.RestoreOptions = { replication: 1 };
  const restored = model.restore(snapshot, options);
  const fork: core.ForkOptions = { mechanism: 'snapshot' };
  expect([restored.now, restored.replication, restored.model.value]).toEqual([2, 1, 9]);
  expect(live.fork(fork).model.value).toBe(9);
});
